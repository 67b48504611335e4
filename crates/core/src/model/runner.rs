//! What pgplan's local runner (`pgplan up`, in `pgplan-ha`) decides for a
//! plan on `platform: local`: the addresses and ports it binds, the server
//! parameters and the logins it owns. The rules PGP200–PGP239 and the HA
//! backend both read these facts from here, so a plan that validates is a
//! plan the runner can start ("what validates renders").
//!
//! ```
//! use pgplan_core::{Plan, runner};
//! let plan = Plan::from_yaml(include_str!("../../../../examples/plans/ha-cluster.yaml")).unwrap();
//! let listeners = runner::listeners(&plan);
//! // 3 members × (PostgreSQL, REST API, exporter) + 3 etcd × 2 + HAProxy × 3.
//! assert_eq!(listeners.len(), 18);
//! assert_eq!(runner::member_postgres_port(&plan), 5432);
//! assert_eq!(runner::replication_login(&plan), "replicator");
//! ```

use std::fmt;
use std::net::Ipv4Addr;

use crate::model::plan::Plan;
use crate::model::platform::{Local, Platform};
use crate::model::roles::{Role, RolePurpose};
use crate::model::topology::PatroniCluster;
use crate::validate::FieldPath;

/// PostgreSQL port of every Patroni member when `platform.local.port` is
/// unset (each member has its own loopback address, so they share it).
pub const POSTGRES_PORT: u16 = 5432;
/// Where HAProxy listens when `topology.patroni.endpoints.host` is unset.
pub const HAPROXY_HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// Where a single local server listens.
pub const SINGLE_HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// The superuser `initdb` (or Patroni's bootstrap) creates; the runner holds
/// its password.
pub const SUPERUSER: &str = "postgres";
/// Patroni's replication login when the plan has no role of purpose
/// `replication`.
pub const REPLICATION_USER: &str = "replicator";
/// The login Patroni runs `pg_rewind` as.
pub const REWIND_USER: &str = "pgplan_rewind";

/// The local platform, when the plan runs on this machine.
pub fn local(plan: &Plan) -> Option<&Local> {
    match &plan.platform {
        Platform::Local(l) => Some(l),
        _ => None,
    }
}

/// The Patroni cluster the runner starts: a Patroni topology on
/// `platform: local`.
pub fn local_patroni(plan: &Plan) -> Option<&PatroniCluster> {
    local(plan).and(plan.topology.patroni.as_ref())
}

/// The PostgreSQL port of each Patroni member: `platform.local.port`, else
/// 5432.
pub fn member_postgres_port(plan: &Plan) -> u16 {
    local(plan).and_then(|l| l.port).unwrap_or(POSTGRES_PORT)
}

/// The IPv4 address a host field holds, if it holds one.
pub fn ipv4(host: Option<&crate::Host>) -> Option<Ipv4Addr> {
    host.and_then(|h| h.as_str().parse().ok())
}

/// Where HAProxy listens: `endpoints.host`, else 127.0.0.1 (`None` when the
/// host is not an IPv4 address).
pub fn haproxy_host(p: &PatroniCluster) -> Option<Ipv4Addr> {
    match &p.endpoints.host {
        None => Some(HAPROXY_HOST),
        Some(h) => ipv4(Some(h)),
    }
}

/// One socket the runner binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// What listens (`pg-0 PostgreSQL`, `HAProxy write port`).
    pub what: String,
    /// The plan field that sets the port.
    pub port_path: FieldPath,
    /// The plan field that sets the address.
    pub host_path: FieldPath,
    /// The address.
    pub ip: Ipv4Addr,
    /// The port.
    pub port: u16,
}

impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}:{}", self.what, self.ip, self.port)
    }
}

fn patroni_path() -> FieldPath {
    FieldPath::root().field("topology").field("patroni")
}

/// Every socket the runner binds for a Patroni plan on this machine, in
/// start order (etcd, members, HAProxy). Members and etcd members whose host
/// is not an IPv4 address are left out (rule PGP201 reports them).
pub fn listeners(plan: &Plan) -> Vec<Listener> {
    let Some(p) = local_patroni(plan) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let base = patroni_path();
    for (i, e) in p.etcd.iter().enumerate() {
        let at = base.clone().field("etcd").index(i);
        let Some(ip) = ipv4(e.host.as_ref()) else {
            continue;
        };
        for (what, field, port) in [
            ("client", "client_port", e.client_port),
            ("peer", "peer_port", e.peer_port),
        ] {
            out.push(Listener {
                what: format!("etcd member {} ({what} port)", e.name),
                port_path: at.clone().field(field),
                host_path: at.clone().field("host"),
                ip,
                port,
            });
        }
    }
    let pg_port_path = match local(plan).and_then(|l| l.port) {
        Some(_) => FieldPath::root()
            .field("platform")
            .field("local")
            .field("port"),
        None => FieldPath::root().field("platform").field("local"),
    };
    let exporter = plan.monitoring.exporter.as_ref().map(|e| e.port);
    for (i, m) in p.members.iter().enumerate() {
        let at = base.clone().field("members").index(i);
        let Some(ip) = ipv4(m.host.as_ref()) else {
            continue;
        };
        let mut ports = vec![
            (
                "PostgreSQL",
                pg_port_path.clone(),
                member_postgres_port(plan),
            ),
            (
                "Patroni REST API",
                base.clone().field("rest_api_port"),
                p.rest_api_port,
            ),
        ];
        if let Some(port) = exporter {
            ports.push((
                "postgres_exporter",
                FieldPath::root()
                    .field("monitoring")
                    .field("exporter")
                    .field("port"),
                port,
            ));
        }
        for (what, port_path, port) in ports {
            out.push(Listener {
                what: format!("member {} {what}", m.name),
                port_path,
                host_path: at.clone().field("host"),
                ip,
                port,
            });
        }
    }
    if let Some(ip) = haproxy_host(p) {
        let at = base.clone().field("endpoints");
        for (what, field, port) in [
            ("write", "write_port", p.endpoints.write_port),
            ("read", "read_port", p.endpoints.read_port),
            ("statistics", "stats_port", p.endpoints.stats_port),
        ] {
            out.push(Listener {
                what: format!("HAProxy {what} port"),
                port_path: at.clone().field(field),
                host_path: at.clone().field("host"),
                ip,
                port,
            });
        }
    }
    out
}

