//! Where things live on this machine: the run directory `pgplan up` keeps a
//! plan's configurations, data, logs, sockets and secrets in, and the
//! PostgreSQL binaries. Rendering takes a [`Layout`] so that it stays pure:
//! the same plan and layout give the same bytes.

use std::path::{Path, PathBuf};

use pgplan_core::{Plan, runner};

/// The run directory and the binaries a rendered configuration points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    run_dir: PathBuf,
    pg_bin_dir: PathBuf,
    single_port: Option<u16>,
}

impl Layout {
    /// A layout under `run_dir`, with PostgreSQL's binaries in `pg_bin_dir`.
    pub fn new(run_dir: impl Into<PathBuf>, pg_bin_dir: impl Into<PathBuf>) -> Self {
        Layout {
            run_dir: run_dir.into(),
            pg_bin_dir: pg_bin_dir.into(),
            single_port: None,
        }
    }
    /// The port a single server listens on when the plan leaves
    /// `platform.local.port` open (`pgplan up` picks a free one once and
    /// keeps it).
    #[must_use]
    pub fn with_single_port(mut self, port: Option<u16>) -> Self {
        self.single_port = port;
        self
    }
    /// Debian's binaries of a major version (`postgresql-NN`).
    pub fn debian_bin_dir(major: u16) -> PathBuf {
        PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"))
    }
    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }
    /// PostgreSQL's binaries.
    pub fn pg_bin_dir(&self) -> &Path {
        &self.pg_bin_dir
    }
    /// Where `pgplan up` writes the rendered configurations.
    pub fn config_dir(&self) -> PathBuf {
        self.run_dir.join("config")
    }
    /// The port of a single local server: the plan's, else the one `up`
    /// picked, else 5432.
    pub fn single_port(&self, plan: &Plan) -> u16 {
        runner::local(plan)
            .and_then(|l| l.port)
            .or(self.single_port)
            .unwrap_or(runner::POSTGRES_PORT)
    }
    fn data_root(&self, plan: &Plan) -> PathBuf {
        runner::local(plan)
            .and_then(|l| l.data_dir.clone())
            .unwrap_or_else(|| self.run_dir.join("data"))
    }
    /// A Patroni member's data directory: `<platform.local.data_dir>/<member>`,
    /// else `<run dir>/data/<member>`.
    pub fn member_data_dir(&self, plan: &Plan, member: &str) -> PathBuf {
        self.data_root(plan).join(member)
    }
    /// A single server's data directory: `platform.local.data_dir`, else
    /// `<run dir>/data/pgdata`.
    pub fn single_data_dir(&self, plan: &Plan) -> PathBuf {
        runner::local(plan)
            .and_then(|l| l.data_dir.clone())
            .unwrap_or_else(|| self.run_dir.join("data").join("pgdata"))
    }
    /// An etcd member's data directory.
    pub fn etcd_data_dir(&self, name: &str) -> PathBuf {
        self.run_dir.join("etcd").join(name)
    }
    /// The Unix socket directory of a server (`single` for a single server).
    pub fn socket_dir(&self, server: &str) -> PathBuf {
        self.run_dir.join("sock").join(server)
    }
    /// HAProxy's admin socket.
    pub fn haproxy_socket(&self) -> PathBuf {
        self.run_dir.join("sock").join("haproxy.sock")
    }
    /// The password file Patroni writes for a member's own connections.
    pub fn pgpass(&self, member: &str) -> PathBuf {
        self.run_dir.join("pgpass").join(member)
    }
    /// Log file of a component (`etcd-1`, `pg-0`, `haproxy`, …).
    pub fn log_file(&self, component: &str) -> PathBuf {
        self.run_dir.join("log").join(format!("{component}.log"))
    }
    /// The server certificate (TLS).
    pub fn tls_cert(&self) -> PathBuf {
        self.run_dir.join("tls").join("server.crt")
    }
    /// The server key (TLS).
    pub fn tls_key(&self) -> PathBuf {
        self.run_dir.join("tls").join("server.key")
    }
    /// The secrets directory (mode 0700).
    pub fn secrets_dir(&self) -> PathBuf {
        self.run_dir.join("secrets")
    }
    /// The monitoring login's password, for the exporters
    /// (`DATA_SOURCE_PASS_FILE`).
    pub fn monitoring_password_file(&self) -> PathBuf {
        self.secrets_dir().join("monitoring.password")
    }
    /// Where archived WAL goes, when the plan's WAL archiving destination is a
    /// directory of this machine (an absolute path).
    pub fn wal_archive_dir(plan: &Plan) -> Option<PathBuf> {
        let dest = &plan.backups.wal_archiving.as_ref()?.destination;
        let path = Path::new(dest);
        path.is_absolute().then(|| path.to_path_buf())
    }
}
