//! Topology: a Patroni cluster and read replicas.

use super::platform::private_access;
use super::{at, builder, nest};
use crate::model::azure_names::{AzureResourceRef, Region, SkuName};
use crate::model::input::Input;
use crate::model::names::{DnsLabel, GucName, Host};
use crate::model::platform::{AzureSku, SkuTier};
use crate::model::topology::{
    EtcdMember, HaEndpoints, PatroniCluster, PatroniMember, ReadReplica, SynchronousMode, Topology,
};
use crate::model::tuning::ParamValue;
use crate::model::units::{Bytes, Interval};
use crate::validate::FieldPath;

use super::platform::PrivateAccessBuilder;

builder!(
    /// `topology:` a Patroni cluster and read replicas.
    TopologyBuilder => Topology
);

impl TopologyBuilder {
    /// A Patroni HA cluster with an etcd DCS, under `scope`.
    pub fn patroni(
        mut self,
        scope: impl Input<DnsLabel>,
        f: impl FnOnce(PatroniBuilder) -> PatroniBuilder,
    ) -> Self {
        let path = at("patroni");
        let scope = self
            .problems
            .read(path.clone().field("scope"), scope)
            .unwrap_or_else(DnsLabel::placeholder);
        let cluster = nest(
            &mut self.problems,
            path,
            PatroniCluster {
                scope,
                members: Vec::new(),
                etcd: Vec::new(),
                synchronous_mode: SynchronousMode::default(),
                synchronous_node_count: 1,
                ttl: Interval::seconds(30),
                loop_wait: Interval::seconds(10),
                retry_timeout: Interval::seconds(10),
                maximum_lag_on_failover: None,
                rest_api_port: 8008,
                endpoints: HaEndpoints::default(),
                use_pg_rewind: true,
            },
            PatroniBuilder::from_value,
            f,
            PatroniBuilder::finish,
        );
        self.value.patroni = Some(cluster);
        self
    }
    /// An asynchronous read replica.
    pub fn replica(
        mut self,
        name: impl Input<DnsLabel>,
        f: impl FnOnce(ReplicaBuilder) -> ReplicaBuilder,
    ) -> Self {
        let i = self.value.replicas.len();
        let path = FieldPath::root().field("replicas").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(DnsLabel::placeholder);
        let replica = nest(
            &mut self.problems,
            path,
            ReadReplica {
                name,
                region: None,
                sku: None,
                storage: None,
                network: None,
                parameters: Default::default(),
            },
            ReplicaBuilder::from_value,
            f,
            ReplicaBuilder::finish,
        );
        self.value.replicas.push(replica);
        self
    }
    /// Edits a read replica the plan already has.
    pub fn replica_mut(
        mut self,
        name: &str,
        f: impl FnOnce(ReplicaBuilder) -> ReplicaBuilder,
    ) -> Self {
        match self
            .value
            .replicas
            .iter()
            .position(|r| r.name.as_str() == name)
        {
            Some(i) => {
                let r = self.value.replicas[i].clone();
                self.value.replicas[i] = nest(
                    &mut self.problems,
                    FieldPath::root().field("replicas").index(i),
                    r,
                    ReplicaBuilder::from_value,
                    f,
                    ReplicaBuilder::finish,
                );
            }
            None => {
                let known = super::names(self.value.replicas.iter().map(|r| r.name.as_str()));
                self.problems.push(
                    at("replicas"),
                    format!("replica_mut: the plan has no read replica `{name}` (it has {known})"),
                );
            }
        }
        self
    }
}

builder!(
    /// `topology.patroni`.
    PatroniBuilder => PatroniCluster
);

