//! Azure Monitor metric alerts (`PUT …/providers/Microsoft.Insights/
//! metricAlerts/{name}`, API 2018-03-01), one per alert the plan's
//! thresholds become ([`pgplan_core::azure_monitor::planned_alerts`]),
//! scoped to the server it watches. A PUT creates or replaces: applying it
//! again converges the rule.

use std::collections::BTreeMap;

use pgplan_core::azure_monitor::{self, Aggregation, METRIC_NAMESPACE, PlannedAlert};

use super::Ctx;
use crate::monitor::{
    GLOBAL, METRIC_ALERTS_API_VERSION, MetricAlertAction, MetricAlertCriteria,
    MetricAlertProperties, MetricAlertResource, MetricCriterion, Operator, StaticThreshold,
    TimeAggregation,
};
use crate::operation::{Body, Method, Operation, OperationKind};

/// The name the CLI gives a rule's first criterion; the body uses it too,
/// so that the script and apply write the same rule.
pub const CRITERION_NAME: &str = "cond0";

/// The action groups' resource ids: the plan's ids, or names in the
/// server's resource group.
pub(crate) fn action_group_ids(cx: &Ctx<'_>) -> Vec<String> {
    cx.azure
        .alerts
        .action_groups
        .iter()
        .map(|g| {
            if g.is_id() {
                g.to_string()
            } else {
                format!(
                    "{}/providers/Microsoft.Insights/actionGroups/{g}",
                    cx.resource_group_id()
                )
            }
        })
        .collect()
}

fn aggregation(a: Aggregation) -> TimeAggregation {
    match a {
        Aggregation::Average => TimeAggregation::Average,
        Aggregation::Minimum => TimeAggregation::Minimum,
        Aggregation::Maximum => TimeAggregation::Maximum,
        Aggregation::Total => TimeAggregation::Total,
    }
}

/// The body of one alert. Rule PGP176 guarantees its window, frequency and
/// severity are ones Azure takes.
pub(crate) fn body(cx: &Ctx<'_>, alert: &PlannedAlert) -> MetricAlertResource {
    let tags: BTreeMap<String, String> = cx
        .plan
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    MetricAlertResource {
        location: GLOBAL.to_owned(),
        tags,
        properties: MetricAlertProperties {
            description: alert.description.clone(),
            severity: cx.azure.alerts.severity,
            enabled: true,
            scopes: vec![cx.server_id(&alert.server)],
            evaluation_frequency: azure_monitor::iso8601(alert.frequency),
            window_size: azure_monitor::iso8601(alert.window),
            criteria: MetricAlertCriteria::SingleResource {
                all_of: vec![MetricCriterion::StaticThresholdCriterion(StaticThreshold {
                    name: CRITERION_NAME.to_owned(),
                    metric_name: alert.metric.name().to_owned(),
                    metric_namespace: Some(METRIC_NAMESPACE.to_owned()),
                    operator: Operator::GreaterThan,
                    threshold: alert.threshold,
                    time_aggregation: aggregation(alert.aggregation),
                    dimensions: Vec::new(),
                })],
            },
            auto_mitigate: Some(true),
            actions: action_group_ids(cx)
                .into_iter()
                .map(|id| MetricAlertAction {
                    action_group_id: id,
                })
                .collect(),
        },
    }
}

/// One `MetricAlerts_CreateOrUpdate` per planned alert, after the servers.
pub(super) fn operations(cx: &Ctx<'_>) -> Vec<Operation> {
    azure_monitor::planned_alerts(cx.plan, cx.plan.settings())
        .iter()
        .map(|alert| {
            let name = alert.name();
            let mut notes = Vec::new();
            if alert.metric == azure_monitor::Metric::LongestQuerySeconds {
                notes.push(format!(
                    "Azure has no slow-query metric: this watches the age of the longest running query, collected with {} on (rule PGP177)",
                    azure_monitor::DATABASE_ACTIVITY_PARAMETER
                ));
            }
            if cx.azure.alerts.action_groups.is_empty() {
                notes.push(
                    "no action group (platform.azure.alerts.action_groups): the alert shows in Azure Monitor and notifies nobody".to_owned(),
                );
            }
            Operation {
                id: format!("alert:{name}"),
                kind: OperationKind::MetricAlert,
                server: alert.server.clone(),
                summary: format!(
                    "alert {name}: {} {} > {} over {} (every {}, severity {})",
                    alert.aggregation.api().to_ascii_lowercase(),
                    alert.metric.name(),
                    azure_monitor::number(alert.threshold),
                    alert.window,
                    alert.frequency,
                    cx.azure.alerts.severity
                ),
                method: Method::Put,
                path: format!(
                    "{}/providers/Microsoft.Insights/metricAlerts/{name}?api-version={METRIC_ALERTS_API_VERSION}",
                    cx.resource_group_id()
                ),
                body: Some(Body::MetricAlert(Box::new(body(cx, alert)))),
                needs_restart: false,
                secrets: Vec::new(),
                placeholders: cx.placeholders(),
                prerequisites: Vec::new(),
                notes,
            }
        })
        .collect()
}
