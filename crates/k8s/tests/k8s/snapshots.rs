//! The rendered YAML of every example and passing test plan, reviewed as
//! snapshots (plans on other platforms are refused by name instead).

use pgplan_core::Plan;
use pgplan_k8s::{Error, render_files};

use crate::support::{opts_for, valid, variants};

fn check(path: &std::path::Path) {
    let plan = Plan::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let plan_ok = plan.validate();
    let opts = plan_ok.as_ref().map(opts_for).unwrap_or_default();
    match render_files(&valid(&plan), &opts) {
        Ok(files) => insta::assert_snapshot!("manifests", files["manifests.yaml"]),
        Err(e) => {
            assert!(
                plan.platform.kubernetes().is_none(),
                "{}: {e}",
                path.display()
            );
            assert!(matches!(e, Error::NotKubernetes { .. }), "{e:?}");
        }
    }
}

#[test]
fn example_plans() {
    insta::glob!("../../../../examples/plans", "*.yaml", check);
}

#[test]
fn passing_test_plans() {
    insta::glob!("../../../../tests/plans/pass", "*.yaml", check);
}

#[test]
fn variants_with_read_replicas() {
    for (name, plan) in variants() {
        let plan = valid(&plan);
        let files = render_files(&plan, &opts_for(&plan)).unwrap();
        insta::assert_snapshot!(name.replace('/', "__"), files["manifests.yaml"]);
    }
}

#[test]
fn bootstrap_script_and_readme_of_the_kubernetes_example_plans() {
    insta::glob!("../../../../examples/plans", "*.yaml", |path| {
        let plan = Plan::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
        if plan.platform.kubernetes().is_none() {
            return;
        }
        let plan = valid(&plan);
        let files = render_files(&plan, &opts_for(&plan)).unwrap();
        insta::assert_snapshot!("bootstrap", files["bootstrap-secrets.sh"]);
        insta::assert_snapshot!("readme", files["README.md"]);
    });
}
