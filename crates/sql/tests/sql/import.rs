//! `import` round trips on real PostgreSQL 14, 15 and 17: a server set up by
//! hand is imported as a plan; the plan describes it (a diff against it only
//! marks the roles as managed); applied to a fresh server it leaves nothing
//! to diff; and importing that server gives the same plan back.

use pgplan_core::{Environment, ObjectKind, Plan};
use pgplan_sql::{ApplyOptions, ImportOptions, apply, diff, import};
use pgplan_testkit::PgServer;

/// What a team would have done by hand: roles, a group, memberships, a
/// database with its own time zone, a schema, an extension, grants on the
/// database, the schema and its tables, default privileges, and settings
/// changed with ALTER SYSTEM.
const SETUP: &str = "
CREATE ROLE shop_owner LOGIN;
CREATE ROLE shop_app LOGIN CONNECTION LIMIT 20;
CREATE ROLE shop_readonly LOGIN VALID UNTIL '2031-01-01 00:00:00+00';
CREATE ROLE shop_readers NOLOGIN;
GRANT shop_readers TO shop_readonly;
GRANT pg_read_all_stats TO shop_app;
CREATE DATABASE shop OWNER shop_owner;
ALTER DATABASE shop SET timezone TO 'Asia/Seoul';
GRANT CONNECT ON DATABASE shop TO shop_app, shop_readonly;
ALTER SYSTEM SET work_mem = '8MB';
ALTER SYSTEM SET log_min_duration_statement = '2s';
ALTER SYSTEM SET random_page_cost = 1.5;
SELECT pg_reload_conf();
";

const SETUP_SHOP: &str = "
SET ROLE shop_owner;
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint PRIMARY KEY, total numeric);
CREATE TABLE sales.items (id bigint PRIMARY KEY);
GRANT USAGE ON SCHEMA sales TO shop_app, shop_readonly;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA sales TO shop_app;
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO shop_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT, INSERT, UPDATE ON TABLES TO shop_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT ON TABLES TO shop_readonly;
RESET ROLE;
CREATE EXTENSION pg_trgm;
";

/// Runs each statement on its own: `psql -c` sends one string as one
/// transaction, where CREATE DATABASE and ALTER SYSTEM cannot run.
fn run_each(pg: &PgServer, database: &str, sql: &str) {
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        pg.psql(database, statement)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

fn options() -> ImportOptions {
    ImportOptions {
        service: "shop".parse().unwrap(),
        environment: Environment::Development,
        connection: ApplyOptions::default(),
    }
}

/// The plan without grants on the objects inside schemas: a fresh server
/// has the schemas but not the tables, so it cannot show them.
fn without_object_grants(mut plan: Plan) -> Plan {
    for r in &mut plan.roles {
        r.grants.retain(|g| {
            !matches!(
                g.objects,
                ObjectKind::Tables | ObjectKind::Sequences | ObjectKind::Functions
            )
        });
    }
    plan
}

async fn round_trip(major: u32) {
    let source = PgServer::start(major).expect("source server");
    run_each(&source, "postgres", SETUP);
    // SET ROLE lasts for the session: the shop's script runs as one.
    source.psql("shop", SETUP_SHOP).expect("setup shop");

    let imported = import(&source.dsn("postgres"), &options())
        .await
        .expect("import");
    let plan = imported.plan.clone();
    let yaml = plan.to_yaml().unwrap();
    let valid = plan
        .validate()
        .unwrap_or_else(|r| panic!("the imported plan validates:\n{r}\n{yaml}"));
    // It reads back from its own YAML.
    Plan::from_yaml(&yaml).unwrap().ensure_same(&plan).unwrap();
    for needle in [
        "shop_owner",
        "member_of:\n  - shop_readers",
        "timezone: Asia/Seoul",
        "name: sales",
        "name: pg_trgm",
        "work_mem: 8MB",
        "log_min_duration_statement: 2s",
        "random_page_cost: \"1.5\"",
        "connection_limit: 20",
        "valid_until: \"2031-01-01T00:00:00Z\"",
        "name: shop_readonly\n  purpose: read_only",
        "objects: default_tables",
        "for_owner: shop_owner",
    ] {
        assert!(yaml.contains(needle), "`{needle}` missing from\n{yaml}");
    }

    // The plan describes the source: all that differs is that pgplan would
    // mark the roles as its own (and, before 15, close the public schema).
    let changes = diff(&valid, &source.dsn("postgres"), &ApplyOptions::default())
        .await
        .expect("diff source");
    for c in changes.runnable() {
        assert!(
            c.summary.starts_with("mark role ")
                || c.summary.starts_with("revoke CREATE on schema public"),
            "the imported plan differs from its server: {}\n{yaml}",
            c.summary
        );
    }

    // Applied to a fresh server, nothing is left to diff.
    let fresh = PgServer::start(major).expect("fresh server");
    apply(&valid, &fresh.dsn("postgres"), &ApplyOptions::default())
        .await
        .expect("apply the imported plan");
    let after = diff(&valid, &fresh.dsn("postgres"), &ApplyOptions::default())
        .await
        .expect("diff fresh");
    assert!(after.is_empty(), "PostgreSQL {major}: {after}");

    // And the fresh server imports as the same plan.
    let again = import(&fresh.dsn("postgres"), &options())
        .await
        .expect("import fresh");
    without_object_grants(again.plan)
        .ensure_same(&without_object_grants(plan))
        .unwrap_or_else(|m| panic!("PostgreSQL {major}: {m}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn import_round_trips_on_14() {
    round_trip(14).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_round_trips_on_15() {
    round_trip(15).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_round_trips_on_17() {
    round_trip(17).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_plan_cannot_hold_is_noted() {
    let source = PgServer::start(17).expect("server");
    run_each(
        &source,
        "postgres",
        "CREATE ROLE boss SUPERUSER;\nCREATE DATABASE orphan;\nCREATE ROLE part_reader LOGIN;\n",
    );
    source
        .psql(
            "orphan",
            "CREATE TABLE a (x int); CREATE TABLE b (x int); GRANT SELECT ON a TO part_reader;",
        )
        .expect("setup orphan");
    let imported = import(&source.dsn("postgres"), &options())
        .await
        .expect("import");
    let notes = imported.notes.join("\n");
    assert!(notes.contains("role boss is a superuser"), "{notes}");
    assert!(notes.contains("database orphan is owned by"), "{notes}");
    assert!(imported.plan.validate().is_ok());
}
