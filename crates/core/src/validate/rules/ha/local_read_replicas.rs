//! PGP207 local-read-replicas: the local runner runs no read replicas.

use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP207.
pub struct LocalReadReplicas;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP207",
    name: "local-read-replicas",
    summary: "a plan on `platform: local` has no `topology.replicas`: on this machine, standbys are Patroni members",
    rationale: "`pgplan up` starts a single server or a Patroni cluster; read replicas listed beside them would never be started, and clients planned against them would find nothing.",
    examples: crate::rule_examples!("PGP207-local-read-replicas"),
    replaces: &[],
};

impl Rule for LocalReadReplicas {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if runner::local(cx.plan).is_none() || cx.plan.topology.replicas.is_empty() {
            return;
        }
        out.error(
            "topology.replicas",
            format!(
                "{} read replica(s) planned on platform local, where the runner starts none",
                cx.plan.topology.replicas.len()
            ),
            "remove topology.replicas, or plan a Patroni cluster (topology.patroni) whose replicas serve reads through HAProxy's read port",
        );
    }
}
