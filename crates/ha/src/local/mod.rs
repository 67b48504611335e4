//! The local runner: `pgplan up`, `status` and `down` for a plan on
//! `platform: local`.
//!
//! A single server is `initdb` (the plan's encoding, locale and checksums),
//! the rendered `postgresql.conf` and `pg_hba.conf`, and `pg_ctl start`. A
//! Patroni cluster is its etcd members, Patroni members, HAProxy and
//! exporters, each a process of the run user started from the rendered
//! configuration in `<run dir>/config`; `up` waits until there is a leader
//! and the planned streaming (and synchronous) replicas. Either way `up`
//! returns the [`Endpoint`] the SQL side is applied through (the write port
//! of a cluster) and the passwords the runner knows; the CLI then runs the
//! SQL backend's apply, the same code path as `pgplan apply`.
//!
//! `up` is idempotent: on a running plan it starts only what is not running,
//! writes only configurations that changed, and converges a changed plan —
//! `PATCH /config` for the DCS settings, `POST /reload` for a member's file,
//! `POST /restart` where a parameter needs a restart, and a restart of
//! HAProxy or an exporter whose file changed. A second `up` changes nothing.
//!
//! Before starting anything, `up` checks that every program is installed
//! (one message naming the Debian packages), that every address and port the
//! plan listens on is free, and that data directories are this plan's; if a
//! start fails half-way, what this `up` started is stopped again.

mod cluster;
pub mod http;
mod proc;
mod programs;
mod progress;
mod secrets;
mod server;
mod state;
mod tls;

use std::fmt;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use pgplan_core::{Password, ValidPlan, runner};
use serde::Serialize;

pub use proc::RunUser;
pub use secrets::{Login, Passwords};

use crate::{Error, Layout};
use proc::Proc;
use progress::Progress;
use state::State;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The run directory; [`Runner::default_run_dir`] when unset.
    pub run_dir: Option<PathBuf>,
    /// The user servers run as: the current user, or `postgres` as root.
    pub user: Option<String>,
    /// No progress output.
    pub quiet: bool,
    /// Leave Patroni's cluster-wide settings (`GET /config`) as they are
    /// instead of making them the plan's. For measuring timings a plan does
    /// not hold (the failover benchmark); `pgplan up` never sets it.
    pub keep_cluster_settings: bool,
}

/// Where the SQL side is applied: the write port of a cluster, the server
/// itself otherwise.
#[derive(Clone)]
pub struct Endpoint {
    /// Address.
    pub host: IpAddr,
    /// Port.
    pub port: u16,
    /// The superuser.
    pub user: String,
    /// Its password.
    pub password: Password,
    /// The server requires TLS.
    pub tls: bool,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// A connection URL for `database` (with the password: never print it).
    pub fn dsn(&self, database: &str) -> String {
        use crate::escape::url_component as enc;
        format!(
            "postgresql://{}:{}@{}:{}/{}?sslmode={}&connect_timeout=10",
            enc(&self.user),
            enc(self.password.expose()),
            self.host,
            self.port,
            enc(database),
            if self.tls { "require" } else { "disable" }
        )
    }
    /// `host:port`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// What `up` did.
#[derive(Debug)]
pub struct UpReport {
    /// Components started.
    pub started: Vec<String>,
    /// Changes made to running components.
    pub changed: Vec<String>,
    /// What the plan asks for that the runner leaves to others.
    pub notes: Vec<String>,
    /// Where to apply the SQL.
    pub endpoint: Endpoint,
    /// The passwords the runner knows (generated ones, and those it read).
    pub passwords: Passwords,
    /// The run directory.
    pub run_dir: PathBuf,
}

impl UpReport {
    /// True when nothing was started or changed.
    pub fn is_noop(&self) -> bool {
        self.started.is_empty() && self.changed.is_empty()
    }
}

impl fmt::Display for UpReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_noop() {
            writeln!(f, "already up: nothing started, nothing changed")?;
        }
        for s in &self.started {
            writeln!(f, "started {s}")?;
        }
        for c in &self.changed {
            writeln!(f, "changed {c}")?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        write!(
            f,
            "SQL endpoint {} (user {}); run directory {}",
            self.endpoint.addr(),
            self.endpoint.user,
            self.run_dir.display()
        )
    }
}

