//! Monitoring: the metrics exporter and alert thresholds.

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::platform::ContainerImage;
use super::units::{Interval, Percent};

/// An alert threshold: fire when the value stays above `above` for `for`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Threshold<T> {
    /// The limit.
    pub above: T,
    /// How long the value must stay above it (`0s`: at once).
    #[builder(default = Interval::ZERO)]
    #[serde(rename = "for", default)]
    pub sustained: Interval,
}

/// Alert thresholds. The connection threshold is derived from max_connections
/// (80 %) when unset.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// CPU use.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Threshold<Percent>>,
    /// Memory use.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Threshold<Percent>>,
    /// Storage use.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Threshold<Percent>>,
    /// Open connections.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<Threshold<u32>>,
    /// Statement duration.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_query: Option<Threshold<Interval>>,
    /// Replication lag.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag: Option<Threshold<Interval>>,
    /// Failed connection attempts per minute.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_connections_per_minute: Option<u32>,
}

/// Share of max_connections the connection alert is derived at when the plan
/// sets none.
pub const DERIVED_CONNECTION_ALERT_PERCENT: u64 = 80;

/// The connection alert's limit derived from `max_connections` (80 %), for
/// plans that leave `monitoring.thresholds.connections` unset. Rule PGP073
/// announces it, and the backends render it.
///
/// ```
/// assert_eq!(pgplan_core::model::monitoring::derived_connection_alert(270), 216);
/// ```
pub fn derived_connection_alert(max_connections: u64) -> u64 {
    max_connections * DERIVED_CONNECTION_ALERT_PERCENT / 100
}

impl Thresholds {
    /// The connection alert: the plan's threshold, or the derived one
    /// (above 80 % of `max_connections`, at once) when it sets none.
    pub fn connections_or_derived(&self, max_connections: u64) -> Threshold<u64> {
        match self.connections {
            Some(t) => Threshold {
                above: u64::from(t.above),
                sustained: t.sustained,
            },
            None => Threshold {
                above: derived_connection_alert(max_connections),
                sustained: Interval::ZERO,
            },
        }
    }
}

/// The postgres_exporter sidecar.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Exporter {
    /// Image; pgplan's pinned default when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ContainerImage>,
    /// Metrics port.
    #[builder(default = 9187)]
    #[serde(default = "port")]
    pub port: u16,
    /// Connections the exporter keeps open.
    #[builder(default = 1)]
    #[serde(default = "one")]
    pub connections: u32,
}

fn port() -> u16 {
    9187
}
fn one() -> u32 {
    1
}

/// Monitoring.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// The metrics exporter (self-managed targets).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exporter: Option<Exporter>,
    /// Alert thresholds.
    #[builder(default)]
    #[serde(default)]
    pub thresholds: Thresholds,
}
