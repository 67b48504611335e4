//! PGP073 connection-alert: the connection alert is below max_connections
//! (error at or above, warning above 95 %); when unset it is derived as 80 %
//! of max_connections and reported as an info with the number.

use crate::model::monitoring::{DERIVED_CONNECTION_ALERT_PERCENT, derived_connection_alert};
use crate::tuning::params::MAX_CONNECTIONS;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP073.
pub struct ConnectionAlert;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP073",
    name: "connection-alert",
    summary: "the connection alert fires below max_connections, with room to act (at most 95 % of it)",
    rationale: "The connection alert exists to warn before clients are refused. At or above max_connections it can never fire — the server refuses the connection that would cross it — and close below it, it fires when a handful of slots are left, too late for anyone to scale the pooler or find the leaking client.",
    examples: crate::rule_examples!("PGP073-connection-alert"),
    replaces: &["PGP014"],
};

impl Rule for ConnectionAlert {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(max) = cx.settings.get(MAX_CONNECTIONS) else {
            return;
        };
        let max = u64::from(max);
        let derived = derived_connection_alert(max);
        let Some(threshold) = cx.plan.monitoring.thresholds.connections else {
            out.info(            "monitoring.thresholds.connections",
                format!(
                    "no connection alert threshold: pgplan alerts above {derived} connections, {DERIVED_CONNECTION_ALERT_PERCENT} % of max_connections {max}"
                ),
                "set monitoring.thresholds.connections.above to choose another threshold");
            return;
        };
        let above = u64::from(threshold.above);
        let path = "monitoring.thresholds.connections.above";
        if above >= max {
            out.error(            path,
                format!(
                    "the connection alert at {above} can never fire before the server refuses connections: max_connections is {max}"
                ),
                format!(
                    "set it below max_connections, e.g. {derived} ({DERIVED_CONNECTION_ALERT_PERCENT} %), or remove it to get that derived"
                ));
        } else if above * 100 > max * 95 {
            out.warning(            path,
                format!(
                    "the connection alert at {above} is {:.1} % of max_connections {max}: it fires with only {} slots left, too late to act",
                    above as f64 * 100.0 / max as f64,
                    max - above
                ),
                format!("lower it to about {derived} ({DERIVED_CONNECTION_ALERT_PERCENT} %)"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Threshold;
    use crate::validate::rules::test_support::*;

    #[test]
    fn connection_alert_must_be_below_max_connections() {
        let mut plan = azure_reference_plan();
        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(200).build());
        let d = run(&ConnectionAlert, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "monitoring.thresholds.connections.above");
        assert!(
            d[0].message
                .contains("the connection alert at 200 can never fire before the server refuses connections: max_connections is 200"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("e.g. 160 (80 %)"), "{}", d[0].help);

        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(195).build());
        let d = run(&ConnectionAlert, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("97.5 % of max_connections 200"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("only 5 slots left"),
            "{}",
            d[0].message
        );

        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(190).build());
        assert!(run(&ConnectionAlert, &plan).is_empty());
    }

    #[test]
    fn unset_connection_alert_is_derived_at_80_percent() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.connections = None;
        let d = run(&ConnectionAlert, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "monitoring.thresholds.connections");
        assert!(
            d[0].message
                .contains("alerts above 80 connections, 80 % of max_connections 100"),
            "{}",
            d[0].message
        );
    }
}
