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
pub(super) fn run_psql(
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

/// Sets a role's password the way the Kubernetes schema Job does: psql's
/// `\password`, fed the password twice on stdin (it hashes it client-side).
fn set_password_like_the_job(pg: &pgplan_testkit::PgServer, role: &str, password: &str) {
    use std::io::Write as _;
    let psql = pg.psql_path().expect("psql");
    let mut child = Command::new(psql)
        .args(["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "-d"])
        .arg(pg.dsn("postgres"))
        .arg(format!("--set=role={role}"))
        .arg("--command=\\password :\"role\"")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "\\password {role}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The script a deployment Job runs: plain `psql --file`, no variables,
/// twice; then the Job sets each listed password and every role logs in.
async fn job_script_runs_with_plain_psql(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("job{major}n"));
    let plan = support::seed_000(major, &tag).validate().unwrap();
    let job = pgplan_sql::init_script_for_job(&plan).unwrap();
    assert!(!job.sql.contains("password_"), "no psql variable is needed");
    let expected: Vec<&str> = plan
        .roles
        .iter()
        .filter(|r| r.login && r.password.is_some())
        .map(|r| r.name.as_str())
        .collect();
    let mut listed: Vec<&str> = job.passwords_to_set.iter().map(|r| r.as_str()).collect();
    listed.sort_unstable();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    assert_eq!(listed, expected_sorted);

    for run in 1..=2 {
        let (ok, out) = run_psql(pg, &job.sql, &[]);
        assert!(ok, "run {run} of the job script failed:\n{out}");
    }
    for role in &job.passwords_to_set {
        set_password_like_the_job(pg, role.as_str(), &format!("{tag}-{role}-pw"));
    }
    for role in &job.passwords_to_set {
        let dsn = format!(
            "postgresql://{}:{}@127.0.0.1:{}/{}",
            urlencode(role.as_str()),
            urlencode(&format!("{tag}-{role}-pw")),
            pg.port(),
            urlencode(&format!("{tag}_product_change_db"))
        );
        let (client, conn) = tokio_postgres::connect(&dsn, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("{role} logs in with the password the job set: {e}"));
        tokio::spawn(conn);
        client.simple_query("SELECT 1").await.unwrap();
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn job_script_runs_with_plain_psql_postgres_14() {
    job_script_runs_with_plain_psql(14).await;
}
#[tokio::test]
async fn job_script_runs_with_plain_psql_postgres_15() {
    job_script_runs_with_plain_psql(15).await;
}
#[tokio::test]
async fn job_script_runs_with_plain_psql_postgres_17() {
    job_script_runs_with_plain_psql(17).await;
}
