//! The connections a plan needs at peak, by source: what `max_connections`
//! is derived from and what the connection budget checks.

use std::collections::BTreeSet;

use crate::model::plan::Plan;

/// Sessions that are not clients but still take connection slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionDemand {
    /// Σ pool size × most pods over clients connecting directly.
    pub clients: u64,
    /// The most connections one directly connecting client adds while it
    /// rolls out (pool size × its `max_surge` pods): a rolling deploy starts
    /// the new pods before it stops the old ones.
    pub deploy_surge: u64,
    /// Server connections of the pooler.
    pub pooler: u64,
    /// Monitoring sessions (exporter).
    pub monitoring: u64,
    /// Backup sessions (pg_dump jobs).
    pub backup: u64,
}

impl ConnectionDemand {
    /// Everything but reserved slots.
    pub fn total(&self) -> u64 {
        // Saturating: pool sizes and replica counts come from the plan as
        // written, and absurd ones must be reported, not overflow.
        self.clients
            .saturating_add(self.deploy_surge)
            .saturating_add(self.pooler)
            .saturating_add(self.monitoring)
            .saturating_add(self.backup)
    }
}

/// Connections the plan needs at peak, by source.
pub fn connection_demand(plan: &Plan) -> ConnectionDemand {
    let clients: u64 = plan
        .clients
        .iter()
        .map(|c| c.peak_connections())
        .fold(0, u64::saturating_add);
    let deploy_surge = plan
        .clients
        .iter()
        .map(|c| c.deploy_connections().saturating_sub(c.peak_connections()))
        .max()
        .unwrap_or(0);
    let (clients, deploy_surge, pooler) = match &plan.pooler {
        Some(p) => {
            // Through a pooler, the server sees its pools: one pool per
            // database/role pair per instance.
            let pairs: BTreeSet<_> = plan
                .clients
                .iter()
                .map(|c| (c.database.clone(), c.role.clone()))
                .collect();
            let pairs = pairs.len().max(1) as u64;
            (
                0,
                0,
                u64::from(p.instances).saturating_mul(pairs).saturating_mul(
                    u64::from(p.default_pool_size) + u64::from(p.reserve_pool_size),
                ),
            )
        }
        None => (clients, deploy_surge, 0),
    };
    let monitoring = plan
        .monitoring
        .exporter
        .as_ref()
        .map_or(0, |e| u64::from(e.connections));
    let backup = plan
        .backups
        .logical
        .iter()
        .map(|b| u64::from(b.jobs) + u64::from(b.jobs > 1))
        .max()
        .unwrap_or(0);
    ConnectionDemand {
        clients,
        deploy_surge,
        pooler,
        monitoring,
        backup,
    }
}
