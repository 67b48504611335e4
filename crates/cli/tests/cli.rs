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
        // Date rules (end of life) report the same on every day.
        .env("PGPLAN_AS_OF", "2026-12-06")
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
fn as_of_names_the_day_end_of_life_is_checked_for() {
    let plan = "tests/plans/fail/PGP093-end-of-life.yaml";
    let out = pgplan(&["validate", plan, "--as-of", "2026-03-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("end of life"),
        "{}",
        text(&out.stderr)
    );
    let out = pgplan(&["validate", plan, "--as-of", "2026-06-01"]);
    let err = unwrapped(&text(&out.stderr));
    assert!(
        err.contains("reaches its end of life on 2026-11-12, 164 day(s) after 2026-06-01"),
        "{err}"
    );
    // Without --as-of: PGPLAN_AS_OF (the test sets it; else today).
    let err = unwrapped(&text(&pgplan(&["validate", plan]).stderr));
    assert!(
        err.contains("reached its end of life on 2026-11-12, 24 day(s) before 2026-12-06"),
        "{err}"
    );
    let out = pgplan(&["validate", plan, "--as-of", "2026-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("2026-13-01 is not a day of the calendar"),
        "{}",
        text(&out.stderr)
    );
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
fn validate_json_lists_findings_with_their_rule_and_line() {
    let file = "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml";
    let out = pgplan(&["validate", file, "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&out.stdout).expect("JSON list");
    assert!(!findings.is_empty());
    for f in &findings {
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "column", "help", "id", "line", "message", "path", "rule", "severity"
            ],
            "{f:?}"
        );
        assert!(f["line"].is_u64() && f["column"].is_u64(), "{f:?}");
    }
    let budget = findings
        .iter()
        .find(|f| f["id"] == "PGP001" && f["severity"] == "error")
        .expect("a connection-budget error");
    assert_eq!(budget["rule"], "connection-budget");
    // The line the finding points at is the one that sets max_connections.
    let plan = std::fs::read_to_string(root().join(file)).unwrap();
    let line = budget["line"].as_u64().unwrap() as usize;
    let column = budget["column"].as_u64().unwrap() as usize;
    let text = plan.lines().nth(line - 1).unwrap();
    assert!(
        text[column - 1..].starts_with("max_connections: 200"),
        "line {line}, column {column}: {text}"
    );
}

/// The example plans `explain` prints are the files in tests/plans, as they
/// are now (the binary embeds them when it is built).
fn assert_prints_file(stdout: &str, path: &str) {
    let file = std::fs::read_to_string(root().join(path)).unwrap();
    assert!(stdout.contains(path), "{path} not named:\n{stdout}");
    let indented: String = file
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("    {l}\n")
            }
        })
        .collect();
    assert!(
        stdout.contains(&indented),
        "{path} not printed as it is:\n{stdout}"
    );
}

