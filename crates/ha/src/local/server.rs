//! A single server on this machine: `initdb`, the rendered configuration,
//! `pg_ctl`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use pgplan_core::catalog::Context as ParamContext;
use pgplan_core::runner;

use super::programs::{self, SINGLE_PG_TOOLS};
use super::secrets::Login;
use super::state::State;
use super::{
    DownReport, Endpoint, Passwords, Progress, Runner, ServerStatus, StartGuard, Status, UpReport,
    check_data_dir, check_free, postmaster, proc, tls,
};
use crate::{Error, Layout};

const COMPONENT: &str = "postgres";

fn free_port() -> Result<u16, Error> {
    let l =
        TcpListener::bind((runner::SINGLE_HOST, 0)).map_err(Error::io("finding a free port"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(Error::io("finding a free port"))
}

/// `name = value` lines of a postgresql.conf pgplan wrote.
fn conf_values(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn start_timeout(r: &Runner) -> Duration {
    runner::local(&r.plan)
        .and_then(|l| l.start_timeout)
        .map_or(Duration::from_secs(60), |d| {
            Duration::from_millis(d.as_millis())
        })
}

pub(super) fn up(r: &Runner, progress: &Progress) -> Result<UpReport, Error> {
    let plan = &r.plan;
    let major = plan.version.get();
    let state = r.state()?;
    let bin = programs::pg_bin_dir(major, &SINGLE_PG_TOOLS, "a local PostgreSQL server")?;
    let mut state = state.unwrap_or_else(|| r.new_state());
    let port = match runner::local(plan)
        .and_then(|l| l.port)
        .or(state.single_port)
    {
        Some(p) => p,
        None => free_port()?,
    };
    state.single_port = runner::local(plan)
        .and_then(|l| l.port)
        .is_none()
        .then_some(port);
    let layout = Layout::new(&r.run_dir, &bin).with_single_port(Some(port));
    let data = layout.single_data_dir(plan);
    let running = state.running(COMPONENT).or_else(|| postmaster(&data));
    let ours = State::read(&r.run_dir)?.is_some();
    if running.is_none() {
        check_free(
            SocketAddr::new(IpAddr::V4(runner::SINGLE_HOST), port),
            "the plan's PostgreSQL server",
        )?;
        check_data_dir(&data, major, ours)?;
    }

    r.prepare()?;
    // From here on, what this run directory holds is this plan's.
    state.write(&r.run_dir)?;
    r.user.dir(&layout.socket_dir(crate::single::SOCKET))?;
    let passwords = Passwords::load(plan, &layout.secrets_dir().join("passwords.json"))?;
    if plan.security.tls.required {
        tls::ensure(&layout, &r.user, &[runner::SINGLE_HOST.to_string()])?;
    }
    if let Some(dir) = Layout::wal_archive_dir(plan) {
        r.user.dir(&dir)?;
    }
    let files = crate::render_files(plan, &layout)?;
    for (name, text) in &files {
        r.user
            .write(&layout.config_dir().join(name), text.as_bytes(), 0o644)?;
    }
    let mut started = Vec::new();
    let mut changed = Vec::new();
    let mut guard = StartGuard::new(&r.user, &r.run_dir);
    let user = &r.user;
    let home = &r.run_dir;

    if !data.join("PG_VERSION").is_file() {
        progress.waiting("initdb");
        user.dir(&data)?;
        let pwfile = layout.secrets_dir().join("initdb.pw");
        let superuser = passwords.get(&Login::Superuser).ok_or(Error::NotPatroni)?;
        user.write(
            &pwfile,
            format!("{}\n", superuser.expose()).as_bytes(),
            0o600,
        )?;
        let local = runner::local(plan);
        let mut cmd = user.command(bin.join("initdb"), home);
        cmd.arg("-D")
            .arg(&data)
            .args(["-U", runner::SUPERUSER, "--auth=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .arg(format!(
                "--encoding={}",
                local
                    .map(|l| l.encoding_or_default().to_string())
                    .unwrap_or_default()
            ))
            .arg(format!(
                "--locale={}",
                local
                    .map(|l| l.locale_or_default().to_string())
                    .unwrap_or_default()
            ));
        let checksums = local.is_none_or(|l| l.data_checksums);
        if let Some(option) = pgplan_core::initdb_checksums_option(checksums, plan.version) {
            cmd.arg(option);
        }
        let result = proc::run(cmd, "initdb");
        let _ = std::fs::remove_file(&pwfile);
        result?;
        progress.done("initdb");
    }
    let mut restart = false;
    let mut reload = false;
    for name in ["postgresql.conf", "pg_hba.conf"] {
        let path = data.join(name);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let new = &files[name];
        if &old != new {
            if running.is_some() {
                changed.push(format!("{name} of {}", data.display()));
                reload = true;
                if name == "postgresql.conf" {
                    let (a, b) = (conf_values(&old), conf_values(new));
                    let keys: std::collections::BTreeSet<&String> =
                        a.keys().chain(b.keys()).collect();
                    restart = keys.into_iter().any(|k| {
                        a.get(k) != b.get(k)
                            && plan
                                .settings()
                                .spec(k)
                                .is_some_and(|s| s.context == ParamContext::Postmaster)
                    });
                }
            }
            user.write(&path, new.as_bytes(), 0o600)?;
        }
    }
    let log = layout.log_file("postgres");
    if let Some(proc) = running {
        if restart {
            progress.waiting("restarting PostgreSQL for a parameter that needs it");
            let mut cmd = user.command(bin.join("pg_ctl"), home);
            cmd.arg("-D").arg(&data).arg("-l").arg(&log);
            cmd.args(["restart", "-m", "fast", "-w", "-t"])
                .arg(start_timeout(r).as_secs().to_string());
            proc::run(cmd, "pg_ctl restart")?;
            changed.push("restarted PostgreSQL (a changed parameter needs a restart)".into());
        } else if reload {
            let mut cmd = user.command(bin.join("pg_ctl"), home);
            cmd.arg("-D").arg(&data).arg("reload");
            proc::run(cmd, "pg_ctl reload")?;
            changed.push("reloaded PostgreSQL's configuration".into());
        }
        let pm = postmaster(&data).unwrap_or(proc);
        state.processes.insert(COMPONENT.into(), pm.into());
    } else {
        progress.waiting("starting PostgreSQL");
        let mut cmd = user.command(bin.join("pg_ctl"), home);
        cmd.arg("-D").arg(&data).arg("-l").arg(&log);
        cmd.args(["-w", "-t"])
            .arg(start_timeout(r).as_secs().to_string())
            .arg("start");
        let started_at = Instant::now();
        if let Err(e) = proc::run(cmd, "pg_ctl start") {
            return Err(match e {
                Error::Command { what, detail } => Error::Command {
                    what,
                    detail: format!(
                        "{detail}\nthe end of {}:\n{}",
                        log.display(),
                        proc::tail(&log, 20)
                    ),
                },
                e => e,
            });
        }
        let pm = postmaster(&data).ok_or_else(|| Error::Exited {
            what: "PostgreSQL".into(),
            log_path: log.clone(),
            log: proc::tail(&log, 20),
        })?;
        guard.push("PostgreSQL", pm, Some(data.clone()));
        state.processes.insert(COMPONENT.into(), pm.into());
        progress.done(&format!(
            "PostgreSQL {major} accepting connections on {}:{port} ({:.1}s)",
            runner::SINGLE_HOST,
            started_at.elapsed().as_secs_f64()
        ));
        started.push(format!(
            "PostgreSQL {major} on {}:{port}",
            runner::SINGLE_HOST
        ));
    }
    state.write(&r.run_dir)?;
    guard.disarm();
    drop(guard);
    let superuser = passwords
        .get(&Login::Superuser)
        .map(|p| pgplan_core::Password::new(p.expose()))
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
        endpoint: Endpoint {
            host: IpAddr::V4(runner::SINGLE_HOST),
            port,
            user: runner::SUPERUSER.into(),
            password: superuser,
            tls: plan.security.tls.required,
        },
        passwords,
        run_dir: r.run_dir.clone(),
    })
}

fn layout_of(r: &Runner, state: &State) -> Layout {
    Layout::new(&r.run_dir, "").with_single_port(state.single_port)
}

pub(super) fn status(r: &Runner, state: &State) -> Result<Status, Error> {
    let layout = layout_of(r, state);
    let data = layout.single_data_dir(&r.plan);
    let port = layout.single_port(&r.plan);
    let running = state.running(COMPONENT).or_else(|| postmaster(&data));
    let addr = SocketAddr::new(IpAddr::V4(runner::SINGLE_HOST), port);
    let accepting =
        running.is_some() && TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok();
    Ok(Status {
        service: r.plan.service.to_string(),
        environment: r.plan.environment.to_string(),
        kind: "single".into(),
        run_dir: r.run_dir.clone(),
        servers: vec![ServerStatus {
            name: r.plan.service.to_string(),
            role: if running.is_some() { "primary" } else { "down" }.into(),
            state: if accepting {
                "running"
            } else if running.is_some() {
                "starting"
            } else {
                "stopped"
            }
            .into(),
            timeline: None,
            lag_bytes: None,
            postgres: addr.to_string(),
            rest_api: None,
            exporter: None,
            exporter_pg_up: None,
            pending_restart: false,
        }],
        etcd: Vec::new(),
        haproxy: None,
    })
}

pub(super) fn down(r: &Runner, state: &mut State, report: &mut DownReport) -> Result<(), Error> {
    let layout = layout_of(r, state);
    let data = layout.single_data_dir(&r.plan);
    let pm = state.running(COMPONENT).or_else(|| postmaster(&data));
    if let Some(pm) = pm {
        stop_postmaster(r, &data, pm);
        report.stopped.push(format!(
            "PostgreSQL on {}:{}",
            runner::SINGLE_HOST,
            layout.single_port(&r.plan)
        ));
    }
    state.processes.remove(COMPONENT);
    Ok(())
}

/// `pg_ctl stop -m fast` when the binaries are there, else SIGINT (what
/// fast shutdown is), and SIGKILL after a minute.
pub(super) fn stop_postmaster(r: &Runner, data: &Path, pm: proc::Proc) {
    let bin = programs::pg_bin_dir(r.plan.version.get(), &["pg_ctl"], "pg_ctl").ok();
    if let Some(bin) = bin {
        let mut cmd = r.user.command(bin.join("pg_ctl"), &r.run_dir);
        cmd.arg("-D")
            .arg(data)
            .args(["stop", "-m", "fast", "-w", "-t", "60"]);
        let _ = proc::run(cmd, "pg_ctl stop");
    } else {
        pm.signal("INT");
    }
    if !pm.wait_gone(Duration::from_secs(60)) {
        pm.signal("KILL");
        pm.wait_gone(Duration::from_secs(10));
    }
}
