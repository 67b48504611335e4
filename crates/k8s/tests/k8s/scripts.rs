//! The shell scripts of the schema-init Job and the backup CronJob, taken
//! from the rendered objects and run with bash against a real PostgreSQL
//! server (pgplan-testkit), with the container's environment pointed at it.
//! The SQL here is written by hand to reach the scripts' failure paths; the
//! SQL backend's real script runs in this Job in the workspace's root tests
//! (`tests/k8s_pod.rs`). The scripts:
//! they fail on any error (seed 000's reported success whatever psql and
//! pg_dump did), never log a password, verify dumps and prune only old ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::core::v1::Container;
use pgplan_core::Plan;
use pgplan_core::seams::InitScript;
use pgplan_k8s::{Object, RenderOptions, render_objects};
use pgplan_testkit::PgServer;

use crate::support::{seed_000, temp_dir, valid, variants};

fn container_of(objects: &[Object], kind: &str) -> Container {
    objects
        .iter()
        .find_map(|o| match o {
            Object::Job(j) if kind == "Job" => {
                Some(j.spec.clone()?.template.spec?.containers[0].clone())
            }
            Object::CronJob(c) if kind == "CronJob" => {
                Some(c.spec.job_template.spec.clone()?.template.spec?.containers[0].clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// Runs a container's `bash -c` script in a new session (no controlling
/// terminal, as in a pod) with the container's environment, `overrides` on
/// top, and `path` first on PATH.
fn run(container: &Container, overrides: &[(&str, String)], path: &[&Path]) -> Output {
    let command = container.command.as_ref().unwrap();
    assert_eq!(command[..2], ["/bin/bash".to_owned(), "-c".to_owned()]);
    let mut env: BTreeMap<String, String> = container
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect();
    for (k, v) in overrides {
        env.insert((*k).to_owned(), v.clone());
    }
    let mut dirs: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(str::to_owned));
    Command::new("setsid")
        .arg("--wait")
        .arg("bash")
        .arg("-c")
        .arg(&command[2])
        .env_clear()
        .envs(env)
        .env("PATH", dirs.join(":"))
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap()
}

fn server() -> PgServer {
    // Every statement logged: a password in any statement would show.
    PgServer::start_with_settings(15, &[("log_statement", "all")])
        .unwrap_or_else(|e| panic!("{e} (run scripts/install-test-deps.sh)"))
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Logs in as `role` with `password` and returns `current_user`.
fn login(pg: &PgServer, role: &str, password: &str) -> Result<String, String> {
    let out = Command::new(pg.bin_dir().join("psql"))
        .args([
            "-X",
            "-A",
            "-t",
            "-h",
            pg.host(),
            "-p",
            &pg.port().to_string(),
        ])
        .args(["-U", role, "-d", "postgres", "-c", "SELECT current_user"])
        .env("PGPASSWORD", password)
        .env("PGSSLMODE", "disable")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The schema-init container of seed 000 with `sql`, and the environment
/// that points it at `pg` with the secrets under `dir`.
fn schema_init(pg: &PgServer, dir: &Path, sql: &str) -> (Container, Vec<(&'static str, String)>) {
    let objects = render_objects(
        &valid(&seed_000()),
        &RenderOptions {
            init_script: Some(InitScript {
                sql: sql.to_owned(),
                passwords_to_set: [
                    "product_change_admin",
                    "product_change_app",
                    "product_change_readonly",
                ]
                .iter()
                .map(|r| r.parse().unwrap())
                .collect(),
            }),
            ..RenderOptions::default()
        },
    )
    .unwrap();
    let secrets = dir.join("secrets");
    write(&secrets.join("superuser/password"), pg.password());
    // The roles' Secrets in the init script's order: admin, app, read-only.
    for (i, pw) in ["admin-Pw-1x", "app-Pw-2y", "readonly-Pw-3z"]
        .iter()
        .enumerate()
    {
        write(&secrets.join(format!("roles/{i}/password")), pw);
    }
    let sql_file = dir.join("init.sql");
    write(&sql_file, sql);
    let env = vec![
        ("PGHOST", pg.host().to_owned()),
        ("PGPORT", pg.port().to_string()),
        ("PGSSLMODE", "disable".to_owned()),
        ("HOME", dir.display().to_string()),
        ("PGPLAN_SECRETS_DIR", secrets.display().to_string()),
        ("PGPLAN_SQL_FILE", sql_file.display().to_string()),
        ("PGPLAN_WAIT_SECONDS", "20".to_owned()),
    ];
    (container_of(&objects, "Job"), env)
}

#[test]
fn schema_init_applies_the_sql_and_sets_passwords_without_logging_them() {
    let pg = server();
    let dir = temp_dir("schema-init-ok");
    let sql = "CREATE ROLE product_change_admin LOGIN;\n\
               CREATE ROLE product_change_app LOGIN;\n\
               CREATE ROLE product_change_readonly LOGIN;\n\
               CREATE DATABASE product_change_db OWNER product_change_admin;\n";
    let (container, env) = schema_init(&pg, &dir, sql);
    let out = run(&container, &env, &[pg.bin_dir()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("schema-init: done"),
        "{}",
        text(&out)
    );

    for (role, pw) in [
        ("product_change_admin", "admin-Pw-1x"),
        ("product_change_app", "app-Pw-2y"),
        ("product_change_readonly", "readonly-Pw-3z"),
    ] {
        assert_eq!(login(&pg, role, pw).unwrap(), role);
        assert!(login(&pg, role, "wrong").is_err());
    }
    let verifiers = pg
        .psql("postgres", "SELECT count(*) FROM pg_authid WHERE rolpassword LIKE 'SCRAM-SHA-256$%' AND rolname LIKE 'product_change_%'")
        .unwrap();
    assert_eq!(verifiers.trim(), "3");
    let log = pg.log_contents();
    assert!(
        log.contains("CREATE DATABASE product_change_db"),
        "statements are logged"
    );
    for pw in ["admin-Pw-1x", "app-Pw-2y", "readonly-Pw-3z"] {
        assert!(
            !log.contains(pw),
            "the server log holds a plaintext password"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schema_init_stops_at_the_first_error_and_fails() {
    let pg = server();
    let dir = temp_dir("schema-init-error");
    let sql = "CREATE TABLE before_error ();\nSELECT 1/0;\nCREATE TABLE after_error ();\n";
    let (container, env) = schema_init(&pg, &dir, sql);
    let out = run(&container, &env, &[pg.bin_dir()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("division by zero"),
        "{}",
        text(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("schema-init: done"));
    let tables = pg
        .psql("postgres", "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('before_error', 'after_error')")
        .unwrap();
    assert_eq!(
        tables.trim(),
        "before_error",
        "ON_ERROR_STOP: nothing after the error ran"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schema_init_gives_up_when_the_server_never_answers() {
    let pg = server();
    let dir = temp_dir("schema-init-wait");
    let (container, mut env) = schema_init(&pg, &dir, "SELECT 1;\n");
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    for (k, v) in &mut env {
        if *k == "PGPORT" {
            *v = port.to_string();
        }
        if *k == "PGPLAN_WAIT_SECONDS" {
            *v = "3".into();
        }
    }
    let out = run(&container, &env, &[pg.bin_dir()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not ready after 3s"),
        "{}",
        text(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The backup container of a plan and the environment that points it at
/// `pg`, dumping to `<dir>/backup`.
fn backup(
    plan: &Plan,
    pg: &PgServer,
    dir: &Path,
) -> (Container, Vec<(&'static str, String)>, PathBuf) {
    let objects = render_objects(&valid(plan), &RenderOptions::default()).unwrap();
    let secrets = dir.join("secrets");
    write(&secrets.join("backup/password"), pg.password());
    let backup_dir = dir.join("backup/daily");
    let env = vec![
        ("PGHOST", pg.host().to_owned()),
        ("PGPORT", pg.port().to_string()),
        ("PGUSER", pg.superuser().to_owned()),
        ("PGSSLMODE", "disable".to_owned()),
        ("HOME", dir.display().to_string()),
        ("PGPLAN_SECRETS_DIR", secrets.display().to_string()),
        ("PGPLAN_BACKUP_DIR", backup_dir.display().to_string()),
    ];
    (container_of(&objects, "CronJob"), env, backup_dir)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn touch(path: &Path, age: &str) {
    write(path, "old dump");
    let ok = Command::new("touch")
        .args(["-d", age])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn backup_writes_a_verified_dump_then_prunes_only_dumps_past_the_retention() {
    let pg = server();
    pg.psql("postgres", "CREATE DATABASE product_change_db")
        .unwrap();
    pg.psql(
        "product_change_db",
        "CREATE TABLE bills (id int); INSERT INTO bills VALUES (42)",
    )
    .unwrap();
    let dir = temp_dir("backup-ok");
    let (container, env, backup_dir) = backup(&seed_000(), &pg, &dir);
    touch(
        &backup_dir.join("product_change_db-20000101T000000Z.dump"),
        "8 days ago",
    );
    touch(
        &backup_dir.join("product_change_db-recent.dump"),
        "2 days ago",
    );
    touch(
        &backup_dir.join("product_change_db-crashed.dump.partial"),
        "1 hour ago",
    );

    let out = run(&container, &env, &[pg.bin_dir()]);
    assert!(out.status.success(), "{}", text(&out));

    let files = files_in(&backup_dir);
    assert!(
        !files.iter().any(|f| f.contains("20000101")),
        "past the 7-day retention: {files:?}"
    );
    assert!(
        files.contains(&"product_change_db-recent.dump".to_owned()),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.ends_with(".partial")), "{files:?}");
    let fresh: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("product_change_db-2") && f.ends_with("Z.dump"))
        .collect();
    assert_eq!(fresh.len(), 1, "{files:?}");
    let dump = backup_dir.join(fresh[0]);
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&dump).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let listing = Command::new(pg.bin_dir().join("pg_restore"))
        .arg("--list")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(listing.status.success());
    assert!(String::from_utf8_lossy(&listing.stdout).contains("TABLE public bills"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backup_fails_and_keeps_no_dump_when_pg_dump_fails() {
    // The plan's database exists in the plan (validation refuses a backup of
    // a database the plan does not create) but was dropped on the server
    // before the CronJob ran: pg_dump cannot connect to it.
    let pg = server();
    pg.psql("postgres", "CREATE DATABASE product_change_db")
        .unwrap();
    pg.psql("postgres", "DROP DATABASE product_change_db")
        .unwrap();
    let plan = seed_000();
    assert_eq!(
        plan.backups.logical[0].databases[0].as_str(),
        "product_change_db"
    );
    let dir = temp_dir("backup-dropped-db");
    let (container, env, backup_dir) = backup(&plan, &pg, &dir);
    let out = run(&container, &env, &[pg.bin_dir()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("\"product_change_db\" does not exist"),
        "{}",
        text(&out)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("backup: done"),
        "{}",
        text(&out)
    );
    assert!(!files_in(&backup_dir).iter().any(|f| f.ends_with(".dump")));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backup_fails_when_the_dump_cannot_be_read_back() {
    // A pg_dump that "succeeds" with garbage (a full disk, a cut stream):
    // pg_restore --list rejects the file and the run fails.
    let pg = server();
    pg.psql("postgres", "CREATE DATABASE product_change_db")
        .unwrap();
    let dir = temp_dir("backup-garbage");
    let fake_bin = dir.join("fake-bin");
    write(
        &fake_bin.join("pg_dump"),
        "#!/bin/sh\nfor a; do case \"$a\" in --file=*) f=\"${a#--file=}\";; esac; done\necho garbage > \"$f\"\n",
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        fake_bin.join("pg_dump"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let (container, env, backup_dir) = backup(&seed_000(), &pg, &dir);
    let out = run(&container, &env, &[&fake_bin, pg.bin_dir()]);
    assert!(!out.status.success(), "{}", text(&out));
    let files = files_in(&backup_dir);
    assert!(!files.iter().any(|f| f.ends_with(".dump")), "{files:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_replica_clone_leaves_an_existing_data_directory_alone() {
    let (_, official) = variants().into_iter().nth(1).unwrap();
    let objects = render_objects(&valid(&official), &RenderOptions::default()).unwrap();
    let Some(Object::StatefulSet(read)) = objects
        .iter()
        .find(|o| o.kind() == "StatefulSet" && o.name().ends_with("-read"))
    else {
        panic!("no read replicas")
    };
    let clone = read
        .spec
        .template
        .spec
        .as_ref()
        .unwrap()
        .init_containers
        .as_ref()
        .unwrap()[0]
        .clone();
    let dir = temp_dir("clone");
    write(&dir.join("pgdata/PG_VERSION"), "16\n");
    let out = run(
        &clone,
        &[("PGDATA", dir.join("pgdata").display().to_string())],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already holds a cluster"));
    std::fs::remove_dir_all(&dir).ok();
}