#[test]
fn explain_prints_what_a_rule_checks_why_and_its_examples() {
    let out = pgplan(&["explain", "PGP018"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("PGP018 shared-buffers-size\n"),
        "{stdout}"
    );
    let flat = unwrapped(&stdout);
    assert!(
        flat.contains("Checks: shared_buffers stays below the server's memory"),
        "{flat}"
    );
    assert!(
        flat.contains("Why: `shared_buffers` is allocated"),
        "{flat}"
    );
    assert!(flat.contains("Replaces: PGP003"), "{flat}");
    assert_prints_file(&stdout, "tests/plans/fail/PGP018-shared-buffers-size.yaml");
    assert_prints_file(&stdout, "tests/plans/pass/PGP018-shared-buffers-size.yaml");
    // What pgplan says about the failing example, with its line.
    assert!(
        flat.contains(
            "warning[PGP018] tuning.parameters.shared_buffers (line 14) shared_buffers 1GB is 50 %"
        ),
        "{flat}"
    );
    assert!(flat.contains("help: set shared_buffers to 512MB"), "{flat}");

    // By name, in any case.
    let by_name = pgplan(&["explain", "Shared-Buffers-Size"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(text(&by_name.stdout), stdout);
}

#[test]
fn explain_invalid_value_shows_the_reader_refusing_its_example() {
    let out = pgplan(&["explain", "pgp000"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_prints_file(&stdout, "tests/plans/fail/PGP000-invalid-value.yaml");
    assert_prints_file(&stdout, "tests/plans/pass/PGP000-invalid-value.yaml");
    assert!(
        unwrapped(&stdout).contains(
            "pgplan reports: line 9, column 22, field `sizing.memory.request`: invalid bytes `2 jigabytes`"
        ),
        "{stdout}"
    );
}

#[test]
fn explain_a_retired_id_lists_the_rules_it_became() {
    let out = pgplan(&["explain", "PGP011"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("PGP011 roles-privileges is retired"),
        "{stdout}"
    );
    let became = pgplan_core::validate::rules::retired("PGP011").unwrap();
    assert_eq!(became.len(), 15);
    for id in became {
        let info = pgplan_core::validate::rules::by_id(id).unwrap();
        assert!(
            stdout.contains(&format!("  {} {}\n", info.id, info.name)),
            "{id}: {stdout}"
        );
    }
}

#[test]
fn explain_an_unknown_id_exits_2_and_names_the_close_ones() {
    let out = pgplan(&["explain", "PGP0011"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("no rule `PGP0011`"), "{err}");
    assert!(err.contains("PGP001") && err.contains("PGP011"), "{err}");

    let out = pgplan(&["explain", "vacuum-settings"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("pgplan explain --list"));
}

#[test]
fn explain_list_prints_every_rule_on_a_line() {
    let out = pgplan(&["explain", "--list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let infos: Vec<_> = pgplan_core::validate::rules::infos().collect();
    assert_eq!(lines.len(), infos.len(), "{stdout}");
    for (line, info) in lines.iter().zip(&infos) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&words[..2], [info.id, info.name], "{line}");
        assert!(line.ends_with(info.summary), "{line}");
    }
    // --list takes no id.
    assert_eq!(
        pgplan(&["explain", "--list", "PGP001"]).status.code(),
        Some(2)
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

/// `diff` and `apply` over several plans end alike: with `--output json`
/// one list naming each plan's file (a plan with errors is its `error`),
/// the summary line on stderr naming the failed plan, and the worst exit
/// code; nothing is changed by a dry run.
#[test]
fn diff_and_apply_over_several_plans_list_each_and_sum_up() {
    let server = pgplan_testkit::shared(17);
    let dsn = server.dsn("postgres");
    let good = "tests/plans/pass/local-minimal-with-roles.yaml";
    let bad = "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml";
    for (args, verb) in [
        (
            vec!["diff", good, bad, "--dsn", &dsn, "--output", "json"],
            "diffed",
        ),
        (
            vec![
                "apply", good, bad, "--target", "sql", "--dsn", &dsn, "--output", "json",
            ],
            "applied",
        ),
    ] {
        let out = pgplan(&args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{verb}: {e}: {}", text(&out.stdout)));
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(list[0]["file"], good, "{}", list[0]);
        assert!(list[0].get("error").is_none(), "{}", list[0]);
        assert_eq!(list[1]["file"], bad, "{}", list[1]);
        assert!(list[1].get("error").is_some(), "{}", list[1]);
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{verb} 2 plans: 1 ok, 1 failed"))
                && stderr.contains(&format!("failed: {bad}")),
            "{stderr}"
        );
    }
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

    // --verbose shows the statements a change runs.
    let out = pgplan(&["diff", plan, "--dsn", &dsn, "--verbose"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let statements = stdout.split("statements:\n").nth(1).unwrap_or_default();
    assert!(
        statements.contains("CREATE ROLE") && statements.contains("scratch_app"),
        "{stdout}"
    );

    // --output json lists what ran.
    let out = pgplan(&[
        "apply", plan, "--target", "sql", "--dsn", &dsn, "--yes", "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let executed = report["executed"].as_array().unwrap();
    assert_eq!(report["statements"].as_u64(), Some(executed.len() as u64));
    assert!(
        executed
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("CREATE ROLE")),
        "{report}"
    );
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
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--dsn"), "{}", text(&out.stderr));
}

/// `apply` and `diff` connect while the plan is read; a plan with errors
/// is still what they report (with `validate`'s exit code), never the
/// server it did not need.
#[test]
fn a_plan_with_errors_is_reported_before_its_server() {
    let plan = "tests/plans/fail/PGP001-connection-budget.yaml";
    let validate = pgplan(&["validate", plan]);
    let dsn = "postgresql://nobody@127.0.0.1:1/postgres";
    for args in [
        vec!["apply", plan, "--target", "sql", "--yes", "--dsn", dsn],
        vec!["diff", plan, "--dsn", dsn],
    ] {
        let out = pgplan(&args);
        assert_eq!(out.status.code(), validate.status.code(), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("PGP001"), "{stderr}");
        assert!(!stderr.contains("127.0.0.1:1"), "{stderr}");
    }
}

/// A plan file whose migrations live in a directory beside it.
fn plan_with_migrations_dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgplan-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    for (name, sql) in files {
        std::fs::write(dir.join("migrations").join(name), sql).unwrap();
    }
    let plan =
        std::fs::read_to_string(root().join("tests/plans/pass/PGP332-migration-version-gaps.yaml"))
            .unwrap();
    let (head, _) = plan.split_once("      scripts:").unwrap();
    let roles = &plan[plan.find("roles:").unwrap()..];
    let path = dir.join("plan.yaml");
    std::fs::write(&path, format!("{head}      directory: migrations\n{roles}")).unwrap();
    path
}

#[test]
fn validate_reads_the_migrations_directory_beside_the_plan() {
    let path = plan_with_migrations_dir(
        "gap",
        &[
            ("V1__init.sql", "CREATE TABLE item (id int);"),
            ("V3__more.sql", "CREATE TABLE more (id int);"),
            ("README.md", "not a script"),
        ],
    );
    let out = pgplan(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = unwrapped(&text(&out.stderr));
    assert!(stderr.contains("PGP332"), "{stderr}");
    assert!(
        stderr.contains("run V1 to V3 but V2 is missing"),
        "{stderr}"
    );

    std::fs::remove_dir_all(path.parent().unwrap().join("migrations")).unwrap();
    let out = pgplan(&["validate", path.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = unwrapped(&text(&out.stderr));
    assert!(
        stderr.contains("databases[0].migrations.directory `migrations`: cannot read"),
        "{stderr}"
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
