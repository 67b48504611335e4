//! PGP176 azure-metric-alerts: every threshold becomes an Azure Monitor
//! metric alert with a window, an evaluation frequency and a severity that
//! Azure takes.

use super::support::{azure_path, platform};
use crate::azure_monitor::{self, FREQUENCIES, SEVERITIES, WINDOWS};
use crate::model::units::Interval;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP176.
pub struct AzureMetricAlerts;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP176",
    name: "azure-metric-alerts",
    summary: "on Azure, each threshold's `for` is a metric alert window Azure takes (0s, 1min, 5min, 15min, 30min, 1h, 6h, 12h or 1d), the evaluation frequency is 1min, 5min, 15min, 30min or 1h and not longer than a sustained threshold's window (an at-once threshold's window follows it), the severity is 0–4, and action groups are names or action group ids",
    rationale: "pgplan renders every threshold as a metric alert whose window is the threshold's `for`; Azure Monitor rejects any other window or frequency, a frequency longer than the window, and severities outside 0–4 — the Azure CLI passes them through unchecked, so the deploy script would fail half-way — and pgplan does not round a threshold to another window silently.",
    examples: crate::rule_examples!("PGP176-azure-metric-alerts"),
    replaces: &[],
};

fn list(durations: &[Interval]) -> String {
    durations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for AzureMetricAlerts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let alerts = &az.alerts;
        if !SEVERITIES.contains(&alerts.severity) {
            out.error(
                azure_path(&["alerts", "severity"]),
                format!(
                    "alert severity {} does not exist: Azure Monitor's severities are 0 (critical), 1 (error), 2 (warning), 3 (informational) and 4 (verbose)",
                    alerts.severity
                ),
                "set severity between 0 and 4, e.g. 2",
            );
        }
        let frequency_path = azure_path(&["alerts", "evaluation_frequency"]);
        let explicit = alerts.evaluation_frequency;
        if let Some(f) = explicit
            && !FREQUENCIES.contains(&f)
        {
            out.error(
                frequency_path.clone(),
                format!(
                    "Azure Monitor does not evaluate metric alerts every {f}: it takes {}",
                    list(&FREQUENCIES)
                ),
                "use one of those, or leave it out to have it derived from each alert's window",
            );
        }
        for (i, group) in alerts.action_groups.iter().enumerate() {
            let id = group.as_str().to_ascii_lowercase();
            if group.is_id() && !id.contains("/providers/microsoft.insights/actiongroups/") {
                out.error(
                    azure_path(&["alerts", "action_groups"]).index(i),
                    format!("`{group}` is not an action group's resource id"),
                    "write the action group's name (in the server's resource group) or its id, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>",
                );
            }
        }
        let t = &cx.plan.monitoring.thresholds;
        let has_replicas = !cx.plan.topology.replicas.is_empty();
        let sustained = [
            ("cpu", t.cpu.map(|x| x.sustained)),
            ("memory", t.memory.map(|x| x.sustained)),
            ("storage", t.storage.map(|x| x.sustained)),
            ("connections", t.connections.map(|x| x.sustained)),
            ("slow_query", t.slow_query.map(|x| x.sustained)),
            (
                "replication_lag",
                t.replication_lag
                    .filter(|_| has_replicas)
                    .map(|x| x.sustained),
            ),
        ];
        for (field, sustained) in sustained {
            let Some(sustained) = sustained else {
                continue;
            };
            let path = FieldPath::root()
                .field("monitoring")
                .field("thresholds")
                .field(field)
                .field("for");
            let window = match azure_monitor::window_for(sustained) {
                Ok(w) => w,
                Err(near) => {
                    let nearest: Vec<String> = [near.below, near.above]
                        .into_iter()
                        .flatten()
                        .map(|d| d.to_string())
                        .collect();
                    out.error(
                        path,
                        format!(
                            "the {field} alert holds for {sustained}, which is no metric alert window: Azure Monitor takes {} (0s means the shortest, 1min)",
                            list(&WINDOWS)
                        ),
                        format!("set `for` to {}", nearest.join(" or ")),
                    );
                    continue;
                }
            };
            // A threshold that fires at once takes a window as long as the
            // frequency; only a sustained one can be shorter.
            let f = azure_monitor::frequency(alerts, window);
            if sustained != Interval::ZERO
                && explicit.is_some()
                && FREQUENCIES.contains(&f)
                && f > window
            {
                out.error(
                    frequency_path.clone(),
                    format!(
                        "alerts are evaluated every {f}, longer than the {window} window of the {field} alert: Azure Monitor needs the window to be at least the frequency"
                    ),
                    format!("evaluate every {window} or less, or leave evaluation_frequency out to have it derived per alert"),
                );
            }
        }
    }
}

// Tests: crates/core/tests/azure_ops.rs (with the rule examples).
