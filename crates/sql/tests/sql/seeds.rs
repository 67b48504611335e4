//! The seed 000 (Kubernetes) and seed 001 (Azure) plans converge real
//! servers: exactly the planned roles, memberships and privileges; default
//! privileges reach tables the owner creates later; the application role
//! cannot run DDL; re-apply runs nothing; drift shows and is repaired.

use std::collections::BTreeSet;

use pgplan_core::{ObjectKind, Plan};
use pgplan_sql::{ApplyOptions, apply, diff};
use tokio_postgres::Client;

use super::support::{self, connect, connect_dsn, dsn_as, passwords_for, sqlstate, strings};

/// (grantee, privilege) on the database, planned.
fn planned_database_privileges(plan: &Plan, major: u16) -> BTreeSet<String> {
    let db = &plan.databases[0];
    let mut out = BTreeSet::new();
    for role in &plan.roles {
        for g in role
            .grants
            .iter()
            .filter(|g| g.objects == ObjectKind::Database)
        {
            if role.name == db.owner {
                continue; // the owner holds every privilege implicitly
            }
            for p in g.effective_privileges(major) {
                out.insert(format!("{} {}", role.name, p));
            }
        }
    }
    out
}

/// (schema, grantee, privilege) on schemas, planned.
fn planned_schema_privileges(plan: &Plan, major: u16) -> BTreeSet<String> {
    let db = &plan.databases[0];
    let mut out = BTreeSet::new();
    for role in &plan.roles {
        for g in role
            .grants
            .iter()
            .filter(|g| g.objects == ObjectKind::Schema)
        {
            let schema = g.schema.as_ref().unwrap();
            let owned = db.schemas.iter().any(|s| &s.name == schema)
                && db.schema_owner(schema) == &role.name;
            if owned {
                continue;
            }
            for p in g.effective_privileges(major) {
                out.insert(format!("{schema} {} {p}", role.name));
            }
        }
    }
    out
}

/// (creator, schema, kind, grantee, privilege) default privileges, planned.
fn planned_default_privileges(plan: &Plan, major: u16) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for role in &plan.roles {
        for g in role.grants.iter().filter(|g| g.objects.is_default()) {
            let code = match g.objects {
                ObjectKind::DefaultTables => "r",
                ObjectKind::DefaultSequences => "S",
                ObjectKind::DefaultFunctions => "f",
                _ => "T",
            };
            let owner = g.for_owner.as_ref().unwrap();
            for p in g.effective_privileges(major) {
                out.insert(format!(
                    "{owner} {} {code} {} {p}",
                    g.schema.as_ref().unwrap(),
                    role.name
                ));
            }
        }
    }
    out
}

/// (schema, grantee, privilege) that every table in the schema must carry.
fn planned_table_privileges(plan: &Plan, major: u16) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for role in &plan.roles {
        for g in role
            .grants
            .iter()
            .filter(|g| g.objects == ObjectKind::Tables)
        {
            for p in g.effective_privileges(major) {
                out.insert((
                    g.schema.as_ref().unwrap().to_string(),
                    role.name.to_string(),
                    p.to_string(),
                ));
            }
        }
    }
    out
}

