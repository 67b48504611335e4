//! PGP024 kubernetes-cpu-request: a server on Kubernetes requests CPU.

use crate::Platform;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP024.
pub struct KubernetesCpuRequest;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP024",
    name: "kubernetes-cpu-request",
    summary: "a server on Kubernetes has a CPU request",
    rationale: "The scheduler places a pod by its requests: without a CPU request the database may land on a node whose CPU is already spoken for, and gets only what is left under contention. pgplan also derives the worker processes and parallel query settings from the CPU count, and without it leaves them at PostgreSQL's defaults.",
    examples: crate::rule_examples!("PGP024-kubernetes-cpu-request"),
    replaces: &["PGP005"],
};

impl Rule for KubernetesCpuRequest {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !matches!(cx.plan.platform, Platform::Kubernetes(_)) || cx.plan.sizing.cpu.is_some() {
            return;
        }
        out.warning(
            "sizing.cpu",
            "no CPU request: the scheduler may place the pod on a node with no CPU to spare, and pgplan cannot derive parallel workers from the CPU count",
            "set sizing.cpu.request, e.g. `cpu: { request: 1, limit: 2 }`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn kubernetes_should_have_a_cpu_request() {
        let mut plan = kubernetes_plan();
        assert!(run(&KubernetesCpuRequest, &plan).is_empty());
        plan.sizing.cpu = None;
        let d = run(&KubernetesCpuRequest, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP024");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "sizing.cpu");
        assert!(d[0].help.contains("sizing.cpu.request"), "{}", d[0].help);
        // A server on this machine takes what the machine has.
        let mut plan = patroni_cluster_plan();
        plan.sizing.cpu = None;
        assert!(run(&KubernetesCpuRequest, &plan).is_empty());
    }
}
