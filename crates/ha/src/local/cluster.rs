//! A Patroni cluster on this machine: etcd, Patroni, HAProxy and the
//! exporters from the rendered configurations, started in that order and
//! stopped in the reverse one (exporters, HAProxy, the replicas' Patroni, the
//! leader's, etcd last — Patroni needs etcd to release its keys).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use pgplan_core::{Password, runner};
use serde_json::Value;

use super::http;
use super::proc::{self, Proc};
use super::programs::{self, ClusterPrograms, PATRONI_PG_TOOLS};
use super::secrets::Login;
use super::state::State;
use super::{
    DownReport, EtcdStatus, Passwords, Progress, RouterStatus, Runner, ServerStatus, StartGuard,
    Status, UpReport, check_data_dir, check_free, postmaster, tls,
};
use crate::cluster::{Cluster, Member};
use crate::{Error, Layout};

mod probe;

pub use probe::leader;
use probe::*;

const HAPROXY: &str = "haproxy";

fn exporter_component(member: &str) -> String {
    format!("{member}-exporter")
}

pub(super) fn up(r: &Runner, progress: &Progress) -> Result<UpReport, Error> {
    let plan = &r.plan;
    let cluster = Cluster::resolve(plan)?;
    let major = plan.version.get();
    let state = r.state()?;
    let ours = state.is_some();
    let programs: ClusterPrograms = programs::cluster(cluster.monitoring_user.is_some())?;
    let bin = programs::pg_bin_dir(major, &PATRONI_PG_TOOLS, "Patroni")?;
    let layout = Layout::new(&r.run_dir, &bin);
    let mut state = state.unwrap_or_else(|| r.new_state());

    // What runs already, and whether the plan still has it.
    let planned = components(&cluster);
    for (name, rec) in &state.processes {
        if !planned.contains(name) && Proc::from(*rec).alive() {
            return Err(Error::UnsupportedChange {
                what: format!("`{name}` runs but the plan no longer has it"),
            });
        }
    }
    let etcd_running = cluster
        .etcd
        .iter()
        .filter(|e| state.running(&e.name).is_some())
        .count();

    // Everything that will be started must find its ports free and its data
    // directory its own; nothing is started before all of it is checked.
    let listeners = runner::listeners(plan);
    let owner = |l: &runner::Listener| -> String {
        let w = &l.what;
        if let Some(rest) = w.strip_prefix("etcd member ") {
            rest.split(' ').next().unwrap_or_default().to_owned()
        } else if w.starts_with("HAProxy") {
            HAPROXY.to_owned()
        } else if let Some(rest) = w.strip_prefix("member ") {
            let name = rest.split(' ').next().unwrap_or_default();
            if w.ends_with("postgres_exporter") {
                exporter_component(name)
            } else {
                name.to_owned()
            }
        } else {
            String::new()
        }
    };
    for l in &listeners {
        let comp = owner(l);
        let busy = state.running(&comp).is_some()
            || (cluster.member(&comp).is_some()
                && l.what.ends_with("PostgreSQL")
                && postmaster(&layout.member_data_dir(plan, &comp)).is_some());
        if !busy {
            check_free(SocketAddr::new(IpAddr::V4(l.ip), l.port), &l.to_string())?;
        }
    }
    for m in &cluster.members {
        if state.running(&m.name).is_none() {
            check_data_dir(&layout.member_data_dir(plan, &m.name), major, ours)?;
        }
    }
    let etcd_file_changed = |e: &crate::cluster::EtcdNode, files: &BTreeMap<String, String>| {
        let path = layout.config_dir().join(format!("etcd/{}.yml", e.name));
        std::fs::read_to_string(path).ok().as_deref()
            != files
                .get(&format!("etcd/{}.yml", e.name))
                .map(String::as_str)
    };

    r.prepare()?;
    // From here on, what this run directory holds is this plan's.
    state.write(&r.run_dir)?;
    let passwords = Passwords::load(plan, &layout.secrets_dir().join("passwords.json"))?;
    if cluster.tls {
        let hosts: Vec<String> = cluster.members.iter().map(|m| m.ip.to_string()).collect();
        tls::ensure(&layout, &r.user, &hosts)?;
    }
    if let Some(dir) = Layout::wal_archive_dir(plan) {
        r.user.dir(&dir)?;
    }
    r.user.dir(&layout.run_dir().join("pgpass"))?;
    r.user.dir(&layout.run_dir().join("etcd"))?;
    for m in &cluster.members {
        r.user.dir(&layout.socket_dir(&m.name))?;
    }
    if let (Some(user), Some(_)) = (&cluster.monitoring_user, &programs.exporter) {
        let p = passwords.role(user).ok_or_else(|| Error::Secret {
            role: user.clone(),
            source_description: "the monitoring login".into(),
            message: "unknown".into(),
        })?;
        r.user.write(
            &layout.monitoring_password_file(),
            p.expose().as_bytes(),
            0o600,
        )?;
    }

    let files = crate::render_files(plan, &layout)?;
    if etcd_running > 0 && cluster.etcd.iter().any(|e| etcd_file_changed(e, &files)) {
        return Err(Error::UnsupportedChange {
            what: "the etcd members changed".into(),
        });
    }
    let mut changed_files = Vec::new();
    for (name, text) in &files {
        let path = layout.config_dir().join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            r.user.write(&path, text.as_bytes(), 0o644)?;
            changed_files.push(name.clone());
        }
    }
    let file_changed = |name: &str| ours && changed_files.iter().any(|f| f == name);

    let mut started = Vec::new();
    let mut changed = Vec::new();
    let mut guard = StartGuard::new(&r.user, &r.run_dir);
    let home = r.run_dir.clone();
    let config = layout.config_dir();

    // etcd
    for e in &cluster.etcd {
        if state.running(&e.name).is_some() {
            continue;
        }
        r.user.dir(&layout.etcd_data_dir(&e.name))?;
        let mut cmd = r.user.command(&programs.etcd, &home);
        cmd.arg("--config-file")
            .arg(config.join(format!("etcd/{}.yml", e.name)));
        let p = proc::spawn(
            cmd,
            &layout.log_file(&e.name),
            &format!("etcd member {}", e.name),
        )?;
        guard.push(&format!("etcd member {}", e.name), p, None);
        state.processes.insert(e.name.clone(), p.into());
        started.push(format!("etcd member {} on {}", e.name, e.client_url()));
    }
    let etcd_timeout = Duration::from_secs(60);
    wait_for(progress, "etcd healthy", etcd_timeout, || {
        for e in &cluster.etcd {
            if state
                .processes
                .get(&e.name)
                .is_some_and(|rec| !Proc::from(*rec).alive())
            {
                return Err(format!(
                    "etcd member {} exited; see {}",
                    e.name,
                    layout.log_file(&e.name).display()
                ));
            }
            if !etcd_healthy(e) {
                return Err(format!("etcd member {} is not healthy yet", e.name));
            }
        }
        Ok(())
    })?;
    if !started.is_empty() {
        progress.done("etcd healthy");
    }

    // Patroni
    let env = patroni_env(&passwords)?;
    let mut reloaded = Vec::new();
    for m in &cluster.members {
        let file = config.join(format!("patroni/{}.yml", m.name));
        if state.running(&m.name).is_some() {
            if file_changed(&format!("patroni/{}.yml", m.name)) {
                http::call(
                    "POST",
                    &format!("{}/reload", m.rest_url()),
                    None,
                    rest_auth(&passwords).as_ref(),
                    Duration::from_secs(10),
                )?;
                reloaded.push(m.name.clone());
                changed.push(format!(
                    "reloaded Patroni member {} (its configuration changed)",
                    m.name
                ));
            }
            continue;
        }
        // Patroni's own validator, run as Patroni's consumer runs it: etcd is
        // up and the member's ports are free (its false negatives otherwise).
        let mut check = r.user.command(&programs.patroni, &home);
        check.arg("--validate-config").arg(&file);
        for (k, v) in &env {
            check.env(k, v.expose());
        }
        proc::run(
            check,
            &format!("patroni --validate-config {}", file.display()),
        )?;
        let mut cmd = r.user.command(&programs.patroni, &home);
        cmd.arg(&file);
        for (k, v) in &env {
            cmd.env(k, v.expose());
        }
        let p = proc::spawn(
            cmd,
            &layout.log_file(&m.name),
            &format!("Patroni member {}", m.name),
        )?;
        guard.push(
            &format!("Patroni member {}", m.name),
            p,
            Some(layout.member_data_dir(plan, &m.name)),
        );
        state.processes.insert(m.name.clone(), p.into());
        started.push(format!(
            "Patroni member {} (PostgreSQL {} on {})",
            m.name,
            major,
            m.pg_addr()
        ));
    }
    let dead = |state: &State| -> Option<String> {
        cluster.members.iter().find_map(|m| {
            let rec = state.processes.get(&m.name)?;
            (!Proc::from(*rec).alive()).then(|| m.name.clone())
        })
    };
    let leader_timeout = Duration::from_secs(120 + cluster.timing.ttl * 2);
    let leader_name = wait_for(progress, "a Patroni leader", leader_timeout, || {
        if let Some(name) = dead(&state) {
            return Err(format!(
                "Patroni member {name} exited; see {}",
                layout.log_file(&name).display()
            ));
        }
        leader(&cluster)
            .map(|m| m.name.clone())
            .ok_or_else(|| "no member answers 200 to /primary".to_owned())
    })
    .map_err(|e| exited_or(e, &cluster, &state, &layout))?;
    progress.done(&format!("leader {leader_name}"));

    // The DCS settings of a running cluster follow the plan.
    let rest = cluster
        .member(&leader_name)
        .map(Member::rest_url)
        .unwrap_or_default();
    let want = desired_dcs(plan, &cluster);
    let live = http::call(
        "GET",
        &format!("{rest}/config"),
        None,
        None,
        Duration::from_secs(5),
    )?;
    let patch = live
        .json()
        .and_then(|live| dcs_patch(&live, &want))
        .filter(|_| !r.keep_cluster_settings);
    if let Some(patch) = patch {
        http::call(
            "PATCH",
            &format!("{rest}/config"),
            Some(&patch.to_string()),
            rest_auth(&passwords).as_ref(),
            Duration::from_secs(10),
        )?;
        changed.push(format!("cluster settings (PATCH /config): {patch}"));
    }

    let replicas_timeout = Duration::from_secs(180 + cluster.timing.loop_wait * 6);
    let leader_name = wait_for(
        progress,
        "the planned streaming and synchronous standbys",
        replicas_timeout,
        || {
            if let Some(name) = dead(&state) {
                return Err(format!(
                    "Patroni member {name} exited; see {}",
                    layout.log_file(&name).display()
                ));
            }
            replication_ready(&cluster)
        },
    )
    .map_err(|e| exited_or(e, &cluster, &state, &layout))?;
    progress.done(&format!(
        "{} standbys streaming{}",
        cluster.members.len().saturating_sub(1),
        if cluster.synchronous_mode == pgplan_core::SynchronousMode::Off {
            String::new()
        } else {
            format!(", {} synchronous", cluster.synchronous_node_count)
        }
    ));

    // Restarts a parameter change needs: replicas first, the leader last.
    if changed.iter().any(|c| c.starts_with("cluster settings")) || !reloaded.is_empty() {
        std::thread::sleep(Duration::from_secs(cluster.timing.loop_wait + 1));
        let mut order: Vec<&Member> = cluster
            .members
            .iter()
            .filter(|m| m.name != leader_name)
            .collect();
        order.extend(cluster.member(&leader_name));
        for m in order {
            let pending = patroni_json(m).is_some_and(|v| v["pending_restart"] == true);
            if pending {
                progress.waiting(&format!(
                    "restarting {} for a parameter that needs it",
                    m.name
                ));
                http::call(
                    "POST",
                    &format!("{}/restart", m.rest_url()),
                    Some("{\"restart_pending\": true}"),
                    rest_auth(&passwords).as_ref(),
                    Duration::from_secs(180),
                )?;
                changed.push(format!(
                    "restarted PostgreSQL of {} (a changed parameter needs a restart)",
                    m.name
                ));
            }
        }
        wait_for(
            progress,
            "the standbys after the restarts",
            replicas_timeout,
            || replication_ready(&cluster),
        )?;
    }

    // HAProxy
    let haproxy_cfg = config.join("haproxy/haproxy.cfg");
    let haproxy_running = state.running(HAPROXY);
    if let Some(p) = haproxy_running
        && file_changed("haproxy/haproxy.cfg")
    {
        p.stop(Duration::from_secs(10));
        state.processes.remove(HAPROXY);
        changed.push("restarted HAProxy (its configuration changed)".into());
    }
    if state.running(HAPROXY).is_none() {
        let mut check = r.user.command(&programs.haproxy, &home);
        check.arg("-c").arg("-q").arg("-f").arg(&haproxy_cfg);
        proc::run(check, "haproxy -c")?;
        let mut cmd = r.user.command(&programs.haproxy, &home);
        cmd.arg("-f").arg(&haproxy_cfg);
        let p = proc::spawn(cmd, &layout.log_file(HAPROXY), "HAProxy")?;
        guard.push("HAProxy", p, None);
        state.processes.insert(HAPROXY.into(), p.into());
        if haproxy_running.is_none() {
            started.push(format!(
                "HAProxy: writes {}:{}, reads {}:{}, stats {}:{}",
                cluster.router.ip,
                cluster.router.write_port,
                cluster.router.ip,
                cluster.router.read_port,
                cluster.router.ip,
                cluster.router.stats_port
            ));
        }
    }
    wait_for(
        progress,
        "HAProxy's write port on the leader",
        Duration::from_secs(30),
        || {
            if state.running(HAPROXY).is_none() {
                return Err(format!(
                    "HAProxy exited; see {}",
                    layout.log_file(HAPROXY).display()
                ));
            }
            let leader = leader(&cluster).ok_or("no leader")?;
            router_ready(&cluster, &leader.name)
        },
    )?;

    // Exporters
    if let Some(exporter) = &programs.exporter {
        for m in &cluster.members {
            let Some(port) = m.exporter_port else {
                continue;
            };
            let name = exporter_component(&m.name);
            let env_file = config.join(format!("exporter/{}.env", m.name));
            let was = state.running(&name);
            if let Some(p) = was
                && file_changed(&format!("exporter/{}.env", m.name))
            {
                p.stop(Duration::from_secs(10));
                state.processes.remove(&name);
                changed.push(format!(
                    "restarted the exporter of {} (its configuration changed)",
                    m.name
                ));
            }
            if state.running(&name).is_some() {
                continue;
            }
            // The env file is read by sh, as its header says; `exec` keeps
            // the PID the exporter's.
            let mut cmd = r.user.command("sh", &home);
            cmd.arg("-c")
                .arg("set -a && . \"$1\" && set +a && exec \"$2\"")
                .arg("sh")
                .arg(&env_file)
                .arg(exporter);
            let p = proc::spawn(
                cmd,
                &layout.log_file(&name),
                &format!("postgres_exporter of {}", m.name),
            )?;
            guard.push(&format!("postgres_exporter of {}", m.name), p, None);
            state.processes.insert(name.clone(), p.into());
            if was.is_none() {
                started.push(format!(
                    "postgres_exporter of {} on http://{}:{port}/metrics",
                    m.name, m.ip
                ));
            }
        }
        wait_for(
            progress,
            "the exporters' /metrics",
            Duration::from_secs(30),
            || {
                for m in cluster.members.iter().filter(|m| m.exporter_port.is_some()) {
                    if state.running(&exporter_component(&m.name)).is_none() {
                        return Err(format!(
                            "the exporter of {} exited; see {}",
                            m.name,
                            layout.log_file(&exporter_component(&m.name)).display()
                        ));
                    }
                    let url = format!(
                        "http://{}:{}/metrics",
                        m.ip,
                        m.exporter_port.unwrap_or_default()
                    );
                    if !http::get(&url).is_ok_and(|r| r.status == 200) {
                        return Err(format!("{url} does not answer"));
                    }
                }
                Ok(())
            },
        )?;
    }

    state.write(&r.run_dir)?;
    guard.disarm();
    drop(guard);
    let superuser = passwords
        .get(&Login::Superuser)
        .map(|p| Password::new(p.expose()))
        .ok_or(Error::NotPatroni)?;
    let mut notes = Vec::new();
    if let Some(w) = &plan.backups.wal_archiving
        && Layout::wal_archive_dir(plan).is_none()
    {
        notes.push(format!(
            "backups.wal_archiving: `{}` is not a directory of this machine; WAL is kept until an archive_command ships it",
            w.destination
        ));
    }
    Ok(UpReport {
        started,
        changed,
        notes,
        endpoint: super::Endpoint {
            host: IpAddr::V4(cluster.router.ip),
            port: cluster.router.write_port,
            user: cluster.superuser.clone(),
            password: superuser,
            tls: cluster.tls,
        },
        passwords,
        run_dir: r.run_dir.clone(),
    })
}

