//! Topology: a single instance, a Patroni HA cluster, and read replicas.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::azure_names::Region;
use super::names::{DnsLabel, GucName, Host};
use super::platform::{AzureSku, PrivateAccess};
use super::tuning::ParamValue;
use super::units::{Bytes, Interval};

/// How many servers there are and how they replicate. A single instance when
/// `patroni` is unset.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// A Patroni-managed HA cluster.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patroni: Option<PatroniCluster>,
    /// Read replicas (asynchronous, for reads or disaster recovery).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReadReplica>,
}

impl Topology {
    /// A single server without replicas.
    pub fn single() -> Self {
        Topology::default()
    }
    /// True when any server streams WAL to another (HA or replicas).
    pub fn replicates(&self) -> bool {
        self.patroni.is_some() || !self.replicas.is_empty()
    }
    /// Number of standbys that stream from the primary.
    pub fn standby_count(&self) -> u32 {
        let members = self
            .patroni
            .as_ref()
            .map_or(0, |p| p.members.len().saturating_sub(1));
        (members + self.replicas.len()) as u32
    }
}

/// A Patroni cluster member.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct PatroniMember {
    /// Member name (unique in the cluster).
    pub name: DnsLabel,
    /// Address the member listens on; loopback for the local runner.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
}

/// An etcd member of the Patroni DCS.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct EtcdMember {
    /// Member name.
    pub name: DnsLabel,
    /// Address.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
    /// Client port.
    #[builder(default = 2379)]
    #[serde(default = "client_port")]
    pub client_port: u16,
    /// Peer port.
    #[builder(default = 2380)]
    #[serde(default = "peer_port")]
    pub peer_port: u16,
}

fn client_port() -> u16 {
    2379
}
fn peer_port() -> u16 {
    2380
}

/// Synchronous replication of a Patroni cluster.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SynchronousMode {
    /// Asynchronous replication.
    #[default]
    Off,
    /// Synchronous when a synchronous standby is available.
    On,
    /// Writes block while no synchronous standby is available.
    Strict,
}

/// Client endpoints of an HA cluster (HAProxy).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct HaEndpoints {
    /// Address HAProxy listens on; `127.0.0.1` when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
    /// Port routed to the primary.
    #[builder(default = 5000)]
    #[serde(default = "write_port")]
    pub write_port: u16,
    /// Port routed to the replicas.
    #[builder(default = 5001)]
    #[serde(default = "read_port")]
    pub read_port: u16,
    /// HAProxy statistics port.
    #[builder(default = 8404)]
    #[serde(default = "stats_port")]
    pub stats_port: u16,
}

impl Default for HaEndpoints {
    fn default() -> Self {
        HaEndpoints::builder().build()
    }
}

fn write_port() -> u16 {
    5000
}
fn read_port() -> u16 {
    5001
}
fn stats_port() -> u16 {
    8404
}

/// A Patroni HA cluster with an etcd DCS.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct PatroniCluster {
    /// Cluster scope.
    pub scope: DnsLabel,
    /// Members (one becomes primary).
    pub members: Vec<PatroniMember>,
    /// etcd members.
    pub etcd: Vec<EtcdMember>,
    /// Synchronous replication mode.
    #[builder(default)]
    #[serde(default)]
    pub synchronous_mode: SynchronousMode,
    /// Number of synchronous standbys.
    #[builder(default = 1)]
    #[serde(default = "one")]
    pub synchronous_node_count: u32,
    /// Leader key TTL.
    #[builder(default = Interval::seconds(30))]
    #[serde(default = "ttl")]
    pub ttl: Interval,
    /// Patroni loop interval.
    #[builder(default = Interval::seconds(10))]
    #[serde(default = "loop_wait")]
    pub loop_wait: Interval,
    /// DCS and PostgreSQL retry timeout.
    #[builder(default = Interval::seconds(10))]
    #[serde(default = "retry_timeout")]
    pub retry_timeout: Interval,
    /// A replica lagging more than this is not promoted.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_lag_on_failover: Option<Bytes>,
    /// Patroni REST API port.
    #[builder(default = 8008)]
    #[serde(default = "rest_port")]
    pub rest_api_port: u16,
    /// Client endpoints.
    #[builder(default)]
    #[serde(default)]
    pub endpoints: HaEndpoints,
    /// Patroni's `use_pg_rewind`: after a failover the old leader is rewound
    /// to the new timeline with pg_rewind and rejoins as a replica. Off, a
    /// former leader whose WAL diverged needs a full new copy (`patronictl
    /// reinit`). On unless the plan turns it off.
    #[builder(default = true)]
    #[serde(default = "rewind_on", skip_serializing_if = "is_true")]
    pub use_pg_rewind: bool,
}

fn rewind_on() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn one() -> u32 {
    1
}
fn ttl() -> Interval {
    Interval::seconds(30)
}
fn loop_wait() -> Interval {
    Interval::seconds(10)
}
fn retry_timeout() -> Interval {
    Interval::seconds(10)
}
fn rest_port() -> u16 {
    8008
}

/// An asynchronous read replica.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct ReadReplica {
    /// Replica name (on Azure, its server name).
    pub name: DnsLabel,
    /// Region (Azure); the primary's when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Compute (Azure); the primary's when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<AzureSku>,
    /// Storage size; the primary's when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Bytes>,
    /// VNet integration of the replica (Azure). A replica of a VNet-injected
    /// primary in another region needs a delegated subnet in a VNet of its
    /// own region; in the primary's region it joins the primary's network
    /// when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<PrivateAccess>,
    /// Parameters that differ on this replica.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<GucName, ParamValue>,
}
