//! The SQL backend's files, run with plain psql exactly as their headers
//! say, on PostgreSQL 14, 15, 16, 17 and 18 (one shared server per version,
//! `pg_stat_statements` preloaded): every example plan that is not on Azure
//! (the Azure target's SQL runs through its own deploy script), retargeted
//! to each version it validates on.
//!
//! - `init.sql` runs twice (idempotent), with the psql variables its header
//!   names; every role with a password then logs in with it;
//! - `settings.sql` runs as a superuser: afterwards each reloadable setting
//!   shows the plan's value, and each other one waits for a restart;
//! - `monitoring.sql` runs in a database with the `pg_stat_statements`
//!   extension, and every query returns rows (after a statement slower than
//!   the plan's threshold, an index never scanned, and — for a plan with
//!   standbys — a WAL receiver connected).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use pgplan::{MajorVersion, Plan, ValidPlan};
use pgplan_testkit::PgServer;

use crate::support::{TempDir, example_plans, render_sql, text};

const MAJORS: [u16; 5] = [14, 15, 16, 17, 18];
const PASSWORD: &str = "Header-Says-So-42";

/// The command a file's header gives to run it.
fn header_command(file: &str) -> String {
    for line in file.lines().take_while(|l| l.starts_with("--")) {
        if let Some((_, cmd)) = line.split_once(" with: ") {
            return cmd.trim().to_owned();
        }
        if let Some(cmd) = line.strip_prefix("--   psql ") {
            return format!("psql {}", cmd.trim());
        }
    }
    panic!("no command in the header of:\n{file}")
}

/// psql of the version's own full install where there is one (Debian's 15),
/// else PostgreSQL 18's: the client programs a person would have.
fn client_dir(major: u16) -> PathBuf {
    if major == 15 {
        pgplan_testkit::find_bin_dir(15).unwrap()
    } else {
        crate::support::client_bin()
    }
}

