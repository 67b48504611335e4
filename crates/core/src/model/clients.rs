//! The application services that connect, and an optional connection pooler.

use std::collections::BTreeMap;
use std::fmt;

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

/// Which server a client's connections go to (`endpoint:` in a plan file).
///
/// Unset, a client uses the pooler when the plan has one and the primary
/// otherwise ([`Client::endpoint_in`]).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// The primary, read-write and directly (not through the pooler).
    Primary,
    /// The read-only endpoint: the standbys (read replicas, or the Patroni
    /// replicas behind HAProxy's read port).
    Replicas,
    /// The connection pooler (`pooler:`), which holds the server
    /// connections to the primary.
    Pooler,
}

impl Endpoint {
    /// The plan-file spelling (`primary`, `replicas`, `pooler`).
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Primary => "primary",
            Endpoint::Replicas => "replicas",
            Endpoint::Pooler => "pooler",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many pods a rolling deploy may add above the desired count
/// (a Deployment's `maxSurge`): a number of pods or a share of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surge {
    /// Pods.
    Pods(u32),
    /// Percent of the desired pods, rounded up as Kubernetes does.
    Percent(u32),
}

impl Surge {
    /// Extra pods while `pods` run.
    pub fn extra_pods(self, pods: u32) -> u32 {
        match self {
            Surge::Pods(n) => n,
            Surge::Percent(p) => {
                let extra = (u64::from(pods) * u64::from(p)).div_ceil(100);
                u32::try_from(extra).unwrap_or(u32::MAX)
            }
        }
    }
}

impl fmt::Display for Surge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Surge::Pods(n) => write!(f, "{n}"),
            Surge::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl std::str::FromStr for Surge {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || format!("max_surge `{s}` is not a number of pods (2) or a percentage (25%)");
        match t.strip_suffix('%') {
            Some(p) => p.trim().parse().map(Surge::Percent).map_err(|_| bad()),
            None => t.parse().map(Surge::Pods).map_err(|_| bad()),
        }
    }
}

impl Serialize for Surge {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Surge {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::units::scalar_text(d, "a number of pods (2) or a percentage (25%)")?
            .parse()
            .map_err(serde::de::Error::custom)
    }
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
    /// Pods a rolling deploy adds above `pods.max` at peak (the
    /// Deployment's `maxSurge`: `1`, `25%`). Unset: not counted.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<Surge>,
    /// Which server it connects to: `primary`, `replicas` (read-only) or
    /// `pooler`. Unset: the pooler when the plan has one, else the primary.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
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
    /// Connections at peak during a rolling deploy: pool size × (most pods +
    /// the surge).
    pub fn deploy_connections(&self) -> u64 {
        let surge = self.max_surge.map_or(0, |s| s.extra_pods(self.pods.max));
        u64::from(self.pool_size).saturating_mul(u64::from(self.pods.max) + u64::from(surge))
    }
    /// The most connections its rolling deploy adds above the peak (pool
    /// size × its surge pods).
    pub fn surge_connections(&self) -> u64 {
        self.deploy_connections()
            .saturating_sub(self.peak_connections())
    }
    /// The endpoint it uses: its own, else the pooler when the plan has one,
    /// else the primary.
    pub fn endpoint_in(&self, has_pooler: bool) -> Endpoint {
        self.endpoint.unwrap_or(if has_pooler {
            Endpoint::Pooler
        } else {
            Endpoint::Primary
        })
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
