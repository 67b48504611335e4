//! Migration scripts on a real server: the Product-Change schema
//! (examples/plans/migrations/product_change_db) runs as the owner role, so
//! the plan's default privileges reach its tables — the application role
//! reads and writes them, the read-only role only reads; diff lists pending
//! scripts, a second apply runs none; a failing script is rolled back and
//! named with its line; a changed applied script is refused.

use pgplan_core::model::migrations::{MigrationScript, Migrations};
use pgplan_core::{Plan, ValidPlan};
use pgplan_sql::{ApplyOptions, Error, apply, diff};

use super::support::{self, connect, connect_dsn, dsn_as, passwords_for, sqlstate};

const MAJOR: u32 = 17;

/// Seed 000 with the example migrations, every name tagged.
fn plan_with_migrations(tag: &str) -> Plan {
    let mut plan = support::seed_000(MAJOR, tag);
    plan.databases[0].migrations = Some(Migrations {
        directory: Some("migrations/product_change_db".into()),
        ..Default::default()
    });
    plan.read_migrations(&support::workspace_root().join("examples/plans"))
        .expect("the example migrations read");
    for s in &mut plan.databases[0].migrations.as_mut().unwrap().scripts {
        s.sql = s
            .sql
            .replace("product_change", &format!("{tag}_product_change"));
    }
    plan
}

fn valid(plan: Plan) -> ValidPlan {
    plan.validate().unwrap_or_else(|r| panic!("{r:#?}"))
}

