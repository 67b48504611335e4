//! Topology: a single server, a Patroni cluster with etcd, read replicas.

use std::net::Ipv4Addr;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::azure_names::{SERVER_NAME, region};
use super::names::short_dns_label;
use super::platform::{private_access, replica_sku};
use super::tuning::parameters;
use super::units::{bytes, duration};
use super::{Profile, Target, count, parsed};
use crate::azure_facts;
use crate::model::names::{DnsLabel, Host};
use crate::model::topology::{
    EtcdMember, HaEndpoints, PatroniCluster, PatroniMember, ReadReplica, SynchronousMode, Topology,
};
use crate::model::units::Interval;

const SYNCHRONOUS_MODES: &[SynchronousMode] = &[
    SynchronousMode::Off,
    SynchronousMode::On,
    SynchronousMode::Strict,
];

/// `prefix-1` … `prefix-n`.
fn numbered(prefix: &str, n: usize) -> Vec<DnsLabel> {
    (1..=n)
        .filter_map(|i| DnsLabel::new(format!("{prefix}-{i}")).ok())
        .collect()
}

/// `127.0.0.<base + i>` for the `i`-th (1-based) member: each member of a
/// cluster on this machine listens on its own loopback address.
fn loopback(base: u8, i: usize) -> Option<Host> {
    let last = usize::from(base) + i;
    Host::new(format!("127.0.0.{last}")).ok()
}

/// Two or three members and three etcd members with Patroni's default
/// timings and ports, each on its own loopback address (the local runner's
/// layout).
fn reasonable_patroni() -> BoxedStrategy<PatroniCluster> {
    (
        parsed::<DnsLabel>("[a-z][a-z0-9-]{1,10}[a-z0-9]"),
        2usize..=3,
        select(SYNCHRONOUS_MODES),
    )
        .prop_map(|(scope, n, synchronous_mode)| PatroniCluster {
            scope,
            members: numbered("pg", n)
                .into_iter()
                .enumerate()
                .map(|(i, name)| PatroniMember {
                    name,
                    host: loopback(10, i + 1),
                })
                .collect(),
            etcd: numbered("etcd", 3)
                .into_iter()
                .enumerate()
                .map(|(i, name)| EtcdMember {
                    name,
                    host: loopback(20, i + 1),
                    client_port: 2379,
                    peer_port: 2380,
                })
                .collect(),
            synchronous_mode,
            // Patroni's defaults, as the model's serde defaults write them.
            synchronous_node_count: 1,
            ttl: Interval::seconds(30),
            loop_wait: Interval::seconds(10),
            retry_timeout: Interval::seconds(10),
            maximum_lag_on_failover: None,
            rest_api_port: 8008,
            endpoints: HaEndpoints::default(),
            use_pg_rewind: true,
        })
        .boxed()
}

/// Hosts: loopback, private and public addresses, and host names. (The
/// empty host was drawn here too; a `Host` cannot hold it.)
fn host() -> BoxedStrategy<Host> {
    parsed(prop_oneof![
        2 => select(&["127.0.0.1", "10.0.0.5", "pg-1", "::1", "localhost"][..]).prop_map(str::to_owned),
        1 => any::<u32>().prop_map(|a| Ipv4Addr::from(a).to_string()),
    ])
}

/// Patroni clusters: mostly anything, with members and etcd members that may
/// share names, hosts and ports, any timings and endpoints. (Member names
/// that are no DNS label were drawn here too; a `DnsLabel` cannot hold them.)
fn any_patroni() -> BoxedStrategy<PatroniCluster> {
    let member = (short_dns_label(), option::of(host()))
        .prop_map(|(name, host)| PatroniMember { name, host });
    let etcd_member = (
        short_dns_label(),
        option::of(host()),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(name, host, client_port, peer_port)| EtcdMember {
            name,
            host,
            client_port,
            peer_port,
        });
    prop_oneof![
        1 => reasonable_patroni(),
        2 => (
            (
                short_dns_label(),
                vec(member, 0..=5),
                vec(etcd_member, 0..=4),
                select(SYNCHRONOUS_MODES),
                count(0..=6),
            ),
            (duration(), duration(), duration(), option::of(bytes()), any::<u16>(), any::<(u16, u16, u16)>()),
        )
            .prop_map(
                |(
                    (scope, members, etcd, synchronous_mode, synchronous_node_count),
                    (ttl, loop_wait, retry_timeout, maximum_lag_on_failover, rest_api_port, (write_port, read_port, stats_port)),
                )| PatroniCluster {
                    scope,
                    members,
                    etcd,
                    synchronous_mode,
                    synchronous_node_count,
                    ttl,
                    loop_wait,
                    retry_timeout,
                    maximum_lag_on_failover,
                    rest_api_port,
                    endpoints: HaEndpoints {
                        host: None,
                        write_port,
                        read_port,
                        stats_port,
                    },
                    use_pg_rewind: true,
                },
            ),
    ]
    .boxed()
}

/// A read replica. `Reasonable` names it like a server and leaves the rest
/// to the primary's; `Any` draws names that are no server name, regions,
/// SKUs, storage, networks and parameters of its own.
fn replica(profile: Profile) -> BoxedStrategy<ReadReplica> {
    match profile {
        Profile::Reasonable => parsed::<DnsLabel>(SERVER_NAME)
            .prop_map(|name| ReadReplica {
                name,
                region: None,
                sku: None,
                storage: None,
                network: None,
                parameters: Default::default(),
            })
            .boxed(),
        Profile::Any => (
            short_dns_label(),
            option::of(region(Profile::Any)),
            option::of(replica_sku()),
            option::of(bytes()),
            option::of(private_access(Profile::Any)),
            parameters(Profile::Any, 0..=2),
        )
            .prop_map(
                |(name, region, sku, storage, network, parameters)| ReadReplica {
                    name,
                    region,
                    sku,
                    storage,
                    network,
                    parameters,
                },
            )
            .boxed(),
    }
}

/// Servers and replication. `Any` draws up to one replica more than Azure
/// allows ([`azure_facts::MAX_READ_REPLICAS`]).
pub(super) fn topology(profile: Profile, target: Target) -> BoxedStrategy<Topology> {
    match (profile, target) {
        (Profile::Any, _) => (
            option::of(any_patroni()),
            vec(
                replica(Profile::Any),
                0..=azure_facts::MAX_READ_REPLICAS + 1,
            ),
        )
            .prop_map(|(patroni, replicas)| Topology { patroni, replicas })
            .boxed(),
        // Patroni runs on servers pgplan manages, not on a managed service.
        (Profile::Reasonable, Target::Azure) => vec(replica(Profile::Reasonable), 0..=2)
            .prop_map(|replicas| Topology {
                patroni: None,
                replicas,
            })
            .boxed(),
        // pgplan runs Patroni clusters on this machine (PGP200), and the
        // local runner runs no read replicas (PGP207).
        (Profile::Reasonable, Target::Local) => prop_oneof![
            3 => Just(Topology::single()),
            2 => reasonable_patroni().prop_map(|p| Topology {
                patroni: Some(p),
                ..Topology::default()
            }),
        ]
        .boxed(),
        (Profile::Reasonable, Target::Kubernetes) => prop_oneof![
            3 => Just(Topology::single()),
            1 => vec(replica(Profile::Reasonable), 1..=2).prop_map(|replicas| Topology {
                replicas,
                ..Topology::default()
            }),
        ]
        .boxed(),
    }
}
