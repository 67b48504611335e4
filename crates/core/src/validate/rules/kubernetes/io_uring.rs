//! PGP124 kubernetes-io-uring: `io_method = io_uring` needs system calls
//! that the seccomp profile of pgplan's pods (`RuntimeDefault`) blocks.
//!
//! containerd 2.0 removed `io_uring_setup`, `io_uring_enter` and
//! `io_uring_register` from its RuntimeDefault profile (containerd PR 9320),
//! as Docker 25 did from its default profile (moby PR 46762).

use super::common::{kubernetes, replica_path};
use crate::tuning::params::IO_METHOD;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP124.
pub struct KubernetesIoUring;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP124",
    name: "kubernetes-io-uring",
    summary: "a plan on Kubernetes leaves io_method at worker or sync, since the pods' RuntimeDefault seccomp profile blocks io_uring",
    rationale: "pgplan's pods run with the RuntimeDefault seccomp profile (a restricted pod must). containerd 2.0 and Docker 25 took io_uring_setup, io_uring_enter and io_uring_register out of that profile because io_uring has been a frequent route out of containers, so the kernel answers them with EPERM. PostgreSQL 18 with io_method = io_uring sets its rings up when the postmaster starts; the call fails, the server does not start, and the pod restarts in CrashLoopBackOff on every node with a current runtime. io_method = worker (PostgreSQL's default) does asynchronous I/O with background processes and needs no system call the profile blocks.",
    examples: crate::rule_examples!("PGP124-kubernetes-io-uring"),
    replaces: &[],
};

fn is_io_uring(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("io_uring")
}

impl Rule for KubernetesIoUring {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let name = IO_METHOD.name();
        let help = "remove io_method (PostgreSQL's worker, asynchronous I/O in background processes) or set io_method = worker: the pods pgplan renders keep the RuntimeDefault seccomp profile";
        let mut report = |path, server: &str| {
            out.error(
                path,
                format!(
                    "io_method = io_uring on {server}, but the pod runs with the RuntimeDefault seccomp profile, which blocks io_uring_setup on containerd 2.0 and Docker 25 and later: PostgreSQL {} cannot set up its I/O rings and does not start",
                    cx.plan.version
                ),
                help,
            );
        };
        if cx.settings.is_set(IO_METHOD)
            && let Some(setting) = cx.settings.setting(IO_METHOD)
            && is_io_uring(&setting.value.to_string())
        {
            report(cx.param_path(name), "the primary");
        }
        for (i, r) in cx.plan.topology.replicas.iter().enumerate() {
            if let Some((key, value)) = r.parameters.iter().find(|(k, _)| k.as_str() == name)
                && is_io_uring(&value.to_string())
            {
                report(
                    replica_path(i).field("parameters").key(key.as_str()),
                    &format!("read replica {}", r.name),
                );
            }
        }
    }
}
