//! Patroni: the timings, members, DCS, synchronous replication and ports of
//! a Patroni cluster (`topology.patroni`).
//!
//! Timings follow Patroni's dynamic configuration documentation
//! (patroni.readthedocs.io, "Dynamic Configuration Settings"): `ttl` default
//! 30, minimum possible value 20; `loop_wait` default 10, minimum 1;
//! `retry_timeout` default 10, minimum 3 (all in seconds), and "when changing
//! values of loop_wait, retry_timeout, or ttl you have to follow the rule:
//! loop_wait + 2 * retry_timeout <= ttl". Patroni reads them as whole seconds.

mod etcd_quorum;
mod leader_ttl;
mod member_names;
mod members;
mod ports;
mod rewind_off;
mod rewind_possible;
mod strict_synchronous_mode;
mod synchronous_node_count;
mod timing_values;

pub use etcd_quorum::EtcdQuorum;
pub use leader_ttl::PatroniLeaderTtl;
pub use member_names::PatroniMemberNames;
pub use members::PatroniMembers;
pub use ports::PatroniPorts;
pub use rewind_off::PatroniRewindOff;
pub use rewind_possible::PatroniRewindPossible;
pub use strict_synchronous_mode::StrictSynchronousMode;
pub use synchronous_node_count::SynchronousNodeCount;
pub use timing_values::PatroniTimingValues;

use crate::Interval;

/// Patroni's smallest accepted `ttl`, in seconds.
const MIN_TTL_S: u64 = 20;
/// Patroni's smallest accepted `loop_wait`, in seconds.
const MIN_LOOP_WAIT_S: u64 = 1;
/// Patroni's smallest accepted `retry_timeout`, in seconds.
const MIN_RETRY_TIMEOUT_S: u64 = 3;

/// A duration in seconds as Patroni is configured (`30s`, `1500ms`).
fn seconds(d: Interval) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
fn cluster(plan: &mut crate::Plan) -> &mut crate::PatroniCluster {
    plan.topology
        .patroni
        .as_mut()
        .expect("the test plan has a Patroni cluster")
}
