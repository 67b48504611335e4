//! The seam between the SQL and Azure backends, run the way a user runs it:
//! the Entra principal script the SQL backend writes
//! (`pgplan_sql::entra_principal_script`) goes into the `deploy.sh` the
//! Azure backend writes, which runs with `bash deploy.sh` against the
//! stateful fake `az` of the Azure crate's tests (no Azure here) and the
//! real `psql` against a real PostgreSQL 17 — with stand-ins of the
//! documented `pgaadauth` functions, which exist only on Azure, and an
//! "Entra administrator" that logs in with the token the fake hands out.
//! Then `init.sql`, run with plain psql, grants to the principal.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use pgplan::Plan;
use pgplan::sql::{MapSecretResolver, Password, RenderOptions};
use serde_json::json;

const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
const ADMIN_PASSWORD: &str = "Stand-in-Adm1n-Passw0rd";
const TOKEN: &str = "stand-in-entra-token";
const OBJECT_ID: &str = "1d1d1d1d-0000-0000-0000-000000000001";

/// The documented signatures, with a table standing in for Azure's mapping.
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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tools() -> PathBuf {
    root().join("crates/azure/tests/tools")
}

/// The fake az's server, stopped (by its own handle) when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_fake(dir: &Path, state: &serde_json::Value) -> (Server, String) {
    std::fs::write(dir.join("state.json"), state.to_string()).unwrap();
    let child = Command::new("python3")
        .arg("-S")
        .arg(tools().join("fake_az.py"))
        .arg("serve")
        .arg(dir.join("state.json"))
        .arg(dir.join("calls.jsonl"))
        .arg(dir.join("port"))
        .spawn()
        .expect("python3 runs the fake az");
    let server = Server(child);
    for _ in 0..1500 {
        if let Ok(p) = std::fs::read_to_string(dir.join("port")) {
            return (server, p.trim().to_owned());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the fake az's server did not start");
}

fn psql_file(pg: &pgplan_testkit::PgServer, file: &Path) -> (bool, String) {
    let out = Command::new(pg.psql_path().unwrap())
        .args(["-X", "-d"])
        .arg(pg.dsn("postgres"))
        .arg("-f")
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn deploy_sh_creates_the_entra_principals_that_init_sql_grants_to() {
    // Seed 004's Azure plan, on the test server's major and locale.
    let text = std::fs::read_to_string(root().join("examples/plans/prod-event-marketing.yaml"))
        .unwrap()
        .replace("version: 16", "version: 17")
        .replace("locale: en_US.utf8", "locale: C.UTF-8");
    let plan = Plan::from_yaml(&text).unwrap().validate().unwrap();
    let entra = pgplan::sql::entra_principal_script(&plan).expect("event_app is an Entra role");
    let files = pgplan::azure::render_files_with(
        &plan,
        &pgplan::azure::RenderOptions {
            entra_principals: Some(&entra),
        },
    )
    .unwrap();
    // Without the SQL backend's script, the Azure backend says what it needs.
    let err = pgplan::azure::render_files(&plan).unwrap_err();
    assert!(err.to_string().contains("entra_principal_script"), "{err}");

    let pg = pgplan_testkit::shared(17);
    pg.psql("postgres", STUBS).unwrap();
    pg.psql(
        "postgres",
        &format!("CREATE ROLE \"event-marketing-dba\" LOGIN CREATEROLE PASSWORD '{TOKEN}'"),
    )
    .unwrap();

    let dir = std::env::temp_dir().join(format!("pgplan-azure-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let az = dir.join("bin/az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            tools().join("fake_az.sh").display()
        ),
    )
    .unwrap();
    assert!(
        Command::new("chmod")
            .arg("+x")
            .arg(&az)
            .status()
            .unwrap()
            .success()
    );
    let state = json!({
        "subscription": SUBSCRIPTION,
        "vnets": [format!("{SUBSCRIPTION}|event-marketing-prod-rg|event-marketing-vnet")],
        "identities": { "event-api-identity": OBJECT_ID },
        "secrets": { "event-marketing-kv/pg-admin-password": ADMIN_PASSWORD },
        "admin_password": ADMIN_PASSWORD,
        "token": TOKEN,
        "fqdn": pg.host(),
        "static": [],
        "resources": {},
    });
    let (_server, port) = start_fake(&dir, &state);
    std::fs::write(dir.join("deploy.sh"), &files["deploy.sh"]).unwrap();
    let psql_dir = pg.psql_path().unwrap().parent().unwrap().to_owned();
    let path = format!(
        "{}:{}:{}",
        dir.join("bin").display(),
        psql_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = || {
        Command::new("bash")
            .arg("deploy.sh")
            .current_dir(&dir)
            .env("PATH", &path)
            .env("FAKE_AZ_PORT", &port)
            .env("FAKE_AZ_LOG", dir.join("calls.jsonl"))
            .env("PGPORT", pg.port().to_string())
            // The test server has no TLS; Azure's default is require.
            .env("PGSSLMODE", "disable")
            .env_remove("PGHOST")
            .env_remove("PGUSER")
            .env_remove("PGPASSWORD")
            .env_remove("PGDATABASE")
            .output()
            .unwrap()
    };
    for attempt in 1..=2 {
        let out = run();
        assert!(
            out.status.success(),
            "run {attempt} of deploy.sh: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mapped = pg
        .psql(
            "postgres",
            "SELECT rolename || '|' || principaltype || '|' || objectid FROM pgaadauth_stub.principals ORDER BY 1",
        )
        .unwrap();
    assert_eq!(mapped.trim(), format!("event_app|service|{OBJECT_ID}"));

    // init.sql with plain psql: its grants reach the principal.
    let mut resolver = MapSecretResolver::new();
    for role in ["event_owner", "event_readonly"] {
        resolver.insert(role.parse().unwrap(), Password::new(format!("{role}-pw")));
    }
    let sql = pgplan::sql::render_files_with(
        &plan,
        &RenderOptions {
            secrets: Some(&resolver),
            passwords_set_afterwards: false,
        },
    )
    .unwrap();
    std::fs::write(dir.join("init.sql"), &sql["init.sql"]).unwrap();
    for attempt in 1..=2 {
        let (ok, out) = psql_file(pg, &dir.join("init.sql"));
        assert!(ok, "run {attempt} of init.sql: {out}");
    }
    let granted = pg
        .psql(
            "event_marketing",
            "SELECT has_database_privilege('event_app', 'event_marketing', 'CONNECT') AND has_schema_privilege('event_app', 'public', 'USAGE')",
        )
        .unwrap();
    assert_eq!(granted.trim(), "t");
    let _ = std::fs::remove_dir_all(&dir);
}
