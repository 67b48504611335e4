//! Role attributes beyond LOGIN (SUPERUSER, CREATEDB, CREATEROLE,
//! REPLICATION, BYPASSRLS) on a real server: apply creates them, converges
//! drift in both directions (an attribute added by hand is removed, one
//! removed by hand comes back), a re-apply runs nothing, and the psql script
//! reaches the same state.

use pgplan_core::Plan;
use pgplan_sql::{ApplyOptions, apply, diff};

use super::support::{self, connect, passwords_for};

/// A plan whose roles carry attributes; names start with `tag` and one of
/// them needs quoting (`"` and a space).
fn plan(major: u32, tag: &str) -> Plan {
    let text = format!(
        r#"
service: {tag}-attrs
environment: development
version: {major}
platform:
  local: {{}}
sizing:
  cpu: {{ request: 1 }}
  memory: {{ request: 1Gi }}
  data_volume: 1Gi
roles:
  - name: {tag}_admin
    purpose: admin
    login: true
    password: {{ generated: {{}} }}
    attributes: [CREATEDB, CREATEROLE]
  - name: {tag}_repl
    purpose: replication
    login: true
    password: {{ generated: {{}} }}
  - name: {tag}_backup
    purpose: backup
    login: true
    password: {{ generated: {{}} }}
    attributes: [replication, BYPASSRLS]
  - name: '{tag} "odd" su'
    purpose: admin
    attributes: [SUPERUSER]
  - name: {tag}_app
    purpose: application
    login: true
    password: {{ generated: {{}} }}
"#
    );
    Plan::from_yaml(&text).expect("the attributes plan parses")
}

