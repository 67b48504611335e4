//! Every plan file in the repository reads, and its validation report is
//! snapshotted with the lines its findings point at: corrected example plans and `tests/plans/pass` validate without
//! errors, `tests/plans/fail` plans (the seeds as written) report their defects.
//!
//! A rule's own examples are named after it (`PGP018-shared-buffers-size.yaml`
//! in both directories): the failing one reports that rule — an error, a
//! warning or an info, as the rule judges it — and PGP000's failing example
//! does not read at all.

use std::path::Path;

use pgplan::{Plan, Severity};

/// Invalid values are refused when the file is read: no rule runs.
const INVALID_VALUE: &str = "PGP000";

fn read(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).unwrap();
    let mut plan = Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // As the cli reads a plan file: its migrations from beside it.
    plan.read_migrations(path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plan
}

/// Every finding of the plan in a file, pointing at the lines it is about.
fn report(path: &Path) -> pgplan::Report {
    let text = std::fs::read_to_string(path).unwrap();
    read(path).report().located(&text)
}

/// The rule a rule example is named after (`PGP018`), if the file is one.
fn rule_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let id = name.get(..6)?;
    (id.starts_with("PGP")
        && id[3..].bytes().all(|b| b.is_ascii_digit())
        && name[6..].starts_with('-'))
    .then(|| id.to_owned())
}

#[test]
fn example_plans_validate_without_errors() {
    insta::glob!("../examples/plans", "*.yaml", |path| {
        let report = report(path);
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn pass_plans_validate_without_errors() {
    insta::glob!("plans/pass", "*.yaml", |path| {
        let report = report(path);
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        if let Some(id) = rule_of(path) {
            assert!(
                report.by_id(&id).next().is_none(),
                "{}: the fix still reports {id}:\n{report}",
                path.display()
            );
        }
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn fail_plans_report_errors() {
    insta::glob!("plans/fail", "*.yaml", |path| {
        let rule = rule_of(path);
        if rule.as_deref() == Some(INVALID_VALUE) {
            let text = std::fs::read_to_string(path).unwrap();
            let err = Plan::from_yaml(&text).expect_err("PGP000's example does not read");
            insta::assert_yaml_snapshot!(err.to_string());
            return;
        }
        let report = report(path);
        match &rule {
            Some(id) => assert!(
                report.by_id(id).next().is_some(),
                "{} does not report {id}:\n{report}",
                path.display()
            ),
            None => assert!(
                report.count(Severity::Error) > 0,
                "{}:\n{report}",
                path.display()
            ),
        }
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn every_plan_file_round_trips_through_yaml_and_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["examples/plans", "tests/plans/pass", "tests/plans/fail"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            if dir == "tests/plans/fail" && rule_of(&path).as_deref() == Some(INVALID_VALUE) {
                continue;
            }
            let plan = read(&path);
            let yaml = plan.to_yaml().unwrap();
            assert_eq!(Plan::from_yaml(&yaml).unwrap(), plan, "{}", path.display());
            let json = plan.to_json().unwrap();
            assert_eq!(Plan::from_json(&json).unwrap(), plan, "{}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 150, "only {seen} plan files found");
}

#[test]
fn rule_examples_are_named_after_their_rule() {
    assert_eq!(
        rule_of(Path::new(
            "tests/plans/fail/PGP018-shared-buffers-size.yaml"
        ))
        .as_deref(),
        Some("PGP018")
    );
    assert_eq!(rule_of(Path::new("seed-000-product-change.yaml")), None);
    assert_eq!(rule_of(Path::new("PGP0-x.yaml")), None);
}
