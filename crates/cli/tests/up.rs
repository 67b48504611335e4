//! `pgplan up`, `status` and `down` end to end, as a user runs them: a single
//! server and seed 003's Patroni cluster started on this machine, the SQL
//! applied through them, `up` twice, and the inputs `up` must refuse before
//! starting anything (a port in use, a missing program, a data directory of
//! another cluster).
//!
//! Servers run as `pgplan-test` when the tests run as root. The Patroni
//! clusters here live on 127.0.0.80–86 (and 100–116 for refusals), apart
//! from the HA crate's own cluster test (127.0.0.10–23).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|l| l.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

fn pgplan(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgplan"));
    // Date rules (end of life) report the same on every day.
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("PGPLAN_AS_OF", "2026-12-06");
    if is_root() && args.first() == Some(&"up") {
        cmd.args(["--user", "pgplan-test"]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run pgplan")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory removed (after `pgplan down --purge`) however the test
/// ends.
struct Scratch {
    dir: PathBuf,
    plan: Option<PathBuf>,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("pgplan-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir, plan: None }
    }
    fn plan(&mut self, yaml: &str) -> String {
        let path = self.dir.join("plan.yaml");
        std::fs::write(&path, yaml).unwrap();
        self.plan = Some(path.clone());
        path.display().to_string()
    }
    fn run_dir(&self) -> String {
        self.dir.join("run").display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(plan) = &self.plan {
            let _ = pgplan(
                &[
                    "down",
                    &plan.display().to_string(),
                    "--dir",
                    &self.run_dir(),
                    "--purge",
                ],
                &[],
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

#[test]
fn up_status_down_a_single_server_and_up_twice_changes_nothing() {
    let mut s = Scratch::new("single");
    let plan = s.plan(&read("tests/plans/pass/local-minimal-with-roles.yaml"));
    let run = s.run_dir();
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("started PostgreSQL 17 on 127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains("applied 7 changes"), "{stdout}");

    // Twice: nothing started, nothing changed, 0 statements.
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("already up: nothing started, nothing changed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 statements: the server already matches the plan"),
        "{stdout}"
    );

    // A changed plan: a parameter a reload applies and one that needs a
    // restart.
    let changed = s.plan(&read("tests/plans/pass/local-minimal-with-roles.yaml").replace(
        "databases:\n",
        "tuning:\n  parameters:\n    log_min_duration_statement: 2s\n    max_connections: 120\ndatabases:\n",
    ));
    let out = pgplan(&["up", &changed, "--dir", &run, "--quiet"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("changed postgresql.conf of "), "{stdout}");
    assert!(
        stdout.contains("changed restarted PostgreSQL (a changed parameter needs a restart)"),
        "{stdout}"
    );
    let out = pgplan(&["up", &changed, "--dir", &run, "--quiet"], &[]);
    assert!(
        text(&out.stdout).contains("already up"),
        "{}",
        text(&out.stdout)
    );
    let plan = s.plan(&read("tests/plans/pass/local-minimal-with-roles.yaml"));

    let out = pgplan(&["status", &plan, "--dir", &run, "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["kind"], "single");
    assert_eq!(status["servers"][0]["role"], "primary");
    assert_eq!(status["servers"][0]["state"], "running");
    let out = pgplan(&["status", &plan, "--dir", &run], &[]);
    assert!(
        text(&out.stdout).contains("single server on this machine"),
        "{}",
        text(&out.stdout)
    );

    // The generated passwords are in a 0600 file and never printed.
    let passwords =
        std::fs::read_to_string(Path::new(&run).join("secrets/passwords.json")).unwrap();
    let stored: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&passwords).unwrap();
    assert!(stored.contains_key("role:scratch_app"), "{stored:?}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(Path::new(&run).join("secrets/passwords.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    for p in stored.values() {
        assert!(!stdout.contains(p.as_str()));
    }

    let out = pgplan(&["down", &plan, "--dir", &run], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("stopped PostgreSQL on 127.0.0.1:"),
        "{}",
        text(&out.stdout)
    );
    let out = pgplan(&["status", &plan, "--dir", &run, "--output", "json"], &[]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["servers"][0]["role"], "down");
    // The data stays; up starts it again with nothing to apply.
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 statements"),
        "{}",
        text(&out.stdout)
    );
    let out = pgplan(&["down", &plan, "--dir", &run, "--purge"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!Path::new(&run).exists());
}

fn assert_nothing_started(run: &str) {
    // No process recorded, no data directory initialised.
    if let Ok(state) = std::fs::read_to_string(Path::new(run).join("state.json")) {
        let state: serde_json::Value = serde_json::from_str(&state).unwrap();
        assert!(
            state["processes"].as_object().is_none_or(|p| p.is_empty()),
            "{state}"
        );
    }
    assert!(!Path::new(run).join("data/pgdata/PG_VERSION").exists());
}

#[test]
fn up_refuses_a_port_in_use_and_starts_nothing() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut s = Scratch::new("port");
    let plan = s.plan(
        &read("tests/plans/pass/local-minimal.yaml")
            .replace("  local: {}", &format!("  local: {{ port: {port} }}")),
    );
    let run = s.run_dir();
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "127.0.0.1:{port} (the plan's PostgreSQL server) is already in use by another process: nothing was started"
        )),
        "{err}"
    );
    assert_nothing_started(&run);

    // A Patroni cluster checks every address before starting etcd.
    let taken = TcpListener::bind("127.0.0.100:5000").unwrap();
    let plan = s.plan(&seed_at(100));
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &seed_env());
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("127.0.0.100:5000 (HAProxy write port on 127.0.0.100:5000) is already in use"),
        "{err}"
    );
    assert_nothing_started(&run);
    drop(taken);
}

#[test]
fn up_names_the_debian_packages_of_missing_programs() {
    let mut s = Scratch::new("missing");
    let plan = s.plan(&seed_at(110));
    let run = s.run_dir();
    // HAProxy lives in /usr/sbin; PGPLAN_HAPROXY (which the test script's
    // env file sets) would find it anyway, so it points nowhere here.
    let mut env = seed_env();
    env.push(("PATH", "/usr/bin:/bin"));
    env.push(("PGPLAN_HAPROXY", "/nonexistent/haproxy"));
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &env);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "a Patroni cluster needs haproxy, which is not installed: apt-get install haproxy"
        ),
        "{err}"
    );
    assert_nothing_started(&run);

    // PostgreSQL's tools for Patroni.
    let empty = s.dir.join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let mut env = seed_env();
    let empty = empty.display().to_string();
    env.push(("PGPLAN_PG15_BIN", &empty));
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &env);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("Patroni (PostgreSQL 15 in ") && err.contains("needs pg_ctl, initdb, postgres, pg_controldata, pg_basebackup, pg_isready, pg_rewind, which are not installed: apt-get install postgresql-15"),
        "{err}"
    );

    // Seed 003 as written asks for PostgreSQL 17, whose Debian 12 binaries
    // do not exist (and whose embedded ones lack Patroni's tools).
    let plan = s.plan(&seed_at(110).replace("\nversion: 15\n", "\nversion: 17\n"));
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &seed_env());
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("apt-get install postgresql-17 (Debian 12 ships postgresql-15"),
        "{err}"
    );
    assert_nothing_started(&run);
}

