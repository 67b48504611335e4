//! Arbitrary role, database and schema names (quotes, backslashes, spaces,
//! unicode, reserved words, up to 63 bytes) survive the trip through the
//! real catalog unchanged; longer names never reach the renderer.

use std::collections::BTreeSet;

use pgplan_core::{
    Database, DatabaseName, Environment, Grant, Local, MajorVersion, ObjectKind, Plan, Platform,
    Privilege, Role, RoleName, RolePurpose, Schema, SchemaName,
};
use pgplan_sql::{ApplyOptions, apply};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::support::{self, connect, strings};

/// Words with a meaning in SQL or in role specifications.
const RESERVED: &[&str] = &[
    "select",
    "user",
    "table",
    "order",
    "group",
    "all",
    "current_user",
    "session_user",
    "current_role",
    "Public",
    "NONE",
    "default",
    "grant",
    "schema",
    "database",
    "role",
];

/// A name PostgreSQL keeps as it is: 1–63 bytes, no NUL.
fn identifier() -> impl Strategy<Value = String> {
    let chunk = prop_oneof![
        "[a-z_][a-z0-9_]{0,12}",
        "[A-Za-z0-9 _.$-]{1,12}",
        "[\"'\\\\;%:= ]{1,4}",
        "[é한글日本😀ß]{1,6}",
        prop::sample::select(RESERVED).prop_map(str::to_owned),
    ];
    prop::collection::vec(chunk, 1..6)
        .prop_map(|parts| {
            let mut s = String::new();
            for p in parts {
                for c in p.chars() {
                    if s.len() + c.len_utf8() > 63 {
                        return s;
                    }
                    s.push(c);
                }
            }
            s
        })
        .prop_filter("non-empty, not reserved by the server", |s| {
            !s.is_empty() && s != "public" && s != "none" && !s.starts_with("pg_")
        })
}

/// A name over 63 bytes.
fn too_long() -> impl Strategy<Value = String> {
    "[a-zé한😀\"' ]{17,40}".prop_filter("over 63 bytes", |s| s.len() > 63)
}

#[derive(Debug, Clone)]
struct Names {
    database: String,
    schema: String,
    owner: String,
    app: String,
}

fn names() -> impl Strategy<Value = Names> {
    (identifier(), identifier(), identifier(), identifier())
        .prop_filter("distinct roles", |(_, _, o, a)| o != a)
        .prop_map(|(database, schema, owner, app)| Names {
            database,
            schema,
            owner,
            app,
        })
}

fn plan_for(major: u32, n: &Names) -> Plan {
    let db = DatabaseName::new(n.database.clone()).unwrap();
    let schema = SchemaName::new(n.schema.clone()).unwrap();
    let owner = RoleName::new(n.owner.clone()).unwrap();
    let app = RoleName::new(n.app.clone()).unwrap();
    Plan::builder()
        .service("names-roundtrip".parse().unwrap())
        .environment(Environment::Development)
        .version(MajorVersion::new(major as u16).unwrap())
        .platform(Platform::Local(Local::default()))
        .databases(vec![
            Database::builder()
                .name(db.clone())
                .owner(owner.clone())
                .schemas(vec![
                    Schema::builder()
                        .name(schema.clone())
                        .owner(owner.clone())
                        .build(),
                ])
                .build(),
        ])
        .roles(vec![
            Role::builder()
                .name(owner.clone())
                .purpose(RolePurpose::Owner)
                .login(true)
                .build(),
            Role::builder()
                .name(app.clone())
                .purpose(RolePurpose::Application)
                .login(true)
                .grants(vec![
                    Grant::builder()
                        .database(db.clone())
                        .objects(ObjectKind::Database)
                        .privileges(vec![Privilege::Connect])
                        .build(),
                    Grant::builder()
                        .database(db.clone())
                        .schema(schema.clone())
                        .objects(ObjectKind::Schema)
                        .privileges(vec![Privilege::Usage])
                        .build(),
                    Grant::builder()
                        .database(db)
                        .schema(schema)
                        .objects(ObjectKind::DefaultTables)
                        .for_owner(owner)
                        .privileges(vec![Privilege::Select])
                        .build(),
                ])
                .build(),
        ])
        .build()
}