/// A server parameter the runner (or Patroni) sets itself, with why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedParameter {
    /// Parameter name.
    pub name: &'static str,
    /// Who sets it, and from what.
    pub reason: &'static str,
    /// Owned only when Patroni manages the server.
    pub patroni_only: bool,
}

/// Parameters the runner or Patroni set on this machine; a plan value for
/// them would be overwritten or break the layout.
pub const OWNED_PARAMETERS: &[OwnedParameter] = &[
    OwnedParameter {
        name: "listen_addresses",
        reason: "the runner listens on the member's (or 127.0.0.1's) loopback address",
        patroni_only: false,
    },
    OwnedParameter {
        name: "port",
        reason: "the port is platform.local.port",
        patroni_only: false,
    },
    OwnedParameter {
        name: "unix_socket_directories",
        reason: "each server gets its own socket directory in the run directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "data_directory",
        reason: "the data directory is platform.local.data_dir or the run directory's",
        patroni_only: false,
    },
    OwnedParameter {
        name: "config_file",
        reason: "the runner writes postgresql.conf into the data directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "hba_file",
        reason: "the runner writes pg_hba.conf into the data directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "ident_file",
        reason: "the runner keeps pg_ident.conf in the data directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "external_pid_file",
        reason: "the runner tracks the postmaster through postmaster.pid",
        patroni_only: false,
    },
    OwnedParameter {
        name: "ssl_cert_file",
        reason: "the runner creates the server certificate in the run directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "ssl_key_file",
        reason: "the runner creates the server key in the run directory",
        patroni_only: false,
    },
    OwnedParameter {
        name: "cluster_name",
        reason: "Patroni sets it to the scope",
        patroni_only: true,
    },
    OwnedParameter {
        name: "primary_conninfo",
        reason: "Patroni points each standby at the current leader",
        patroni_only: true,
    },
    OwnedParameter {
        name: "primary_slot_name",
        reason: "Patroni manages the replication slots",
        patroni_only: true,
    },
    OwnedParameter {
        name: "synchronous_standby_names",
        reason: "Patroni sets it from topology.patroni.synchronous_mode and synchronous_node_count",
        patroni_only: true,
    },
    OwnedParameter {
        name: "promote_trigger_file",
        reason: "Patroni promotes standbys itself",
        patroni_only: true,
    },
];

/// The parameters the runner owns for this plan (none off `platform: local`).
pub fn owned_parameters(plan: &Plan) -> impl Iterator<Item = &'static OwnedParameter> {
    let on_local = local(plan).is_some();
    let patroni = plan.topology.patroni.is_some();
    OWNED_PARAMETERS
        .iter()
        .filter(move |p| on_local && (patroni || !p.patroni_only))
}

/// The plan's replication role (purpose `replication`), with its index.
pub fn replication_role(plan: &Plan) -> Option<(usize, &Role)> {
    plan.roles
        .iter()
        .enumerate()
        .find(|(_, r)| r.purpose == RolePurpose::Replication)
}

/// The login Patroni replicates as: the plan's replication role, else
/// `replicator`.
pub fn replication_login(plan: &Plan) -> &str {
    replication_role(plan).map_or(REPLICATION_USER, |(_, r)| r.name.as_str())
}

/// The login postgres_exporter connects as: the plan's first monitoring role
/// that logs in.
pub fn monitoring_role(plan: &Plan) -> Option<(usize, &Role)> {
    plan.roles
        .iter()
        .enumerate()
        .find(|(_, r)| r.purpose == RolePurpose::Monitoring && r.login)
}

/// Logins the runner creates itself on this plan's servers, which the plan
/// cannot also declare.
pub fn reserved_logins(plan: &Plan) -> Vec<&'static str> {
    if local(plan).is_none() {
        return Vec::new();
    }
    let mut names = vec![SUPERUSER];
    if plan.topology.patroni.is_some() {
        names.push(REWIND_USER);
        if replication_role(plan).is_none() {
            names.push(REPLICATION_USER);
        }
    }
    names
}
