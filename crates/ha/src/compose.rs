//! `docker-compose.yml` and the files it reads (`compose/*.env`,
//! `compose/haproxy.cfg`): the cluster as seed 003 ran it — Spilo
//! (Patroni + PostgreSQL), etcd, HAProxy and one postgres_exporter per member
//! on one network with a volume each — for people who run it with Docker.
//!
//! The seed gave each container a fixed address on 172.19.0.0/16. A plan's
//! addresses are this machine's loopback addresses, which no Docker network
//! can use, so containers reach each other by service name and every port
//! the plan names is published on the plan's own address of the host: the
//! write, read and statistics ports on HAProxy's, each member's PostgreSQL,
//! REST API and exporter ports on the member's. Clients, `pgplan status` and
//! Prometheus see the same addresses as with `pgplan up`.
//!
//! Env files hold no secret: passwords are Compose variables
//! (`${PGPLAN_SUPERUSER_PASSWORD:?…}`) taken from the shell that runs
//! `docker compose up`. Spilo creates the superuser and the replication
//! login; the plan's roles and databases come from
//! `pgplan apply --target sql` through the write port afterwards.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::{SecretSource, SynchronousMode, ValidPlan, env_var_fragment, runner};

use crate::Error;
use crate::cluster::{Cluster, Param};
use crate::yaml::{V, Yaml};
use crate::{escape, haproxy, patroni};

/// etcd's image (seed 003's).
pub const ETCD_IMAGE: &str = "quay.io/coreos/etcd:v3.5.15";
/// Spilo's image (seed 003's); it carries PostgreSQL 13 to 17 and runs the
/// one `PGVERSION` names.
pub const SPILO_IMAGE: &str = "ghcr.io/zalando/spilo-17:4.0-p3";
/// Majors the Spilo image carries.
pub const SPILO_MAJORS: std::ops::RangeInclusive<u16> = 13..=17;
/// HAProxy's image (seed 003's).
pub const HAPROXY_IMAGE: &str = "haproxy:3.2";
/// postgres_exporter's image when the plan names none.
pub const EXPORTER_IMAGE: &str = "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";

/// The Compose variable a login's password is read from: the plan's
/// environment variable, else `PGPLAN_PASSWORD_<ROLE>` (the CLI's convention
/// for sources it cannot read itself).
fn password_variable(plan: &ValidPlan, role: &str) -> String {
    plan.roles
        .iter()
        .find(|r| r.name.as_str() == role)
        .and_then(|r| match &r.password {
            Some(SecretSource::Env { var }) => Some(var.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| format!("PGPLAN_PASSWORD_{}", env_var_fragment(role)))
}

/// The superuser's password variable.
pub const SUPERUSER_PASSWORD_VARIABLE: &str = "PGPLAN_SUPERUSER_PASSWORD";

fn required(var: &str) -> String {
    format!("${{{var}:?set {var} to the password before docker compose up}}")
}

/// A value for an env file Compose reads: only characters that need no
/// quoting there (the values are names, addresses, ports and versions).
fn env_value(value: &str, path: &str) -> Result<String, Error> {
    let ok = value.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'.' | b'-' | b'_' | b':' | b',' | b'/' | b'=' | b'?' | b'@'
            )
    });
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Error::Unrenderable {
            path: path.to_owned(),
            message: format!(
                "`{}` cannot be written to a Compose env file",
                escape::one_line(value)
            ),
        })
    }
}

fn env_file(title: &str, vars: &[(&str, String)]) -> Result<String, Error> {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", escape::one_line(title));
    out.push_str("# Rendered by pgplan; read by docker compose (env_file). No secrets here.\n");
    for (k, v) in vars {
        let _ = writeln!(out, "{k}={}", env_value(v, k)?);
    }
    Ok(out)
}

fn json_params(map: &BTreeMap<String, Param>) -> serde_json::Value {
    serde_json::Value::Object(
        map.iter()
            .map(|(k, p)| (k.clone(), serde_json::Value::String(p.value.clone())))
            .collect(),
    )
}

/// Spilo's `SPILO_CONFIGURATION`: the plan's Patroni timing, replication mode
/// and parameters, merged over Spilo's template.
fn spilo_configuration(plan: &ValidPlan, cluster: &Cluster) -> String {
    let params = patroni::parameters(plan, cluster);
    let t = cluster.timing;
    let (sync, strict) = match cluster.synchronous_mode {
        SynchronousMode::Off => (false, false),
        SynchronousMode::On => (true, false),
        SynchronousMode::Strict => (true, true),
    };
    let mut member = params.member.clone();
    // Spilo decides these inside its container.
    member.remove("wal_retrieve_retry_interval");
    let value = serde_json::json!({
        "bootstrap": {
            "dcs": {
                "ttl": t.ttl,
                "loop_wait": t.loop_wait,
                "retry_timeout": t.retry_timeout,
                "maximum_lag_on_failover": cluster.maximum_lag_bytes,
                "synchronous_mode": sync,
                "synchronous_mode_strict": strict,
                "synchronous_node_count": cluster.synchronous_node_count,
                "postgresql": { "use_pg_rewind": cluster.use_pg_rewind, "use_slots": true, "parameters": json_params(&params.dcs) }
            }
        },
        "postgresql": { "parameters": json_params(&member) }
    });
    value.to_string()
}

