//! Reading a running cluster: the leader, replication and routing as
//! Patroni, HAProxy, etcd and the exporters report them, and the DCS
//! settings to patch so they become the plan's.

use std::time::{Duration, Instant};

use pgplan_core::Password;
use serde_json::{Value, json};

use super::super::http::{self, Auth};
use super::super::secrets::Login;
use super::super::{Passwords, Progress};
use super::{HAPROXY, exporter_component};
use crate::cluster::{Cluster, Member};
use crate::{Error, patroni};

/// Polls `check` until it gives a value, showing `what`; the last `Err`
/// becomes the timeout's detail.
pub(super) fn wait_for<T>(
    progress: &Progress,
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Result<T, String>,
) -> Result<T, Error> {
    progress.waiting(what);
    let start = Instant::now();
    loop {
        match check() {
            Ok(v) => return Ok(v),
            Err(detail) if start.elapsed() >= timeout => {
                return Err(Error::Timeout {
                    what: what.to_owned(),
                    waited_s: timeout.as_secs(),
                    detail,
                });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

pub(super) fn rest_auth(passwords: &Passwords) -> Option<Auth<'_>> {
    passwords.get(&Login::RestApi).map(|p| Auth {
        user: patroni::RESTAPI_USER,
        password: p.expose(),
    })
}

/// The leader: the member whose REST API answers 200 to `/primary`.
pub fn leader(cluster: &Cluster) -> Option<&Member> {
    cluster.members.iter().find(|m| {
        http::request(
            "OPTIONS",
            &format!("{}/primary", m.rest_url()),
            None,
            None,
            Duration::from_millis(800),
        )
        .is_ok_and(|r| r.status == 200)
    })
}

pub(super) fn patroni_json(m: &Member) -> Option<Value> {
    http::get(&format!("{}/patroni", m.rest_url()))
        .ok()
        .filter(|r| r.status == 200 || r.status == 503)
        .and_then(|r| r.json())
}

pub(super) fn cluster_json(cluster: &Cluster) -> Option<Value> {
    cluster.members.iter().find_map(|m| {
        http::get(&format!("{}/cluster", m.rest_url()))
            .ok()
            .filter(|r| r.status == 200)
            .and_then(|r| r.json())
    })
}

/// Leader, streaming standbys and synchronous standbys as the leader sees
/// them; `Err` says what is missing.
pub(super) fn replication_ready(cluster: &Cluster) -> Result<String, String> {
    let leader = leader(cluster).ok_or("no leader yet")?;
    let info = patroni_json(leader).ok_or("the leader's REST API does not answer")?;
    let replication = info["replication"].as_array().cloned().unwrap_or_default();
    let streaming = replication
        .iter()
        .filter(|r| r["state"] == "streaming")
        .count();
    let sync = replication
        .iter()
        .filter(|r| matches!(r["sync_state"].as_str(), Some("sync" | "quorum")))
        .count();
    let want = cluster.members.len().saturating_sub(1);
    if streaming < want {
        return Err(format!(
            "leader {}: {streaming} of {want} standbys streaming",
            leader.name
        ));
    }
    if cluster.synchronous_mode != pgplan_core::SynchronousMode::Off {
        let want_sync = (cluster.synchronous_node_count as usize).min(want);
        if sync < want_sync {
            return Err(format!(
                "leader {}: {sync} of {want_sync} synchronous standbys",
                leader.name
            ));
        }
        // Only a member the DCS names synchronous may be promoted: until
        // Patroni has written it there, a failover could find no candidate.
        let named = cluster_json(cluster)
            .and_then(|c| c["members"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|m| m["role"] == "sync_standby")
            .count();
        if named < want_sync {
            return Err(format!(
                "leader {}: {named} of {want_sync} synchronous standbys named in the DCS",
                leader.name
            ));
        }
    }
    Ok(leader.name.clone())
}

/// HAProxy routes the write port to `leader`.
pub(super) fn router_ready(cluster: &Cluster, leader: &str) -> Result<(), String> {
    let (write, _) = router_servers(cluster).ok_or("HAProxy's statistics do not answer")?;
    if write.iter().any(|s| s == leader) {
        Ok(())
    } else {
        Err(format!(
            "HAProxy's write port routes to [{}]",
            write.join(", ")
        ))
    }
}

/// Servers UP behind the write and read ports.
pub(super) fn router_servers(cluster: &Cluster) -> Option<(Vec<String>, Vec<String>)> {
    let r = cluster.router;
    let csv = http::get(&format!("http://{}:{}/stats;csv", r.ip, r.stats_port))
        .ok()
        .filter(|r| r.status == 200)?;
    let mut write = Vec::new();
    let mut read = Vec::new();
    for line in csv.body.lines() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() > 17 && f[17].starts_with("UP") && cluster.member(f[1]).is_some() {
            match f[0] {
                "pg_write" => write.push(f[1].to_owned()),
                "pg_read" => read.push(f[1].to_owned()),
                _ => {}
            }
        }
    }
    Some((write, read))
}

pub(super) fn etcd_healthy(e: &crate::cluster::EtcdNode) -> bool {
    http::get(&format!("{}/health", e.client_url()))
        .ok()
        .and_then(|r| r.json())
        .is_some_and(|v| v["health"] == "true" || v["health"] == true)
}

pub(super) fn exporter_pg_up(m: &Member) -> Option<bool> {
    let port = m.exporter_port?;
    let r = http::get(&format!("http://{}:{port}/metrics", m.ip)).ok()?;
    if r.status != 200 {
        return None;
    }
    r.body
        .lines()
        .find_map(|l| l.strip_prefix("pg_up "))
        .map(|v| v.trim() == "1")
}

/// The environment of Patroni: its passwords.
pub(super) fn patroni_env(passwords: &Passwords) -> Result<Vec<(&'static str, Password)>, Error> {
    let mut env = Vec::new();
    for (var, login) in [
        ("PATRONI_SUPERUSER_PASSWORD", Login::Superuser),
        ("PATRONI_REPLICATION_PASSWORD", Login::Replication),
        ("PATRONI_REWIND_PASSWORD", Login::Rewind),
        ("PATRONI_RESTAPI_PASSWORD", Login::RestApi),
    ] {
        let p = passwords.get(&login).ok_or_else(|| Error::Secret {
            role: format!("{login:?}"),
            source_description: "the runner's password file".into(),
            message: "missing".into(),
        })?;
        env.push((var, Password::new(p.expose())));
    }
    Ok(env)
}

/// The DCS settings the plan wants (`GET /config`'s shape).
pub(super) fn desired_dcs(plan: &pgplan_core::ValidPlan, cluster: &Cluster) -> Value {
    let params = patroni::parameters(plan, cluster);
    let (sync, strict) = match cluster.synchronous_mode {
        pgplan_core::SynchronousMode::Off => (false, false),
        pgplan_core::SynchronousMode::On => (true, false),
        pgplan_core::SynchronousMode::Strict => (true, true),
    };
    let t = cluster.timing;
    json!({
        "ttl": t.ttl,
        "loop_wait": t.loop_wait,
        "retry_timeout": t.retry_timeout,
        "maximum_lag_on_failover": cluster.maximum_lag_bytes,
        "synchronous_mode": sync,
        "synchronous_mode_strict": strict,
        "synchronous_node_count": cluster.synchronous_node_count,
        "postgresql": {
            "use_pg_rewind": cluster.use_pg_rewind,
            "use_slots": true,
            "remove_data_directory_on_rewind_failure": true,
            "parameters": params.dcs.iter().map(|(k, p)| (k.clone(), Value::String(p.value.clone()))).collect::<serde_json::Map<_, _>>(),
        }
    })
}

pub(super) fn same(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

/// The `PATCH /config` body that makes the live DCS settings the plan's, or
/// `None` when they are.
pub(super) fn dcs_patch(live: &Value, want: &Value) -> Option<Value> {
    let mut patch = serde_json::Map::new();
    for (k, v) in want.as_object()? {
        if k == "postgresql" {
            continue;
        }
        if !same(&live[k], v) {
            patch.insert(k.clone(), v.clone());
        }
    }
    let mut pg = serde_json::Map::new();
    for (k, v) in want["postgresql"].as_object()? {
        if k == "parameters" {
            continue;
        }
        if !same(&live["postgresql"][k], v) {
            pg.insert(k.clone(), v.clone());
        }
    }
    let mut params = serde_json::Map::new();
    let live_params = live["postgresql"]["parameters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let want_params = want["postgresql"]["parameters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (k, v) in &want_params {
        if live_params.get(k).is_none_or(|l| !same(l, v)) {
            params.insert(k.clone(), v.clone());
        }
    }
    for k in live_params.keys() {
        if !want_params.contains_key(k) {
            params.insert(k.clone(), Value::Null);
        }
    }
    if !params.is_empty() {
        pg.insert("parameters".into(), Value::Object(params));
    }
    if !pg.is_empty() {
        patch.insert("postgresql".into(), Value::Object(pg));
    }
    (!patch.is_empty()).then_some(Value::Object(patch))
}

pub(super) fn components(cluster: &Cluster) -> Vec<String> {
    let mut names: Vec<String> = cluster.etcd.iter().map(|e| e.name.clone()).collect();
    names.extend(cluster.members.iter().map(|m| m.name.clone()));
    names.push(HAPROXY.into());
    names.extend(
        cluster
            .members
            .iter()
            .filter(|m| m.exporter_port.is_some())
            .map(|m| exporter_component(&m.name)),
    );
    names
}