async fn check_catalog(admin: &Client, db_client: &Client, plan: &Plan, tag: &str) {
    let major = plan.version.get();
    let like = format!("{tag}\\_%");
    // Roles: exactly the planned ones, with their LOGIN attribute.
    let roles = strings(
        admin,
        "SELECT rolname || ' ' || rolcanlogin::text FROM pg_roles WHERE rolname LIKE $1",
        &[&like],
    )
    .await;
    let planned: BTreeSet<String> = plan
        .roles
        .iter()
        .map(|r| format!("{} {}", r.name, r.login))
        .collect();
    assert_eq!(roles, planned, "roles");
    // Memberships.
    let members = strings(
        admin,
        "SELECT m.rolname || ' in ' || g.rolname FROM pg_auth_members am \
         JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid \
         WHERE m.rolname LIKE $1",
        &[&like],
    )
    .await;
    let planned: BTreeSet<String> = plan
        .roles
        .iter()
        .flat_map(|r| {
            r.member_of
                .iter()
                .map(move |g| format!("{} in {g}", r.name))
        })
        .collect();
    assert_eq!(members, planned, "memberships");
    // Database privileges.
    let db = plan.databases[0].name.as_str();
    let have = strings(
        admin,
        "SELECT g.rolname || ' ' || a.privilege_type FROM pg_database d \
         CROSS JOIN LATERAL aclexplode(d.datacl) a JOIN pg_roles g ON g.oid = a.grantee \
         WHERE d.datname = $1 AND a.grantee <> d.datdba AND g.rolname LIKE $2",
        &[&db, &like],
    )
    .await;
    assert_eq!(
        have,
        planned_database_privileges(plan, major),
        "database privileges"
    );
    // Schema privileges.
    let have = strings(
        db_client,
        "SELECT n.nspname || ' ' || g.rolname || ' ' || a.privilege_type FROM pg_namespace n \
         CROSS JOIN LATERAL aclexplode(n.nspacl) a JOIN pg_roles g ON g.oid = a.grantee \
         WHERE a.grantee <> n.nspowner AND g.rolname LIKE $1",
        &[&like],
    )
    .await;
    assert_eq!(
        have,
        planned_schema_privileges(plan, major),
        "schema privileges"
    );
    // Default privileges.
    let have = strings(
        db_client,
        "SELECT r.rolname || ' ' || n.nspname || ' ' || d.defaclobjtype::text || ' ' || g.rolname || ' ' || a.privilege_type \
         FROM pg_default_acl d JOIN pg_roles r ON r.oid = d.defaclrole \
         JOIN pg_namespace n ON n.oid = d.defaclnamespace \
         CROSS JOIN LATERAL aclexplode(d.defaclacl) a JOIN pg_roles g ON g.oid = a.grantee \
         WHERE g.rolname LIKE $1",
        &[&like],
    )
    .await;
    assert_eq!(
        have,
        planned_default_privileges(plan, major),
        "default privileges"
    );
    // Table privileges: every relation carries exactly the planned ones
    // of its schema (extension views in public included).
    let rows = db_client
        .query(
            "SELECT n.nspname::text, c.relname::text, g.rolname::text, a.privilege_type \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles g ON g.oid = a.grantee \
             WHERE c.relkind IN ('r','p','v','m','f') AND a.grantee <> c.relowner AND g.rolname LIKE $1",
            &[&like],
        )
        .await
        .unwrap();
    let planned = planned_table_privileges(plan, major);
    for r in &rows {
        let key = (
            r.get::<_, String>(0),
            r.get::<_, String>(2),
            r.get::<_, String>(3),
        );
        assert!(
            planned.contains(&key),
            "unplanned privilege {key:?} on {}",
            r.get::<_, String>(1)
        );
    }
}

/// The owner creates a table later; read-only reads it, the application
/// writes it, and the application cannot create one.
async fn check_default_privileges_and_ddl(
    pg: &pgplan_testkit::PgServer,
    plan: &Plan,
    passwords: &pgplan_sql::MapSecretResolver,
) {
    use pgplan_core::RolePurpose;
    use pgplan_sql::SecretResolver as _;
    let db = plan.databases[0].name.as_str();
    let owner = plan.databases[0].owner.as_str();
    let schema = plan.databases[0]
        .schemas
        .first()
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| "public".into());
    let role = |purpose: RolePurpose| plan.roles.iter().find(|r| r.purpose == purpose).unwrap();
    let password = |r: &pgplan_core::Role| {
        passwords
            .password(&r.name, r.password.as_ref().unwrap())
            .unwrap()
            .unwrap()
            .expose()
            .to_owned()
    };
    let (app, ro) = (role(RolePurpose::Application), role(RolePurpose::ReadOnly));

    // Created by the owner role, logged in with its own password.
    let owner_role = plan.role(&plan.databases[0].owner).unwrap();
    let as_owner = connect_dsn(&dsn_as(pg, owner, &password(owner_role), db)).await;
    let table = format!("\"{schema}\".later_orders");
    as_owner
        .batch_execute(&format!(
            "CREATE TABLE {table} (id bigserial PRIMARY KEY, note text); INSERT INTO {table} (note) VALUES ('by owner')"
        ))
        .await
        .expect("the owner creates a table");

    let as_ro = connect_dsn(&dsn_as(pg, ro.name.as_str(), &password(ro), db)).await;
    let n: i64 = as_ro
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .expect("read-only role reads the owner's new table")
        .get(0);
    assert_eq!(n, 1);
    let e = as_ro
        .batch_execute(&format!("INSERT INTO {table} (note) VALUES ('ro')"))
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42501", "read-only must not write: {e}");

    let as_app = connect_dsn(&dsn_as(pg, app.name.as_str(), &password(app), db)).await;
    as_app
        .batch_execute(&format!(
            "INSERT INTO {table} (note) VALUES ('by app'); UPDATE {table} SET note = 'updated' WHERE note = 'by app'"
        ))
        .await
        .expect("the application writes the owner's new table (sequence included)");
    for ddl in [
        format!("CREATE TABLE \"{schema}\".app_ddl (id int)"),
        "CREATE TABLE public.app_ddl (id int)".to_owned(),
        format!("ALTER TABLE {table} ADD COLUMN x int"),
    ] {
        let e = as_app.batch_execute(&ddl).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{ddl} must be denied: {e}");
    }
}

