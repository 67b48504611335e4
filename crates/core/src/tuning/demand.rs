//! The connections a plan needs at peak, by source: what `max_connections`
//! is derived from and what the connection budget checks.

use std::collections::BTreeSet;

use crate::model::clients::{Client, Endpoint};
use crate::model::plan::Plan;

/// Sessions that are not clients but still take connection slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionDemand {
    /// Σ pool size × most pods over the clients of this server's endpoint
    /// (the primary: those that connect to it directly).
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

/// The clients of one endpoint at peak: their pools and the largest
/// rolling-deploy surge among them (one client rolls out at a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointLoad<'a> {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The clients that use it, in plan order.
    pub clients: Vec<&'a Client>,
    /// Σ pool size × most pods.
    pub peak: u64,
    /// The most connections one of them adds while it rolls out.
    pub deploy_surge: u64,
}

impl<'a> EndpointLoad<'a> {
    /// The clients of `plan` that use `endpoint` (unset: the pooler when the
    /// plan has one, else the primary).
    pub fn of(plan: &'a Plan, endpoint: Endpoint) -> Self {
        let has_pooler = plan.pooler.is_some();
        let clients: Vec<&Client> = plan
            .clients
            .iter()
            .filter(|c| c.endpoint_in(has_pooler) == endpoint)
            .collect();
        let peak = clients
            .iter()
            .map(|c| c.peak_connections())
            .fold(0, u64::saturating_add);
        let deploy_surge = clients
            .iter()
            .map(|c| c.surge_connections())
            .max()
            .unwrap_or(0);
        EndpointLoad {
            endpoint,
            clients,
            peak,
            deploy_surge,
        }
    }
    /// Peak plus the surge.
    pub fn total(&self) -> u64 {
        self.peak.saturating_add(self.deploy_surge)
    }
    /// The client whose rolling deploy adds [`Self::deploy_surge`], if any.
    pub fn surging_client(&self) -> Option<&'a Client> {
        if self.deploy_surge == 0 {
            return None;
        }
        self.clients
            .iter()
            .copied()
            .find(|c| c.surge_connections() == self.deploy_surge)
    }
    /// `orders-api: 10 pods × pool 15, …` for messages.
    pub fn describe_clients(&self) -> String {
        let parts: Vec<String> = self
            .clients
            .iter()
            .map(|c| format!("{}: {} pods × pool {}", c.name, c.pods.max, c.pool_size))
            .collect();
        parts.join(", ")
    }
    /// `, 60 more while api rolls out (max_surge 25%: 4 new pod(s) × pool
    /// 15)` for messages; empty without a surge.
    pub fn describe_surge(&self) -> String {
        match self.surging_client() {
            Some(c) => format!(
                ", {} more while {} rolls out (max_surge {}: {} new pod(s) × pool {})",
                self.deploy_surge,
                c.name,
                c.max_surge.map_or_else(String::new, |s| s.to_string()),
                c.max_surge.map_or(0, |s| s.extra_pods(c.pods.max)),
                c.pool_size
            ),
            None => String::new(),
        }
    }
}

/// Connections the primary needs at peak, by source: the clients that
/// connect to it directly, the pooler's server connections, monitoring and
/// backups. Clients on the replicas or the pooler are not counted here
/// ([`replica_demand`], [`EndpointLoad`]).
pub fn connection_demand(plan: &Plan) -> ConnectionDemand {
    let direct = EndpointLoad::of(plan, Endpoint::Primary);
    let pooler = match &plan.pooler {
        Some(p) => {
            // The server sees the pooler's pools: one pool per
            // database/role pair of its clients, per instance.
            let pairs: BTreeSet<_> = EndpointLoad::of(plan, Endpoint::Pooler)
                .clients
                .iter()
                .map(|c| (c.database.clone(), c.role.clone()))
                .collect();
            let pairs = pairs.len().max(1) as u64;
            u64::from(p.instances)
                .saturating_mul(pairs)
                .saturating_mul(u64::from(p.default_pool_size) + u64::from(p.reserve_pool_size))
        }
        None => 0,
    };
    let backup = plan
        .backups
        .logical
        .iter()
        .map(|b| u64::from(b.jobs) + u64::from(b.jobs > 1))
        .max()
        .unwrap_or(0);
    ConnectionDemand {
        clients: direct.peak,
        deploy_surge: direct.deploy_surge,
        pooler,
        monitoring: monitoring(plan),
        backup,
    }
}

/// Connections each standby needs at peak: the clients on the read-only
/// endpoint (all of them may land on one standby: a load balancer spreads
/// connections, not load, and sends them all to the survivors when a
/// standby is down) and the exporter's sessions; no pooler, no backups.
pub fn replica_demand(plan: &Plan) -> ConnectionDemand {
    let reads = EndpointLoad::of(plan, Endpoint::Replicas);
    ConnectionDemand {
        clients: reads.peak,
        deploy_surge: reads.deploy_surge,
        pooler: 0,
        monitoring: monitoring(plan),
        backup: 0,
    }
}

/// The exporter's sessions on each server it scrapes.
fn monitoring(plan: &Plan) -> u64 {
    plan.monitoring
        .exporter
        .as_ref()
        .map_or(0, |e| u64::from(e.connections))
}
