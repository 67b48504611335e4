//! PGP076 replication-lag-alert: a replication-lag alert without any
//! replication never fires (warning).

use crate::model::platform::AzureHaMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP076.
pub struct ReplicationLagAlert;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP076",
    name: "replication-lag-alert",
    summary: "a replication-lag alert watches a plan that has standbys or replicas",
    rationale: "With no standby there is no lag to measure: the alert never fires, and its presence suggests replicas the plan does not have — often a sign the topology was left out of the plan by mistake.",
    examples: crate::rule_examples!("PGP076-replication-lag-alert"),
    replaces: &["PGP014"],
};

impl Rule for ReplicationLagAlert {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(lag) = cx.plan.monitoring.thresholds.replication_lag else {
            return;
        };
        let azure_standby = cx
            .plan
            .platform
            .azure()
            .is_some_and(|az| az.high_availability.mode != AzureHaMode::Disabled);
        if cx.plan.topology.replicates() || azure_standby {
            return;
        }
        out.warning(        "monitoring.thresholds.replication_lag",
            format!(
                "a replication-lag alert above {} but the plan has no standby or replica: it never fires",
                lag.above
            ),
            "remove it, or plan the replicas it is meant to watch (topology.replicas, topology.patroni)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Interval, ReadReplica, Threshold};

    #[test]
    fn replication_lag_needs_replication() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.replication_lag =
            Some(Threshold::builder().above(Interval::seconds(30)).build());
        let d = run(&ReplicationLagAlert, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "monitoring.thresholds.replication_lag");
        plan.topology.replicas = vec![ReadReplica::builder().name(v("replica-1")).build()];
        assert!(run(&ReplicationLagAlert, &plan).is_empty());
    }
}