async fn converge(major: u32, seed: u8) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("s{seed}v{major}n"));
    let plan = if seed == 0 {
        support::seed_000(major, &tag)
    } else {
        support::seed_001(major, &tag, false)
    };
    let (passwords, _) = passwords_for(&plan, &format!("{tag}-secret"));
    // Settings are cluster-wide: only seed 000 converges them, under a lock
    // (seed 001 is on Azure, whose settings never go over SQL).
    let _settings_guard = if seed == 0 {
        Some(settings_lock(major).lock().await)
    } else {
        None
    };
    let opts = ApplyOptions::default()
        .secrets(passwords.clone())
        .application_name(format!("pgplan-{tag}"));
    let dsn = pg.dsn("postgres");

    let first = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("first apply");
    assert!(first.statements > 10, "{first}");

    let admin = connect(pg, "postgres").await;
    let db_client = connect(pg, plan.databases[0].name.as_str()).await;
    check_catalog(&admin, &db_client, &plan, &tag).await;
    check_default_privileges_and_ddl(pg, &plan, &passwords).await;

    // Converged: nothing to do, and apply says so.
    let again = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("re-apply");
    assert_eq!(
        again.statements,
        0,
        "re-apply must run nothing:\n{again}\n{}",
        diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
            .await
            .unwrap()
    );
    assert!(again.to_string().contains("0 statements"), "{again}");

    // Drift: a manual REVOKE on the owner's table.
    let ro = plan
        .roles
        .iter()
        .find(|r| r.purpose == pgplan_core::RolePurpose::ReadOnly)
        .unwrap();
    let schema = plan.databases[0]
        .schemas
        .first()
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| "public".into());
    db_client
        .batch_execute(&format!(
            "REVOKE SELECT ON \"{schema}\".later_orders FROM \"{}\"",
            ro.name
        ))
        .await
        .unwrap();
    let drift = diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("diff");
    let text = drift.to_string();
    assert!(
        text.contains(&format!("grant SELECT on all tables in schema {schema} to"))
            && text.contains(ro.name.as_str()),
        "drift must show: {text}"
    );
    assert_eq!(drift.statement_count(), 1, "{text}");
    // An extra grant is destructive: listed first, skipped unless allowed.
    db_client
        .batch_execute(&format!(
            "GRANT DELETE ON \"{schema}\".later_orders TO \"{}\"",
            ro.name
        ))
        .await
        .unwrap();
    let drift = diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("diff");
    let text = drift.to_string();
    let destructive_at = text.find("destructive changes").expect(&text);
    let grant_at = text.find("grant SELECT").expect(&text);
    assert!(
        destructive_at < grant_at,
        "destructive changes come first: {text}"
    );
    assert!(text.contains("revoke DELETE"), "{text}");
    let repaired = apply(
        &plan.validate().expect("the plan validates"),
        &dsn,
        &opts.clone().allow_destructive(true),
    )
    .await
    .expect("repair");
    assert_eq!(repaired.statements, 2, "{repaired}");
    let table = format!("\"{schema}\".later_orders");
    let can: bool = db_client
        .query_one(
            "SELECT has_table_privilege($1::text, $2::text, 'SELECT') \
             AND NOT has_table_privilege($1::text, $2::text, 'DELETE')",
            &[&ro.name.as_str(), &table],
        )
        .await
        .unwrap()
        .get(0);
    assert!(can, "the next apply repairs the drift");

    if seed == 0 {
        // A setting changed by hand shows as drift and is set back.
        // Two round trips: ALTER SYSTEM refuses the implicit transaction of
        // a multi-statement query.
        admin
            .batch_execute("ALTER SYSTEM SET checkpoint_completion_target = 0.95")
            .await
            .unwrap();
        admin
            .batch_execute("SELECT pg_reload_conf()")
            .await
            .unwrap();
        let drift = diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
            .await
            .unwrap()
            .to_string();
        assert!(
            drift.contains("set checkpoint_completion_target = 0.7"),
            "{drift}"
        );
        apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
            .await
            .unwrap();
    }
    let last = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .unwrap();
    assert_eq!(last.statements, 0, "{last}");
    check_catalog(&admin, &db_client, &plan, &tag).await;
}

/// Serialises the tests that change server settings on a shared server.
pub fn settings_lock(major: u32) -> &'static tokio::sync::Mutex<()> {
    use std::sync::OnceLock;
    static LOCKS: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    &LOCKS.get_or_init(|| (0..=18).map(|_| tokio::sync::Mutex::new(())).collect())[major as usize]
}

#[tokio::test]
async fn seed_000_kubernetes_plan_converges_postgres_14() {
    converge(14, 0).await;
}
#[tokio::test]
async fn seed_000_kubernetes_plan_converges_postgres_15() {
    converge(15, 0).await;
}
#[tokio::test]
async fn seed_000_kubernetes_plan_converges_postgres_17() {
    converge(17, 0).await;
}
#[tokio::test]
async fn seed_001_azure_plan_sql_part_converges_postgres_14() {
    converge(14, 1).await;
}
#[tokio::test]
async fn seed_001_azure_plan_sql_part_converges_postgres_15() {
    converge(15, 1).await;
}
#[tokio::test]
async fn seed_001_azure_plan_sql_part_converges_postgres_17() {
    converge(17, 1).await;
}