/// What `down` did.
#[derive(Debug, Default, Serialize)]
pub struct DownReport {
    /// Components stopped, in order.
    pub stopped: Vec<String>,
    /// Directories removed (`--purge`).
    pub removed: Vec<PathBuf>,
}

impl fmt::Display for DownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stopped.is_empty() {
            writeln!(f, "nothing was running")?;
        }
        for s in &self.stopped {
            writeln!(f, "stopped {s}")?;
        }
        for r in &self.removed {
            writeln!(f, "removed {}", r.display())?;
        }
        Ok(())
    }
}

/// A member's (or the single server's) state.
#[derive(Debug, Clone, Serialize)]
pub struct ServerStatus {
    /// Name (`pg-0`, or the service for a single server).
    pub name: String,
    /// `leader`, `sync_standby`, `replica`, `primary` (single), or `down`.
    pub role: String,
    /// Patroni's state (`running`, `starting`, …) or `running`/`stopped`.
    pub state: String,
    /// Timeline.
    pub timeline: Option<u64>,
    /// Replay lag behind the leader, in bytes.
    pub lag_bytes: Option<u64>,
    /// PostgreSQL's address.
    pub postgres: String,
    /// Patroni's REST API.
    pub rest_api: Option<String>,
    /// The exporter's metrics URL.
    pub exporter: Option<String>,
    /// `pg_up` of the exporter (`None` when unreachable).
    pub exporter_pg_up: Option<bool>,
    /// A restart is pending for a parameter change.
    pub pending_restart: bool,
}

/// An etcd member's state.
#[derive(Debug, Clone, Serialize)]
pub struct EtcdStatus {
    /// Name.
    pub name: String,
    /// Client URL.
    pub client_url: String,
    /// `/health` says true.
    pub healthy: bool,
}

/// HAProxy's state.
#[derive(Debug, Clone, Serialize)]
pub struct RouterStatus {
    /// The write endpoint.
    pub write: String,
    /// The read endpoint.
    pub read: String,
    /// The statistics page.
    pub stats: String,
    /// Prometheus metrics.
    pub metrics: String,
    /// The process runs.
    pub running: bool,
    /// Servers UP behind the write port.
    pub write_servers: Vec<String>,
    /// Servers UP behind the read port.
    pub read_servers: Vec<String>,
}

/// `pgplan status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Service.
    pub service: String,
    /// Environment.
    pub environment: String,
    /// `single` or `patroni`.
    pub kind: String,
    /// Run directory.
    pub run_dir: PathBuf,
    /// Servers.
    pub servers: Vec<ServerStatus>,
    /// etcd members.
    pub etcd: Vec<EtcdStatus>,
    /// HAProxy.
    pub haproxy: Option<RouterStatus>,
}

impl Status {
    /// The leader's name.
    pub fn leader(&self) -> Option<&str> {
        self.servers
            .iter()
            .find(|s| matches!(s.role.as_str(), "leader" | "primary"))
            .map(|s| s.name.as_str())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}), {} on this machine, run directory {}",
            self.service,
            self.environment,
            if self.kind == "patroni" {
                "Patroni cluster"
            } else {
                "single server"
            },
            self.run_dir.display()
        )?;
        writeln!(
            f,
            "{:<10} {:<13} {:<9} {:>3} {:>10} {:<21} {:<27} exporter",
            "member", "role", "state", "TL", "lag (B)", "postgres", "rest api"
        )?;
        for s in &self.servers {
            writeln!(
                f,
                "{:<10} {:<13} {:<9} {:>3} {:>10} {:<21} {:<27} {}",
                s.name,
                s.role,
                s.state,
                s.timeline.map(|t| t.to_string()).unwrap_or_default(),
                s.lag_bytes.map(|t| t.to_string()).unwrap_or_default(),
                s.postgres,
                s.rest_api.as_deref().unwrap_or("-"),
                match (&s.exporter, s.exporter_pg_up) {
                    (Some(u), Some(true)) => format!("{u} (pg_up 1)"),
                    (Some(u), Some(false)) => format!("{u} (pg_up 0)"),
                    (Some(u), None) => format!("{u} (unreachable)"),
                    (None, _) => "-".into(),
                }
            )?;
        }
        for e in &self.etcd {
            writeln!(
                f,
                "etcd {:<8} {} {}",
                e.name,
                e.client_url,
                if e.healthy { "healthy" } else { "unhealthy" }
            )?;
        }
        if let Some(h) = &self.haproxy {
            writeln!(
                f,
                "HAProxy {}: writes {} → [{}], reads {} → [{}], stats {}, metrics {}",
                if h.running { "running" } else { "stopped" },
                h.write,
                h.write_servers.join(", "),
                h.read,
                h.read_servers.join(", "),
                h.stats,
                h.metrics
            )?;
        }
        Ok(())
    }
}