#[test]
fn up_refuses_a_data_directory_of_another_cluster() {
    let mut s = Scratch::new("foreign");
    let data = s.dir.join("their-data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("PG_VERSION"), "14\n").unwrap();
    std::fs::write(data.join("postgresql.conf"), "").unwrap();
    let plan = s.plan(&read("tests/plans/pass/local-minimal.yaml").replace(
        "  local: {}",
        &format!("  local: {{ data_dir: {} }}", data.display()),
    ));
    let run = s.run_dir();
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "it holds a PostgreSQL 14 cluster and the plan is PostgreSQL 17; nothing was started"
        ),
        "{err}"
    );
    std::fs::write(data.join("PG_VERSION"), "17\n").unwrap();
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &[]);
    let err = text(&out.stderr);
    assert!(
        err.contains("that pgplan up did not create for this plan"),
        "{err}"
    );
    // Nothing of theirs was touched.
    assert_eq!(
        std::fs::read_to_string(data.join("postgresql.conf")).unwrap(),
        ""
    );
    assert_nothing_started(&run);
}

/// Seed 003 with `version: 15`, HAProxy on `127.0.0.<base>`, the members on
/// the next three addresses and etcd on the three after.
fn seed_at(base: u8) -> String {
    let mut text =
        read("examples/plans/ha-cluster.yaml").replace("\nversion: 17\n", "\nversion: 15\n");
    let moves = [
        (10, 0),
        (11, 1),
        (12, 2),
        (13, 3),
        (21, 4),
        (22, 5),
        (23, 6),
    ];
    for (from, offset) in moves {
        text = text.replace(
            &format!("127.0.0.{from} "),
            &format!("127.0.0.{} ", base + offset),
        );
        text = text.replace(
            &format!("127.0.0.{from},"),
            &format!("127.0.0.{},", base + offset),
        );
    }
    text
}

