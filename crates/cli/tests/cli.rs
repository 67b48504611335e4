//! The `pgplan` binary end to end: exit codes, report formats, rendering, and
//! diff/apply against a real PostgreSQL server started for this test binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pgplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run pgplan")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// miette wraps long messages across lines behind a gutter; join them back.
fn unwrapped(s: &str) -> String {
    s.replace(['│', '·'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn validate_exits_0_on_a_clean_plan() {
    let out = pgplan(&["validate", "examples/plans/prod-bill-inquiry.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("0 error(s)"));
}

#[test]
fn validate_exits_1_and_points_at_the_line_of_seed_001s_defects() {
    let out = pgplan(&[
        "validate",
        "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = unwrapped(&text(&out.stderr));
    assert!(err.contains("PGP001"), "{err}");
    assert!(err.contains("225 connections at peak"), "{err}");
    // The label sits on the line that sets max_connections.
    assert!(err.contains("max_connections: 200"), "{err}");
    assert!(
        err.contains("ALTER SYSTEM cannot run on Flexible Server"),
        "{err}"
    );
}

#[test]
fn validate_json_is_a_list_of_five_fields() {
    let out = pgplan(&[
        "validate",
        "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml",
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&out.stdout).expect("JSON list");
    assert!(!findings.is_empty());
    for f in &findings {
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(keys, ["help", "id", "message", "path", "severity"], "{f:?}");
    }
    assert!(
        findings
            .iter()
            .any(|f| f["id"] == "PGP001" && f["severity"] == "error")
    );
}

#[test]
fn unreadable_input_exits_2_and_names_the_line_and_field() {
    let dir = std::env::temp_dir().join(format!("pgplan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "service: x\nenvironment: production\nversion: 17\nplatform:\n  local: {}\nsizing:\n  memory: { request: 4 jigabytes }\n",
    )
    .unwrap();
    let out = pgplan(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 7"), "{err}");
    assert!(err.contains("sizing.memory.request"), "{err}");
    assert!(err.contains("jigabytes"), "{err}");

    let out = pgplan(&["validate", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn settings_show_provenance() {
    let out = pgplan(&["settings", "examples/plans/prod-bill-inquiry.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("shared_buffers "))
        .expect("shared_buffers");
    assert!(
        line.contains("4GB") && line.contains("25% of RAM") && line.contains("[restart]"),
        "{line}"
    );
}

#[test]
fn render_writes_every_target_and_refuses_plans_with_errors() {
    let dir = std::env::temp_dir().join(format!("pgplan-render-{}", std::process::id()));
    for (plan, target, file) in [
        (
            "examples/plans/prod-bill-inquiry.yaml",
            "azure",
            "deploy.sh",
        ),
        ("examples/plans/prod-bill-inquiry.yaml", "sql", "init.sql"),
        (
            "examples/plans/dev-product-change.yaml",
            "k8s",
            "manifests.yaml",
        ),
    ] {
        let out_dir = dir.join(target);
        let out = pgplan(&[
            "render",
            plan,
            "--target",
            target,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let written = std::fs::read_to_string(out_dir.join(file)).unwrap();
        assert!(!written.is_empty());
    }
    let out = pgplan(&[
        "render",
        "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml",
        "--target",
        "azure",
        "--out",
        dir.join("refused").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not rendered"));
    assert!(!dir.join("refused").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn diff_and_apply_converge_a_real_server() {
    let server = pgplan_testkit::shared(17);
    let dsn = server.dsn("postgres");
    let plan = "tests/plans/pass/local-minimal-with-roles.yaml";

    let out = pgplan(&["diff", plan, "--dsn", &dsn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("create role scratch_app"),
        "{}",
        text(&out.stdout)
    );

    // Without --yes, apply is a dry run.
    let out = pgplan(&["apply", plan, "--target", "sql", "--dsn", &dsn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("dry run"));
    assert!(
        server
            .psql(
                "postgres",
                "SELECT count(*) FROM pg_roles WHERE rolname = 'scratch_app'"
            )
            .unwrap()
            .contains('0')
    );

    let out = pgplan(&["apply", plan, "--target", "sql", "--dsn", &dsn, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let roles = server
        .psql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'scratch%'")
        .unwrap();
    assert!(
        roles.contains("scratch_app") && roles.contains("scratch_owner"),
        "{roles}"
    );

    let out = pgplan(&["apply", plan, "--target", "sql", "--dsn", &dsn, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 statements"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn apply_without_a_dsn_says_how_to_give_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args([
            "apply",
            "tests/plans/pass/local-minimal.yaml",
            "--target",
            "sql",
            "--yes",
        ])
        .current_dir(root())
        .env_remove("PGPLAN_DSN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--dsn"), "{}", text(&out.stderr));
}
