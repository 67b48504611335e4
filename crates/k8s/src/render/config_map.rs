//! ConfigMaps: the server's postgresql.conf and pg_hba.conf, and the
//! schema-init SQL.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::ConfigMap;
use pgplan_core::kubernetes_facts::SUPERUSER;
use pgplan_core::{Provenance, Setting, params};

use crate::context::{Ctx, paths};
use crate::labels::COMPONENT_SCHEMA_INIT;
use crate::object::Object;
use crate::quote;

/// `app.kubernetes.io/component` of the server configuration.
const COMPONENT_CONFIG: &str = "config";

/// A rendered configuration and the checksum of its contents (the pod
/// template carries it, so a changed configuration rolls the pods).
pub(crate) struct ServerConfig {
    pub object: Object,
    pub checksum: String,
}

/// The server configuration; `replica` renders the read replicas' variant
/// (their parameters from `topology.replicas[*].parameters` on top).
pub(crate) fn server(ctx: &Ctx<'_>, replica: bool) -> ServerConfig {
    let conf = postgresql_conf(ctx, replica);
    let hba = pg_hba_conf(ctx);
    let checksum = crate::render::checksum(&[conf.as_bytes(), hba.as_bytes()]);
    let name = if replica {
        &ctx.names.read_config
    } else {
        &ctx.names.config
    };
    let object = Object::ConfigMap(ConfigMap {
        metadata: ctx
            .labels
            .meta(name, ctx.labels.with_component(COMPONENT_CONFIG)),
        data: Some(BTreeMap::from([
            ("pg_hba.conf".to_owned(), hba),
            ("postgresql.conf".to_owned(), conf),
        ])),
        ..ConfigMap::default()
    });
    ServerConfig { object, checksum }
}

/// True when the read replicas need their own ConfigMap.
pub(crate) fn replicas_differ(ctx: &Ctx<'_>) -> bool {
    ctx.plan
        .topology
        .replicas
        .first()
        .is_some_and(|r| !r.parameters.is_empty())
}

fn provenance_comment(p: &Provenance) -> String {
    // One line: provenance texts never hold newlines, but keep the file
    // well-formed whatever they hold.
    pgplan_core::escape::conf::comment(&p.to_string())
}

