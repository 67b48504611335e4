//! PGP123 kubernetes-disruption-without-replicas: a read replicas' budget in
//! a plan without read replicas.

use super::common::{kubernetes, platform_path};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP123.
pub struct KubernetesDisruptionWithoutReplicas;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP123",
    name: "kubernetes-disruption-without-replicas",
    summary: "a disruption budget for read replicas comes with read replicas to cover",
    rationale: "The read replicas' PodDisruptionBudget selects the pods of their StatefulSet, which exists only when topology.replicas lists replicas. A budget planned without them renders nothing: whoever wrote it expects drains to be limited for servers that the plan does not have, usually because the replicas were meant to be listed too.",
    examples: crate::rule_examples!("PGP123-kubernetes-disruption-without-replicas"),
    replaces: &[],
};

impl Rule for KubernetesDisruptionWithoutReplicas {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k) = kubernetes(cx) else {
            return;
        };
        let Some(budget) = k.disruption.read_replicas else {
            return;
        };
        if !cx.plan.topology.replicas.is_empty() {
            return;
        }
        out.error(
            platform_path("disruption").field("read_replicas"),
            format!(
                "disruption.read_replicas is `{budget}`, but topology.replicas lists no read replica: no budget is rendered for it"
            ),
            "list the read replicas under topology.replicas, or remove disruption.read_replicas",
        );
    }
}
