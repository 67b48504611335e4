//! PGP023 kubernetes-memory-limit: a server on Kubernetes has a memory
//! limit.
//!
//! The limit is the ceiling every memory check is made against; without it
//! the pod has none and the node OOM-kills it under pressure.

use crate::Platform;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP023.
pub struct KubernetesMemoryLimit;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP023",
    name: "kubernetes-memory-limit",
    summary: "a server on Kubernetes has a memory request and limit",
    rationale: "Without a memory limit a pod may grow until its node runs short; the kubelet then evicts pods that use more than they requested and the kernel OOM-kills processes, which for PostgreSQL means every session ends and the server restarts with crash recovery. pgplan also sizes shared_buffers and work_mem and checks the memory budget against the limit: without one they have no ceiling.",
    examples: crate::rule_examples!("PGP023-kubernetes-memory-limit"),
    replaces: &["PGP005"],
};

impl Rule for KubernetesMemoryLimit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !matches!(cx.plan.platform, Platform::Kubernetes(_)) {
            return;
        }
        match &cx.plan.sizing.memory {
            None => out.error(
                "sizing.memory",
                "no memory request or limit: without a limit the memory budget (shared_buffers, work_mem × max_connections) has no ceiling to be checked against, and the node can OOM-kill the pod under memory pressure",
                "set sizing.memory with a request and an equal limit, e.g. `memory: { request: 2Gi, limit: 2Gi }` (Guaranteed QoS)",
            ),
            Some(m) if m.limit.is_none() => {
                let request = m.request.to_kubernetes();
                out.error(
                    "sizing.memory.limit",
                    format!(
                        "the memory request is {request} but there is no limit: the memory budget has no ceiling, and the node can OOM-kill the pod when it uses more than its request"
                    ),
                    format!(
                        "set sizing.memory.limit to {request} (equal to the request, for Guaranteed QoS) or higher, and size shared_buffers and work_mem to it"
                    ),
                );
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Bytes, Resources};

    #[test]
    fn kubernetes_needs_a_memory_limit() {
        let mut plan = kubernetes_plan();
        assert!(run(&KubernetesMemoryLimit, &plan).is_empty());
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(1)).build());
        let d = run(&KubernetesMemoryLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP023");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.memory.limit");
        assert!(d[0].message.contains("request is 1Gi"), "{}", d[0].message);
        assert!(d[0].message.contains("OOM-kill"), "{}", d[0].message);
        assert!(d[0].help.contains("limit to 1Gi"), "{}", d[0].help);

        plan.sizing.memory = None;
        let d = run(&KubernetesMemoryLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.memory");
    }

    #[test]
    fn local_servers_need_no_limits() {
        let mut plan = patroni_cluster_plan();
        plan.sizing = crate::Sizing::default();
        assert!(run(&KubernetesMemoryLimit, &plan).is_empty());
    }
}
