//! `patroni/<member>.yml`: one Patroni configuration per member.
//!
//! What the spike of this stack on Debian 12 (Patroni 3.0.2, etcd 3.4) found
//! shapes it: the `etcd3:` DCS section (etcd's v2 API is off by default since
//! 3.4 and Patroni's v3 client needs no gRPC), `bootstrap.pg_hba` repeated
//! beside `postgresql.pg_hba` (`patroni --validate-config` requires it
//! whenever `bootstrap` exists), a rewind login even without pg_rewind (the
//! validator requires one too), pg_hba allowing 127.0.0.0/8 (replication
//! connections come from 127.0.0.1, not from the standby's own address), a
//! Unix socket directory per member, and passwords only through Patroni's
//! environment variables.

use std::collections::BTreeMap;

use pgplan_core::{SynchronousMode, ValidPlan, runner};

use crate::Layout;
use crate::cluster::{Cluster, DCS_PARAMETERS, Member, Param, plan_parameters, runner_parameters};
use crate::escape;
use crate::yaml::{V, Yaml};

/// The REST API login `pgplan up` and `patronictl` use for unsafe calls
/// (switchover, restart, `PATCH /config`).
pub const RESTAPI_USER: &str = "pgplan";

/// Environment variables Patroni reads its passwords from (never written
/// into a rendered file).
pub const PASSWORD_VARIABLES: [&str; 4] = [
    "PATRONI_SUPERUSER_PASSWORD",
    "PATRONI_REPLICATION_PASSWORD",
    "PATRONI_REWIND_PASSWORD",
    "PATRONI_RESTAPI_PASSWORD",
];

/// The parameters of a cluster, split as Patroni wants them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterParameters {
    /// Equal on every member: `bootstrap.dcs.postgresql.parameters` (and
    /// `PATCH /config` afterwards).
    pub dcs: BTreeMap<String, Param>,
    /// Everything else, in each member's `postgresql.parameters`.
    pub member: BTreeMap<String, Param>,
}

/// Splits the plan's parameters and adds what Patroni needs.
pub fn parameters(plan: &ValidPlan, cluster: &Cluster) -> ClusterParameters {
    let mut dcs = BTreeMap::new();
    let mut member = BTreeMap::new();
    for (name, p) in plan_parameters(plan) {
        if DCS_PARAMETERS.contains(&name.as_str()) {
            dcs.insert(name, p);
        } else {
            member.insert(name, p);
        }
    }
    let needs = |map: &mut BTreeMap<String, Param>, name: &str, value: &str, why: &str| {
        map.entry(name.to_owned()).or_insert_with(|| Param {
            value: value.to_owned(),
            why: why.to_owned(),
        });
    };
    needs(
        &mut dcs,
        "hot_standby",
        "on",
        "Patroni: replicas run as hot standbys",
    );
    needs(
        &mut dcs,
        "wal_level",
        "replica",
        "Patroni: standbys need at least replica",
    );
    let checksums = runner::local(plan).is_none_or(|l| l.data_checksums);
    if !checksums {
        needs(
            &mut dcs,
            "wal_log_hints",
            "on",
            "pg_rewind needs data checksums or wal_log_hints, and platform.local.data_checksums is off",
        );
    }
    needs(
        &mut member,
        "wal_retrieve_retry_interval",
        "500ms",
        "pgplan: a standby retries a lost primary every 5s by default; 500ms attaches it to a new leader sooner (measured: a strict cluster's first commit after a failover 2.5 s sooner)",
    );
    let _ = cluster;
    ClusterParameters { dcs, member }
}

/// pg_hba lines of every member.
pub fn pg_hba(plan: &ValidPlan, cluster: &Cluster) -> Vec<String> {
    let host = if cluster.tls { "hostssl" } else { "host" };
    let mut lines = vec![
        "local all all scram-sha-256".to_owned(),
        format!(
            "{host} replication {} 127.0.0.0/8 scram-sha-256",
            escape::hba(&cluster.replication_user)
        ),
        format!("{host} all all 127.0.0.0/8 scram-sha-256"),
    ];
    for cidr in &plan.security.allowed_cidrs {
        lines.push(format!("{host} all all {cidr} scram-sha-256"));
    }
    if cluster.tls {
        lines.push("hostnossl all all 0.0.0.0/0 reject".to_owned());
    }
    lines
}