/// `rolname → "LOGIN? SUPERUSER? CREATEDB? CREATEROLE? REPLICATION? BYPASSRLS?"`.
async fn attributes(
    pg: &pgplan_testkit::PgServer,
    tag: &str,
) -> std::collections::BTreeMap<String, String> {
    let admin = connect(pg, "postgres").await;
    admin
        .query(
            "SELECT rolname::text, concat_ws(' ', CASE WHEN rolcanlogin THEN 'LOGIN' END, \
             CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END, \
             CASE WHEN rolcreaterole THEN 'CREATEROLE' END, \
             CASE WHEN rolreplication THEN 'REPLICATION' END, \
             CASE WHEN rolbypassrls THEN 'BYPASSRLS' END) \
             FROM pg_roles WHERE starts_with(rolname, $1)",
            &[&tag],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn expected(tag: &str) -> std::collections::BTreeMap<String, String> {
    [
        (format!("{tag}_admin"), "LOGIN CREATEDB CREATEROLE"),
        (format!("{tag}_repl"), "LOGIN REPLICATION"),
        (format!("{tag}_backup"), "LOGIN REPLICATION BYPASSRLS"),
        (format!("{tag} \"odd\" su"), "SUPERUSER"),
        (format!("{tag}_app"), "LOGIN"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

async fn attributes_converge(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("ra{major}n"));
    let plan = plan(major, &tag);
    let valid = plan.validate().expect("the attributes plan validates");
    let (passwords, _) = passwords_for(&plan, &format!("{tag}-secret"));
    let opts = ApplyOptions::default()
        .secrets(passwords)
        .include_settings(false);
    let dsn = pg.dsn("postgres");

    let first = apply(&valid, &dsn, &opts).await.expect("first apply");
    assert!(first.statements > 0, "{first}");
    assert_eq!(attributes(pg, &tag).await, expected(&tag));
    let again = apply(&valid, &dsn, &opts).await.expect("re-apply");
    assert_eq!(again.statements, 0, "re-apply must run nothing:\n{again}");

    // Drift by hand: an attribute added to the application role, one taken
    // from the admin and REPLICATION taken from the replication role.
    let admin = connect(pg, "postgres").await;
    admin
        .batch_execute(&format!(
            "ALTER ROLE {tag}_app CREATEDB BYPASSRLS CREATEROLE; ALTER ROLE {tag}_admin NOCREATEROLE; \
             ALTER ROLE {tag}_repl NOREPLICATION SUPERUSER"
        ))
        .await
        .unwrap();
    let drift = diff(&valid, &dsn, &opts).await.unwrap();
    let text = drift.to_string();
    for wanted in [
        format!("alter role {tag}_app: NOCREATEDB, NOCREATEROLE, NOBYPASSRLS"),
        format!("alter role {tag}_admin: CREATEROLE"),
        format!("alter role {tag}_repl: NOSUPERUSER, REPLICATION"),
    ] {
        assert!(text.contains(&wanted), "{wanted} in\n{text}");
    }
    let repaired = apply(&valid, &dsn, &opts).await.expect("converge");
    assert_eq!(repaired.statements, 3, "{repaired}");
    assert_eq!(attributes(pg, &tag).await, expected(&tag));
    let last = apply(&valid, &dsn, &opts).await.expect("re-apply");
    assert_eq!(last.statements, 0, "{last}");
}

#[tokio::test]
async fn attributes_are_created_and_converged_postgres_14() {
    attributes_converge(14).await;
}

#[tokio::test]
async fn attributes_are_created_and_converged_postgres_17() {
    attributes_converge(17).await;
}

/// The psql script: creates the attributes, removes drift, runs twice, and
/// the converger then finds nothing to change.
async fn script_sets_attributes(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("rs{major}n"));
    let plan = plan(major, &tag);
    let valid = plan.validate().expect("the attributes plan validates");
    let (passwords, _) = passwords_for(&plan, &format!("{tag}-secret"));
    let script = pgplan_sql::render_files_with(
        &valid,
        &pgplan_sql::RenderOptions {
            secrets: Some(&passwords),
            passwords_set_afterwards: false,
        },
    )
    .unwrap()
    .remove("init.sql")
    .unwrap();
    for run in 1..=2 {
        let (ok, out) = super::psql_script::run_psql(pg, &script, &[]);
        assert!(ok, "run {run} of init.sql failed:\n{out}");
    }
    assert_eq!(attributes(pg, &tag).await, expected(&tag));

    let admin = connect(pg, "postgres").await;
    admin
        .batch_execute(&format!(
            "ALTER ROLE {tag}_app SUPERUSER REPLICATION; ALTER ROLE {tag}_backup NOBYPASSRLS"
        ))
        .await
        .unwrap();
    let (ok, out) = super::psql_script::run_psql(pg, &script, &[]);
    assert!(ok, "init.sql over drift failed:\n{out}");
    assert_eq!(attributes(pg, &tag).await, expected(&tag));

    let opts = ApplyOptions::default()
        .secrets(passwords)
        .include_settings(false);
    let changes = diff(&valid, &pg.dsn("postgres"), &opts).await.unwrap();
    assert_eq!(changes.statement_count(), 0, "{changes}");
}

#[tokio::test]
async fn psql_script_sets_attributes_postgres_15() {
    script_sets_attributes(15).await;
}

#[tokio::test]
async fn psql_script_sets_attributes_postgres_17() {
    script_sets_attributes(17).await;
}

/// Connected as a role with CREATEROLE but not SUPERUSER, a plan that needs
/// a superuser's rights (a SUPERUSER role; BYPASSRLS before 16, or from 16 on
/// without holding it) is refused before anything changes, naming what is
/// missing.
async fn non_superuser_is_refused_before_changing_anything(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("rn{major}n"));
    let admin = connect(pg, "postgres").await;
    let deployer = format!("{tag}_deployer");
    admin
        .batch_execute(&format!(
            "CREATE ROLE {deployer} LOGIN CREATEROLE CREATEDB PASSWORD '{tag}-pw'"
        ))
        .await
        .unwrap();
    let dsn = support::dsn_as(pg, &deployer, &format!("{tag}-pw"), "postgres");
    let plan = plan(major, &tag);
    let valid = plan.validate().expect("the attributes plan validates");
    let (passwords, _) = passwords_for(&plan, &format!("{tag}-secret"));
    let opts = ApplyOptions::default()
        .secrets(passwords)
        .include_settings(false);
    let err = apply(&valid, &dsn, &opts)
        .await
        .expect_err("a CREATEROLE login cannot give SUPERUSER or BYPASSRLS");
    let text = err.to_string();
    let missing = if major >= 16 {
        "BYPASSRLS"
    } else {
        "SUPERUSER"
    };
    assert!(
        text.contains(&format!("{missing} (to change BYPASSRLS)"))
            || text.contains("SUPERUSER (to change SUPERUSER)"),
        "{text}"
    );
    assert!(
        attributes(pg, &tag)
            .await
            .keys()
            .all(|name| name == &deployer),
        "nothing was created"
    );
}

#[tokio::test]
async fn a_createrole_login_is_refused_what_needs_more_postgres_15() {
    non_superuser_is_refused_before_changing_anything(15).await;
}

#[tokio::test]
async fn a_createrole_login_is_refused_what_needs_more_postgres_17() {
    non_superuser_is_refused_before_changing_anything(17).await;
}
