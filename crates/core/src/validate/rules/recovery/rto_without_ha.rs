//! PGP063 rto-without-ha: an RTO under a minute needs high availability.

use super::span;
use crate::model::platform::AzureHaMode;
use crate::model::units::Interval;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP063.
pub struct RtoWithoutHa;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP063",
    name: "rto-without-ha",
    summary: "an RTO under a minute comes with high availability (Patroni or Azure HA)",
    rationale: "Without a standby, a failed server comes back only by being restarted, rescheduled onto another node with its volume reattached, or restored — minutes at best, hours for a restore. An RTO shorter than that is a promise the plan cannot keep.",
    examples: crate::rule_examples!("PGP063-rto-without-ha"),
    replaces: &["PGP012"],
};

impl Rule for RtoWithoutHa {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(rto) = cx.plan.objectives.rto else {
            return;
        };
        let azure_ha = cx
            .plan
            .platform
            .azure()
            .is_some_and(|az| az.high_availability.mode != AzureHaMode::Disabled);
        if cx.plan.topology.patroni.is_some() || azure_ha || rto >= Interval::minutes(1) {
            return;
        }
        out.warning(
            "objectives.rto",
            format!(
                "RTO {} without high availability: a failed single server is restarted, rescheduled or restored, which takes minutes at best",
                span(rto)
            ),
            "add high availability (topology.patroni, or platform.azure.high_availability), or relax objectives.rto to several minutes",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_short_rto_needs_high_availability() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&RtoWithoutHa, &plan).is_empty());
        plan.objectives.rto = Some(Interval::seconds(30));
        let d = run(&RtoWithoutHa, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP063");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "objectives.rto");
        assert!(
            d[0].message.contains("RTO 30s without high availability"),
            "{}",
            d[0].message
        );
        // Azure's zone-redundant HA fails over by itself.
        let mut plan = azure_reference_plan();
        plan.objectives.rto = Some(Interval::seconds(30));
        assert!(run(&RtoWithoutHa, &plan).is_empty());
    }
}