impl PatroniBuilder {
    /// A member (one becomes the primary) listening on `host`.
    pub fn member(mut self, name: impl Input<DnsLabel>, host: impl Input<Host>) -> Self {
        let i = self.value.members.len();
        let path = FieldPath::root().field("members").index(i);
        let n = self.problems.read(path.clone().field("name"), name);
        let h = self.problems.read(path.field("host"), host);
        if let (Some(name), Some(host)) = (n, h) {
            self.value.members.push(PatroniMember {
                name,
                host: Some(host),
            });
        }
        self
    }
    /// An etcd member on `host` with the default ports (2379, 2380).
    pub fn etcd(mut self, name: impl Input<DnsLabel>, host: impl Input<Host>) -> Self {
        let i = self.value.etcd.len();
        let path = FieldPath::root().field("etcd").index(i);
        let n = self.problems.read(path.clone().field("name"), name);
        let h = self.problems.read(path.field("host"), host);
        if let (Some(name), Some(host)) = (n, h) {
            self.value.etcd.push(EtcdMember {
                name,
                host: Some(host),
                client_port: 2379,
                peer_port: 2380,
            });
        }
        self
    }
    /// Synchronous replication mode and the number of synchronous standbys.
    pub fn synchronous(mut self, mode: SynchronousMode, node_count: u32) -> Self {
        self.value.synchronous_mode = mode;
        self.value.synchronous_node_count = node_count;
        self
    }
    /// Leader key TTL, Patroni's loop interval, and the DCS/PostgreSQL retry timeout.
    pub fn timing(
        mut self,
        ttl: impl Input<Interval>,
        loop_wait: impl Input<Interval>,
        retry_timeout: impl Input<Interval>,
    ) -> Self {
        self = self.set("ttl", ttl, |p, v| p.ttl = v);
        self = self.set("loop_wait", loop_wait, |p, v| p.loop_wait = v);
        self.set("retry_timeout", retry_timeout, |p, v| p.retry_timeout = v)
    }
    /// A replica lagging more than this is not promoted.
    pub fn maximum_lag_on_failover(self, b: impl Input<Bytes>) -> Self {
        self.set("maximum_lag_on_failover", b, |p, v| {
            p.maximum_lag_on_failover = Some(v)
        })
    }
    /// Patroni's `use_pg_rewind` (on when unset): a former leader is
    /// rewound to the new timeline instead of copied again.
    pub fn use_pg_rewind(mut self, on: bool) -> Self {
        self.value.use_pg_rewind = on;
        self
    }
    /// Patroni's REST API port.
    pub fn rest_api_port(mut self, port: u16) -> Self {
        self.value.rest_api_port = port;
        self
    }
    /// HAProxy's write, read and statistics ports.
    pub fn endpoints(mut self, write_port: u16, read_port: u16, stats_port: u16) -> Self {
        self.value.endpoints = HaEndpoints {
            host: self.value.endpoints.host.take(),
            write_port,
            read_port,
            stats_port,
        };
        self
    }
    /// The address HAProxy listens on (`127.0.0.1` when unset).
    pub fn endpoints_host(mut self, host: impl Input<Host>) -> Self {
        let path = FieldPath::root().field("endpoints").field("host");
        if let Some(host) = self.problems.read(path, host) {
            self.value.endpoints.host = Some(host);
        }
        self
    }
}

builder!(
    /// A read replica (`topology.replicas[]`).
    ReplicaBuilder => ReadReplica
);

impl ReplicaBuilder {
    /// Region (Azure); the primary's when unset.
    pub fn region(self, region: impl Input<Region>) -> Self {
        self.set("region", region, |r, v| r.region = Some(v))
    }
    /// Compute (Azure); the primary's when unset.
    pub fn sku(self, name: impl Input<SkuName>) -> Self {
        self.set("sku", name, |r, v| r.sku = Some(AzureSku::new(v)))
    }
    /// A tier written out for the replica's SKU.
    pub fn sku_tier(mut self, tier: SkuTier) -> Self {
        if let Some(sku) = &mut self.value.sku {
            sku.tier = Some(tier);
        } else {
            self.problems
                .push(at("sku"), "sku_tier: call .sku(..) first");
        }
        self
    }
    /// Storage size; the primary's when unset.
    pub fn storage(self, size: impl Input<Bytes>) -> Self {
        self.set("storage", size, |r, v| r.storage = Some(v))
    }
    /// The replica's own VNet integration (another region's VNet).
    pub fn private_access(
        mut self,
        vnet: impl Input<AzureResourceRef>,
        subnet: impl Input<AzureResourceRef>,
        f: impl FnOnce(PrivateAccessBuilder) -> PrivateAccessBuilder,
    ) -> Self {
        self.value.network = private_access(&mut self.problems, at("network"), vnet, subnet, f);
        self
    }
    /// A parameter that differs on this replica.
    pub fn parameter(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        let path = FieldPath::root().field("parameters").key(name);
        let value: ParamValue = value.into();
        if let Some(problem) = value.problem() {
            self.problems.push(path, problem);
        } else if let Some(name) = self.problems.read::<GucName>(path, name) {
            self.value.parameters.insert(name, value);
        }
        self
    }
}
