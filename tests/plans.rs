//! Every plan file in the repository reads, and its validation report is
//! snapshotted: corrected example plans and `tests/plans/pass` validate without
//! errors, `tests/plans/fail` plans (the seeds as written, the rules' failing
//! examples) report their defects.

use pgplan::{Plan, Severity};

fn read(path: &std::path::Path) -> Plan {
    let text = std::fs::read_to_string(path).unwrap();
    Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn example_plans_validate_without_errors() {
    insta::glob!("../examples/plans", "*.yaml", |path| {
        let report = read(path).report();
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn pass_plans_validate_without_errors() {
    insta::glob!("plans/pass", "*.yaml", |path| {
        let report = read(path).report();
        assert!(!report.has_errors(), "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

/// The rule a rule's example plan shows (`PGP142-azure-sku-capacity.yaml`
/// → `PGP142`).
fn rule_of(path: &std::path::Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let id = name.get(..6)?;
    (id.starts_with("PGP") && name.as_bytes().get(6) == Some(&b'-')).then_some(id)
}

/// Fail plans report errors; a rule's failing example reports its rule (a
/// warning, for a rule that only warns).
#[test]
fn fail_plans_report_errors() {
    insta::glob!("plans/fail", "*.yaml", |path| {
        let report = read(path).report();
        let reported = match rule_of(path) {
            Some(id) => report.by_id(id).next().is_some(),
            None => report.count(Severity::Error) > 0,
        };
        assert!(reported, "{}:\n{report}", path.display());
        insta::assert_yaml_snapshot!(report);
    });
}

#[test]
fn every_plan_file_round_trips_through_yaml_and_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["examples/plans", "tests/plans/pass", "tests/plans/fail"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let plan = read(&path);
                let yaml = plan.to_yaml().unwrap();
                assert_eq!(Plan::from_yaml(&yaml).unwrap(), plan, "{}", path.display());
                let json = plan.to_json().unwrap();
                assert_eq!(Plan::from_json(&json).unwrap(), plan, "{}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 15, "only {seen} plan files found");
}
