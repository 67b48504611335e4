use pgplan_core::model::migrations::{MigrationScript, Migrations};
use pgplan_core::{Database, DatabaseName, RoleName};

use super::*;

fn db(scripts: &[(&str, &str)]) -> Database {
    let mut db = Database::builder()
        .name(DatabaseName::new("app").unwrap())
        .owner(RoleName::new("app_owner").unwrap())
        .build();
    db.migrations = Some(Migrations {
        scripts: scripts
            .iter()
            .map(|(f, s)| MigrationScript::new(*f, *s))
            .collect(),
        ..Default::default()
    });
    db
}

fn applied(script: &MigrationScript) -> AppliedMigration {
    AppliedMigration {
        version: script.version().unwrap(),
        script: script.file.clone(),
        checksum: script.checksum(),
        applied_at: "2026-01-01".into(),
    }
}

#[test]
fn pending_scripts_follow_the_history() {
    let d = db(&[
        ("V2__b.sql", "B;"),
        ("V1__a.sql", "A;"),
        ("V3__c.sql", "C;"),
    ]);
    let scripts = &d.migrations.as_ref().unwrap().scripts;
    let files = |p: Vec<&MigrationScript>| p.iter().map(|s| s.file.clone()).collect::<Vec<_>>();
    assert_eq!(
        files(pending(&d, &[]).unwrap()),
        ["V1__a.sql", "V2__b.sql", "V3__c.sql"]
    );
    let done = [applied(&scripts[1]), applied(&scripts[0])];
    assert_eq!(files(pending(&d, &done).unwrap()), ["V3__c.sql"]);
}

#[test]
fn a_history_that_does_not_fit_is_an_error() {
    let d = db(&[("V1__a.sql", "A;"), ("V2__b.sql", "B;")]);
    let mut changed = applied(&d.migrations.as_ref().unwrap().scripts[0]);
    changed.checksum = "0".repeat(64);
    let e = pending(&d, &[changed]).unwrap_err();
    assert!(
        e.message.contains("V1__a.sql changed after it was applied"),
        "{e:?}"
    );
    assert!(e.message.contains("new script V3__"), "{e:?}");

    let gone = AppliedMigration {
        version: 7,
        script: "V7__x.sql".into(),
        checksum: String::new(),
        applied_at: "2026-01-01".into(),
    };
    let e = pending(&d, &[gone]).unwrap_err();
    assert!(
        e.message.contains("version 7 (V7__x.sql) was applied"),
        "{e:?}"
    );

    let later = applied(&d.migrations.as_ref().unwrap().scripts[1]);
    let e = pending(&d, &[later]).unwrap_err();
    assert!(e.message.contains("V1__a.sql is older than V2"), "{e:?}");
}

#[test]
fn lines_count_from_the_statement_start() {
    assert_eq!(line_of("SELECT\n  1 +\n  x", 14), 2);
    assert_eq!(line_of("SELECT x", 8), 0);
}
