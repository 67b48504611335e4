//! `postgresql.conf` and `pg_hba.conf` of a single server on this machine
//! (`platform: local` without `topology.patroni`): the plan's settings, each
//! with its provenance, and what the runner decides (address, port, socket
//! directory, TLS files).

use std::fmt::Write as _;

use pgplan_core::{ValidPlan, runner};

use crate::Layout;
use crate::cluster::{plan_parameters, runner_parameters};
use crate::escape;

/// The socket directory name of a single server.
pub const SOCKET: &str = "single";

/// postgresql.conf.
pub fn postgresql_conf(plan: &ValidPlan, layout: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# postgresql.conf of {} ({}), PostgreSQL {}, on this machine.",
        plan.service, plan.environment, plan.version
    );
    out.push_str("# Rendered by pgplan; the comment above each value says where it comes from.\n");
    let mut params = plan_parameters(plan);
    params.extend(runner_parameters(plan, &layout.socket_dir(SOCKET), layout));
    params.insert(
        "listen_addresses".into(),
        crate::cluster::Param {
            value: runner::SINGLE_HOST.to_string(),
            why: "pgplan: a local server listens on the loopback interface only".into(),
        },
    );
    let port = layout.single_port(plan);
    params.insert(
        "port".into(),
        crate::cluster::Param {
            value: port.to_string(),
            why: if runner::local(plan).and_then(|l| l.port).is_some() {
                "platform.local.port".into()
            } else {
                "pgplan up: a free port, chosen once and kept in the run directory".into()
            },
        },
    );
    for (name, p) in &params {
        let _ = writeln!(out, "\n# {}", escape::one_line(&p.why));
        let _ = writeln!(out, "{name} = {}", escape::conf(&p.value));
    }
    out
}

/// pg_hba.conf.
pub fn pg_hba_conf(plan: &ValidPlan) -> String {
    let host = if plan.security.tls.required {
        "hostssl"
    } else {
        "host"
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# pg_hba.conf of {} ({}): every password login uses scram-sha-256{}.",
        plan.service,
        plan.environment,
        if plan.security.tls.required {
            ", and TCP connections must use TLS (security.tls.required)"
        } else {
            ""
        }
    );
    out.push_str("# TYPE   DATABASE  USER  ADDRESS        METHOD\n");
    out.push_str("local    all       all                  scram-sha-256\n");
    let _ = writeln!(
        out,
        "{host:<8} all       all   127.0.0.1/32   scram-sha-256"
    );
    for cidr in &plan.security.allowed_cidrs {
        let _ = writeln!(out, "# security.allowed_cidrs");
        let _ = writeln!(out, "{host:<8} all       all   {cidr}   scram-sha-256");
    }
    if plan.security.tls.required {
        out.push_str("hostnossl all      all   0.0.0.0/0      reject\n");
    }
    out
}
