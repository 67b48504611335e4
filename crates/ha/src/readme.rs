//! `README.md` of a render: what each file is, who reads it, how to start the
//! cluster by hand, and which passwords must be supplied.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::ValidPlan;

use crate::cluster::Cluster;
use crate::{Layout, compose, patroni};

/// The README of a Patroni render.
pub fn patroni(
    plan: &ValidPlan,
    cluster: &Cluster,
    layout: &Layout,
    files: &BTreeMap<String, String>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Patroni cluster `{}` of {} ({}), PostgreSQL {}\n",
        cluster.scope, plan.service, plan.environment, plan.version
    );
    out.push_str(
        "Rendered by pgplan. `pgplan up PLAN` starts all of it on this machine from these files;\n",
    );
    out.push_str(
        "to run it by hand, start the components in this order (each as an unprivileged user):\n\n",
    );
    out.push_str("| file | run by | how |\n|---|---|---|\n");
    for e in &cluster.etcd {
        let _ = writeln!(
            out,
            "| `etcd/{}.yml` | etcd 3.4+ | `etcd --config-file etcd/{}.yml` |",
            e.name, e.name
        );
    }
    for m in &cluster.members {
        let _ = writeln!(
            out,
            "| `patroni/{}.yml` | Patroni 3.0+ | `patroni patroni/{}.yml` (check it first with `patroni --validate-config`, with etcd up and its ports free) |",
            m.name, m.name
        );
    }
    out.push_str("| `haproxy/haproxy.cfg` | HAProxy 2.6+ | `haproxy -f haproxy/haproxy.cfg` (check: `haproxy -c -f …`) |\n");
    for m in &cluster.members {
        if m.exporter_port.is_some() {
            let _ = writeln!(
                out,
                "| `exporter/{}.env` | postgres_exporter 0.11+ | `set -a; . exporter/{}.env; set +a; prometheus-postgres-exporter` |",
                m.name, m.name
            );
        }
    }
    if files.contains_key("docker-compose.yml") {
        out.push_str("| `docker-compose.yml`, `compose/*` | docker compose | `docker compose up -d` (Spilo, etcd, HAProxy, exporters) |\n");
    } else {
        let _ = writeln!(
            out,
            "\nNo `docker-compose.yml`: the Spilo image pgplan knows ({}) carries PostgreSQL {}–{}, not {}.",
            compose::SPILO_IMAGE,
            compose::SPILO_MAJORS.start(),
            compose::SPILO_MAJORS.end(),
            plan.version
        );
    }
    out.push_str("\n## Passwords\n\nNo file here holds a password. Patroni reads them from ");
    out.push_str(
        &patroni::PASSWORD_VARIABLES
            .map(|v| format!("`{v}`"))
            .join(", "),
    );
    let _ = writeln!(
        out,
        "; the exporters read the monitoring login's from `{}` (mode 0600). `pgplan up` generates what the plan does not supply and keeps it in `{}` (mode 0600), never printing it.",
        layout.monitoring_password_file().display(),
        layout.secrets_dir().join("passwords.json").display()
    );
    out.push_str("\n## Endpoints\n\n");
    let r = cluster.router;
    let _ = writeln!(
        out,
        "- writes: `{}:{}` (the leader)\n- reads: `{}:{}` (replicas within {} bytes of replay lag)\n- statistics: `http://{}:{}/stats`, Prometheus: `http://{}:{}/metrics`",
        r.ip,
        r.write_port,
        r.ip,
        r.read_port,
        cluster.maximum_lag_bytes,
        r.ip,
        r.stats_port,
        r.ip,
        r.stats_port
    );
    for m in &cluster.members {
        let _ = write!(
            out,
            "- member `{}`: PostgreSQL `{}`, Patroni `{}`",
            m.name,
            m.pg_addr(),
            m.rest_url()
        );
        if let Some(p) = m.exporter_port {
            let _ = write!(out, ", metrics `http://{}:{p}/metrics`", m.ip);
        }
        out.push('\n');
    }
    out
}

/// The README of a single server's render.
pub fn single(plan: &ValidPlan, layout: &Layout) -> String {
    format!(
        "# PostgreSQL {} for {} ({}) on this machine\n\nRendered by pgplan. `pgplan up PLAN` runs `initdb` (encoding, locale and checksums of\n`platform.local`), puts these two files into the data directory, starts the server on\n`127.0.0.1:{}` and applies the plan's roles, databases and privileges.\n\n| file | run by |\n|---|---|\n| `postgresql.conf` | PostgreSQL {} (`postgres -D DATA`) |\n| `pg_hba.conf` | PostgreSQL {} |\n",
        plan.version,
        plan.service,
        plan.environment,
        layout.single_port(plan),
        plan.version,
        plan.version
    )
}
