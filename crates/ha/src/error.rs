//! The HA backend's errors: rendering (pure) and the local runner (IO).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything that can go wrong rendering or running a plan on this machine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plan does not run on this machine.
    #[error("the ha target renders and runs plans on platform local; this plan runs on {platform}")]
    NotLocal {
        /// The plan's platform.
        platform: &'static str,
    },
    /// The plan has no Patroni cluster (where one is needed).
    #[error("the plan has no Patroni cluster (topology.patroni)")]
    NotPatroni,
    /// A value the renderer cannot write. Validation refuses such plans; this
    /// is a bug if it ever happens.
    #[error("{path}: {message} (validation should have refused this plan; please report it)")]
    Unrenderable {
        /// The plan field.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Programs the runner needs are missing.
    #[error("{what} needs {}, which {} not installed: apt-get install {packages}", .missing.join(", "), if .missing.len() == 1 { "is" } else { "are" })]
    MissingPrograms {
        /// What needs them.
        what: String,
        /// The missing programs (paths or names).
        missing: Vec<String>,
        /// The Debian packages that provide them.
        packages: String,
    },
    /// An address the plan listens on is taken.
    #[error(
        "{addr} ({what}) is already in use by another process: nothing was started; stop that process or give the plan another address or port"
    )]
    PortInUse {
        /// The address.
        addr: SocketAddr,
        /// What the plan wants to run there.
        what: String,
    },
    /// A data directory that belongs to something else.
    #[error("{}: {reason}; nothing was started (move it away, or point the plan at another directory)", .path.display())]
    ForeignDataDir {
        /// The directory.
        path: PathBuf,
        /// Why it is not this plan's.
        reason: String,
    },
    /// The run directory belongs to another plan.
    #[error("{}: {reason}", .path.display())]
    ForeignRunDir {
        /// The run directory.
        path: PathBuf,
        /// Whose it is.
        reason: String,
    },
    /// The run user cannot be used.
    #[error("cannot run servers as `{user}`: {reason}")]
    User {
        /// The user.
        user: String,
        /// Why.
        reason: String,
    },
    /// A file or directory operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A program exited with an error.
    #[error("{what} failed: {detail}")]
    Command {
        /// The program and what it was for.
        what: String,
        /// Its output, or the end of its log.
        detail: String,
    },
    /// A process stopped while the runner waited for it.
    #[error("{what} exited during start-up; the end of {}:\n{log}", .log_path.display())]
    Exited {
        /// The component.
        what: String,
        /// Its log file.
        log_path: PathBuf,
        /// The end of the log.
        log: String,
    },
    /// The cluster did not reach a state in time.
    #[error("{what} not reached after {waited_s} s: {detail}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited_s: u64,
        /// The last state seen.
        detail: String,
    },
    /// A password the plan names cannot be read.
    #[error("the password of `{role}` ({source_description}) cannot be read: {message}")]
    Secret {
        /// The login.
        role: String,
        /// The plan's source.
        source_description: String,
        /// Why.
        message: String,
    },
    /// Patroni's REST API answered with an error.
    #[error("{method} {url}: {status}: {body}")]
    Api {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// HTTP status (0 when there was no answer).
        status: u16,
        /// The answer or the connection error.
        body: String,
    },
    /// A change `up` cannot make to a running cluster.
    #[error(
        "{what}: `pgplan up` cannot change this on a running cluster; run `pgplan down` first (add --purge to start from empty data)"
    )]
    UnsupportedChange {
        /// The change.
        what: String,
    },
    /// Nothing of the plan runs on this machine.
    #[error("nothing of this plan runs from {}", .run_dir.display())]
    NotRunning {
        /// The run directory looked at.
        run_dir: PathBuf,
    },
    /// The operating system's random generator failed.
    #[error("cannot generate a password: {0}")]
    Random(String),
    /// The TLS certificate could not be created.
    #[error("cannot create the server certificate: {0}")]
    Certificate(String),
    /// The run directory's state file cannot be read.
    #[error("{}: {message}", .path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl Error {
    /// An IO error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}
