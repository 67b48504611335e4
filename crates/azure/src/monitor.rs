//! The request body of an Azure Monitor metric alert
//! (`Microsoft.Insights/metricAlerts`, `MetricAlerts_CreateOrUpdate`, API
//! 2018-03-01), as a small hand-written serde model.
//!
//! Why not `azure_mgmt_monitor`, as the server uses `azure_mgmt_postgresql`:
//! its last release, 0.21, has metric alerts only in the feature
//! `package-preview-2023-09`, which does not compile (its models derive
//! `Default` over `Resource` types that have none: upstream issue
//! Azure/azure-sdk-for-rust#1936, closed without a fix — the generated
//! `azure_mgmt_*` crates are the legacy SDK and get no more releases); and
//! even patched, its `MetricCriteria` has no `criterionType`, which the
//! 2018-03-01 specification requires and the Azure CLI sends. 0.20 compiles
//! but needs `azure_core` 0.20, a second, incompatible `azure_core` next to
//! the 0.21 one the server client uses. pgplan neither vendors nor patches
//! the crate.
//!
//! The model covers what pgplan sends — one static-threshold criterion per
//! alert on one server — and reads back what Azure answers (unknown members
//! such as `id`, `lastUpdatedTime` or `isMigrated` are ignored). The
//! integration tests prove it field by field against the body the real
//! Azure CLI 2.91 builds for the `az monitor metrics alert create` command
//! the deploy script runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The API version of the metric alert requests.
pub const METRIC_ALERTS_API_VERSION: &str = "2018-03-01";

/// Where metric alerts live: `location` is always `global`.
pub const GLOBAL: &str = "global";

/// `PUT …/providers/Microsoft.Insights/metricAlerts/{ruleName}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlertResource {
    /// Always `global`.
    pub location: String,
    /// Resource tags (the plan's labels).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The rule.
    pub properties: MetricAlertProperties,
}

/// A metric alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricAlertProperties {
    /// Shown with the alert (required by the specification).
    pub description: String,
    /// 0 (critical) to 4 (verbose).
    pub severity: u8,
    /// The rule is evaluated.
    pub enabled: bool,
    /// The resource ids watched: one server.
    pub scopes: Vec<String>,
    /// How often it is evaluated, ISO 8601 (`PT1M`).
    pub evaluation_frequency: String,
    /// The window each evaluation aggregates, ISO 8601 (`PT5M`).
    pub window_size: String,
    /// When it fires.
    pub criteria: MetricAlertCriteria,
    /// Resolve by itself when the condition no longer holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_mitigate: Option<bool>,
    /// Action groups notified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<MetricAlertAction>,
}

/// The criteria, discriminated by `odata.type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "odata.type")]
pub enum MetricAlertCriteria {
    /// Criteria on one resource, all of which must hold.
    #[serde(rename = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria")]
    SingleResource {
        /// The criteria.
        #[serde(rename = "allOf")]
        all_of: Vec<MetricCriterion>,
    },
}

/// One criterion, discriminated by `criterionType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "criterionType")]
pub enum MetricCriterion {
    /// A fixed threshold.
    StaticThresholdCriterion(StaticThreshold),
}

/// A metric compared with a fixed threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticThreshold {
    /// The criterion's name in the rule (`cond0`, as the CLI names them).
    pub name: String,
    /// The metric (`cpu_percent`).
    pub metric_name: String,
    /// Its namespace (`Microsoft.DBforPostgreSQL/flexibleServers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_namespace: Option<String>,
    /// The comparison.
    pub operator: Operator,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
    /// How the window's samples are combined.
    pub time_aggregation: TimeAggregation,
    /// Dimension filters (none: the server as a whole). Always written, as
    /// the CLI writes it.
    #[serde(default)]
    pub dimensions: Vec<MetricDimension>,
}

/// A dimension filter (pgplan writes none; read back from Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricDimension {
    /// The dimension.
    pub name: String,
    /// `Include` or `Exclude`.
    pub operator: String,
    /// The values.
    pub values: Vec<String>,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// `=`.
    Equals,
    /// `>`.
    GreaterThan,
    /// `>=`.
    GreaterThanOrEqual,
    /// `<`.
    LessThan,
    /// `<=`.
    LessThanOrEqual,
}

/// A time aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeAggregation {
    /// The mean.
    Average,
    /// The count of samples.
    Count,
    /// The smallest sample.
    Minimum,
    /// The largest sample.
    Maximum,
    /// The sum.
    Total,
}

/// An action group to notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricAlertAction {
    /// The action group's resource id.
    pub action_group_id: String,
}

impl MetricAlertResource {
    /// The rule's one static criterion.
    pub fn criterion(&self) -> Option<&StaticThreshold> {
        let MetricAlertCriteria::SingleResource { all_of } = &self.properties.criteria;
        match all_of.as_slice() {
            [MetricCriterion::StaticThresholdCriterion(c)] => Some(c),
            _ => None,
        }
    }

    /// What differs between this (the plan's) rule and `current` (what Azure
    /// holds), in words; empty when they match. Resource ids compare without
    /// regard to case, as ARM treats them.
    pub fn differences(&self, current: &MetricAlertResource) -> Vec<String> {
        let (w, h) = (&self.properties, &current.properties);
        let mut out = Vec::new();
        let mut field = |what: &str, want: String, have: String| {
            if want != have {
                out.push(format!("{what} {have} → {want}"));
            }
        };
        field("severity", w.severity.to_string(), h.severity.to_string());
        field("enabled", w.enabled.to_string(), h.enabled.to_string());
        field(
            "window",
            w.window_size.to_ascii_uppercase(),
            h.window_size.to_ascii_uppercase(),
        );
        field(
            "evaluation frequency",
            w.evaluation_frequency.to_ascii_uppercase(),
            h.evaluation_frequency.to_ascii_uppercase(),
        );
        field("description", w.description.clone(), h.description.clone());
        // ARM's default for an unset autoMitigate is true.
        field(
            "auto-mitigate",
            w.auto_mitigate.unwrap_or(true).to_string(),
            h.auto_mitigate.unwrap_or(true).to_string(),
        );
        let ids = |v: &[String]| {
            let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
            v.sort();
            v.join(", ")
        };
        field("scopes", ids(&w.scopes), ids(&h.scopes));
        let actions = |a: &[MetricAlertAction]| {
            ids(&a
                .iter()
                .map(|a| a.action_group_id.clone())
                .collect::<Vec<_>>())
        };
        field("action groups", actions(&w.actions), actions(&h.actions));
        let condition = |r: &MetricAlertResource| match r.criterion() {
            Some(c) => format!(
                "{:?} {} {:?} {}",
                c.time_aggregation,
                c.metric_name.to_ascii_lowercase(),
                c.operator,
                c.threshold
            ),
            None => "(other criteria)".to_owned(),
        };
        field("condition", condition(self), condition(current));
        if self.tags != current.tags {
            out.push("tags".to_owned());
        }
        out
    }
}
