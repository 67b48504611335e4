//! The plan's HA cluster as the renderers and the runner see it: every
//! member with its address and ports, the etcd members, HAProxy, the
//! exporters, the logins, the timing, and the server parameters split the
//! way Patroni wants them (the ones every member must share in the DCS, the
//! rest per member). Resolved once from a [`ValidPlan`]; the rules PGP200–
//! PGP239 guarantee that resolving a validated plan succeeds.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use pgplan_core::{PatroniCluster, Provenance, SynchronousMode, ValidPlan, runner};

use crate::Error;

/// Patroni's `maximum_lag_on_failover` default (1 MiB), used when the plan
/// leaves it open.
pub const DEFAULT_MAXIMUM_LAG: u64 = 1_048_576;

/// Parameters Patroni requires to be equal on every member: it keeps them in
/// the DCS and overrides local values (Patroni's documentation, "PostgreSQL
/// parameters controlled by Patroni").
pub const DCS_PARAMETERS: &[&str] = &[
    "hot_standby",
    "max_connections",
    "max_locks_per_transaction",
    "max_prepared_transactions",
    "max_replication_slots",
    "max_wal_senders",
    "max_worker_processes",
    "track_commit_timestamp",
    "wal_keep_size",
    "wal_level",
    "wal_log_hints",
];

/// A Patroni member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Member name (`pg-0`).
    pub name: String,
    /// Its loopback address.
    pub ip: Ipv4Addr,
    /// PostgreSQL's port.
    pub pg_port: u16,
    /// Patroni's REST API port.
    pub rest_port: u16,
    /// The exporter's port, when the plan has an exporter.
    pub exporter_port: Option<u16>,
}

impl Member {
    /// `ip:port` of PostgreSQL.
    pub fn pg_addr(&self) -> String {
        format!("{}:{}", self.ip, self.pg_port)
    }
    /// `ip:port` of the REST API.
    pub fn rest_addr(&self) -> String {
        format!("{}:{}", self.ip, self.rest_port)
    }
    /// The REST API's base URL.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr())
    }
}

/// An etcd member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtcdNode {
    /// Member name.
    pub name: String,
    /// Its loopback address.
    pub ip: Ipv4Addr,
    /// Client port.
    pub client_port: u16,
    /// Peer port.
    pub peer_port: u16,
}

impl EtcdNode {
    /// The client URL.
    pub fn client_url(&self) -> String {
        format!("http://{}:{}", self.ip, self.client_port)
    }
    /// The peer URL.
    pub fn peer_url(&self) -> String {
        format!("http://{}:{}", self.ip, self.peer_port)
    }
}

/// HAProxy's address and ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Router {
    /// Address.
    pub ip: Ipv4Addr,
    /// Routed to the primary.
    pub write_port: u16,
    /// Routed to the replicas.
    pub read_port: u16,
    /// Statistics and Prometheus metrics.
    pub stats_port: u16,
}

/// A server parameter with the reason for its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The value as PostgreSQL reads it.
    pub value: String,
    /// Where it comes from.
    pub why: String,
}

impl Param {
    fn new(value: impl Into<String>, why: impl Into<String>) -> Self {
        Param {
            value: value.into(),
            why: why.into(),
        }
    }
}

/// The Patroni timing, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Leader key TTL.
    pub ttl: u64,
    /// HA loop interval.
    pub loop_wait: u64,
    /// DCS and PostgreSQL retry timeout.
    pub retry_timeout: u64,
}

/// HAProxy's health-check timing, derived from Patroni's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Interval between checks of a healthy server (ms).
    pub inter_ms: u64,
    /// Interval while a server changes state (ms).
    pub fastinter_ms: u64,
    /// Interval between checks of a DOWN server (ms).
    pub downinter_ms: u64,
    /// Failed checks before a server is DOWN.
    pub fall: u32,
    /// Successful checks before a server is UP.
    pub rise: u32,
}

