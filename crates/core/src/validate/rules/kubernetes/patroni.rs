//! PGP100 kubernetes-patroni: a Patroni topology on Kubernetes.

use super::common::kubernetes;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP100.
pub struct KubernetesPatroni;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP100",
    name: "kubernetes-patroni",
    summary: "a plan on Kubernetes has no Patroni topology: the Kubernetes backend renders one primary with optional read replicas",
    rationale: "The Kubernetes backend renders a single primary StatefulSet and, optionally, read replicas that stream from it; it deploys no Patroni, no DCS and no failover. A Patroni plan would go to the cluster as a lone primary, without the automatic failover its availability objective counts on.",
    examples: crate::rule_examples!("PGP100-kubernetes-patroni"),
    replaces: &[],
};

impl Rule for KubernetesPatroni {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let Some(patroni) = &cx.plan.topology.patroni else {
            return;
        };
        out.error(
            FieldPath::root().field("topology").field("patroni"),
            format!(
                "the plan runs Patroni cluster `{}` with {} member(s) on Kubernetes, but the Kubernetes backend renders one primary StatefulSet with optional read replicas: nothing would run Patroni, elect a leader or fail over",
                patroni.scope,
                patroni.members.len()
            ),
            "render Patroni clusters with the HA backend (`platform: { local: {} }`), or remove topology.patroni and list read replicas under topology.replicas",
        );
    }
}
