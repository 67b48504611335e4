//! pgplan-ha: configurations for high-availability topologies.
//!
//! This crate will turn a plan with a [`pgplan_core::PatroniCluster`] into
//! Patroni, etcd, HAProxy and postgres_exporter configurations and run them on
//! this machine (the local runner). Today it offers only the checks every
//! renderer will share; the plan side — members, etcd, timing, synchronous
//! replication, endpoints — is modelled and validated in `pgplan-core`
//! (the replication rules PGP028–PGP032 and the Patroni rules PGP033–PGP040).
//!
//! ```
//! let plan = pgplan_core::Plan::from_yaml(
//!     "service: x\nenvironment: development\nversion: 17\nplatform: { local: {} }\n",
//! )
//! .unwrap();
//! assert!(!pgplan_ha::is_ha(&plan));
//! ```

use pgplan_core::Plan;

/// True when the plan describes a Patroni HA cluster, the topology this crate
/// renders.
pub fn is_ha(plan: &Plan) -> bool {
    plan.topology.patroni.is_some()
}