impl Checks {
    /// The timing for a Patroni `loop_wait`: check twice per loop (Patroni
    /// changes a member's role at most once per loop), at least every 2 s
    /// and at most every 500 ms; recheck DOWN and changing servers twice as
    /// often (the next leader is DOWN until its first 200, so `downinter`
    /// bounds how long after a promotion writes resume).
    pub fn for_loop_wait(loop_wait_s: u64) -> Checks {
        let inter_ms = (loop_wait_s.saturating_mul(1000) / 2).clamp(500, 2000);
        Checks {
            inter_ms,
            fastinter_ms: inter_ms / 2,
            downinter_ms: inter_ms / 2,
            fall: 2,
            rise: 1,
        }
    }
}

/// The resolved cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Patroni scope.
    pub scope: String,
    /// Members, in plan order.
    pub members: Vec<Member>,
    /// etcd members, in plan order.
    pub etcd: Vec<EtcdNode>,
    /// HAProxy.
    pub router: Router,
    /// Timing.
    pub timing: Timing,
    /// HAProxy's checks.
    pub checks: Checks,
    /// Replication mode.
    pub synchronous_mode: SynchronousMode,
    /// Synchronous standbys.
    pub synchronous_node_count: u32,
    /// `maximum_lag_on_failover` and the read port's lag limit, in bytes.
    pub maximum_lag_bytes: u64,
    /// Whether the plan set the lag limit itself.
    pub lag_from_plan: bool,
    /// The superuser.
    pub superuser: String,
    /// The replication login.
    pub replication_user: String,
    /// The rewind login.
    pub rewind_user: String,
    /// The exporters' login, when the plan has exporters.
    pub monitoring_user: Option<String>,
    /// Connections must use TLS.
    pub tls: bool,
    /// Patroni's `use_pg_rewind` (topology.patroni.use_pg_rewind).
    pub use_pg_rewind: bool,
}

impl Cluster {
    /// Resolves the Patroni cluster of a validated plan on `platform: local`.
    ///
    /// # Errors
    ///
    /// [`Error::NotPatroni`] when the plan has no Patroni cluster on this
    /// machine; [`Error::Unrenderable`] for a value a rule should have
    /// refused.
    pub fn resolve(plan: &ValidPlan) -> Result<Cluster, Error> {
        let p = runner::local_patroni(plan).ok_or(Error::NotPatroni)?;
        let pg_port = runner::member_postgres_port(plan);
        let exporter_port = plan.monitoring.exporter.as_ref().map(|e| e.port);
        let mut members = Vec::new();
        for (i, m) in p.members.iter().enumerate() {
            let ip = runner::ipv4(m.host.as_ref()).ok_or_else(|| Error::Unrenderable {
                path: format!("topology.patroni.members[{i}].host"),
                message: "not an IPv4 address".into(),
            })?;
            members.push(Member {
                name: m.name.to_string(),
                ip,
                pg_port,
                rest_port: p.rest_api_port,
                exporter_port,
            });
        }
        let mut etcd = Vec::new();
        for (i, e) in p.etcd.iter().enumerate() {
            let ip = runner::ipv4(e.host.as_ref()).ok_or_else(|| Error::Unrenderable {
                path: format!("topology.patroni.etcd[{i}].host"),
                message: "not an IPv4 address".into(),
            })?;
            etcd.push(EtcdNode {
                name: e.name.to_string(),
                ip,
                client_port: e.client_port,
                peer_port: e.peer_port,
            });
        }
        let router_ip = runner::haproxy_host(p).ok_or_else(|| Error::Unrenderable {
            path: "topology.patroni.endpoints.host".into(),
            message: "not an IPv4 address".into(),
        })?;
        let timing = timing(p);
        let monitoring_user = match (&plan.monitoring.exporter, runner::monitoring_role(plan)) {
            (Some(_), Some((_, role))) => Some(role.name.to_string()),
            (Some(_), None) => {
                return Err(Error::Unrenderable {
                    path: "monitoring.exporter".into(),
                    message: "no monitoring login for the exporters".into(),
                });
            }
            (None, _) => None,
        };
        Ok(Cluster {
            scope: p.scope.to_string(),
            members,
            etcd,
            router: Router {
                ip: router_ip,
                write_port: p.endpoints.write_port,
                read_port: p.endpoints.read_port,
                stats_port: p.endpoints.stats_port,
            },
            checks: Checks::for_loop_wait(timing.loop_wait),
            timing,
            synchronous_mode: p.synchronous_mode,
            synchronous_node_count: p.synchronous_node_count,
            maximum_lag_bytes: p
                .maximum_lag_on_failover
                .map_or(DEFAULT_MAXIMUM_LAG, |b| b.as_u64()),
            lag_from_plan: p.maximum_lag_on_failover.is_some(),
            superuser: runner::SUPERUSER.to_owned(),
            replication_user: runner::replication_login(plan).to_owned(),
            rewind_user: runner::REWIND_USER.to_owned(),
            monitoring_user,
            tls: plan.security.tls.required,
            use_pg_rewind: p.use_pg_rewind,
        })
    }