/// A timeout because a member died is reported as the member's exit, with
/// its log.
fn exited_or(e: Error, cluster: &Cluster, state: &State, layout: &Layout) -> Error {
    for m in &cluster.members {
        if let Some(rec) = state.processes.get(&m.name)
            && !Proc::from(*rec).alive()
        {
            let log_path = layout.log_file(&m.name);
            return Error::Exited {
                what: format!("Patroni member {}", m.name),
                log: proc::tail(&log_path, 25),
                log_path,
            };
        }
    }
    e
}

pub(super) fn status(r: &Runner, state: &State) -> Result<Status, Error> {
    let cluster = Cluster::resolve(&r.plan)?;
    let view = cluster_json(&cluster);
    let member_view = |name: &str| -> Option<Value> {
        view.as_ref()?["members"]
            .as_array()?
            .iter()
            .find(|m| m["name"] == name)
            .cloned()
    };
    let mut servers = Vec::new();
    for m in &cluster.members {
        let alive = state.running(&m.name).is_some();
        let v = member_view(&m.name);
        let info = if alive { patroni_json(m) } else { None };
        servers.push(ServerStatus {
            name: m.name.clone(),
            role: v
                .as_ref()
                .and_then(|v| v["role"].as_str().map(str::to_owned))
                .unwrap_or_else(|| if alive { "unknown" } else { "down" }.into()),
            state: v
                .as_ref()
                .and_then(|v| v["state"].as_str().map(str::to_owned))
                .unwrap_or_else(|| if alive { "starting" } else { "stopped" }.into()),
            timeline: v.as_ref().and_then(|v| v["timeline"].as_u64()),
            lag_bytes: v.as_ref().and_then(|v| v["lag"].as_u64()),
            postgres: m.pg_addr(),
            rest_api: Some(m.rest_url()),
            exporter: m
                .exporter_port
                .map(|p| format!("http://{}:{p}/metrics", m.ip)),
            exporter_pg_up: if state.running(&exporter_component(&m.name)).is_some() {
                exporter_pg_up(m)
            } else {
                None
            },
            pending_restart: info.is_some_and(|i| i["pending_restart"] == true),
        });
    }
    let etcd = cluster
        .etcd
        .iter()
        .map(|e| EtcdStatus {
            name: e.name.clone(),
            client_url: e.client_url(),
            healthy: state.running(&e.name).is_some() && etcd_healthy(e),
        })
        .collect();
    let rt = cluster.router;
    let running = state.running(HAPROXY).is_some();
    let (write_servers, read_servers) = if running {
        router_servers(&cluster).unwrap_or_default()
    } else {
        Default::default()
    };
    Ok(Status {
        service: r.plan.service.to_string(),
        environment: r.plan.environment.to_string(),
        kind: "patroni".into(),
        run_dir: r.run_dir.clone(),
        servers,
        etcd,
        haproxy: Some(RouterStatus {
            write: format!("{}:{}", rt.ip, rt.write_port),
            read: format!("{}:{}", rt.ip, rt.read_port),
            stats: format!("http://{}:{}/stats", rt.ip, rt.stats_port),
            metrics: format!("http://{}:{}/metrics", rt.ip, rt.stats_port),
            running,
            write_servers,
            read_servers,
        }),
    })
}