/// The files, by path relative to the render directory; empty when no known
/// Spilo image carries the plan's major (the README says so).
///
/// # Errors
///
/// [`Error::Unrenderable`] for a value Compose cannot carry (validated plans
/// have none).
pub fn render(plan: &ValidPlan, cluster: &Cluster) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    if !SPILO_MAJORS.contains(&plan.version.get()) {
        return Ok(files);
    }
    let network = plan.service.to_string();
    let etcd_hosts = cluster
        .etcd
        .iter()
        .map(|e| format!("{}:{}", e.name, e.client_port))
        .collect::<Vec<_>>()
        .join(",");
    let initial_cluster = cluster
        .etcd
        .iter()
        .map(|e| format!("{}=http://{}:{}", e.name, e.name, e.peer_port))
        .collect::<Vec<_>>()
        .join(",");
    let mut y = Yaml::new();
    y.comment(&format!(
        "Patroni cluster {} ({} {}) for docker compose: Spilo (PostgreSQL {}), etcd, HAProxy, postgres_exporter.",
        cluster.scope, plan.service, plan.environment, plan.version
    ));
    y.comment("Rendered by pgplan. Containers reach each other by service name; every port of the plan is published on the plan's address of this host.");
    y.comment(&format!(
        "Passwords come from the shell: {SUPERUSER_PASSWORD_VARIABLE}, {}{}. Then: pgplan apply --target sql --dsn postgresql://postgres@{}:{}/postgres",
        password_variable(plan, &cluster.replication_user),
        cluster
            .monitoring_user
            .as_deref()
            .map(|m| format!(", {}", password_variable(plan, m)))
            .unwrap_or_default(),
        cluster.router.ip,
        cluster.router.write_port
    ));
    y.kv("name", V::S(&network));
    y.open("services");

    for (i, e) in cluster.etcd.iter().enumerate() {
        let path = format!("topology.patroni.etcd[{i}]");
        let env = [
            ("ETCD_NAME", e.name.clone()),
            ("ETCD_DATA_DIR", "/etcd-data".to_owned()),
            (
                "ETCD_LISTEN_CLIENT_URLS",
                format!("http://0.0.0.0:{}", e.client_port),
            ),
            (
                "ETCD_ADVERTISE_CLIENT_URLS",
                format!("http://{}:{}", e.name, e.client_port),
            ),
            (
                "ETCD_LISTEN_PEER_URLS",
                format!("http://0.0.0.0:{}", e.peer_port),
            ),
            (
                "ETCD_INITIAL_ADVERTISE_PEER_URLS",
                format!("http://{}:{}", e.name, e.peer_port),
            ),
            ("ETCD_INITIAL_CLUSTER", initial_cluster.clone()),
            (
                "ETCD_INITIAL_CLUSTER_TOKEN",
                format!("pgplan-{}", cluster.scope),
            ),
            ("ETCD_INITIAL_CLUSTER_STATE", "new".to_owned()),
            ("ETCD_ENABLE_V2", "false".to_owned()),
        ];
        files.insert(
            format!("compose/{}.env", e.name),
            env_file(&format!("etcd member {} ({path})", e.name), &env)?,
        );
        y.open(&e.name);
        y.kv("image", V::S(ETCD_IMAGE));
        y.kv("hostname", V::S(&e.name));
        y.open("command").item(V::S("/usr/local/bin/etcd")).end();
        y.open("env_file")
            .item(V::S(&format!("./compose/{}.env", e.name)))
            .end();
        y.open("volumes")
            .item(V::S(&format!("{}-data:/etcd-data", e.name)))
            .end();
        y.open("networks").item(V::S(&network)).end();
        y.kv("restart", V::S("unless-stopped"));
        y.end();
    }

    let spilo = spilo_configuration(plan, cluster);
    let locale = runner::local(plan).map(|l| l.locale_or_default().to_string());
    let initdb_locale = locale
        .as_deref()
        .and_then(|l| l.strip_suffix(".UTF-8").or_else(|| l.strip_suffix(".utf8")));
    for (i, m) in cluster.members.iter().enumerate() {
        let path = format!("topology.patroni.members[{i}]");
        let mut env = vec![
            ("SCOPE", cluster.scope.clone()),
            ("PGVERSION", plan.version.to_string()),
            ("PATRONI_NAME", m.name.clone()),
            ("ETCD3_HOSTS", etcd_hosts.clone()),
            ("APIPORT", m.rest_port.to_string()),
            ("PGPORT", m.pg_port.to_string()),
            ("RESTAPI_CONNECT_ADDRESS", m.name.clone()),
            (
                "PATRONI_POSTGRESQL_CONNECT_ADDRESS",
                format!("{}:{}", m.name, m.pg_port),
            ),
            ("PGUSER_SUPERUSER", cluster.superuser.clone()),
        ];
        if let Some(l) = initdb_locale {
            env.push(("INITDB_LOCALE", l.to_owned()));
        }
        if !cluster.tls {
            env.push(("ALLOW_NOSSL", "true".to_owned()));
        }
        files.insert(
            format!("compose/{}.env", m.name),
            env_file(&format!("Spilo member {} ({path})", m.name), &env)?,
        );
        y.open(&m.name);
        y.kv("image", V::S(SPILO_IMAGE));
        y.kv("hostname", V::S(&m.name));
        y.open("env_file")
            .item(V::S(&format!("./compose/{}.env", m.name)))
            .end();
        y.comment("the replication login's name may hold any character, so it is here rather than in the env file");
        y.open("environment");
        y.kv(
            "PGUSER_STANDBY",
            V::S(&escape::compose_literal(&cluster.replication_user)),
        );
        y.kv(
            "PGPASSWORD_SUPERUSER",
            V::S(&required(SUPERUSER_PASSWORD_VARIABLE)),
        );
        y.kv(
            "PGPASSWORD_STANDBY",
            V::S(&required(&password_variable(
                plan,
                &cluster.replication_user,
            ))),
        );
        y.comment(
            "the plan's Patroni timing, replication mode and parameters over Spilo's defaults",
        );
        y.kv(
            "SPILO_CONFIGURATION",
            V::S(&escape::compose_literal(&spilo)),
        );
        y.end();
        y.open("volumes")
            .item(V::S(&format!("{}-data:/home/postgres/pgdata", m.name)))
            .end();
        y.comment("the member's address of the plan, on this host");
        y.open("ports");
        y.item(V::S(&format!("{}:{}:{}", m.ip, m.pg_port, m.pg_port)));
        y.item(V::S(&format!("{}:{}:{}", m.ip, m.rest_port, m.rest_port)));
        y.end();
        y.open("depends_on");
        for e in &cluster.etcd {
            y.item(V::S(&e.name));
        }
        y.end();
        y.open("networks").item(V::S(&network)).end();
        y.kv("restart", V::S("unless-stopped"));
        y.end();
    }

    files.insert(
        "compose/haproxy.cfg".into(),
        haproxy::render(plan, cluster, haproxy::Placement::Compose)?,
    );
    let r = cluster.router;
    y.open("haproxy");
    y.kv("image", V::S(HAPROXY_IMAGE));
    y.open("volumes")
        .item(V::S(
            "./compose/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro",
        ))
        .end();
    y.comment("topology.patroni.endpoints: write, read and statistics ports on HAProxy's address");
    y.open("ports");
    for port in [r.write_port, r.read_port, r.stats_port] {
        y.item(V::S(&format!("{}:{port}:{port}", r.ip)));
    }
    y.end();
    y.open("depends_on");
    for m in &cluster.members {
        y.item(V::S(&m.name));
    }
    y.end();
    y.open("networks").item(V::S(&network)).end();
    y.kv("restart", V::S("unless-stopped"));
    y.end();

    if let Some(user) = &cluster.monitoring_user {
        let image = plan
            .monitoring
            .exporter
            .as_ref()
            .and_then(|e| e.image.as_ref())
            .map_or_else(|| EXPORTER_IMAGE.to_owned(), ToString::to_string);
        let sslmode = if cluster.tls { "require" } else { "disable" };
        for m in &cluster.members {
            let Some(port) = m.exporter_port else {
                continue;
            };
            let name = format!("{}-exporter", m.name);
            let env = [
                (
                    "DATA_SOURCE_URI",
                    format!("{}:{}/postgres?sslmode={sslmode}", m.name, m.pg_port),
                ),
                ("PG_EXPORTER_WEB_LISTEN_ADDRESS", format!(":{port}")),
            ];
            files.insert(
                format!("compose/{name}.env"),
                env_file(&format!("postgres_exporter of member {}", m.name), &env)?,
            );
            y.open(&name);
            y.kv("image", V::S(&image));
            y.open("env_file")
                .item(V::S(&format!("./compose/{name}.env")))
                .end();
            y.open("environment");
            y.kv("DATA_SOURCE_USER", V::S(&escape::compose_literal(user)));
            y.kv(
                "DATA_SOURCE_PASS",
                V::S(&required(&password_variable(plan, user))),
            );
            y.end();
            y.comment("monitoring.exporter.port on the member's address");
            y.open("ports")
                .item(V::S(&format!("{}:{port}:{port}", m.ip)))
                .end();
            y.open("depends_on").item(V::S(&m.name)).end();
            y.open("networks").item(V::S(&network)).end();
            y.kv("restart", V::S("unless-stopped"));
            y.end();
        }
    }
    y.end();

    y.open("networks")
        .open(&network)
        .kv("driver", V::S("bridge"))
        .end()
        .end();
    y.open("volumes");
    for e in &cluster.etcd {
        y.empty_map(&format!("{}-data", e.name));
    }
    for m in &cluster.members {
        y.empty_map(&format!("{}-data", m.name));
    }
    y.end();
    files.insert("docker-compose.yml".into(), y.finish());
    Ok(files)
}
