//! One escaping function per format a user-controlled value lands in, each
//! checked against its real consumer with arbitrary text: a shell word
//! ([`shell_quote`]) and a here-document ([`here_doc`]) read back by bash,
//! `operations.json` parsed as JSON, and an Entra administrator's name —
//! free text — carried by `deploy.sh` under bash to every `az` and `psql`
//! argument it lands in, exactly. (The Entra SQL's literals and psql
//! variables are the SQL backend's, checked there against PostgreSQL.)

use std::process::Command;

use pgplan_azure::script::here_doc;
use pgplan_azure::{Body, render_operations, shell_quote};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::fake::{Fake, environment, world};
use crate::support::{read_plan, render, workspace};

/// Text bash can carry (no NUL), biased to what the shell interprets.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9_.-]{0,8}",
        "[ \t\n'\"\\\\$`!*?#~&|;<>(){}\\[\\]=%^,@:+-]{1,6}",
        "[é한글😀ß\u{202e}\u{a0}]{1,4}",
        Just("$(id)".to_owned()),
        Just("'\\''".to_owned()),
        Just("PGPLAN_SQL".to_owned()),
        Just("\r\n".to_owned()),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn bash(script: &str) -> Vec<u8> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn shell_words_read_back_exactly() {
    let result = runner(64).run(&prop::collection::vec(text(), 1..12), |words| {
        let script = format!(
            "printf '%s\\0' {}",
            words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = bash(&script);
        let back: Vec<String> = out
            .split(|b| *b == 0)
            .take(words.len())
            .map(|w| String::from_utf8(w.to_vec()).unwrap())
            .collect();
        prop_assert_eq!(back, words);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn here_documents_read_back_exactly() {
    let lines = prop::collection::vec(
        prop_oneof![
            text(),
            Just("PGPLAN_SQL".to_owned()),
            Just("PGPLAN_SQL_1".to_owned()),
            Just("PGPLAN_SQL\r".to_owned()),
            Just("  PGPLAN_SQL".to_owned()),
        ],
        0..8,
    )
    .prop_map(|l| l.join("\n"));
    let result = runner(64).run(&lines, |text| {
        let (redirect, body) = here_doc(&text);
        let out = bash(&format!("cat {redirect}\n{body}"));
        let mut expected = text.clone();
        if !expected.is_empty() && !expected.ends_with('\n') {
            expected.push('\n');
        }
        prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// An Entra administrator's display name: any text an Entra name can be
/// that validation lets through (no control characters or surrounding
/// spaces, no leading `@`).
fn principal_name() -> impl Strategy<Value = String> {
    text().prop_filter("a name validation accepts", |s| {
        !s.trim().is_empty()
            && s.trim() == s
            && !s.starts_with('@')
            && !s.chars().any(char::is_control)
    })
}

#[test]
fn an_administrators_name_reaches_json_az_and_psql_unchanged() {
    let base = read_plan(&workspace().join("tests/plans/pass/PGP175-azure-entra-roles.yaml"));
    let result = runner(12).run(&principal_name(), |principal| {
        let mut plan = base.clone();
        match &mut plan.platform {
            pgplan_core::Platform::Azure(az) => {
                az.auth.administrators[0].principal_name = principal.clone();
            }
            _ => unreachable!(),
        }
        let valid = plan
            .validate()
            .map_err(|r| TestCaseError::fail(format!("{principal:?}: {r}")))?;
        // JSON: operations.json parses back to the name.
        let files = render(&valid);
        let ops: serde_json::Value = serde_json::from_str(&files["operations.json"]).unwrap();
        let admin = ops
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "administrator")
            .unwrap();
        prop_assert_eq!(
            admin["body"]["properties"]["principalName"].as_str(),
            Some(principal.as_str())
        );
        let typed = render_operations(&valid).unwrap();
        prop_assert!(typed.iter().any(|o| matches!(&o.body, Some(Body::Administrator(a))
            if a.properties.as_ref().and_then(|p| p.principal_name.as_deref()) == Some(principal.as_str()))));
        // bash: every argument it lands in is exactly the name.
        let mut fake = Fake::new("escape", &world(&valid, &typed));
        fake.env = environment(&valid);
        let out = fake.run(&files["deploy.sh"]);
        prop_assert!(
            out.status.success(),
            "{principal:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let calls = fake.calls();
        let lookup = calls.iter().find(|c| c.is("ad group show")).unwrap();
        prop_assert_eq!(lookup.opt("--group"), Some(principal.as_str()));
        let create = calls
            .iter()
            .find(|c| c.is("postgres flexible-server microsoft-entra-admin create"))
            .unwrap();
        prop_assert_eq!(create.opt("--display-name"), Some(principal.as_str()));
        let psql = calls.iter().find(|c| c.argv[0] == "psql").unwrap();
        prop_assert_eq!(psql.opt("--username"), Some(principal.as_str()));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

use proptest::test_runner::TestCaseError;
