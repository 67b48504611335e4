//! An apply never harms a server: settings that would stop it from starting
//! are refused before anything changes, what pgplan did not create is left
//! alone unless adopted, concurrent applies take turns, and passwords come
//! from where libpq looks. Issue 15's findings 3, 4, 9 and 11, each a test.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pgplan_core::{Password, Plan};
use pgplan_sql::{ApplyOptions, Error, MapSecretResolver, apply, diff};
use pgplan_testkit::PgServer;

use super::support::{self, connect, dsn_as, strings};

/// A server of its own for the tests that change server settings.
fn settings_server() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| PgServer::start(17).expect("a PostgreSQL 17 server"))
}

fn local_plan(tag: &str, extra: &str) -> Plan {
    Plan::from_yaml(&format!(
        r#"
service: {service}
environment: development
version: 17
platform: {{ local: {{}} }}
{extra}
databases:
  - {{ name: {tag}_db, owner: {tag}_owner, schemas: [{{ name: app }}] }}
roles:
  - {{ name: {tag}_owner, purpose: owner }}
  - name: {tag}_app
    purpose: application
    login: true
    password: {{ env: {{ var: UNUSED_{tag} }} }}
    grants:
      - {{ database: {tag}_db, objects: database, privileges: [CONNECT] }}
      - {{ database: {tag}_db, schema: app, objects: schema, privileges: [USAGE] }}
"#,
        service = tag.replace('_', "-"),
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn file_setting(pg: &PgServer, name: &str) -> Option<String> {
    let admin = connect(pg, "postgres").await;
    admin
        .query_opt(
            "SELECT setting FROM pg_file_settings WHERE name = $1 AND sourcefile LIKE '%postgresql.auto.conf'",
            &[&name],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

/// Finding 3: a local plan without a security section made `apply` run
/// `ALTER SYSTEM SET ssl = on` on a server without a certificate; the next
/// restart failed.
#[tokio::test]
async fn a_local_plan_changes_no_setting_it_does_not_name() {
    let pg = settings_server();
    let tag = support::unique_tag("sfl");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let report = apply(&plan, &pg.dsn("postgres"), &ApplyOptions::default())
        .await
        .unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("derived setting(s) left")),
        "{report}"
    );
    assert_eq!(file_setting(pg, "ssl").await, None, "{report}");
    assert_eq!(file_setting(pg, "shared_buffers").await, None, "{report}");
}

/// `ssl = on` with no certificate on the server is refused before any
/// change; so is a preload library that is not installed.
#[tokio::test]
async fn settings_that_would_stop_the_server_are_refused_first() {
    let pg = settings_server();
    for (params, setting, words) in [
        ("tuning: { parameters: { ssl: on } }", "ssl", "certificate"),
        (
            "tuning: { parameters: { shared_preload_libraries: 'pg_stat_statements,no_such_library' } }",
            "shared_preload_libraries",
            "no_such_library",
        ),
    ] {
        let tag = support::unique_tag("sfs");
        let plan = local_plan(&tag, params).validate().expect("validates");
        let e = apply(&plan, &pg.dsn("postgres"), &ApplyOptions::default())
            .await
            .unwrap_err();
        match &e {
            Error::Setting {
                setting: s,
                applied,
                message,
                ..
            } => {
                assert_eq!(s, setting, "{e}");
                assert!(!applied, "{e}");
                assert!(message.contains(words), "{e}");
                assert!(message.contains("nothing was changed"), "{e}");
            }
            other => panic!("{other}"),
        }
        // Nothing changed: not even the roles.
        let admin = connect(pg, "postgres").await;
        let roles = strings(
            &admin,
            "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
            &[&format!("{tag}\\_%")],
        )
        .await;
        assert!(roles.is_empty(), "{roles:?}");
        assert_eq!(file_setting(pg, setting).await, None);
    }
}

/// A value that needs a restart is applied and reported as pending.
#[tokio::test]
async fn a_restart_bound_setting_is_reported_as_pending() {
    let pg = settings_server();
    let tag = support::unique_tag("sfr");
    let plan = local_plan(
        &tag,
        "tuning: { parameters: { max_locks_per_transaction: 96 } }",
    )
    .validate()
    .expect("validates");
    let report = apply(&plan, &pg.dsn("postgres"), &ApplyOptions::default())
        .await
        .unwrap();
    assert!(
        report
            .restart_needed
            .iter()
            .any(|n| n == "max_locks_per_transaction"),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("pending until the server restarts"),
        "{report}"
    );
    let admin = connect(pg, "postgres").await;
    for sql in [
        "ALTER SYSTEM RESET max_locks_per_transaction",
        "SELECT pg_reload_conf()",
    ] {
        admin.batch_execute(sql).await.unwrap();
    }
}

/// Finding 4: a role made by hand that the plan also names had its
/// password changed and got pgplan's marker, and the next diff offered to
/// drop it. Now it is a conflict, left alone; `adopt` takes it over, and
/// changing its password is destructive.
#[tokio::test]
async fn what_pgplan_did_not_create_is_left_alone_unless_adopted() {
    let pg = support::server(17);
    let tag = support::unique_tag("sfc");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let admin = connect(pg, "postgres").await;
    for sql in [
        format!("CREATE ROLE \"{tag}_app\" LOGIN PASSWORD 'by-hand-1'"),
        format!("CREATE DATABASE \"{tag}_db\""),
    ] {
        admin.batch_execute(&sql).await.unwrap();
    }
    let secrets = MapSecretResolver::new().with(
        format!("{tag}_app").parse().unwrap(),
        Password::new("planned-pw-2"),
    );
    let opts = ApplyOptions::default()
        .include_settings(false)
        .secrets(secrets);
    let changes = diff(&plan, &pg.dsn("postgres"), &opts).await.unwrap();
    assert_eq!(changes.conflicts.len(), 2, "{changes}");
    assert!(
        changes.to_string().contains(&format!("role {tag}_app")),
        "{changes}"
    );
    let report = apply(&plan, &pg.dsn("postgres"), &opts).await.unwrap();
    assert_eq!(report.conflicts.len(), 2, "{report}");
    // The hand-made role keeps its password and gets no marker.
    connect_as(pg, &format!("{tag}_app"), "by-hand-1").await;
    let comment: Option<String> = admin
        .query_one(
            "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1",
            &[&format!("{tag}_app")],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(comment, None);
    // A destructive diff never offers to drop it.
    let changes = diff(
        &plan,
        &pg.dsn("postgres"),
        &opts.clone().allow_destructive(true),
    )
    .await
    .unwrap();
    assert!(
        !changes
            .to_string()
            .contains(&format!("drop role {tag}_app")),
        "{changes}"
    );
    // Adopted: marked and managed; its password change is destructive, so
    // skipped until allowed.
    let adopt = opts.clone().adopt(true);
    let report = apply(&plan, &pg.dsn("postgres"), &adopt).await.unwrap();
    assert!(report.conflicts.is_empty(), "{report}");
    assert_eq!(report.skipped_destructive, 1, "{report}");
    connect_as(pg, &format!("{tag}_app"), "by-hand-1").await;
    let report = apply(&plan, &pg.dsn("postgres"), &adopt.allow_destructive(true))
        .await
        .unwrap();
    assert!(report.statements > 0, "{report}");
    connect_as(pg, &format!("{tag}_app"), "planned-pw-2").await;
    let again = apply(&plan, &pg.dsn("postgres"), &opts).await.unwrap();
    assert_eq!(again.statements, 0, "{again}");
    assert!(again.conflicts.is_empty(), "{again}");
}

async fn connect_as(pg: &PgServer, role: &str, password: &str) {
    support::connect_dsn(&dsn_as(pg, role, password, "postgres"))
        .await
        .batch_execute("SELECT 1")
        .await
        .unwrap();
}

/// A plan can own its database by a role it does not manage.
#[tokio::test]
async fn a_database_can_be_owned_by_an_existing_role() {
    let pg = support::server(17);
    let tag = support::unique_tag("sfe");
    let plan = Plan::from_yaml(&format!(
        "service: {svc}\nenvironment: development\nversion: 17\nplatform: {{ local: {{}} }}\nexisting_roles: [postgres]\ndatabases:\n  - {{ name: {tag}_db, owner: postgres }}\n",
        svc = tag.replace('_', "-")
    ))
    .unwrap()
    .validate()
    .expect("validates");
    let opts = ApplyOptions::default().include_settings(false);
    let report = apply(&plan, &pg.dsn("postgres"), &opts).await.unwrap();
    assert!(report.statements > 0, "{report}");
    let again = apply(&plan, &pg.dsn("postgres"), &opts).await.unwrap();
    assert_eq!(again.statements, 0, "{again}");
    let admin = connect(pg, "postgres").await;
    let owner: String = admin
        .query_one(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
            &[&format!("{tag}_db")],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, "postgres");
}

/// Finding 11: four applies of one plan at once. Each waits its turn on the
/// lock (told who holds it), then finds the others' work: one creates
/// everything, the rest run nothing, none fails.
#[tokio::test]
async fn concurrent_applies_take_turns() {
    let pg = support::server(17);
    let tag = support::unique_tag("sfx");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let waits = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let plan = plan.clone();
        let dsn = pg.dsn("postgres");
        let waits = waits.clone();
        let mut opts = ApplyOptions::default()
            .include_settings(false)
            .lock_timeout(Duration::from_secs(60));
        opts.on_wait = Some(Arc::new(move |m: &str| {
            waits.lock().unwrap().push(m.to_owned())
        }));
        tasks.push(tokio::spawn(async move { apply(&plan, &dsn, &opts).await }));
    }
    let mut statements = Vec::new();
    for t in tasks {
        let report = t.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
        statements.push(report.statements);
    }
    statements.sort_unstable();
    assert_eq!(&statements[..3], &[0, 0, 0], "{statements:?}");
    assert!(statements[3] > 0, "{statements:?}");
    let waits = waits.lock().unwrap();
    assert!(!waits.is_empty(), "nobody waited");
    assert!(waits[0].contains("pgplan"), "{waits:?}");
}

/// A held lock past the timeout is an error that names the holder, and
/// nothing changes.
#[tokio::test]
async fn a_lock_held_too_long_times_out_naming_the_holder() {
    let pg = support::server(17);
    let tag = support::unique_tag("sft");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let holder = connect(pg, "postgres").await;
    holder
        .batch_execute(&format!(
            "SET application_name = 'someone else'; SELECT pg_advisory_lock({})",
            0x7067_706c_616e_i64
        ))
        .await
        .unwrap();
    let opts = ApplyOptions::default()
        .include_settings(false)
        .lock_timeout(Duration::from_secs(1));
    let e = apply(&plan, &pg.dsn("postgres"), &opts).await.unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e}");
    assert!(e.to_string().contains("someone else"), "{e}");
    drop(holder);
}

/// Finding 9: PGPASSWORD and PGPASSFILE were ignored.
#[tokio::test]
async fn the_login_password_comes_from_where_libpq_looks() {
    let pg = support::server(17);
    let tag = support::unique_tag("sfp");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let opts = ApplyOptions::default().include_settings(false);
    let bare = format!("postgresql://postgres@{}:{}/postgres", pg.host(), pg.port());
    // No password anywhere: the login fails, saying so.
    let e = diff(&plan, &bare, &opts).await.unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    // Given by the caller (pgplan's --password-stdin).
    diff(
        &plan,
        &bare,
        &opts.clone().login_password(Password::new(pg.password())),
    )
    .await
    .unwrap();
}

fn run_psql_script(pg: &PgServer, script: &str, vars: &[(String, String)]) -> (bool, String) {
    let dir = std::env::temp_dir().join(support::unique_tag("pgplan-safety-psql"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("init.sql");
    std::fs::write(&file, script).unwrap();
    let mut cmd = std::process::Command::new(pg.psql_path().expect("psql"));
    cmd.args(["-X", "-q", "-d"])
        .arg(pg.dsn("postgres"))
        .arg("-f")
        .arg(&file);
    for (k, v) in vars {
        cmd.arg("-v").arg(format!("{k}={v}"));
    }
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Finding 9: init.sql took a plain password in `-v password_…`. Now it
/// stops before changing anything unless the value is a SCRAM-SHA-256
/// verifier; and it refuses to change a role it did not create.
#[tokio::test]
async fn init_sql_takes_only_verifiers_and_only_its_own_roles() {
    let pg = support::server(17);
    let tag = support::unique_tag("sfi");
    let plan = local_plan(&tag, "").validate().expect("validates");
    let script = pgplan_sql::render_script(&plan).unwrap();
    let var = pgplan_sql::script::password_variables(&plan)
        .into_values()
        .next()
        .expect("a password variable");
    let admin = connect(pg, "postgres").await;
    let like = format!("{tag}\\_%");
    let roles_query = "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1";
    let (ok, out) = run_psql_script(pg, &script, &[(var.clone(), "plain-Password-1".into())]);
    assert!(!ok, "{out}");
    assert!(out.contains("is not a SCRAM-SHA-256 verifier"), "{out}");
    assert!(!out.contains("plain-Password-1"), "{out}");
    assert_eq!(strings(&admin, roles_query, &[&like]).await.len(), 0);
    let verifier = pgplan_sql::secrets::new_verifier(
        &pgplan_sql::NoSecrets,
        &format!("{tag}_app").parse().unwrap(),
        &Password::new("pw-for-script-1"),
    );
    let (ok, out) = run_psql_script(pg, &script, &[(var.clone(), verifier.clone())]);
    assert!(ok, "{out}");
    assert_eq!(strings(&admin, roles_query, &[&like]).await.len(), 2);
    // A second plan naming a role the first created: not its own.
    let other = Plan::from_yaml(&format!(
        "service: other-{svc}\nenvironment: development\nversion: 17\nplatform: {{ local: {{}} }}\nroles:\n  - {{ name: {tag}_owner, purpose: owner }}\n",
        svc = tag.replace('_', "-")
    ))
    .unwrap()
    .validate()
    .expect("validates");
    let (ok, out) = run_psql_script(pg, &pgplan_sql::render_script(&other).unwrap(), &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("without pgplan's marker"), "{out}");
}
