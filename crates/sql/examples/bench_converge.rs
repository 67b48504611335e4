//! Converges 1,000 roles and 10,000 planned grants (10 schemas × 20 tables)
//! on a throwaway PostgreSQL server and prints the first apply time, the
//! re-apply time and their statement counts.
//!
//! Run it with (the server binaries come from scripts/install-test-deps.sh):
//!
//! ```sh
//! cargo run --release -p pgplan-sql --features apply --example bench_converge [-- MAJOR]
//! ```

use std::time::Instant;

use pgplan_core::{
    Database, DatabaseName, Environment, Grant, Local, MajorVersion, ObjectKind, Plan, Platform,
    Privilege, Role, RoleName, RolePurpose, Schema, SchemaName,
};
use pgplan_sql::{ApplyOptions, apply};
use pgplan_testkit::PgServer;
use tokio_postgres::NoTls;

const ROLES: usize = 1_000;
const SCHEMAS: usize = 10;
const TABLES_PER_SCHEMA: usize = 20;

fn grant(
    db: &DatabaseName,
    schema: Option<&SchemaName>,
    objects: ObjectKind,
    privileges: Vec<Privilege>,
) -> Grant {
    let mut g = Grant::builder()
        .database(db.clone())
        .objects(objects)
        .privileges(privileges)
        .build();
    g.schema = schema.cloned();
    g
}

fn plan(major: u16, with_roles: bool) -> (Plan, usize) {
    let db = DatabaseName::new("bench_db").unwrap();
    let owner = RoleName::new("bench_owner").unwrap();
    let schemas: Vec<SchemaName> = (0..SCHEMAS)
        .map(|i| SchemaName::new(format!("s{i}")).unwrap())
        .collect();
    let mut roles = vec![
        Role::builder()
            .name(owner.clone())
            .purpose(RolePurpose::Owner)
            .login(true)
            .build(),
    ];
    let mut planned_grants = 0;
    if with_roles {
        for i in 0..ROLES {
            let (a, b) = (&schemas[i % SCHEMAS], &schemas[(i + 3) % SCHEMAS]);
            let table_privileges = if i % 3 == 0 {
                vec![Privilege::Select, Privilege::Insert, Privilege::Update]
            } else {
                vec![Privilege::Select]
            };
            let mut grants = vec![grant(
                &db,
                None,
                ObjectKind::Database,
                vec![Privilege::Connect],
            )];
            for s in [a, b] {
                grants.push(grant(
                    &db,
                    Some(s),
                    ObjectKind::Schema,
                    vec![Privilege::Usage],
                ));
                grants.push(grant(
                    &db,
                    Some(s),
                    ObjectKind::Tables,
                    table_privileges.clone(),
                ));
                grants.push(grant(
                    &db,
                    Some(s),
                    ObjectKind::Sequences,
                    vec![Privilege::Usage],
                ));
                let mut d = grant(
                    &db,
                    Some(s),
                    ObjectKind::DefaultTables,
                    table_privileges.clone(),
                );
                d.for_owner = Some(owner.clone());
                grants.push(d);
            }
            grants.push(grant(
                &db,
                Some(a),
                ObjectKind::Functions,
                vec![Privilege::Execute],
            ));
            planned_grants += grants.len();
            roles.push(
                Role::builder()
                    .name(RoleName::new(format!("bench_role_{i:04}")).unwrap())
                    .purpose(RolePurpose::Application)
                    .login(true)
                    .grants(grants)
                    .build(),
            );
        }
    }
    let plan = Plan::builder()
        .service("bench".parse().unwrap())
        .environment(Environment::Development)
        .version(MajorVersion::new(major).unwrap())
        .platform(Platform::Local(Local::default()))
        .databases(vec![
            Database::builder()
                .name(db)
                .owner(owner)
                .schemas(
                    schemas
                        .into_iter()
                        .map(|s| Schema::builder().name(s).build())
                        .collect(),
                )
                .build(),
        ])
        .roles(roles)
        .build();
    (plan, planned_grants)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let major: u16 = std::env::args().nth(1).map_or(Ok(17), |a| a.parse())?;
    let pg = PgServer::start(u32::from(major))?;
    let dsn = pg.dsn("postgres");
    let opts = ApplyOptions::default().include_settings(false);

    // The database, its schemas and 200 tables owned by the owner role.
    let (base, _) = plan(major, false);
    apply(&base.validate().expect("the plan validates"), &dsn, &opts).await?;
    let (client, conn) = tokio_postgres::connect(&pg.dsn("bench_db"), NoTls).await?;
    tokio::spawn(conn);
    let mut ddl = String::from("SET ROLE bench_owner;\n");
    for s in 0..SCHEMAS {
        for t in 0..TABLES_PER_SCHEMA {
            ddl.push_str(&format!(
                "CREATE TABLE s{s}.t{t} (id bigserial PRIMARY KEY, v text);\n"
            ));
        }
        ddl.push_str(&format!(
            "CREATE FUNCTION s{s}.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';\n"
        ));
    }
    client.batch_execute(&ddl).await?;

    let (full, planned_grants) = plan(major, true);
    let started = Instant::now();
    let first = apply(&full.validate().expect("the plan validates"), &dsn, &opts).await?;
    let first_time = started.elapsed();
    let started = Instant::now();
    let again = apply(&full.validate().expect("the plan validates"), &dsn, &opts).await?;
    let again_time = started.elapsed();
    let acl_entries: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a \
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 's%') \
             + (SELECT count(*) FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE n.nspname LIKE 's%') \
             + (SELECT count(*) FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a)",
            &[],
        )
        .await?
        .get(0);

    println!(
        "PostgreSQL {} on {}: {ROLES} roles, {planned_grants} planned grants, {SCHEMAS} schemas x {TABLES_PER_SCHEMA} tables",
        pg.version(),
        dsn.split('@').nth(1).unwrap_or("?")
    );
    println!(
        "first apply: {:>8.3} s, {} statements ({} changes)",
        first_time.as_secs_f64(),
        first.statements,
        first.changes
    );
    println!(
        "re-apply:    {:>8.3} s, {} statements",
        again_time.as_secs_f64(),
        again.statements
    );
    println!("privilege entries in the catalog afterwards: {acl_entries}");
    if again.statements != 0 {
        return Err(format!("re-apply ran {} statements, expected 0", again.statements).into());
    }
    Ok(())
}