    /// The member of this name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The etcd client endpoints, comma separated.
    pub fn etcd_endpoints(&self) -> String {
        self.etcd
            .iter()
            .map(EtcdNode::client_url)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn timing(p: &PatroniCluster) -> Timing {
    // PGP008 requires whole seconds.
    Timing {
        ttl: p.ttl.as_secs(),
        loop_wait: p.loop_wait.as_secs(),
        retry_timeout: p.retry_timeout.as_secs(),
    }
}

/// The server parameters of the plan as the local runner writes them: the
/// plan's explicit and derived settings without the ones the runner owns,
/// each with its provenance.
pub fn plan_parameters(plan: &ValidPlan) -> BTreeMap<String, Param> {
    let owned: Vec<&str> = runner::owned_parameters(plan).map(|o| o.name).collect();
    plan.settings()
        .iter()
        .filter(|s| !owned.contains(&s.name.as_str()))
        .map(|s| {
            (
                s.name.clone(),
                Param::new(&s.value, provenance(&s.provenance)),
            )
        })
        .collect()
}

fn provenance(p: &Provenance) -> String {
    crate::escape::one_line(&p.to_string())
}

/// What the runner adds to every server of a plan on this machine: socket
/// directory, TLS files, WAL archiving to a local directory.
pub fn runner_parameters(
    plan: &ValidPlan,
    socket_dir: &std::path::Path,
    layout: &crate::Layout,
) -> BTreeMap<String, Param> {
    let mut out = BTreeMap::new();
    out.insert(
        "unix_socket_directories".into(),
        Param::new(
            socket_dir.display().to_string(),
            "pgplan: each server its own socket directory in the run directory (the default /var/run/postgresql is not writable by the run user, and servers on one port would share a socket)",
        ),
    );
    if plan.security.tls.required {
        out.insert(
            "ssl".into(),
            Param::new("on", "security.tls.required: connections must use TLS"),
        );
        out.insert(
            "ssl_cert_file".into(),
            Param::new(
                layout.tls_cert().display().to_string(),
                "pgplan up creates a self-signed certificate in the run directory",
            ),
        );
        out.insert(
            "ssl_key_file".into(),
            Param::new(
                layout.tls_key().display().to_string(),
                "pgplan up creates the key next to the certificate (mode 0600)",
            ),
        );
    }
    if let Some(dir) = crate::Layout::wal_archive_dir(plan)
        && plan.tuning.explicit("archive_command").is_none()
        && plan.tuning.explicit("archive_library").is_none()
    {
        let d = crate::escape::shell(&dir.display().to_string());
        out.insert(
            "archive_command".into(),
            Param::new(
                format!("test ! -f {d}/%f && cp %p {d}/%f"),
                "backups.wal_archiving.destination is a directory of this machine: copy each segment there once, never overwriting one",
            ),
        );
    }
    out
}
