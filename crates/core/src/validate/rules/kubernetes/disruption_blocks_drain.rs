//! PGP121 kubernetes-disruption-blocks-drain: a read replicas' budget that
//! lets no healthy pod go.

use super::common::{budgeted_pods, kubernetes};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP121.
pub struct KubernetesDisruptionBlocksDrain;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP121",
    name: "kubernetes-disruption-blocks-drain",
    summary: "the read replicas' disruption budget lets a drain evict at least one of them",
    rationale: "A PodDisruptionBudget with max_unavailable: 0, or with min_available equal to the number of pods, allows no eviction while every pod is healthy: each kubectl drain of a node that runs a read replica waits until someone deletes the pod by hand, and cluster upgrades stall or fail on those nodes. Read replicas are interchangeable copies that rebuild themselves from the primary, so losing one at a time is what a budget for them should allow. The primary is left out: with no failover on Kubernetes, max_unavailable: 0 on its single pod is how a plan says that a drain waits for an operator, which is pgplan's default in production.",
    examples: crate::rule_examples!("PGP121-kubernetes-disruption-blocks-drain"),
    replaces: &[],
};

impl Rule for KubernetesDisruptionBlocksDrain {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k) = kubernetes(cx) else {
            return;
        };
        for group in budgeted_pods(cx, k) {
            if group.field != "read_replicas" {
                continue;
            }
            // An unsatisfiable budget is PGP120's.
            if matches!(group.budget, crate::DisruptionBudget::MinAvailable(n) if n > group.pods) {
                continue;
            }
            if group.budget.evictions_allowed(group.pods) != Some(0) {
                continue;
            }
            out.warning(
                group.path(),
                format!(
                    "{} for {} read replica pod(s) allows no eviction while all are healthy: every drain of a node running one waits until its pod is deleted by hand",
                    group.budget, group.pods
                ),
                "use max_unavailable: 1 (pgplan's default for read replicas): a drain then moves one replica at a time",
            );
        }
    }
}
