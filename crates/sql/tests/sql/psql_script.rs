//! The psql script form does what the converger does: after running
//! `init.sql` with psql, a diff finds nothing left to change. It also runs
//! twice, stops when a password variable is missing, and connects to
//! databases whatever their names.

use std::process::Command;

use pgplan_core::{Plan, SecretSource};
use pgplan_sql::script::password_variables;
use pgplan_sql::{ApplyOptions, MapSecretResolver, Password, diff, render_script};

use super::support::{self, connect, strings};

/// Runs a script with psql; returns (success, output).
fn run_psql(
    pg: &pgplan_testkit::PgServer,
    script: &str,
    vars: &[(String, String)],
) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("pgplan-sql-{}", support::unique_tag("psql")));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("init.sql");
    std::fs::write(&file, script).unwrap();
    let psql = pg
        .psql_path()
        .expect("psql (run scripts/install-test-deps.sh)");
    let mut cmd = Command::new(psql);
    cmd.args(["-X", "-q", "-d"])
        .arg(pg.dsn("postgres"))
        .arg("-f")
        .arg(&file);
    for (k, v) in vars {
        cmd.arg("-v").arg(format!("{k}={v}"));
    }
    for var in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGSERVICE",
    ] {
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

async fn script_matches_converger(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("ps{major}n"));
    let mut plan = support::seed_000(major, &tag);
    // A database name psql's \connect must not misread (quote, backslash,
    // `=`, space).
    let odd = format!("{tag} it's a\\db=x");
    let old = plan.databases[0].name.to_string();
    plan = plan
        .edit()
        .rename_database(&old, odd.as_str())
        .build()
        .unwrap();
    for r in &mut plan.roles {
        r.password = Some(SecretSource::env("UNUSED".parse().unwrap()));
    }
    let script = render_script(&plan.validate().expect("the plan validates")).unwrap();

    // Without the verifiers, the script stops before changing anything.
    let (ok, out) = run_psql(pg, &script, &[]);
    assert!(!ok, "must fail without password variables: {out}");
    assert!(out.contains("is not set"), "{out}");
    let admin = connect(pg, "postgres").await;
    let like = format!("{tag}\\_%");
    let roles = strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
        &[&like],
    )
    .await;
    assert!(roles.is_empty(), "nothing created: {roles:?}");

    // With them: runs, twice.
    let mut secrets = MapSecretResolver::new();
    let mut vars = Vec::new();
    for (role, var) in password_variables(&plan.validate().expect("the plan validates")) {
        let pw = format!("{tag}-{var}-pw");
        vars.push((
            var,
            postgres_protocol::password::scram_sha_256(pw.as_bytes()),
        ));
        secrets.insert(role, Password::new(pw));
    }
    for run in 1..=2 {
        let (ok, out) = run_psql(pg, &script, &vars);
        assert!(ok, "run {run} of init.sql failed:\n{out}");
    }
    let dbs = strings(
        &admin,
        "SELECT datname::text FROM pg_database WHERE datname = $1",
        &[&odd],
    )
    .await;
    assert_eq!(dbs.len(), 1, "the odd database exists");
    let inside = connect(pg, &odd).await;
    let schemas = strings(
        &inside,
        "SELECT nspname::text FROM pg_namespace WHERE nspname = $1",
        &[&format!("{tag}_product_change")],
    )
    .await;
    assert_eq!(schemas.len(), 1, "\\connect reached the odd database");

    // The converger agrees: nothing left (settings are settings.sql's job).
    let opts = ApplyOptions::default()
        .secrets(secrets)
        .include_settings(false);
    let changes = diff(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .unwrap();
    assert_eq!(changes.statement_count(), 0, "{changes}");
}

#[tokio::test]
async fn psql_script_converges_like_apply_postgres_14() {
    script_matches_converger(14).await;
}
#[tokio::test]
async fn psql_script_converges_like_apply_postgres_15() {
    script_matches_converger(15).await;
}
#[tokio::test]
async fn psql_script_converges_like_apply_postgres_17() {
    script_matches_converger(17).await;
}

#[test]
fn the_script_is_the_same_for_the_same_plan() {
    let text = support::example_plan_text("dev-product-change.yaml");
    let plan = Plan::from_yaml(&text).unwrap();
    assert_eq!(
        render_script(&plan.validate().expect("the plan validates")).unwrap(),
        render_script(&plan.validate().expect("the plan validates")).unwrap()
    );
}