/// The cluster the seed test starts: 127.0.0.80–86.
fn seed_elsewhere() -> String {
    seed_at(80)
}

fn seed_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("PGHA_APP_OWNER_PASSWORD", "owner-Secret-1"),
        ("PGHA_APP_USER_PASSWORD", "user-Secret-2"),
        ("PGHA_MONITOR_PASSWORD", "monitor-Secret-3"),
    ]
}

#[test]
fn up_runs_seed_003_and_applies_its_sql_through_the_write_port() {
    let mut s = Scratch::new("seed-003");
    let archive = s.dir.join("wal-archive");
    let plan = s.plan(&seed_elsewhere().replace(
        "destination: /var/lib/pgplan/pg-ha/wal-archive",
        &format!("destination: {}", archive.display()),
    ));
    let run = s.run_dir();
    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &seed_env());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("started HAProxy: writes 127.0.0.80:5000"),
        "{stdout}"
    );
    assert!(stdout.contains("127.0.0.80:5000: applied"), "{stdout}");
    assert!(!stdout.contains("owner-Secret-1"));

    let out = pgplan(&["up", &plan, "--dir", &run, "--quiet"], &seed_env());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("already up"), "{stdout}");
    assert!(stdout.contains("127.0.0.80:5000: 0 statements"), "{stdout}");

    // The exporters log in as the plan's monitoring role, which the SQL
    // apply created with the password from PGHA_MONITOR_PASSWORD.
    let mut status = serde_json::Value::Null;
    for _ in 0..100 {
        let out = pgplan(&["status", &plan, "--dir", &run, "--output", "json"], &[]);
        status = serde_json::from_slice(&out.stdout).unwrap();
        if status["servers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["exporter_pg_up"] == true)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let servers = status["servers"].as_array().unwrap();
    assert!(
        servers.iter().all(|m| m["exporter_pg_up"] == true),
        "{status:#}"
    );
    assert_eq!(
        servers.iter().filter(|m| m["role"] == "leader").count(),
        1,
        "{status:#}"
    );
    assert_eq!(
        status["haproxy"]["read_servers"].as_array().unwrap().len(),
        2,
        "{status:#}"
    );
    assert!(archive.is_dir());

    let out = pgplan(&["down", &plan, "--dir", &run, "--purge"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stdout.matches("stopped").count(), 10, "{stdout}");
    for port in [5000, 5001, 8404] {
        assert!(TcpListener::bind(("127.0.0.80", port)).is_ok());
    }
}

#[test]
fn render_target_ha_writes_the_runner_files() {
    let s = Scratch::new("render");
    let out_dir = s.dir.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args([
            "render",
            "examples/plans/ha-cluster.yaml",
            "--target",
            "ha",
            "--out",
        ])
        .arg(&out_dir)
        .current_dir(root())
        .env("PGPLAN_AS_OF", "2026-12-06")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for f in [
        "patroni/pg-0.yml",
        "etcd/etcd-1.yml",
        "haproxy/haproxy.cfg",
        "exporter/pg-2.env",
        "docker-compose.yml",
        "compose/haproxy.cfg",
        "README.md",
    ] {
        assert!(out_dir.join(f).is_file(), "{f}");
    }
    // A plan on Kubernetes has nothing for this target.
    let out = Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args([
            "render",
            "tests/plans/pass/kubernetes-pooler.yaml",
            "--target",
            "ha",
            "--out",
        ])
        .arg(&out_dir)
        .current_dir(root())
        .env("PGPLAN_AS_OF", "2026-12-06")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("platform local; this plan runs on kubernetes"));
}