/// A plan on this machine.
#[derive(Debug)]
pub struct Runner {
    plan: ValidPlan,
    run_dir: PathBuf,
    user: RunUser,
    quiet: bool,
    keep_cluster_settings: bool,
}

impl Runner {
    /// The run directory of a plan when none is given:
    /// `/var/lib/pgplan/<service>-<environment>` for root,
    /// `$XDG_STATE_HOME/pgplan/…` (or `~/.local/state/pgplan/…`) for others.
    pub fn default_run_dir(plan: &ValidPlan) -> PathBuf {
        let name = format!("{}-{}", plan.service, plan.environment);
        let root = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .map(|l| l.split_whitespace().nth(1) == Some("0"))
            })
            .unwrap_or(false);
        if root {
            return PathBuf::from("/var/lib/pgplan").join(name);
        }
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
            .unwrap_or_else(std::env::temp_dir);
        base.join("pgplan").join(name)
    }

    /// A runner for a validated plan on `platform: local`.
    ///
    /// # Errors
    ///
    /// [`Error::NotLocal`] for another platform; [`Error::User`].
    pub fn new(plan: &ValidPlan, options: &Options) -> Result<Runner, Error> {
        if runner::local(plan).is_none() {
            return Err(Error::NotLocal {
                platform: plan.platform.kind(),
            });
        }
        let run_dir = options
            .run_dir
            .clone()
            .unwrap_or_else(|| Self::default_run_dir(plan));
        let run_dir = if run_dir.is_absolute() {
            run_dir
        } else {
            std::env::current_dir()
                .map_err(Error::io("reading the current directory"))?
                .join(run_dir)
        };
        // status and down run as whoever `up` ran the servers as.
        let recorded = State::read(&run_dir).ok().flatten().map(|s| s.user);
        let user = RunUser::resolve(options.user.as_deref().or(recorded.as_deref()))?;
        Ok(Runner {
            plan: plan.clone(),
            run_dir,
            user,
            quiet: options.quiet,
            keep_cluster_settings: options.keep_cluster_settings,
        })
    }

    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The plan.
    pub fn plan(&self) -> &ValidPlan {
        &self.plan
    }

    /// The PID of a component this runner started, while it runs:
    /// `etcd-1`, `pg-0` (the member's Patroni), `haproxy`, `pg-0-exporter`,
    /// or `postgres` (a single server's postmaster).
    pub fn pid(&self, component: &str) -> Option<u32> {
        State::read(&self.run_dir)
            .ok()
            .flatten()?
            .running(component)
            .map(|p| p.pid)
    }

    /// The postmaster PID of a Patroni member, while it runs.
    pub fn postmaster_pid(&self, member: &str) -> Option<u32> {
        let layout = Layout::new(&self.run_dir, "");
        postmaster(&layout.member_data_dir(&self.plan, member)).map(|p| p.pid)
    }

    /// The Patroni member that holds the leader key now (the one whose REST
    /// API answers 200 to `/primary`).
    pub fn leader(&self) -> Option<String> {
        let c = crate::Cluster::resolve(&self.plan).ok()?;
        cluster::leader(&c).map(|m| m.name.clone())
    }

    fn kind(&self) -> &'static str {
        if self.plan.topology.patroni.is_some() {
            "patroni"
        } else {
            "single"
        }
    }

    /// The run directory's state, checked to be this plan's.
    fn state(&self) -> Result<Option<State>, Error> {
        let Some(state) = State::read(&self.run_dir)? else {
            return Ok(None);
        };
        let ours = state.service == self.plan.service.as_str()
            && state.environment == self.plan.environment.to_string()
            && state.kind == self.kind();
        if !ours {
            return Err(Error::ForeignRunDir {
                path: self.run_dir.clone(),
                reason: format!(
                    "it holds the {} {} of {} ({}), not this plan's {} of {} ({}): give this plan its own --dir",
                    state.kind,
                    if state.kind == "patroni" {
                        "cluster"
                    } else {
                        "server"
                    },
                    state.service,
                    state.environment,
                    self.kind(),
                    self.plan.service,
                    self.plan.environment
                ),
            });
        }
        if state.major != self.plan.version.get() {
            return Err(Error::UnsupportedChange {
                what: format!(
                    "the data in {} is PostgreSQL {}, the plan says {} (a major upgrade)",
                    self.run_dir.display(),
                    state.major,
                    self.plan.version
                ),
            });
        }
        Ok(Some(state))
    }

    fn new_state(&self) -> State {
        State {
            service: self.plan.service.to_string(),
            environment: self.plan.environment.to_string(),
            major: self.plan.version.get(),
            kind: self.kind().to_owned(),
            user: self.user.name.clone(),
            single_port: None,
            processes: Default::default(),
        }
    }

    /// Prepares the run directory (owned by the run user).
    fn prepare(&self) -> Result<(), Error> {
        self.user.dir(&self.run_dir)?;
        for sub in ["config", "data", "log", "sock", "secrets"] {
            self.user.dir(&self.run_dir.join(sub))?;
        }
        Ok(())
    }

    /// Starts the plan, or converges it when it runs.
    ///
    /// # Errors
    ///
    /// Any [`Error`]; what this call started is stopped again first.
    pub fn up(&self) -> Result<UpReport, Error> {
        let progress = Progress::new(self.quiet);
        if self.plan.topology.patroni.is_some() {
            cluster::up(self, &progress)
        } else {
            server::up(self, &progress)
        }
    }

    /// What runs, and in which state.
    ///
    /// # Errors
    ///
    /// [`Error::NotRunning`] when the run directory has nothing of the plan.
    pub fn status(&self) -> Result<Status, Error> {
        let state = self.state()?.ok_or_else(|| Error::NotRunning {
            run_dir: self.run_dir.clone(),
        })?;
        if self.plan.topology.patroni.is_some() {
            cluster::status(self, &state)
        } else {
            server::status(self, &state)
        }
    }

    /// Stops everything the runner started, in order; removes the data with
    /// `purge`.
    ///
    /// # Errors
    ///
    /// IO errors; stopping goes on past a component that fails to stop.
    pub fn down(&self, purge: bool) -> Result<DownReport, Error> {
        let state = self.state()?;
        let mut report = DownReport::default();
        if let Some(mut state) = state {
            if self.plan.topology.patroni.is_some() {
                cluster::down(self, &mut state, &mut report)?;
            } else {
                server::down(self, &mut state, &mut report)?;
            }
            if !purge {
                state.write(&self.run_dir)?;
            }
        }
        if purge {
            self.purge(&mut report)?;
        }
        Ok(report)
    }

    fn purge(&self, report: &mut DownReport) -> Result<(), Error> {
        let mut dirs = Vec::new();
        if let Some(data) = runner::local(&self.plan).and_then(|l| l.data_dir.clone()) {
            match &self.plan.topology.patroni {
                Some(p) => dirs.extend(p.members.iter().map(|m| data.join(m.name.as_str()))),
                None => dirs.push(data),
            }
        }
        dirs.push(self.run_dir.clone());
        for d in dirs {
            if d.exists() {
                std::fs::remove_dir_all(&d)
                    .map_err(Error::io(format!("removing {}", d.display())))?;
                report.removed.push(d);
            }
        }
        Ok(())
    }
}

