//! The application services that connect, and an optional connection pooler.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::names::{DatabaseName, LabelKey, LabelValue, Labels, RoleName, ServiceName};
use super::units::Interval;

/// How many pods of a client run, from its autoscaler (HPA minReplicas and
/// maxReplicas).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct PodRange {
    /// Fewest pods.
    pub min: u32,
    /// Most pods at peak (HPA maxReplicas).
    pub max: u32,
}

/// An application service that connects to the database.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Service name.
    pub name: ServiceName,
    /// Connections each pod's pool holds at most (HikariCP maximumPoolSize).
    pub pool_size: u32,
    /// How many pods run it (named `pods`, not `replicas`, which are the
    /// database's read replicas).
    pub pods: PodRange,
    /// Database it uses.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseName>,
    /// Role it logs in as.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
    /// Pool connection lifetime (HikariCP maxLifetime).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_lifetime: Option<Interval>,
    /// Idle connection timeout.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<Interval>,
    /// Time to wait for a connection from the pool.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Interval>,
    /// Pod labels that identify the client (NetworkPolicy); `app: <name>` when empty.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
}

impl Client {
    /// Connections at peak: pool size × most pods.
    pub fn peak_connections(&self) -> u64 {
        u64::from(self.pool_size) * u64::from(self.pods.max)
    }
    /// Labels selecting the client's pods.
    pub fn selector(&self) -> Labels {
        if self.labels.is_empty() {
            // A service name is a DNS label, which is always a valid label value.
            match (LabelKey::new("app"), LabelValue::new(self.name.as_str())) {
                (Ok(k), Ok(v)) => BTreeMap::from([(k, v)]),
                _ => BTreeMap::new(),
            }
        } else {
            self.labels.clone()
        }
    }
}

/// Pooling mode of PgBouncer.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    /// A server connection per client session.
    Session,
    /// A server connection per transaction.
    #[default]
    Transaction,
    /// A server connection per statement.
    Statement,
}

/// A connection pooler between the clients and the server (PgBouncer).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Pooler {
    /// Pool mode.
    #[builder(default)]
    #[serde(default)]
    pub mode: PoolMode,
    /// Pooler instances.
    #[builder(default = 1)]
    #[serde(default = "one")]
    pub instances: u32,
    /// Client connections each instance accepts.
    pub max_client_connections: u32,
    /// Server connections per database/user pair per instance.
    pub default_pool_size: u32,
    /// Extra server connections per pair under load.
    #[builder(default)]
    #[serde(default)]
    pub reserve_pool_size: u32,
}

fn one() -> u32 {
    1
}
