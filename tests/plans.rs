//! Every plan file in the repository reads, and its validation report is
//! snapshotted: corrected example plans and `tests/plans/pass` validate without
//! errors, `tests/plans/fail` plans (the seeds as written) report their defects.

use pgplan::{Plan, Severity};

fn read(path: &std::path::Path) -> Plan {
    let text = std::fs::read_to_string(path).unwrap();
    Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn example_plans_validate_without_errors() {
    insta::glob!("../examples/plans", "*.yaml", |path| {
        let report = read(path).validate();
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn pass_plans_validate_without_errors() {
    insta::glob!("plans/pass", "*.yaml", |path| {
        let report = read(path).validate();
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn fail_plans_report_errors() {
    insta::glob!("plans/fail", "*.yaml", |path| {
        let report = read(path).validate();
        assert!(
            report.count(Severity::Error) > 0,
            "{}:\n{report}",
            path.display()
        );
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn example_plans_round_trip_through_yaml_and_json() {
    insta::glob!("../examples/plans", "*.yaml", |path| {
        let plan = read(path);
        assert_eq!(Plan::from_yaml(&plan.to_yaml().unwrap()).unwrap(), plan);
        assert_eq!(Plan::from_json(&plan.to_json().unwrap()).unwrap(), plan);
    });
}