/// Fails when something else listens on `addr`.
fn check_free(addr: SocketAddr, what: &str) -> Result<(), Error> {
    match TcpListener::bind(addr) {
        Ok(l) => {
            drop(l);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(Error::PortInUse {
            addr,
            what: what.to_owned(),
        }),
        Err(e) => Err(Error::io(format!("binding {addr} ({what})"))(e)),
    }
}

/// Whether a data directory can be this plan's: empty or missing, or a
/// PostgreSQL directory of the plan's major that this run directory created.
fn check_data_dir(path: &Path, major: u16, ours: bool) -> Result<(), Error> {
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e.count(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()))(e)),
    };
    if entries == 0 {
        return Ok(());
    }
    let version = std::fs::read_to_string(path.join("PG_VERSION")).ok();
    let foreign = |reason: String| Error::ForeignDataDir {
        path: path.to_owned(),
        reason,
    };
    match version.as_deref().map(str::trim) {
        None => Err(foreign("it is not empty and holds no PostgreSQL data (no PG_VERSION)".into())),
        Some(v) if v != major.to_string() => Err(foreign(format!(
            "it holds a PostgreSQL {v} cluster and the plan is PostgreSQL {major}"
        ))),
        Some(_) if !ours => Err(foreign(
            "it holds a PostgreSQL cluster that pgplan up did not create for this plan (its run directory has no record of it)".into(),
        )),
        Some(_) => Ok(()),
    }
}

