//! The application services that connect, and the connection pooler.

use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::names::{labels, service_name};
use super::units::duration;
use super::{Profile, count};
use crate::model::clients::{Client, Endpoint, PodRange, PoolMode, Pooler, Surge};
use crate::model::names::{DatabaseName, RoleName, ServiceName};
use crate::model::units::Interval;

/// A client with any pool size and instance counts (fewest above most
/// included), a database and a role drawn from `database` and `role` (which
/// may not exist), any timeouts and labels.
pub(super) fn any_client(
    database: BoxedStrategy<DatabaseName>,
    role: BoxedStrategy<RoleName>,
) -> BoxedStrategy<Client> {
    (
        (
            service_name(),
            count(0..=50),
            count(0..=20),
            count(0..=20),
            option::of(database),
            option::of(role),
            option::of(select(
                &[Endpoint::Primary, Endpoint::Replicas, Endpoint::Pooler][..],
            )),
        ),
        (
            option::of(duration()),
            option::of(duration()),
            option::of(duration()),
            labels(Profile::Any),
            option::of(prop_oneof![
                count(0..=5).prop_map(Surge::Pods),
                count(0..=100).prop_map(Surge::Percent),
            ]),
        ),
    )
        .prop_map(
            |(
                (name, pool_size, min, max, database, role, endpoint),
                (connection_lifetime, idle_timeout, connect_timeout, labels, max_surge),
            )| Client {
                name,
                pool_size,
                pods: PodRange { min, max },
                max_surge,
                endpoint,
                database,
                role,
                connection_lifetime,
                idle_timeout,
                connect_timeout,
                labels,
            },
        )
        .boxed()
}

/// A client of a reasonable plan: `pool_size` connections per pod, `pods`
/// pods, logging in as `role` to `database`.
pub(super) fn reasonable_client(
    name: ServiceName,
    pool_size: u32,
    pods: PodRange,
    database: Option<DatabaseName>,
    role: &RoleName,
    connection_lifetime: Option<Interval>,
) -> Client {
    Client {
        name,
        pool_size,
        pods,
        max_surge: None,
        endpoint: None,
        database,
        role: Some(role.clone()),
        connection_lifetime,
        idle_timeout: None,
        connect_timeout: None,
        labels: Default::default(),
    }
}

/// A pooler with any mode, instance count and pool sizes.
pub(super) fn any_pooler() -> BoxedStrategy<Pooler> {
    (
        select(
            &[
                PoolMode::Session,
                PoolMode::Transaction,
                PoolMode::Statement,
            ][..],
        ),
        count(0..=3),
        count(0..=5000),
        count(0..=100),
        count(0..=20),
    )
        .prop_map(
            |(mode, instances, max_client_connections, default_pool_size, reserve_pool_size)| {
                Pooler {
                    mode,
                    instances,
                    max_client_connections,
                    default_pool_size,
                    reserve_pool_size,
                }
            },
        )
        .boxed()
}

/// A transaction pooler of a reasonable plan: `instances` PgBouncers with
/// `default_pool_size` server connections per pair.
pub(super) fn reasonable_pooler(instances: u32, default_pool_size: u32) -> Pooler {
    Pooler {
        mode: PoolMode::Transaction,
        instances,
        max_client_connections: 1000,
        default_pool_size,
        reserve_pool_size: 0,
    }
}
