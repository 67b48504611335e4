//! PGP033 patroni-timing-values: `ttl`, `loop_wait` and `retry_timeout` are
//! whole seconds, at least Patroni's minimums (20, 1 and 3 seconds).

use super::{MIN_LOOP_WAIT_S, MIN_RETRY_TIMEOUT_S, MIN_TTL_S, seconds};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP033.
pub struct PatroniTimingValues;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP033",
    name: "patroni-timing-values",
    summary: "Patroni's ttl, loop_wait and retry_timeout are whole seconds and at least 20, 1 and 3 seconds",
    rationale: "Patroni reads its timings as whole seconds and does not accept values below its minimums: a fraction is not what the cluster will run with, and a shorter ttl or retry_timeout makes the leader key expire during an ordinary network or DCS hiccup, demoting a healthy primary.",
    examples: crate::rule_examples!("PGP033-patroni-timing-values"),
    replaces: &["PGP008"],
};

impl Rule for PatroniTimingValues {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let timings = [
            ("ttl", p.ttl, MIN_TTL_S),
            ("loop_wait", p.loop_wait, MIN_LOOP_WAIT_S),
            ("retry_timeout", p.retry_timeout, MIN_RETRY_TIMEOUT_S),
        ];
        for (name, value, min_s) in timings {
            let path = format!("topology.patroni.{name}");
            if !value.as_millis().is_multiple_of(1000) {
                out.error(
                    path,
                    format!("{name} is {}; Patroni takes whole seconds", seconds(value)),
                    format!(
                        "set {name} to {}s",
                        value.as_millis().div_ceil(1000).max(min_s)
                    ),
                );
            } else if value.as_secs() < min_s {
                out.error(
                    path,
                    format!(
                        "{name} is {} but Patroni's minimum is {min_s}s",
                        seconds(value)
                    ),
                    format!("set {name} to {min_s}s or more"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::Interval;
    use crate::validate::rules::test_support::*;

    #[test]
    fn patroni_defaults_pass() {
        assert!(run(&PatroniTimingValues, &patroni_cluster_plan()).is_empty());
        assert!(run(&PatroniTimingValues, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn timings_below_patroni_minimums() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.ttl = Interval::seconds(10);
        p.loop_wait = Interval::ZERO;
        p.retry_timeout = Interval::seconds(2);
        let d = run(&PatroniTimingValues, &plan);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].id(), "PGP033");
        assert_eq!(d[0].path, "topology.patroni.ttl");
        assert!(
            d[0].message
                .contains("ttl is 10s but Patroni's minimum is 20s"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].path, "topology.patroni.loop_wait");
        assert!(d[1].help.contains("1s or more"), "{}", d[1].help);
        assert_eq!(d[2].path, "topology.patroni.retry_timeout");
        assert!(d[2].message.contains("minimum is 3s"), "{}", d[2].message);
        assert!(d.iter().all(|d| d.severity == Severity::Error));
    }

    #[test]
    fn fractional_seconds_are_rejected() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).loop_wait = Interval::millis(2500);
        let d = run(&PatroniTimingValues, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "topology.patroni.loop_wait");
        assert!(d[0].message.contains("2500ms"), "{}", d[0].message);
        assert!(d[0].help.contains("3s"), "{}", d[0].help);
    }
}
