//! PGP075 slow-query-logging: a slow-query alert needs the slow statements
//! logged: `log_min_duration_statement` of -1 (off), or above the alert,
//! warns.

use crate::tuning::OrUnset;
use crate::tuning::params::LOG_MIN_DURATION_STATEMENT;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP075.
pub struct SlowQueryLogging;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP075",
    name: "slow-query-logging",
    summary: "with a slow-query alert, log_min_duration_statement logs the statements the alert counts",
    rationale: "A slow-query alert says that slow statements ran; the log says which. With log_min_duration_statement off, or above the alert's threshold, the alert fires and the on-call engineer finds nothing in the log to act on.",
    examples: crate::rule_examples!("PGP075-slow-query-logging"),
    replaces: &["PGP014"],
};

impl Rule for SlowQueryLogging {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(slow) = cx.plan.monitoring.thresholds.slow_query else {
            return;
        };
        let path = if cx.settings.is_set(LOG_MIN_DURATION_STATEMENT) {
            cx.path_of(LOG_MIN_DURATION_STATEMENT)
        } else {
            FieldPath::from("monitoring.thresholds.slow_query.above")
        };
        match cx.settings.get(LOG_MIN_DURATION_STATEMENT) {
            Some(OrUnset::Unset) => out.warning(
                path,
                format!(
                    "log_min_duration_statement is -1 (off) while the slow-query alert fires above {}: the alert says slow statements ran, but none is logged to show which",
                    slow.above
                ),
                format!(
                    "remove log_min_duration_statement (pgplan then logs statements slower than the alert's threshold), or set it to {}",
                    slow.above
                ),
            ),
            Some(OrUnset::Value(logged)) if logged > slow.above => out.warning(
                path,
                format!(
                    "log_min_duration_statement {logged} is above the slow-query alert's {}: statements between the two raise the alert but are not logged",
                    slow.above
                ),
                format!("set log_min_duration_statement to {} or lower", slow.above),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn slow_queries_must_be_logged() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("log_min_duration_statement", "-1")]);
        let d = run(&SlowQueryLogging, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "tuning.parameters.log_min_duration_statement");
        assert!(
            d[0].message
                .contains("-1 (off) while the slow-query alert fires above 5s"),
            "{}",
            d[0].message
        );

        set_parameters(&mut plan, &[("log_min_duration_statement", "10s")]);
        let d = run(&SlowQueryLogging, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("10s is above the slow-query alert's 5s"),
            "{}",
            d[0].message
        );

        // Logging more than the alert counts is fine.
        set_parameters(&mut plan, &[("log_min_duration_statement", "1s")]);
        assert!(run(&SlowQueryLogging, &plan).is_empty());
    }
}
