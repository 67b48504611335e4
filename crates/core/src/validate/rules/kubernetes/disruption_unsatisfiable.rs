//! PGP120 kubernetes-disruption-unsatisfiable: a PodDisruptionBudget asks
//! for more available pods than the group runs.

use super::common::{budgeted_pods, kubernetes};
use crate::DisruptionBudget;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP120.
pub struct KubernetesDisruptionUnsatisfiable;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP120",
    name: "kubernetes-disruption-unsatisfiable",
    summary: "a disruption budget's min_available is at most the number of pods it covers",
    rationale: "Kubernetes' disruption controller allows an eviction only while more pods are healthy than minAvailable. A budget that asks for more pods than the StatefulSet runs is never met, even with every pod up: the PodDisruptionBudget reports zero allowed disruptions forever, every kubectl drain of a node running one of these pods retries until it times out, and a managed cluster's node-image or version upgrade fails on that node. The number usually comes from a replica count that was lowered without the budget.",
    examples: crate::rule_examples!("PGP120-kubernetes-disruption-unsatisfiable"),
    replaces: &[],
};

impl Rule for KubernetesDisruptionUnsatisfiable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k) = kubernetes(cx) else {
            return;
        };
        for group in budgeted_pods(cx, k) {
            let DisruptionBudget::MinAvailable(min) = group.budget else {
                continue;
            };
            if min <= group.pods {
                continue;
            }
            out.error(
                group.path(),
                format!(
                    "min_available: {min} for {}, which run {} pod(s): the budget can never be met, so Kubernetes refuses every eviction of these pods and every drain of their nodes hangs",
                    group.what, group.pods
                ),
                format!(
                    "use max_unavailable: 1, or a min_available of at most {} (one less lets a drain proceed)",
                    group.pods
                ),
            );
        }
    }
}
