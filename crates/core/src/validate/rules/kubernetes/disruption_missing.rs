//! PGP122 kubernetes-disruption-missing: a production plan whose pods a
//! drain may evict without any budget.

use super::common::{budgeted_pods, kubernetes};
use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{DisruptionBudget, Environment};

/// PGP122.
pub struct KubernetesDisruptionMissing;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP122",
    name: "kubernetes-disruption-missing",
    summary: "a production plan with several servers keeps a disruption budget on each group of pods",
    rationale: "Without a PodDisruptionBudget nothing limits voluntary evictions: a node pool upgrade that drains several nodes at once, or the cluster autoscaler, may evict every read replica together, and the primary, whose pod then waits to be scheduled elsewhere and for its volume to attach, without anyone being asked. With several servers in production the plan says that readers and writers should stay up through maintenance; a budget is what makes Kubernetes keep them up.",
    examples: crate::rule_examples!("PGP122-kubernetes-disruption-missing"),
    replaces: &[],
};

impl Rule for KubernetesDisruptionMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k) = kubernetes(cx) else {
            return;
        };
        if cx.plan.environment != Environment::Production {
            return;
        }
        let servers = 1 + cx.plan.topology.replicas.len();
        if servers < 2 {
            return;
        }
        for group in budgeted_pods(cx, k) {
            if group.budget != DisruptionBudget::NoBudget {
                continue;
            }
            let effect = if group.field == "primary" {
                "a drain evicts the primary at once: writes stop until its pod is scheduled on another node and its volume attaches"
                    .to_owned()
            } else {
                format!(
                    "a drain of several nodes can evict all {} read replicas together, leaving reads without a server",
                    group.pods
                )
            };
            out.warning(
                group.path(),
                format!(
                    "production plan with {servers} servers has no disruption budget for {}: {effect}",
                    group.what
                ),
                if group.field == "primary" {
                    "remove disruption.primary (pgplan renders max_unavailable: 0 for a production primary), or set max_unavailable: 1 if an outage during maintenance is accepted"
                } else {
                    "remove disruption.read_replicas (pgplan renders max_unavailable: 1), or set a min_available below the number of replicas"
                },
            );
        }
    }
}
