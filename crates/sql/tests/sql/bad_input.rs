//! Bad input gives a clear error naming what and where, and changes nothing.

use pgplan_core::{Extension, ExtensionName};
use pgplan_sql::{ApplyOptions, Error, apply, diff};

use super::support::{self, connect, strings};

async fn roles_with_tag(pg: &pgplan_testkit::PgServer, tag: &str) -> usize {
    let admin = connect(pg, "postgres").await;
    strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
        &[&format!("{tag}\\_%")],
    )
    .await
    .len()
}

async fn bad_input(major: u32) {
    let pg = support::server(major);
    let opts = ApplyOptions::default().include_settings(false);

    // Unreachable server: a loopback port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let tag = support::unique_tag(&format!("bad{major}n"));
    let plan = support::seed_000(major, &tag);
    let dsn = format!("postgresql://postgres:x@127.0.0.1:{port}/postgres");
    let e = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}/postgres as postgres")),
        "{msg}"
    );
    assert!(msg.to_lowercase().contains("refused"), "{msg}");

    // Wrong password.
    let dsn = pg.dsn("postgres").replace(pg.password(), "wrong-password");
    let e = diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("password authentication failed"), "{msg}");
    assert!(
        !msg.contains("wrong-password"),
        "the password is not echoed: {msg}"
    );

    // Not a DSN at all.
    let e = diff(
        &plan.validate().expect("the plan validates"),
        "postgresql://[::1",
        &opts,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Dsn { .. }), "{e}");

    // Missing privileges: a plain login role cannot create roles.
    let admin = connect(pg, "postgres").await;
    let weak = format!("{tag}_weak");
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{weak}\" LOGIN PASSWORD 'weak-pass-1'"
        ))
        .await
        .unwrap();
    let weak_dsn = format!(
        "postgresql://{weak}:weak-pass-1@{}:{}/postgres",
        pg.host(),
        pg.port()
    );
    let e = apply(
        &plan.validate().expect("the plan validates"),
        &weak_dsn,
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::MissingPrivilege { .. }), "{msg}");
    assert!(msg.contains("CREATEROLE") && msg.contains(&weak), "{msg}");
    assert!(msg.contains("nothing was changed"), "{msg}");
    assert_eq!(
        roles_with_tag(pg, &tag).await,
        1,
        "only the weak role exists"
    );

    // An extension the server does not have: checked before anything changes.
    let mut plan_ext = plan.clone();
    plan_ext.databases[0].extensions.push(
        Extension::builder()
            .name(ExtensionName::new("no_such_extension").unwrap())
            .build(),
    );
    let e = apply(
        &plan_ext.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::ExtensionUnavailable { .. }), "{msg}");
    assert!(
        msg.contains("no_such_extension") && msg.contains(&format!("{tag}_product_change_db")),
        "{msg}"
    );
    assert_eq!(roles_with_tag(pg, &tag).await, 1, "nothing was created");

    // A locale the server does not have (the seed's en_US.UTF-8 on a server
    // that only has C.UTF-8): checked before anything changes.
    let has_en_us = admin
        .batch_execute("BEGIN; CREATE COLLATION pg_temp.en_check (provider = libc, locale = 'en_US.UTF-8'); ROLLBACK")
        .await
        .is_ok();
    let _ = admin.batch_execute("ROLLBACK").await;
    let tag2 = support::unique_tag(&format!("loc{major}n"));
    let seed1 = support::seed_001(major, &tag2, true);
    let result = apply(
        &seed1.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await;
    if has_en_us {
        result.expect("en_US.UTF-8 exists here, so the seed applies as written");
    } else {
        let e = result.unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::LocaleUnavailable { .. }), "{msg}");
        assert!(
            msg.contains("en_US.UTF-8") && msg.contains(&format!("{tag2}_bill_inquiry_db")),
            "{msg}"
        );
        assert_eq!(roles_with_tag(pg, &tag2).await, 0, "nothing was created");
    }

    // A plan for another major version.
    let other = if major == 17 { 15 } else { 17 };
    let wrong = support::seed_000(other, &tag);
    let e = diff(
        &wrong.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string().contains(&format!("runs PostgreSQL {major}")),
        "{e}"
    );
}

#[tokio::test]
async fn bad_input_is_reported_and_changes_nothing_postgres_14() {
    bad_input(14).await;
}
#[tokio::test]
async fn bad_input_is_reported_and_changes_nothing_postgres_15() {
    bad_input(15).await;
}
#[tokio::test]
async fn bad_input_is_reported_and_changes_nothing_postgres_17() {
    bad_input(17).await;
}