pub(super) fn down(r: &Runner, state: &mut State, report: &mut DownReport) -> Result<(), Error> {
    let cluster = Cluster::resolve(&r.plan)?;
    let layout = Layout::new(&r.run_dir, "");
    let stop =
        |state: &mut State, name: &str, what: String, grace: Duration, report: &mut DownReport| {
            if let Some(p) = state.running(name) {
                p.stop(grace);
                report.stopped.push(what);
            }
            state.processes.remove(name);
        };
    for m in &cluster.members {
        stop(
            state,
            &exporter_component(&m.name),
            format!("postgres_exporter of {}", m.name),
            Duration::from_secs(10),
            report,
        );
    }
    stop(
        state,
        HAPROXY,
        "HAProxy".into(),
        Duration::from_secs(10),
        report,
    );
    // Replicas before the leader: stopping the leader first hands its role
    // to a replica that is stopped next.
    let leader = leader(&cluster).map(|m| m.name.clone());
    let mut order: Vec<&Member> = cluster
        .members
        .iter()
        .filter(|m| Some(&m.name) != leader.as_ref())
        .collect();
    order.extend(
        cluster
            .members
            .iter()
            .filter(|m| Some(&m.name) == leader.as_ref()),
    );
    for m in order {
        stop(
            state,
            &m.name,
            format!("Patroni member {}", m.name),
            Duration::from_secs(90),
            report,
        );
        // A postmaster left without its Patroni (Patroni killed) is stopped too.
        let data = layout.member_data_dir(&r.plan, &m.name);
        if let Some(pm) = postmaster(&data) {
            super::server::stop_postmaster(r, &data, pm);
            report
                .stopped
                .push(format!("PostgreSQL of {} (without its Patroni)", m.name));
        }
    }
    for e in &cluster.etcd {
        stop(
            state,
            &e.name,
            format!("etcd member {}", e.name),
            Duration::from_secs(20),
            report,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