fn bool_mode(mode: SynchronousMode) -> (bool, bool) {
    match mode {
        SynchronousMode::Off => (false, false),
        SynchronousMode::On => (true, false),
        SynchronousMode::Strict => (true, true),
    }
}

fn write_params(y: &mut Yaml, map: &BTreeMap<String, Param>) {
    y.open("parameters");
    for (name, p) in map {
        y.comment(&p.why);
        y.kv(name, V::S(&p.value));
    }
    y.end();
}

fn hba(y: &mut Yaml, lines: &[String]) {
    y.open("pg_hba");
    for l in lines {
        y.item(V::S(l));
    }
    y.end();
}

/// The configuration of one member.
pub fn render(plan: &ValidPlan, cluster: &Cluster, member: &Member, layout: &Layout) -> String {
    let params = parameters(plan, cluster);
    let hba_lines = pg_hba(plan, cluster);
    let mut y = Yaml::new();
    y.comment(&format!(
        "Patroni member {} of cluster {} ({} {}), PostgreSQL {}.",
        member.name, cluster.scope, plan.service, plan.environment, plan.version
    ));
    y.comment(
        "Rendered by pgplan from the plan; the comment above a value says why it has that value.",
    );
    y.comment(&format!(
        "Passwords are never in this file: Patroni reads them from {} (pgplan up sets them from the run directory's secrets).",
        PASSWORD_VARIABLES.join(", ")
    ));
    y.kv("scope", V::S(&cluster.scope));
    y.kv("name", V::S(&member.name));
    y.comment("Patroni's keys live under /service/<scope>/ in etcd");
    y.kv("namespace", V::S("/service/"));
    y.open("log").kv("level", V::S("INFO")).end();

    y.blank().open("restapi");
    y.comment("topology.patroni.rest_api_port on the member's own address; HAProxy checks it");
    y.kv("listen", V::S(&member.rest_addr()));
    y.kv("connect_address", V::S(&member.rest_addr()));
    y.comment("unsafe calls (switchover, restart, PATCH /config) need this login; its password is PATRONI_RESTAPI_PASSWORD");
    y.open("authentication")
        .kv("username", V::S(RESTAPI_USER))
        .end();
    y.end();

    y.blank().open("etcd3");
    y.comment(
        "the plan's etcd members, through etcd's v3 API (v2 is off by default since etcd 3.4)",
    );
    y.open("hosts");
    for e in &cluster.etcd {
        y.item(V::S(&format!("{}:{}", e.ip, e.client_port)));
    }
    y.end().end();

    y.blank().open("bootstrap").open("dcs");
    let t = cluster.timing;
    y.comment(&format!(
        "topology.patroni.ttl: the leader key expires {}s after the leader's last refresh; a failover starts between ttl - loop_wait and ttl after the leader dies",
        t.ttl
    ));
    y.kv("ttl", V::N(t.ttl));
    y.comment("topology.patroni.loop_wait: Patroni's HA loop runs (and refreshes the leader key) this often");
    y.kv("loop_wait", V::N(t.loop_wait));
    y.comment("topology.patroni.retry_timeout: how long etcd and PostgreSQL operations are retried before the primary demotes itself");
    y.kv("retry_timeout", V::N(t.retry_timeout));
    y.comment(&if cluster.lag_from_plan {
        "topology.patroni.maximum_lag_on_failover (bytes): a replica further behind is not promoted"
            .to_owned()
    } else {
        "Patroni's default (1 MiB, in bytes): a replica further behind is not promoted".to_owned()
    });
    y.kv("maximum_lag_on_failover", V::N(cluster.maximum_lag_bytes));
    let (sync, strict) = bool_mode(cluster.synchronous_mode);
    y.comment(&format!(
        "topology.patroni.synchronous_mode: {}",
        match cluster.synchronous_mode {
            SynchronousMode::Off => "asynchronous replication",
            SynchronousMode::On =>
                "a commit waits for a synchronous standby when one is attached; only that standby may be promoted",
            SynchronousMode::Strict =>
                "a commit always waits for a synchronous standby, writes stop while none is attached",
        }
    ));
    y.kv("synchronous_mode", V::B(sync));
    y.kv("synchronous_mode_strict", V::B(strict));
    y.comment("topology.patroni.synchronous_node_count");
    y.kv(
        "synchronous_node_count",
        V::N(u64::from(cluster.synchronous_node_count)),
    );
    y.open("postgresql");
    y.comment(if cluster.use_pg_rewind {
        "topology.patroni.use_pg_rewind: the old leader rejoins as a replica by itself, rewound to the new timeline, or cloned again when pg_rewind cannot"
    } else {
        "topology.patroni.use_pg_rewind is off: an old leader whose WAL diverged stays out of the cluster until `patronictl reinit` copies it again"
    });
    y.kv("use_pg_rewind", V::B(cluster.use_pg_rewind));
    y.kv("remove_data_directory_on_rewind_failure", V::B(true));
    y.comment("a replication slot per member keeps the WAL a standby still needs");
    y.kv("use_slots", V::B(true));
    y.comment("parameters every member must share (Patroni keeps them in the DCS)");
    write_params(&mut y, &params.dcs);
    y.end().end();

    let local = runner::local(plan);
    y.comment("platform.local: encoding, locale and page checksums of the new cluster");
    y.open("initdb");
    let encoding = local.map(|l| l.encoding_or_default().to_string());
    let locale = local.map(|l| l.locale_or_default().to_string());
    y.item_kv("encoding", V::S(encoding.as_deref().unwrap_or("UTF8")));
    y.item_kv("locale", V::S(locale.as_deref().unwrap_or("C.UTF-8")));
    // Patroni writes each item as `--item` on initdb's command line.
    let checksums = local.is_none_or(|l| l.data_checksums);
    if let Some(option) = pgplan_core::initdb_checksums_option(checksums, plan.version) {
        y.item(V::S(option.trim_start_matches("--")));
    }
    y.end();
    y.comment("the same lines as postgresql.pg_hba: `patroni --validate-config` (3.0) requires bootstrap.pg_hba whenever bootstrap is present");
    hba(&mut y, &hba_lines);
    y.end();

    y.blank().open("postgresql");
    y.comment("the member's own loopback address (topology.patroni.members[*].host) and platform.local.port");
    y.kv("listen", V::S(&member.pg_addr()));
    y.kv("connect_address", V::S(&member.pg_addr()));
    let data_dir = layout.member_data_dir(plan, &member.name);
    y.kv("data_dir", V::S(&data_dir.display().to_string()));
    y.comment(&format!(
        "PostgreSQL {}'s binaries: Patroni needs pg_ctl, initdb, pg_controldata, pg_basebackup, pg_isready and pg_rewind here",
        plan.version
    ));
    y.kv("bin_dir", V::S(&layout.pg_bin_dir().display().to_string()));
    y.kv(
        "pgpass",
        V::S(&layout.pgpass(&member.name).display().to_string()),
    );
    y.comment("logins only; the passwords come from the environment");
    y.open("authentication");
    for (what, user) in [
        ("superuser", &cluster.superuser),
        ("replication", &cluster.replication_user),
        ("rewind", &cluster.rewind_user),
    ] {
        y.open(what).kv("username", V::S(user)).end();
    }
    y.end();
    let mut member_params = params.member.clone();
    member_params.extend(runner_parameters(
        plan,
        &layout.socket_dir(&member.name),
        layout,
    ));
    y.comment("parameters of this member");
    write_params(&mut y, &member_params);
    y.comment("scram-sha-256 for every password login; replication connections arrive from 127.0.0.1, so the range is 127.0.0.0/8");
    hba(&mut y, &hba_lines);
    y.end();

    y.blank().open("watchdog");
    y.comment("no /dev/watchdog for an unprivileged user on this machine");
    y.kv("mode", V::S("off"));
    y.end();
    y.finish()
}
