//! With `log_statement = 'all'`, applying roles with passwords leaves no
//! plaintext password in the server log: only SCRAM verifiers travel.

use pgplan_sql::{ApplyOptions, MapSecretResolver, Password, apply};

use super::support::{self, connect, connect_dsn, dsn_as, passwords_for};

async fn no_plaintext_in_the_log(major: u32) {
    let pg = support::server(major);
    let admin = connect(pg, "postgres").await;
    // Every statement of the superuser's new sessions is logged from now on
    // (a role setting: it wins over anything ALTER SYSTEM says).
    admin
        .batch_execute("ALTER ROLE postgres SET log_statement = 'all'")
        .await
        .unwrap();
    let tag = support::unique_tag(&format!("pw{major}n"));
    let plan = support::seed_001(major, &tag, false);
    let marker = format!("PlainText{tag}Secret");
    let (secrets, passwords) = passwords_for(&plan, &marker);
    let opts = ApplyOptions::default().secrets(secrets);
    apply(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .expect("apply");

    // Change every password: the ALTER ROLE path must hash too.
    let mut changed = MapSecretResolver::new();
    let mut new_passwords = Vec::new();
    for (i, role) in plan.roles.iter().filter(|r| r.login).enumerate() {
        let pw = format!("{marker}-changed-{i}");
        changed.insert(role.name.clone(), Password::new(pw.clone()));
        new_passwords.push((role.name.to_string(), pw));
    }
    let report = apply(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &ApplyOptions::default().secrets(changed.clone()),
    )
    .await
    .expect("password change");
    assert_eq!(report.statements, new_passwords.len(), "{report}");
    // The new passwords work.
    let (role, pw) = &new_passwords[0];
    let c = connect_dsn(&dsn_as(pg, role, pw, "postgres")).await;
    c.batch_execute("SELECT 1").await.unwrap();
    // Unchanged passwords are recognised: nothing to do.
    let again = apply(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &ApplyOptions::default().secrets(changed),
    )
    .await
    .unwrap();
    assert_eq!(again.statements, 0, "{again}");

    let log = pg.log_contents();
    let created = format!("CREATE ROLE \"{tag}_bill_app_user\"");
    assert!(
        log.contains(&created),
        "statement logging is on: {created} must be in {}",
        pg.log_path().display()
    );
    assert!(
        log.contains("SCRAM-SHA-256$4096:"),
        "verifiers are what travels"
    );
    for pw in passwords.iter().chain(new_passwords.iter().map(|(_, p)| p)) {
        assert!(
            !log.contains(pw.as_str()),
            "plaintext password in the server log"
        );
    }
    assert!(
        !log.contains(&marker),
        "no part of any password in the server log"
    );
}

#[tokio::test]
async fn no_plaintext_password_in_the_log_postgres_14() {
    no_plaintext_in_the_log(14).await;
}
#[tokio::test]
async fn no_plaintext_password_in_the_log_postgres_15() {
    no_plaintext_in_the_log(15).await;
}
#[tokio::test]
async fn no_plaintext_password_in_the_log_postgres_17() {
    no_plaintext_in_the_log(17).await;
}
