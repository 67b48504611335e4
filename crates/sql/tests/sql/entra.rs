//! Roles that log in as Microsoft Entra identities, on real PostgreSQL 14,
//! 15 and 17 with stand-ins for Azure's `pgaadauth` functions (the real
//! ones exist only on Azure Database for PostgreSQL): the Entra principal
//! script runs with plain psql as a non-superuser "Entra administrator"
//! (CREATEROLE), twice; it refuses a role mapped to another object id and a
//! missing object id; `init.sql` stops before it while the principal is
//! missing and grants to it afterwards; the converger never creates it.
//! A property test feeds arbitrary role names and object ids through the
//! script's SQL literals and psql variables and reads them back.

use std::process::Command;
use std::sync::Mutex;

use pgplan_core::{Plan, RoleName};
use pgplan_sql::{ApplyOptions, Error, MapSecretResolver, Password, RenderOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::support::{self, connect, strings};

/// The documented signatures, with a table standing in for Azure's
/// mapping. SECURITY INVOKER: the caller needs CREATEROLE, as an Entra
/// administrator has.
const STUBS: &str = r#"
CREATE SCHEMA IF NOT EXISTS pgaadauth_stub;
GRANT USAGE ON SCHEMA pgaadauth_stub TO PUBLIC;
CREATE TABLE IF NOT EXISTS pgaadauth_stub.principals(
  rolename name PRIMARY KEY, principaltype text NOT NULL, objectid text NOT NULL, isadmin int NOT NULL);
GRANT SELECT, INSERT ON pgaadauth_stub.principals TO PUBLIC;
CREATE OR REPLACE FUNCTION pg_catalog.pgaadauth_create_principal_with_oid(
  roleName text, objectId text, objectType text, isAdmin boolean, isMfa boolean)
RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  IF objectType NOT IN ('user', 'group', 'service') THEN
    RAISE EXCEPTION 'objectType % is not user, group or service', objectType;
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN', roleName);
  INSERT INTO pgaadauth_stub.principals VALUES (roleName, objectType, objectId, isAdmin::int);
  RETURN format('Created role for "%s"', roleName);
END $f$;
CREATE OR REPLACE FUNCTION pg_catalog.pgaadauth_list_principals(isAdminValue boolean)
RETURNS TABLE(rolename name, principalType text, objectId text, tenantId text, isMfa integer, isAdmin integer)
LANGUAGE sql AS $f$
  SELECT rolename, principaltype, objectid, 'stand-in-tenant', 0, isadmin
  FROM pgaadauth_stub.principals WHERE NOT isAdminValue OR isadmin = 1
$f$;
"#;

/// Installs the stand-ins in a server's `postgres` database, once.
fn stubs(pg: &pgplan_testkit::PgServer) {
    static DONE: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap();
    if done.contains(&pg.port()) {
        return;
    }
    pg.psql("postgres", STUBS).expect("the stand-ins install");
    done.push(pg.port());
}

/// An Azure plan with an owner (password) and an application role that logs
/// in as a managed identity, names prefixed with `tag`.
fn plan(major: u32, tag: &str) -> Plan {
    let text = format!(
        r#"
service: {tag}-orders
environment: production
version: {major}
platform:
  azure:
    resource_group: orders-rg
    server_name: orders-prod-pg
    region: koreacentral
    sku: {{ name: Standard_D4ds_v5 }}
    storage: {{ size: 128Gi }}
    network: {{ firewall_rules: [{{ name: office, start_ip: 203.0.113.0, end_ip: 203.0.113.255 }}] }}
    auth: {{ password: true, entra: true, administrators: [{{ principal_name: orders-dba, principal_type: Group }}] }}
    administrator_login: ordersadmin
    administrator_password: {{ env: {{ var: ORDERS_PG_ADMIN_PASSWORD }} }}
    managed_identities: [orders-api-identity]
databases:
  - {{ name: {tag}_orders, owner: {tag}_owner }}
roles:
  - {{ name: {tag}_owner, purpose: owner, login: true, password: {{ env: {{ var: ORDERS_OWNER_PASSWORD }} }} }}
  - name: {tag}_app
    purpose: application
    login: true
    connection_limit: 20
    password: {{ entra_identity: {{ principal: orders-api-identity }} }}
    grants:
      - {{ database: {tag}_orders, objects: database, privileges: [CONNECT] }}
      - {{ database: {tag}_orders, schema: public, objects: schema, privileges: [USAGE] }}
      - {{ database: {tag}_orders, schema: public, objects: tables, privileges: [SELECT, INSERT] }}
      - {{ database: {tag}_orders, schema: public, objects: default_tables, for_owner: {tag}_owner, privileges: [SELECT, INSERT] }}
"#
    );
    Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs a script with psql as `user`; returns (success, output).
fn psql(
    pg: &pgplan_testkit::PgServer,
    user: &str,
    password: &str,
    database: &str,
    script: &str,
    vars: &[(String, String)],
) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("pgplan-sql-{}", support::unique_tag("entra")));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("script.sql");
    std::fs::write(&file, script).unwrap();
    let mut cmd = Command::new(pg.psql_path().expect("psql"));
    cmd.arg("-X")
        .arg("-d")
        .arg(format!(
            "host={} port={} dbname='{}' user='{}'",
            pg.host(),
            pg.port(),
            database.replace('\\', "\\\\").replace('\'', "\\'"),
            user.replace('\\', "\\\\").replace('\'', "\\'")
        ))
        .arg("-f")
        .arg(&file)
        .env("PGPASSWORD", password);
    for (k, v) in vars {
        cmd.arg("-v").arg(format!("{k}={v}"));
    }
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"] {
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

/// A login with CREATEROLE standing in for the Entra administrator.
async fn entra_admin(pg: &pgplan_testkit::PgServer, tag: &str) -> (String, String) {
    let (name, password) = (format!("{tag}_entra_admin"), format!("{tag}-Adm1n!"));
    let admin = connect(pg, "postgres").await;
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{name}\" LOGIN CREATEROLE PASSWORD '{password}'"
        ))
        .await
        .unwrap();
    (name, password)
}

