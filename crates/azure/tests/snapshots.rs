//! Snapshots of `operations.json` and `deploy.sh` for every Azure plan in
//! examples/plans and tests/plans/pass (the rules' fixed examples only
//! render); other plans must be refused with an error that names their
//! platform.

use pgplan_azure::{Error, render_files};

use crate::support::{is_rule_example, read_plan};

fn snapshot(path: &std::path::Path) {
    let plan = read_plan(path);
    match plan.platform.azure() {
        Some(_) => {
            let files = crate::support::render(&plan.validate().expect("the plan validates"));
            if is_rule_example(path) {
                // The rules' fixed examples render (schema.rs checks their
                // requests); their snapshots would repeat one plan 35 times.
                return;
            }
            assert_eq!(
                files.keys().map(String::as_str).collect::<Vec<_>>(),
                ["deploy.sh", "operations.json"]
            );
            insta::assert_snapshot!("operations.json", files["operations.json"]);
            insta::assert_snapshot!("deploy.sh", files["deploy.sh"]);
        }
        None => {
            let err = render_files(&plan.validate().expect("the plan validates")).unwrap_err();
            assert!(matches!(err, Error::NotAzure { .. }), "{err}");
            assert!(err.to_string().contains(plan.platform.kind()), "{err}");
        }
    }
}

#[test]
fn example_plans() {
    insta::glob!("../../../examples/plans", "*.yaml", snapshot);
}

#[test]
fn pass_plans() {
    let mut settings = insta::Settings::clone_current();
    // tests/plans/pass may hold no plan yet.
    settings.set_allow_empty_glob(true);
    settings.bind(|| insta::glob!("../../../tests/plans/pass", "*.yaml", snapshot));
}

#[test]
fn rendering_is_deterministic() {
    for (path, plan) in crate::support::azure_plans() {
        assert_eq!(
            crate::support::render(&plan.validate().expect("the plan validates")),
            crate::support::render(&plan.validate().expect("the plan validates")),
            "{}",
            path.display()
        );
    }
}