/// postgresql.conf. The parameters the container decides (data_directory,
/// config_file, …) never reach it: validation refuses them (PGP114).
fn postgresql_conf(ctx: &Ctx<'_>, replica: bool) -> String {
    let plan = ctx.plan;
    let mut settings: BTreeMap<String, Setting> = ctx
        .settings
        .iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    // The two numbers every budget depends on are always written, even at
    // their defaults, so the file shows what the server runs with.
    for s in [
        ctx.settings.setting(params::MAX_CONNECTIONS),
        ctx.settings.setting(params::SHARED_BUFFERS),
    ]
    .into_iter()
    .flatten()
    {
        settings.entry(s.name.clone()).or_insert(s);
    }
    if replica && let Some(r) = plan.topology.replicas.first() {
        for (name, value) in &r.parameters {
            settings.insert(
                name.as_str().to_owned(),
                Setting {
                    name: name.as_str().to_owned(),
                    value: value.as_str().to_owned(),
                    provenance: Provenance::Derived {
                        formula: "explicit for the read replicas (topology.replicas[*].parameters)"
                            .into(),
                        inputs: vec![],
                    },
                },
            );
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# postgresql.conf of {} ({}, {}), PostgreSQL {}{}.",
        ctx.names.base,
        plan.service,
        plan.environment,
        plan.version,
        if replica { ", read replicas" } else { "" }
    );
    out.push_str("# Rendered by pgplan from the plan; the comment above each value says where it comes from.\n");
    for s in settings.values() {
        let _ = writeln!(out, "\n# {}", provenance_comment(&s.provenance));
        let _ = writeln!(out, "{} = {}", s.name, quote::conf_value(&s.value));
    }

    // What the container needs that the plan does not say.
    let mut container: Vec<(&str, String, &str)> = vec![
        (
            params::LISTEN_ADDRESSES.name(),
            "*".into(),
            "accept connections from other pods; the NetworkPolicy decides which",
        ),
        (
            params::PORT.name(),
            ctx.port.to_string(),
            "the port the Services and probes use",
        ),
    ];
    if ctx.tls {
        container.push((
            params::SSL_CERT_FILE.name(),
            format!("{}/tls.crt", paths::TLS),
            "from the kubernetes.io/tls Secret mounted by the StatefulSet",
        ));
        container.push((
            params::SSL_KEY_FILE.name(),
            format!("{}/tls.key", paths::TLS),
            "from the kubernetes.io/tls Secret mounted by the StatefulSet",
        ));
    }
    // Each unless the plan sets it (in `settings` above).
    for (name, value, why) in container {
        if settings.contains_key(name) {
            continue;
        }
        let _ = writeln!(out, "\n# pgplan (Kubernetes container): {why}");
        let _ = writeln!(out, "{name} = {}", quote::conf_value(&value));
    }
    out
}

/// pg_hba.conf. The replication role's name holds no control character
/// (PGP113), so it fits on its line.
fn pg_hba_conf(ctx: &Ctx<'_>) -> String {
    let net = if ctx.tls { "hostssl" } else { "host" };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# pg_hba.conf of {}: every password login uses scram-sha-256{}.",
        ctx.names.base,
        if ctx.tls {
            "; connections from other pods must use TLS"
        } else {
            ""
        }
    );
    out.push_str("# The NetworkPolicy limits which pods reach the server at all.\n");
    out.push_str("# TYPE     DATABASE     USER         ADDRESS       METHOD\n");
    if ctx.flavor.needs_local_trust() {
        out.push_str(
            "\n# The image's first-boot setup sets the superuser password over the Unix\n# socket before any password exists. The socket lives in this container's\n# own scratch directory: nothing outside the container can reach it.\n",
        );
        let _ = writeln!(
            out,
            "local      all          {SUPERUSER:<12}               trust"
        );
    } else {
        out.push('\n');
    }
    out.push_str("local      all          all                        scram-sha-256\n");
    out.push_str("\n# The exporter sidecar, over the pod's loopback interface.\n");
    out.push_str("host       all          all          127.0.0.1/32  scram-sha-256\n");
    out.push_str("host       all          all          ::1/128       scram-sha-256\n");
    if let Some(r) = &ctx.creds.replication {
        let user = quote::hba_name(&r.username);
        out.push_str("\n# Streaming replication to the read replicas.\n");
        let _ = writeln!(
            out,
            "{net:<10} replication  {user:<12} 0.0.0.0/0     scram-sha-256"
        );
        let _ = writeln!(
            out,
            "{net:<10} replication  {user:<12} ::/0          scram-sha-256"
        );
    }
    out.push_str("\n# Other pods.\n");
    let _ = writeln!(
        out,
        "{net:<10} all          all          0.0.0.0/0     scram-sha-256"
    );
    let _ = writeln!(
        out,
        "{net:<10} all          all          ::/0          scram-sha-256"
    );
    if ctx.tls {
        out.push_str("hostnossl  all          all          0.0.0.0/0     reject\n");
        out.push_str("hostnossl  all          all          ::/0          reject\n");
    }
    out
}

/// The ConfigMap with the schema-init SQL and the migration scripts; its
/// name carries their checksum, so changed SQL gets a new ConfigMap and a
/// new Job.
pub(crate) fn init_sql(ctx: &Ctx<'_>, name: &str) -> Object {
    let mut data = BTreeMap::new();
    if let Some(init) = &ctx.opts.init_script {
        data.insert(INIT_SQL.to_owned(), init.sql.clone());
    }
    if let Some(m) = &ctx.opts.migrations {
        data.insert(MIGRATIONS_RUNNER.to_owned(), m.runner.clone());
        data.extend(m.files.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Object::ConfigMap(ConfigMap {
        metadata: ctx
            .labels
            .meta(name, ctx.labels.with_component(COMPONENT_SCHEMA_INIT)),
        data: Some(data),
        ..ConfigMap::default()
    })
}

/// The init script's key in the schema-init ConfigMap.
pub(crate) const INIT_SQL: &str = "init.sql";
/// The migration runner's key (the migration scripts are beside it, as
/// `<database>.<file>.sql`, so no key of theirs is this one).
pub(crate) const MIGRATIONS_RUNNER: &str = "migrate.psql";