async fn principals_run_before_init_sql(major: u32) {
    let pg = support::server(major);
    stubs(pg);
    let tag = support::unique_tag(&format!("entra{major}n"));
    let plan = plan(major, &tag)
        .validate()
        .unwrap_or_else(|r| panic!("{r}"));
    let script = pgplan_sql::entra_principal_script(&plan).expect("the plan has an Entra role");
    assert_eq!(script.database, "postgres");
    assert_eq!(script.principals.len(), 1);
    let principal = &script.principals[0];
    assert_eq!(principal.role.as_str(), format!("{tag}_app"));
    assert_eq!(principal.identity, "orders-api-identity");
    let oid = format!("0000{major}000-1111-2222-3333-444444444444");
    let var = vec![(principal.object_id_variable.clone(), oid.clone())];

    let mut resolver = MapSecretResolver::new();
    resolver.insert(
        RoleName::new(format!("{tag}_owner")).unwrap(),
        Password::new(format!("{tag}-Owner-pw")),
    );
    let options = RenderOptions {
        secrets: Some(&resolver),
        passwords_set_afterwards: false,
    };
    let init = pgplan_sql::render_files_with(&plan, &options).unwrap()["init.sql"].clone();
    assert!(
        !init.contains(&format!("CREATE ROLE \"{tag}_app\"")),
        "init.sql must not create the Entra principal:\n{init}"
    );

    // init.sql first: it stops before changing anything.
    let (ok, out) = psql(pg, pg.superuser(), pg.password(), "postgres", &init, &[]);
    assert!(!ok, "init.sql ran without the principal:\n{out}");
    assert!(
        out.contains(&format!("role {tag}_app (Microsoft Entra identity orders-api-identity) does not exist: run the Entra principal step first")),
        "{out}"
    );
    let admin = connect(pg, "postgres").await;
    let made = strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
        &[&format!("{tag}\\_%")],
    )
    .await;
    assert!(made.is_empty(), "init.sql changed something: {made:?}");

    // Without the object id, the script stops before changing anything.
    let (admin_name, admin_pw) = entra_admin(pg, &tag).await;
    let (ok, out) = psql(pg, &admin_name, &admin_pw, "postgres", &script.sql, &[]);
    assert!(!ok && out.contains("is not set"), "{out}");

    // Twice as the Entra administrator: the principal is created once.
    for run in 1..=2 {
        let (ok, out) = psql(pg, &admin_name, &admin_pw, "postgres", &script.sql, &var);
        assert!(ok, "run {run} of the Entra script:\n{out}\n{}", script.sql);
    }
    let mapped = strings(
        &admin,
        "SELECT rolename::text || '|' || principaltype || '|' || objectid || '|' || isadmin FROM pgaadauth_stub.principals WHERE rolename = $1",
        &[&format!("{tag}_app")],
    )
    .await;
    assert_eq!(
        mapped.into_iter().collect::<Vec<_>>(),
        [format!("{tag}_app|service|{oid}|0")]
    );
    let attributes = strings(
        &admin,
        "SELECT rolcanlogin::text || '|' || rolconnlimit || '|' || coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = $1",
        &[&format!("{tag}_app")],
    )
    .await;
    assert_eq!(
        attributes.into_iter().collect::<Vec<_>>(),
        [format!("true|20|pgplan:{tag}-orders/production")]
    );

    // Mapped to another identity: stop, naming the role.
    let other = vec![(
        principal.object_id_variable.clone(),
        "99999999-0000-0000-0000-000000000000".to_owned(),
    )];
    let (ok, out) = psql(pg, &admin_name, &admin_pw, "postgres", &script.sql, &other);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("role {tag}_app exists but is not the Microsoft Entra principal of identity orders-api-identity")), "{out}");

    // init.sql now runs, twice, and its grants reach the principal.
    for run in 1..=2 {
        let (ok, out) = psql(pg, pg.superuser(), pg.password(), "postgres", &init, &[]);
        assert!(ok, "run {run} of init.sql:\n{out}");
    }
    let db = connect(pg, &format!("{tag}_orders")).await;
    let privileges = strings(
        &db,
        "SELECT has_database_privilege($1, current_database(), 'CONNECT')::text || '|' \
         || has_schema_privilege($1, 'public', 'USAGE')::text || '|' \
         || (SELECT count(*) FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a \
             WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1))::text",
        &[&format!("{tag}_app")],
    )
    .await;
    assert_eq!(privileges.into_iter().collect::<Vec<_>>(), ["true|true|2"]);

    // The converger leaves the principal to the Entra script: nothing to do.
    let opts = ApplyOptions::default()
        .include_settings(false)
        .secrets(resolver.clone());
    let changes = pgplan_sql::diff(&plan, &pg.dsn("postgres"), &opts)
        .await
        .unwrap();
    assert!(
        changes
            .runnable()
            .all(|c| !c.summary.contains(&format!("{tag}_app"))),
        "{changes}"
    );
}

