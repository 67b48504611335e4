//! `max_connections` from the clients' peak.

use super::Derivation;
use crate::tuning::params::MAX_CONNECTIONS;
use crate::tuning::{connection_demand, replica_demand};

/// When the plan knows its clients: exactly enough connections for their
/// peak (a rolling deploy's surge pods included) plus reserved slots and 10 % headroom (at least PostgreSQL's 100).
/// A standby needs at least the primary's value (PGP032) and inherits it, so
/// the value covers the read-only endpoint's clients too when they are more.
/// Sizing to the demand rather than to a platform default keeps `work_mem`,
/// which is divided among connections, as large as the memory allows.
pub(super) fn derive(d: &mut Derivation<'_>) {
    let primary = connection_demand(d.plan);
    let replicas = replica_demand(d.plan);
    let (demand, on) = if replicas.total() > primary.total() && replicas.clients > 0 {
        (replicas, "peak connections on each standby")
    } else {
        (primary, "peak connections")
    };
    if demand.total() == 0 {
        return;
    }
    let reserved = u64::from(d.settings.reserved_connections());
    let needed = demand.total().saturating_add(reserved);
    let value = round_up_10(needed.saturating_add(needed.div_ceil(10))).max(100);
    let mut inputs = vec![(on, demand.total().to_string())];
    if demand.deploy_surge > 0 {
        inputs.push((
            "of which a rolling deploy's surge pods",
            demand.deploy_surge.to_string(),
        ));
    }
    inputs.push(("reserved slots", reserved.to_string()));
    d.set(
        MAX_CONNECTIONS,
        value.to_string(),
        "peak connections + reserved slots + 10 % headroom, rounded up to 10, at least 100",
        &inputs,
    );
}

/// Rounds up to a multiple of 10.
fn round_up_10(n: u64) -> u64 {
    n.div_ceil(10).saturating_mul(10)
}