#[tokio::test]
async fn migrations_run_as_the_owner_and_default_privileges_reach_their_tables() {
    let pg = support::server(MAJOR);
    let tag = support::unique_tag("mig");
    let plan = plan_with_migrations(&tag);
    let (secrets, passwords) = passwords_for(&plan, &tag);
    let plan = valid(plan);
    let opts = ApplyOptions::default().secrets(secrets);
    let dsn = pg.dsn("postgres");

    let listed = diff(&plan, &dsn, &opts).await.unwrap().to_string();
    assert!(
        listed.contains("run migration V1__init.sql as ")
            && listed.contains("run migration V2__index_events_by_time.sql as ")
            && listed.contains("(outside a transaction)"),
        "{listed}"
    );
    let report = apply(&plan, &dsn, &opts).await.unwrap();
    assert!(report.statements > 10, "{report}");

    let db = format!("{tag}_product_change_db");
    let schema = format!("{tag}_product_change");
    let admin = connect(pg, &db).await;
    // Every object the scripts created is owned by the owner role.
    let owners = support::strings(
        &admin,
        "SELECT c.relname || ' ' || pg_get_userbyid(c.relowner) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'i')",
        &[&schema],
    )
    .await;
    assert_eq!(owners.len(), 12, "{owners:#?}"); // 3 tables, 1 view, 3 keys, 5 indexes
    assert!(
        owners.iter().all(|o| o.ends_with("_product_change_admin")),
        "{owners:#?}"
    );
    let history = support::strings(
        &admin,
        "SELECT version || ' ' || script || ' ' || run_as || ' ' || applied_by || ' ' || transactional FROM pgplan.schema_history",
        &[],
    )
    .await;
    let user = pg.superuser();
    assert_eq!(
        history.into_iter().collect::<Vec<_>>(),
        vec![
            format!("1 V1__init.sql {tag}_product_change_admin {user} true"),
            format!("2 V2__index_events_by_time.sql {tag}_product_change_admin {user} false"),
        ]
    );

    // The application role reads and writes; the trigger and the initial rows work.
    let password = |role: &str| {
        let i = plan
            .roles
            .iter()
            .filter(|r| r.login)
            .position(|r| r.name.as_str() == format!("{tag}_{role}"))
            .unwrap();
        passwords[i].clone()
    };
    let app_role = format!("{tag}_product_change_app");
    let app = connect_dsn(&dsn_as(pg, &app_role, &password("product_change_app"), &db)).await;
    app.batch_execute(&format!(
        "SET search_path TO {schema};
         INSERT INTO change_request (product_id, kind) VALUES ('p-1', 'price');
         UPDATE circuit_breaker_state SET state = 'open' WHERE service = 'pricing';"
    ))
    .await
    .unwrap_or_else(|e| panic!("the application role uses the tables: {e:?}"));
    let backlog: i64 = app
        .query_one(
            &format!("SELECT requests FROM {schema}.change_backlog"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(backlog, 1);
    // The application role cannot drop what the owner owns.
    let e = app
        .batch_execute(&format!("DROP TABLE {schema}.change_event"))
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42501", "{e:?}");

    // The read-only role reads and cannot write.
    let ro_role = format!("{tag}_product_change_readonly");
    let ro = connect_dsn(&dsn_as(
        pg,
        &ro_role,
        &password("product_change_readonly"),
        &db,
    ))
    .await;
    let states: i64 = ro
        .query_one(
            &format!("SELECT count(*) FROM {schema}.circuit_breaker_state"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(states, 3);
    let e = ro
        .batch_execute(&format!(
            "INSERT INTO {schema}.change_request (product_id, kind) VALUES ('p-2', 'price')"
        ))
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42501", "{e:?}");

    // A second apply runs nothing; a new script is listed and runs alone.
    let again = apply(&plan, &dsn, &opts).await.unwrap();
    assert_eq!(again.statements, 0, "{again}");
    let mut next = plan.plan().clone();
    next.databases[0]
        .migrations
        .as_mut()
        .unwrap()
        .scripts
        .push(MigrationScript::new(
            "V3__add_note.sql",
            format!("ALTER TABLE {schema}.change_request ADD COLUMN note text;\n"),
        ));
    let next = valid(next);
    let listed = diff(&next, &dsn, &opts).await.unwrap();
    assert_eq!(listed.changes.len(), 1, "{listed}");
    assert!(listed.to_string().contains("V3__add_note.sql"), "{listed}");
    let report = apply(&next, &dsn, &opts).await.unwrap();
    assert_eq!((report.changes, report.statements), (1, 1), "{report}");
}

#[tokio::test]
async fn a_failing_script_is_rolled_back_and_named_with_its_line() {
    let pg = support::server(MAJOR);
    let tag = support::unique_tag("migfail");
    let mut plan = support::seed_000(MAJOR, &tag);
    let schema = format!("{tag}_product_change");
    plan.databases[0].migrations = Some(Migrations {
        scripts: vec![MigrationScript::new(
            "V1__init.sql",
            format!(
                "CREATE TABLE {schema}.item (id int PRIMARY KEY);\n\
                 INSERT INTO {schema}.item VALUES (1);\n\
                 \n\
                 INSERT INTO {schema}.item\n  VALUES (1);\n"
            ),
        )],
        ..Default::default()
    });
    let (secrets, _) = passwords_for(&plan, &tag);
    let plan = valid(plan);
    let opts = ApplyOptions::default().secrets(secrets);
    let dsn = pg.dsn("postgres");
    let err = apply(&plan, &dsn, &opts).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Migration { .. }), "{text}");
    assert!(
        text.contains("migration V1__init.sql:4 of database"),
        "{text}"
    );
    assert!(text.contains("duplicate key value"), "{text}");
    assert!(
        text.contains("rolled back: nothing of V1__init.sql was applied"),
        "{text}"
    );
    let admin = connect(pg, &format!("{tag}_product_change_db")).await;
    let left: Option<String> = admin
        .query_one(&format!("SELECT to_regclass('{schema}.item')::text"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, None, "nothing half-applied");

    // A syntax error points at its own line inside a statement.
    let mut broken = plan.plan().clone();
    broken.databases[0].migrations.as_mut().unwrap().scripts[0].sql = format!(
        "CREATE TABLE {schema}.item (id int PRIMARY KEY);\nCREATE TABLE {schema}.other (\n  id int,\n  name txet\n);\n"
    );
    let err = apply(&valid(broken), &dsn, &opts).await.unwrap_err();
    assert!(
        err.to_string().contains("V1__init.sql:4 ") && err.to_string().contains("txet"),
        "{err}"
    );
}

#[tokio::test]
async fn a_changed_applied_script_is_refused_before_anything_changes() {
    let pg = support::server(MAJOR);
    let tag = support::unique_tag("migchg");
    let mut plan = support::seed_000(MAJOR, &tag);
    let schema = format!("{tag}_product_change");
    plan.databases[0].migrations = Some(Migrations {
        scripts: vec![MigrationScript::new(
            "V1__init.sql",
            format!("CREATE TABLE {schema}.item (id int PRIMARY KEY);\n"),
        )],
        ..Default::default()
    });
    let (secrets, _) = passwords_for(&plan, &tag);
    let opts = ApplyOptions::default().secrets(secrets);
    let dsn = pg.dsn("postgres");
    apply(&valid(plan.clone()), &dsn, &opts).await.unwrap();

    let scripts = &mut plan.databases[0].migrations.as_mut().unwrap().scripts;
    scripts[0].sql = format!("CREATE TABLE {schema}.item (id bigint PRIMARY KEY);\n");
    scripts.push(MigrationScript::new(
        "V2__more.sql",
        format!("CREATE TABLE {schema}.more (id int);\n"),
    ));
    let err = diff(&valid(plan.clone()), &dsn, &opts).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("V1__init.sql changed after it was applied on")
            && text.contains("new script V3__")
            && text.contains("nothing was changed"),
        "{text}"
    );
    assert!(apply(&valid(plan), &dsn, &opts).await.is_err());
    let admin = connect(pg, &format!("{tag}_product_change_db")).await;
    let more: Option<String> = admin
        .query_one(&format!("SELECT to_regclass('{schema}.more')::text"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(more, None, "V2 did not run");
}