#[tokio::test]
async fn entra_principals_run_before_init_sql_postgres_14() {
    principals_run_before_init_sql(14).await;
}
#[tokio::test]
async fn entra_principals_run_before_init_sql_postgres_15() {
    principals_run_before_init_sql(15).await;
}
#[tokio::test]
async fn entra_principals_run_before_init_sql_postgres_17() {
    principals_run_before_init_sql(17).await;
}

/// Apply never creates an Entra principal with CREATE ROLE: it stops,
/// saying who creates it, before changing anything.
#[tokio::test]
async fn apply_stops_when_an_entra_principal_is_missing() {
    let pg = support::server(17);
    let tag = support::unique_tag("entra17a");
    let plan = plan(17, &tag).validate().unwrap();
    let mut resolver = MapSecretResolver::new();
    resolver.insert(
        RoleName::new(format!("{tag}_owner")).unwrap(),
        Password::new("Owner-pw-1".to_owned()),
    );
    let opts = ApplyOptions::default()
        .include_settings(false)
        .secrets(resolver);
    let err = pgplan_sql::apply(&plan, &pg.dsn("postgres"), &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingEntraPrincipal { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("an Entra administrator creates it"),
        "{err}"
    );
    let admin = connect(pg, "postgres").await;
    let made = strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
        &[&format!("{tag}\\_%")],
    )
    .await;
    assert!(made.is_empty(), "{made:?}");
}

/// A name PostgreSQL keeps as it is: 1–63 bytes, no NUL.
fn identifier() -> impl Strategy<Value = String> {
    let chunk = prop_oneof![
        "[a-z_][a-z0-9_]{0,12}",
        "[A-Za-z0-9 _.$-]{1,12}",
        "[\"'\\\\;%:= \n]{1,4}",
        "[é한글日本😀ß]{1,6}",
        Just("$pgplan$".to_owned()),
    ];
    prop::collection::vec(chunk, 1..5)
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
        .prop_filter("non-empty, not reserved", |s| {
            !s.is_empty() && !s.starts_with("pg_")
        })
}

/// Text psql passes as a variable (no NUL).
fn object_id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[ -~]{1,30}",
        "[\"'\\\\:;$ é😀]{1,10}",
    ]
}

/// The SQL literals (role names) and psql variables (object ids) of the
/// Entra script carry arbitrary text to the server unchanged.
#[test]
fn role_names_and_object_ids_reach_the_server_unchanged() {
    let pg = support::server(17);
    stubs(pg);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(identifier(), object_id()), |(name, oid)| {
        let tag = support::unique_tag("entraprop");
        let mut plan = plan(17, &tag);
        let role = RoleName::new(format!("{tag}{name}"))
            .map_err(|_| TestCaseError::reject("not a role name"))?;
        plan.roles[1].name = role.clone();
        plan.roles[1].grants.clear();
        let Ok(plan) = plan.validate() else {
            return Err(TestCaseError::reject("validation refuses the name"));
        };
        let script = pgplan_sql::entra_principal_script(&plan).unwrap();
        let var = vec![(script.principals[0].object_id_variable.clone(), oid.clone())];
        let (admin_name, admin_pw) = rt.block_on(entra_admin(pg, &tag));
        let (ok, out) = psql(pg, &admin_name, &admin_pw, "postgres", &script.sql, &var);
        prop_assert!(ok, "{out}\n{}", script.sql);
        let (ok, out) = psql(pg, &admin_name, &admin_pw, "postgres", &script.sql, &var);
        prop_assert!(ok, "second run: {out}");
        let rows = rt.block_on(async {
            let admin = connect(pg, "postgres").await;
            strings(
                &admin,
                "SELECT objectid FROM pgaadauth_stub.principals WHERE rolename = $1 AND EXISTS (SELECT FROM pg_roles WHERE rolname = $1)",
                &[&role.as_str()],
            )
            .await
        });
        prop_assert_eq!(rows.into_iter().collect::<Vec<_>>(), vec![oid]);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
