//! PGP103 kubernetes-cpu-request: the server container's CPU.

use super::common::kubernetes;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP103.
pub struct KubernetesCpuRequest;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP103",
    name: "kubernetes-cpu-request",
    summary: "a plan on Kubernetes sets sizing.cpu, the server container's CPU request (and limit)",
    rationale: "Without a CPU request the scheduler reserves no CPU for the database: it lands on a node with none to spare and is throttled by its neighbours. The CPU alert has no limit to measure against, and a namespace whose ResourceQuota covers CPU refuses the pod outright.",
    examples: crate::rule_examples!("PGP103-kubernetes-cpu-request"),
    replaces: &["PGP005"],
};

impl Rule for KubernetesCpuRequest {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() || cx.plan.sizing.cpu.is_some() {
            return;
        }
        let memory = cx
            .plan
            .sizing
            .memory
            .map(|m| format!(" for its {} of memory", m.ceiling().to_kubernetes()))
            .unwrap_or_default();
        out.error(
            FieldPath::root().field("sizing").field("cpu"),
            format!(
                "the plan sets no CPU for the PostgreSQL container{memory}: the pod would be scheduled without reserving any, and the CPU alert has no limit to measure against"
            ),
            "set sizing.cpu with a request and a limit, e.g. `cpu: { request: 500m, limit: 1 }` (pgplan also derives the parallel workers from it)",
        );
    }
}
