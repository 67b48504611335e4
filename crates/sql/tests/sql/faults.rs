//! The connection dies in the middle of an apply: the database holds the
//! old state or the new one, never a mix.

use std::time::{Duration, Instant};

use pgplan_core::{
    Database, DatabaseName, Environment, Grant, Local, MajorVersion, ObjectKind, Plan, Platform,
    Privilege, Role, RoleName, RolePurpose, Schema, SchemaName,
};
use pgplan_sql::{ApplyOptions, Error, apply};

use super::support::{self, connect};

const SCHEMAS: usize = 40;
const APPS: usize = 12;

fn plan(major: u32, tag: &str, with_grants: bool) -> Plan {
    let db = DatabaseName::new(format!("{tag}_fault_db")).unwrap();
    let owner = RoleName::new(format!("{tag}_owner")).unwrap();
    let mut schemas: Vec<Schema> = (0..SCHEMAS)
        .map(|i| {
            Schema::builder()
                .name(SchemaName::new(format!("s{i:02}")).unwrap())
                .build()
        })
        .collect();
    schemas.push(
        Schema::builder()
            .name(SchemaName::new("zz_last").unwrap())
            .build(),
    );
    let mut roles = vec![
        Role::builder()
            .name(owner.clone())
            .purpose(RolePurpose::Owner)
            .login(true)
            .build(),
    ];
    for a in 0..APPS {
        let mut grants = Vec::new();
        if with_grants {
            for (i, s) in schemas.iter().enumerate() {
                // Privilege sets differ by schema, so every schema gets its
                // own statements.
                let privileges = if (i + a) % 2 == 0 {
                    vec![Privilege::Usage]
                } else {
                    vec![Privilege::Usage, Privilege::Create]
                };
                grants.push(
                    Grant::builder()
                        .database(db.clone())
                        .schema(s.name.clone())
                        .objects(ObjectKind::Schema)
                        .privileges(privileges)
                        .build(),
                );
                grants.push(
                    Grant::builder()
                        .database(db.clone())
                        .schema(s.name.clone())
                        .objects(ObjectKind::DefaultTables)
                        .for_owner(owner.clone())
                        .privileges(vec![Privilege::Select])
                        .build(),
                );
            }
        }
        roles.push(
            Role::builder()
                .name(RoleName::new(format!("{tag}_app{a:02}")).unwrap())
                .purpose(RolePurpose::Application)
                .grants(grants)
                .build(),
        );
    }
    Plan::builder()
        .service(format!("{tag}-faults").parse().unwrap())
        .environment(Environment::Development)
        .version(MajorVersion::new(major as u16).unwrap())
        .platform(Platform::Local(Local::default()))
        .databases(vec![
            Database::builder()
                .name(db)
                .owner(owner)
                .schemas(schemas)
                .build(),
        ])
        .roles(roles)
        .build()
}

/// (schema privileges, default privileges) held by the test's roles.
async fn state(db: &tokio_postgres::Client, tag: &str) -> (i64, i64) {
    let like = format!("{tag}\\_app%");
    let schema: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a \
             JOIN pg_roles g ON g.oid = a.grantee WHERE g.rolname LIKE $1",
            &[&like],
        )
        .await
        .unwrap()
        .get(0);
    let defaults: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a \
             JOIN pg_roles g ON g.oid = a.grantee WHERE g.rolname LIKE $1",
            &[&like],
        )
        .await
        .unwrap()
        .get(0);
    (schema, defaults)
}

async fn killed_mid_apply(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("f{major}n"));
    let dsn = pg.dsn("postgres");
    let app_name = format!("pgplan-fault-{tag}");
    let opts = ApplyOptions::default()
        .include_settings(false)
        .application_name(app_name.clone());
    // Old state: roles, database and schemas, no privileges.
    let old = plan(major, &tag, false);
    apply(&old.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("old state");
    let new = plan(major, &tag, true);

    let db_name = format!("{tag}_fault_db");
    let db = connect(pg, &db_name).await;
    assert_eq!(state(&db, &tag).await, (0, 0));

    // Another session holds the default-privilege row the apply's last
    // statement needs, so the apply stops there, mid-transaction, with
    // every earlier statement executed.
    let blocker = connect(pg, &db_name).await;
    blocker
        .batch_execute(&format!(
            "BEGIN; ALTER DEFAULT PRIVILEGES FOR ROLE \"{tag}_owner\" IN SCHEMA zz_last GRANT SELECT ON TABLES TO \"{tag}_app00\""
        ))
        .await
        .unwrap();
    let task = {
        let new = new.clone();
        let dsn = dsn.clone();
        let opts = opts.clone();
        tokio::spawn(async move {
            apply(&new.validate().expect("the plan validates"), &dsn, &opts).await
        })
    };
    let admin = connect(pg, "postgres").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let killed = loop {
        let rows = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = $1 AND datname = $2 AND wait_event_type = 'Lock'",
                &[&app_name, &db_name],
            )
            .await
            .unwrap();
        if !rows.is_empty() {
            break true;
        }
        if Instant::now() > deadline || task.is_finished() {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(killed, "the apply never waited on the held row");
    let result = task.await.unwrap();
    blocker.batch_execute("ROLLBACK").await.unwrap();
    let e = result.expect_err("the apply lost its connection");
    let msg = e.to_string();
    assert!(matches!(e, Error::Apply { .. }), "{msg}");
    assert!(
        msg.contains(&format!("database {db_name}")) && msg.contains("nothing in"),
        "{msg}"
    );

    // Old state, exactly: none of the grants executed before the kill stuck.
    assert_eq!(
        state(&db, &tag).await,
        (0, 0),
        "no partial state after the kill"
    );

    // The next apply brings the new state, whole.
    let report = apply(&new.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("apply after the kill");
    assert!(report.statements >= 2 * (SCHEMAS + 1), "{report}");
    let schemas = SCHEMAS as i64 + 1;
    let apps = APPS as i64;
    let usage_create: i64 = (0..SCHEMAS + 1)
        .flat_map(|i| (0..APPS).map(move |a| if (i + a) % 2 == 0 { 1 } else { 2 }))
        .sum();
    assert_eq!(state(&db, &tag).await, (usage_create, schemas * apps));
    let again = apply(&new.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .unwrap();
    assert_eq!(again.statements, 0, "{again}");
}

#[tokio::test]
async fn connection_killed_mid_apply_leaves_old_or_new_state_postgres_14() {
    killed_mid_apply(14).await;
}
#[tokio::test]
async fn connection_killed_mid_apply_leaves_old_or_new_state_postgres_15() {
    killed_mid_apply(15).await;
}
#[tokio::test]
async fn connection_killed_mid_apply_leaves_old_or_new_state_postgres_17() {
    killed_mid_apply(17).await;
}