async fn round_trip(major: u32, n: &Names) -> Result<(), TestCaseError> {
    let pg = support::server(major);
    // Every name validation accepts round-trips; the ones it refuses (role
    // names PostgreSQL reserves, such as `current_user`) never reach a server.
    let plan = plan_for(major, n)
        .validate()
        .map_err(|_| TestCaseError::reject("validation refuses these names"))?;
    let opts = ApplyOptions::default().include_settings(false);
    let dsn = pg.dsn("postgres");
    let report = apply(&plan, &dsn, &opts)
        .await
        .map_err(|e| TestCaseError::fail(format!("apply {n:?}: {e}")))?;
    prop_assert!(report.statements > 0);
    let admin = connect(pg, "postgres").await;
    let dbs = strings(
        &admin,
        "SELECT datname::text FROM pg_database WHERE datname = $1",
        &[&n.database],
    )
    .await;
    prop_assert_eq!(dbs, BTreeSet::from([n.database.clone()]));
    let roles = strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1)",
        &[&vec![n.owner.clone(), n.app.clone()]],
    )
    .await;
    prop_assert_eq!(roles, BTreeSet::from([n.owner.clone(), n.app.clone()]));
    let db = connect(pg, &n.database).await;
    let schemas = strings(
        &db,
        "SELECT nspname::text || '|' || pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = $1",
        &[&n.schema],
    )
    .await;
    prop_assert_eq!(
        schemas,
        BTreeSet::from([format!("{}|{}", n.schema, n.owner)])
    );
    let defaults = strings(
        &db,
        "SELECT g.rolname::text FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a \
         JOIN pg_roles g ON g.oid = a.grantee WHERE pg_get_userbyid(d.defaclrole) = $1",
        &[&n.owner],
    )
    .await;
    prop_assert_eq!(defaults, BTreeSet::from([n.app.clone()]));
    // Converged, whatever the names.
    let again = apply(&plan, &dsn, &opts)
        .await
        .map_err(|e| TestCaseError::fail(format!("re-apply {n:?}: {e}")))?;
    prop_assert_eq!(again.statements, 0, "{}", again);
    // Clean up so later cases may reuse any name.
    drop(db);
    let drop_db = format!(
        "DROP DATABASE {} WITH (FORCE)",
        pgplan_sql::render::ident(&n.database)
    );
    admin
        .batch_execute(&drop_db)
        .await
        .map_err(|e| TestCaseError::fail(format!("{drop_db}: {e:?}")))?;
    for r in [&n.app, &n.owner] {
        let sql = format!("DROP ROLE {}", pgplan_sql::render::ident(r));
        admin
            .batch_execute(&sql)
            .await
            .map_err(|e| TestCaseError::fail(format!("{sql}: {e:?}")))?;
    }
    Ok(())
}

/// Cases per major: PROPTEST_CASES (default 32) spread over the three majors.
fn cases_per_major() -> u32 {
    let total: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    total.div_ceil(3).max(1)
}

fn run_round_trips(major: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: cases_per_major(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&names(), |n| rt.block_on(round_trip(major, &n)))
        .unwrap();
}

#[test]
fn arbitrary_names_round_trip_postgres_14() {
    run_round_trips(14);
}
#[test]
fn arbitrary_names_round_trip_postgres_15() {
    run_round_trips(15);
}
#[test]
fn arbitrary_names_round_trip_postgres_17() {
    run_round_trips(17);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// What the server would truncate is rejected by the model, so no plan
    /// holding it exists for the renderer to see.
    #[test]
    fn names_over_63_bytes_are_rejected_up_front(name in too_long()) {
        prop_assert!(RoleName::new(name.clone()).is_err());
        prop_assert!(DatabaseName::new(name.clone()).is_err());
        prop_assert!(SchemaName::new(name.clone()).is_err());
        let yaml = format!(
            "service: s\nenvironment: development\nversion: 17\nplatform: {{ local: {{}} }}\nroles:\n  - {{ name: {}, purpose: owner }}\n",
            serde_json::to_string(&name).unwrap()
        );
        let err = Plan::from_yaml(&yaml).unwrap_err().to_string();
        prop_assert!(err.contains("63 bytes"), "{}", err);
    }
}

#[test]
fn reserved_role_names_are_rejected_before_the_server() {
    let mut plan = plan_for(
        17,
        &Names {
            database: "d".into(),
            schema: "s".into(),
            owner: "o".into(),
            app: "a".into(),
        },
    );
    plan = plan.edit().rename_role("a", "pg_app").build().unwrap();
    // Validation refuses it, so no renderer or server ever sees it.
    let report = plan.validate().unwrap_err();
    assert!(
        report
            .errors()
            .any(|d| d.path == "roles[1].name" && d.message.contains("reserved")),
        "{report}"
    );
}