/// Runs a header's command with bash in `dir`, connected to `pg` as the
/// superuser through libpq's variables.
fn run_header(pg: &PgServer, dir: &Path, file: &str, db: &str) -> Output {
    let major = u16::try_from(pg.major()).unwrap();
    Command::new("bash")
        .args(["-c", &header_command(file)])
        .current_dir(dir)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", client_dir(major).display()),
        )
        .env("LANG", "C.UTF-8")
        .env("PGHOST", pg.host())
        .env("PGPORT", pg.port().to_string())
        .env("PGUSER", pg.superuser())
        .env("PGPASSWORD", pg.password())
        .env("PGDATABASE", db)
        .env("PGSSLMODE", "disable")
        .env(
            "VERIFIER",
            pgplan::sql::secrets::scram_verifier(PASSWORD, b"sql-artifacts-16", 4096),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The plan on another major, when it validates there.
fn on_major(plan: &Plan, major: u16, pg: &PgServer) -> Option<ValidPlan> {
    let mut p = plan.clone();
    p.version = MajorVersion::new(major).ok()?;
    crate::support::pin_to_stand_in_build(&mut p, pg);
    p.validate().ok()
}

fn login(pg: &PgServer, role: &str) -> Result<(), String> {
    let out = crate::support::psql(
        &[
            "--host=127.0.0.1",
            &format!("--port={}", pg.port()),
            &format!("--username={role}"),
            "--dbname=postgres",
            "--command=SELECT 1",
        ],
        PASSWORD,
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(text(&out))
    }
}

/// Runs every non-Azure example plan's SQL on one server; returns the plans run.
fn run_on(major: u16, plans: &[(String, Plan)]) -> Vec<String> {
    let pg = pgplan_testkit::shared(u32::from(major));
    // For monitoring.sql: the extension, an index never scanned, and a
    // statement slower than every plan's slow-query threshold (at most 5 s).
    pg.psql(
        "postgres",
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
         CREATE TABLE IF NOT EXISTS monitoring_check (id int, note text);
         CREATE INDEX IF NOT EXISTS monitoring_check_note ON monitoring_check (note)",
    )
    .unwrap();
    pg.psql("postgres", "SELECT pg_sleep(5.2)").unwrap();
    let mut ran = Vec::new();
    for (name, plan) in plans {
        let Some(plan) = on_major(plan, major, pg) else {
            continue;
        };
        let files = render_sql(&plan);
        let dir = TempDir::new("sql");
        for (f, text) in &files {
            std::fs::write(dir.path().join(f), text).unwrap();
        }
        let what = format!("{name} on PostgreSQL {major}");

        for run in 0..2 {
            let out = run_header(pg, dir.path(), &files["init.sql"], "postgres");
            assert!(
                out.status.success(),
                "{what}: init.sql run {run}: {}",
                text(&out)
            );
        }
        for role in plan
            .roles
            .iter()
            .filter(|r| r.login && r.password.is_some())
        {
            login(pg, role.name.as_str())
                .unwrap_or_else(|e| panic!("{what}: {} cannot log in: {e}", role.name));
        }

        let settings = &files["settings.sql"];
        if settings.contains("\nALTER SYSTEM SET") {
            let out = run_header(pg, dir.path(), settings, "postgres");
            assert!(out.status.success(), "{what}: settings.sql: {}", text(&out));
            let resolved = plan.settings();
            for s in resolved.iter() {
                let restart = resolved.spec(&s.name).is_some_and(|p| p.needs_restart());
                let row = pg
                    .psql(
                        "postgres",
                        &format!(
                            "SELECT pending_restart, current_setting(name) FROM pg_settings WHERE lower(name) = lower('{}')",
                            s.name
                        ),
                    )
                    .unwrap();
                let (pending, have) = row.split_once('|').unwrap_or(("", ""));
                if restart {
                    let same = pgplan::sql::diff::same_setting(major, &s.name, &s.value, have);
                    assert!(
                        same || pending == "t",
                        "{what}: {} = {} needs a restart, and the server neither has it nor waits for one ({row})",
                        s.name,
                        s.value
                    );
                } else {
                    assert!(
                        pgplan::sql::diff::same_setting(major, &s.name, &s.value, have),
                        "{what}: {} = {} after settings.sql and a reload, the server shows {have}",
                        s.name,
                        s.value
                    );
                }
            }
            pg.psql("postgres", "ALTER SYSTEM RESET ALL").unwrap();
            pg.psql("postgres", "SELECT pg_reload_conf()").unwrap();
        }

        let monitoring = &files["monitoring.sql"];
        let receiver = (plan.topology.replicates() || !plan.topology.replicas.is_empty())
            .then(|| wal_receiver(pg, dir.path()));
        let out = run_header(pg, dir.path(), monitoring, "postgres");
        if let Some(mut r) = receiver {
            let _ = r.kill();
            let _ = r.wait();
        }
        assert!(
            out.status.success(),
            "{what}: monitoring.sql: {}",
            text(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let counts: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with('(') && l.contains(" row"))
            .collect();
        let queries = monitoring.matches(";\n").count();
        assert_eq!(
            counts.len(),
            queries,
            "{what}: one result per query:\n{stdout}"
        );
        assert!(
            !counts.iter().any(|c| c.starts_with("(0 rows)")),
            "{what}: every monitoring query returns rows:\n{stdout}"
        );
        ran.push(name.clone());
        // Plans share names across environments (dev and prod event-marketing
        // both have event_app): the next plan must not find this one's
        // objects, which init.sql would rightly refuse as another owner's.
        drop_plan_objects(pg, &plan);
    }
    ran
}

/// Drops the databases and roles a plan created on the shared server.
fn drop_plan_objects(pg: &PgServer, plan: &Plan) {
    let ident = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    for db in &plan.databases {
        pg.psql(
            "postgres",
            &format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                ident(db.name.as_str())
            ),
        )
        .unwrap();
    }
    for role in &plan.roles {
        let name = role.name.as_str();
        let literal = format!("'{}'", name.replace('\'', "''"));
        pg.psql(
            "postgres",
            &format!(
                "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) THEN EXECUTE 'DROP OWNED BY ' || quote_ident({literal}); EXECUTE 'DROP ROLE ' || quote_ident({literal}); END IF; END $$"
            ),
        )
        .unwrap();
    }
}

/// A WAL receiver (pg_receivewal) streaming from the server, so it has a
/// standby in pg_stat_replication; waits until it shows.
fn wal_receiver(pg: &PgServer, dir: &Path) -> Child {
    let wal = dir.join("wal");
    std::fs::create_dir_all(&wal).unwrap();
    let mut child = Command::new(crate::support::client_bin().join("pg_receivewal"))
        .arg(format!("--directory={}", wal.display()))
        .arg(format!(
            "--dbname=host={} port={} user=postgres",
            pg.host(),
            pg.port()
        ))
        .env("PGPASSWORD", pg.password())
        .env("PGSSLMODE", "disable")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if pg
            .psql("postgres", "SELECT count(*) FROM pg_stat_replication")
            .unwrap()
            != "0"
        {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("pg_receivewal never showed in pg_stat_replication");
}

#[test]
fn init_settings_and_monitoring_sql_run_with_psql_on_every_major() {
    let plans: Vec<(String, Plan)> = example_plans()
        .into_iter()
        .filter(|(_, p)| p.platform.azure().is_none())
        .collect();
    let handles: Vec<_> = MAJORS
        .iter()
        .map(|&major| {
            let plans = plans.clone();
            std::thread::spawn(move || (major, run_on(major, &plans)))
        })
        .collect();
    let mut ran = Vec::new();
    for h in handles {
        match h.join() {
            Ok(r) => ran.push(r),
            Err(e) => std::panic::resume_unwind(e),
        }
    }
    // Each plan ran on its own version at least, and each version ran plans.
    for (name, plan) in &plans {
        let own = plan.version.get();
        assert!(
            ran.iter()
                .any(|(m, names)| *m == own && names.contains(name)),
            "{name} did not run on its own PostgreSQL {own}: {ran:?}"
        );
    }
    for (major, names) in &ran {
        assert!(!names.is_empty(), "no plan ran on PostgreSQL {major}");
    }
}