/// The postmaster of a data directory, when it runs.
fn postmaster(data_dir: &Path) -> Option<Proc> {
    let text = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let pid: u32 = text.lines().next()?.trim().parse().ok()?;
    let p = Proc::of(pid)?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmdline)
        .contains("postgres")
        .then_some(p)
}

/// Stops what an `up` started when it fails before the end.
struct StartGuard<'a> {
    started: Vec<(String, Proc, Option<PathBuf>)>,
    user: &'a RunUser,
    run_dir: &'a Path,
    armed: bool,
}

impl<'a> StartGuard<'a> {
    fn new(user: &'a RunUser, run_dir: &'a Path) -> Self {
        StartGuard {
            started: Vec::new(),
            user,
            run_dir,
            armed: true,
        }
    }
    /// Records a started process (`data_dir`: a postmaster that may outlive it).
    fn push(&mut self, what: &str, p: Proc, data_dir: Option<PathBuf>) {
        self.started.push((what.to_owned(), p, data_dir));
    }
    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for StartGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        for (_, p, data) in self.started.iter().rev() {
            p.stop(std::time::Duration::from_secs(30));
            if let Some(data) = data
                && let Some(pm) = postmaster(data)
            {
                pm.signal("INT");
                if !pm.wait_gone(std::time::Duration::from_secs(30)) {
                    pm.signal("KILL");
                }
            }
        }
        let _ = (self.user, self.run_dir);
    }
}

/// The layout `pgplan up` would use for a plan (run directory, binaries,
/// the port a single server got): what `pgplan render --target ha` renders
/// against, so the render is the files `up` writes.
pub fn layout_for(plan: &ValidPlan, run_dir: Option<PathBuf>) -> Layout {
    let run_dir = run_dir.unwrap_or_else(|| Runner::default_run_dir(plan));
    let major = plan.version.get();
    let tools: &[&str] = if plan.topology.patroni.is_some() {
        &programs::PATRONI_PG_TOOLS
    } else {
        &programs::SINGLE_PG_TOOLS
    };
    let bin = programs::pg_bin_dir(major, tools, "PostgreSQL")
        .unwrap_or_else(|_| Layout::debian_bin_dir(major));
    let port = State::read(&run_dir)
        .ok()
        .flatten()
        .and_then(|s| s.single_port);
    Layout::new(run_dir, bin).with_single_port(port)
}
