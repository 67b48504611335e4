//! PGP064 rto-below-patroni-ttl: an RTO shorter than Patroni's `ttl` cannot
//! be met, since a failed leader is noticed only when its key expires.

use super::span;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP064.
pub struct RtoBelowPatroniTtl;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP064",
    name: "rto-below-patroni-ttl",
    summary: "the RTO is not shorter than Patroni's ttl",
    rationale: "Patroni starts a failover only after the failed leader's key expires in the DCS, ttl seconds after its last renewal; electing and promoting a replica comes on top. An RTO below the ttl is missed on every failover.",
    examples: crate::rule_examples!("PGP064-rto-below-patroni-ttl"),
    replaces: &["PGP012"],
};

impl Rule for RtoBelowPatroniTtl {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let (Some(rto), Some(patroni)) = (cx.plan.objectives.rto, &cx.plan.topology.patroni) else {
            return;
        };
        if rto >= patroni.ttl {
            return;
        }
        out.warning(
            "objectives.rto",
            format!(
                "RTO {} is shorter than Patroni's ttl {}: a failed leader is noticed only when its key expires, before any failover starts",
                span(rto),
                patroni.ttl
            ),
            "lower topology.patroni.ttl (keeping loop_wait + 2 × retry_timeout ≤ ttl), or relax objectives.rto",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Interval;
    use crate::validate::rules::test_support::*;

    #[test]
    fn rto_below_the_ttl() {
        let mut plan = patroni_cluster_plan();
        plan.objectives.rto = Some(Interval::seconds(20));
        let d = run(&RtoBelowPatroniTtl, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP064");
        assert!(
            d[0].message.contains("shorter than Patroni's ttl 30s"),
            "{}",
            d[0].message
        );
        plan.objectives.rto = Some(Interval::minutes(1));
        assert!(run(&RtoBelowPatroniTtl, &plan).is_empty());
    }
}
