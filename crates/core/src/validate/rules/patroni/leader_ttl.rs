//! PGP034 patroni-leader-ttl: `loop_wait + 2 × retry_timeout ≤ ttl`, the rule
//! Patroni's documentation states for its timings.

use super::{MIN_RETRY_TIMEOUT_S, MIN_TTL_S, seconds};
use crate::Interval;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP034.
pub struct PatroniLeaderTtl;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP034",
    name: "patroni-leader-ttl",
    summary: "Patroni's loop_wait + 2 × retry_timeout is at most its ttl",
    rationale: "The primary renews its leader key every loop_wait and may spend retry_timeout twice on a slow DCS before giving up. If that takes longer than the key's ttl, the key expires while the primary is still healthy and retrying: a replica takes over and the old primary demotes itself — a failover, and its downtime, caused by the timings alone.",
    examples: crate::rule_examples!("PGP034-patroni-leader-ttl"),
    replaces: &["PGP008"],
};

impl Rule for PatroniLeaderTtl {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let needed = p
            .loop_wait
            .as_millis()
            .saturating_add(p.retry_timeout.as_millis().saturating_mul(2));
        if needed <= p.ttl.as_millis() {
            return;
        }
        let corrected = Interval::millis(
            needed
                .div_ceil(1000)
                .saturating_mul(1000)
                .max(MIN_TTL_S * 1000),
        );
        // The other way round: the largest retry_timeout that fits the ttl.
        let retry_fit = p.ttl.as_millis().saturating_sub(p.loop_wait.as_millis()) / 2 / 1000;
        let mut help = format!(
            "raise ttl to {} (loop_wait + 2 × retry_timeout)",
            seconds(corrected)
        );
        if retry_fit >= MIN_RETRY_TIMEOUT_S {
            help.push_str(&format!(
                ", or lower retry_timeout to {retry_fit}s to keep ttl {}",
                seconds(p.ttl)
            ));
        }
        out.error(
            "topology.patroni.ttl",
            format!(
                "loop_wait {} + 2 × retry_timeout {} = {} exceeds ttl {}: the leader key can expire while the primary is still retrying, and a healthy primary is demoted",
                seconds(p.loop_wait),
                seconds(p.retry_timeout),
                seconds(Interval::millis(needed)),
                seconds(p.ttl)
            ),
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn patroni_defaults_pass() {
        assert!(run(&PatroniLeaderTtl, &patroni_cluster_plan()).is_empty());
    }

    #[test]
    fn ttl_too_short_for_loop_wait_and_retries() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).retry_timeout = Interval::seconds(15);
        let d = run(&PatroniLeaderTtl, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP034");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.ttl");
        assert!(
            d[0].message
                .contains("loop_wait 10s + 2 × retry_timeout 15s = 40s exceeds ttl 30s"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("raise ttl to 40s"), "{}", d[0].help);
        assert!(
            d[0].help.contains("lower retry_timeout to 10s"),
            "{}",
            d[0].help
        );
    }
}
