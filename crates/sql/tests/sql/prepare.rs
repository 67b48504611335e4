//! `prepare`: a server read while the plan is still being read (on a server
//! with a few databases, each read ahead on its own connection), then diffed
//! or applied, gives exactly what `diff` and `apply` give; a server prepared
//! for a diff is read again when it is applied, since another apply may have
//! changed it meanwhile; a server with more databases than are read ahead
//! reads the plan's afterwards, with the same result.

use pgplan_core::{Plan, ValidPlan};
use pgplan_sql::{ApplyOptions, ChangeSet, Purpose, apply, diff, prepare};
use pgplan_testkit::PgServer;

use super::support::{self, connect};

fn plan(tag: &str) -> ValidPlan {
    Plan::from_yaml(&format!(
        r#"
service: {service}
environment: development
version: 17
platform: {{ local: {{}} }}
databases:
  - {{ name: {tag}_db, owner: {tag}_owner, schemas: [{{ name: app, owner: {tag}_owner }}] }}
roles:
  - {{ name: {tag}_owner, purpose: owner }}
  - name: {tag}_app
    purpose: application
    login: true
    password: {{ env: {{ var: UNUSED_{tag} }} }}
    grants:
      - {{ database: {tag}_db, objects: database, privileges: [CONNECT] }}
      - {{ database: {tag}_db, schema: app, objects: schema, privileges: [USAGE] }}
      - {{ database: {tag}_db, schema: app, objects: tables, privileges: [SELECT, INSERT] }}
      - {{ database: {tag}_db, schema: app, objects: default_tables, for_owner: {tag}_owner, privileges: [SELECT, INSERT] }}
"#,
        service = tag.replace('_', "-"),
    ))
    .and_then(|p| p.validate().map_err(|r| panic!("{r:?}")))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Every statement a diff would run, in order.
fn statements(changes: &ChangeSet) -> Vec<String> {
    changes
        .runnable()
        .flat_map(|c| c.statements.iter().map(|s| s.to_redacted_sql()))
        .collect()
}

/// A diff of the plan finds nothing left to do.
async fn assert_converged(plan: &ValidPlan, dsn: &str, opts: &ApplyOptions) {
    let again = diff(plan, dsn, opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.statement_count(), 0, "{again}");
}

#[tokio::test]
async fn a_prepared_server_diffs_and_applies_as_diff_and_apply_do() {
    // A server of its own: the shared one holds more databases than are
    // read ahead.
    let pg = PgServer::start(17).expect("a PostgreSQL 17 server");
    let tag = support::unique_tag("prep");
    let plan = plan(&tag);
    let dsn = pg.dsn("postgres");
    let opts = ApplyOptions::default().include_settings(false);
    apply(&plan, &dsn, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A table made by the owner: the plan's grant on tables reaches it.
    let db = connect(&pg, &format!("{tag}_db")).await;
    db.batch_execute(&format!(
        "CREATE TABLE app.t (id int); ALTER TABLE app.t OWNER TO {tag}_owner"
    ))
    .await
    .unwrap();
    let report = apply(&plan, &dsn, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.statements > 0, "{report}");

    let prepared = prepare(&dsn, &opts, Purpose::Diff)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(dsn.contains(prepared.server()), "{prepared:?}");
    let changes = prepared
        .diff(&plan, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(statements(&changes), Vec::<String>::new(), "{changes}");

    // Drift by hand in the plan's database (its schema, table and default
    // privileges) and on the database itself.
    let drift = format!(
        "REVOKE SELECT ON app.t FROM {tag}_app; REVOKE USAGE ON SCHEMA app FROM {tag}_app; \
         ALTER DEFAULT PRIVILEGES FOR ROLE {tag}_owner IN SCHEMA app REVOKE INSERT ON TABLES FROM {tag}_app; \
         REVOKE CONNECT ON DATABASE {tag}_db FROM {tag}_app"
    );
    db.batch_execute(&drift).await.unwrap();
    let plain = diff(&plan, &dsn, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let prepared = prepare(&dsn, &opts, Purpose::Diff)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .diff(&plan, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(statements(&prepared), statements(&plain));
    assert_eq!(plain.statement_count(), 4, "{plain}");

    // Prepared for a diff on a converged server, drifted after it was read,
    // then applied: the apply reads the server again and undoes the drift.
    apply(&plan, &dsn, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let prepared = prepare(&dsn, &opts, Purpose::Diff)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.batch_execute(&drift).await.unwrap();
    let report = prepared
        .apply(&plan, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.statements, 4, "{report}");
    assert_converged(&plan, &dsn, &opts).await;

    // More databases than are read ahead: the plan's is read once the plan
    // names it, with the same result.
    let maintenance = connect(&pg, "postgres").await;
    for i in 0..5 {
        maintenance
            .batch_execute(&format!("CREATE DATABASE {tag}_extra_{i}"))
            .await
            .unwrap();
    }
    db.batch_execute(&drift).await.unwrap();
    let prepared = prepare(&dsn, &opts, Purpose::Apply)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = prepared
        .apply(&plan, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.statements, 4, "{report}");
    assert_converged(&plan, &dsn, &opts).await;
}

/// The databases read ahead that the plan does not name are let go before
/// anything changes: a plan whose new database is copied from an ordinary
/// database of the server (PostgreSQL refuses to copy one that has other
/// sessions) is applied.
#[tokio::test]
async fn a_database_read_ahead_is_let_go_when_the_plan_copies_it() {
    let pg = PgServer::start(17).expect("a PostgreSQL 17 server");
    let tag = support::unique_tag("tpl");
    let maintenance = connect(&pg, "postgres").await;
    maintenance
        .batch_execute(&format!("CREATE DATABASE {tag}_source"))
        .await
        .unwrap();
    let plan = Plan::from_yaml(&format!(
        r#"
service: {service}
environment: development
version: 17
platform: {{ local: {{}} }}
databases:
  - {{ name: {tag}_copy, owner: {tag}_owner, template: {tag}_source }}
roles:
  - {{ name: {tag}_owner, purpose: owner }}
"#,
        service = tag.replace('_', "-"),
    ))
    .and_then(|p| p.validate().map_err(|r| panic!("{r:?}")))
    .unwrap_or_else(|e| panic!("{e}"));
    let dsn = pg.dsn("postgres");
    let opts = ApplyOptions::default().include_settings(false);
    let report = apply(&plan, &dsn, &opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.statements > 0, "{report}");
    assert_converged(&plan, &dsn, &opts).await;
}
