//! PGP177 azure-alert-metrics: thresholds Azure has no metric for say so.
//!
//! - Flexible Server has no slow-query metric. The closest is
//!   `longest_query_time_sec`, the age of the longest query still running,
//!   sampled every minute and collected only with
//!   `metrics.collector_database_activity` on (pgplan turns it on). The
//!   alert is rendered on it, and an info says what it sees; with the
//!   parameter set off there is no such metric and nothing is rendered
//!   (warning).
//! - A replication-lag alert watches read replicas
//!   (`physical_replication_delay_in_seconds` is emitted on the replica).
//!   Azure has no lag metric for the high-availability standby, so on a
//!   plan with a standby and no read replica nothing is rendered (warning).
//!   (Without any standby, PGP014 already says the alert never fires.)

use super::support::platform;
use crate::azure_monitor::{self, DATABASE_ACTIVITY_PARAMETER};
use crate::model::platform::AzureHaMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP177.
pub struct AzureAlertMetrics;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP177",
    name: "azure-alert-metrics",
    summary: "on Azure, a slow-query threshold is rendered on longest_query_time_sec (needs metrics.collector_database_activity on) and a replication-lag threshold on each read replica's lag; thresholds without such a metric are reported, not dropped silently",
    rationale: "Azure Monitor has no slow-query metric and no lag metric for the high-availability standby; an alert pgplan cannot render must not disappear without a word, and one rendered on a nearby metric must say what that metric sees.",
    examples: crate::rule_examples!("PGP177-azure-alert-metrics"),
    replaces: &[],
};

impl Rule for AzureAlertMetrics {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let t = &cx.plan.monitoring.thresholds;
        if let Some(slow) = &t.slow_query {
            let path = "monitoring.thresholds.slow_query";
            if azure_monitor::database_activity_off(cx.plan) {
                out.warning(
                    path,
                    format!(
                        "the slow-query alert above {} is not rendered: Azure has no slow-query metric, and its running-query metric (longest_query_time_sec) is collected only with {DATABASE_ACTIVITY_PARAMETER} on, which the plan sets off",
                        slow.above
                    ),
                    format!(
                        "remove {DATABASE_ACTIVITY_PARAMETER} from tuning.parameters (pgplan then turns it on), or remove the threshold and alert on the server logs (log_min_duration_statement) with a log search alert"
                    ),
                );
            } else {
                out.info(
                    path,
                    format!(
                        "Azure has no slow-query metric: the alert is rendered on longest_query_time_sec above {} s — the age of the longest query still running, sampled every minute — and pgplan sets {DATABASE_ACTIVITY_PARAMETER} on to collect it; statements that finish between two samples show only in the server logs",
                        azure_monitor::number(slow.above.as_millis() as f64 / 1000.0)
                    ),
                    "for every slow statement, keep log_min_duration_statement at or below the threshold and alert on the logs",
                );
            }
        }
        if let Some(lag) = &t.replication_lag
            && cx.plan.topology.replicas.is_empty()
            && az.high_availability.mode != AzureHaMode::Disabled
        {
            out.warning(
                "monitoring.thresholds.replication_lag",
                format!(
                    "the replication-lag alert above {} is not rendered: the plan has no read replica, and Azure has no lag metric for the high-availability standby",
                    lag.above
                ),
                "remove it, or plan the read replicas it is meant to watch (topology.replicas); the standby's health shows in the server's high-availability state",
            );
        }
    }
}

// Tests: crates/core/tests/azure_ops.rs (with the rule examples).
