//! Every manifest against the official Kubernetes schemas
//! (`kubernetes-validate --strict`), for Kubernetes 1.29 and for the newest
//! version the tool ships; the PrometheusRule, a custom resource without a
//! schema there, against the Prometheus Operator's shape.

use std::path::PathBuf;
use std::process::Command;

use pgplan_k8s::render_objects;
use serde_json::Value;

use crate::support::{
    builtin_yaml, every_kubernetes_plan, file_name, opts, seed_000, temp_dir, tool, valid,
};

/// The newest Kubernetes version the installed kubernetes-validate knows
/// (its default, which its help states).
fn newest_version(kv: &PathBuf) -> String {
    let help = Command::new(kv).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let after = text
        .split("Defaults to ")
        .nth(1)
        .unwrap_or_else(|| panic!("no default version in kubernetes-validate --help: {text}"));
    after
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .split(' ')
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

fn validate(kv: &PathBuf, version: &str, files: &[PathBuf], expected: usize) {
    let out = Command::new(kv)
        .args(["--strict", "-k", version])
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}{stderr}");
    assert!(
        out.status.success(),
        "kubernetes-validate {version} failed:\n{all}"
    );
    let passed = all.matches(" passed for resource ").count();
    assert_eq!(passed, expected, "kubernetes-validate {version}:\n{all}");
    assert!(!all.contains("ERROR") && !all.contains("failed"), "{all}");
}

#[test]
fn every_manifest_passes_the_official_schemas_of_1_29_and_the_newest_version() {
    let kv = tool("kubernetes-validate");
    let dir = temp_dir("schemas");
    let mut files = Vec::new();
    let mut expected = 0;
    for (name, plan) in every_kubernetes_plan() {
        let objects = render_objects(&valid(&plan), &opts()).unwrap();
        expected += objects.iter().filter(|o| o.is_builtin()).count();
        let path = dir.join(format!("{}.yaml", file_name(&name)));
        std::fs::write(&path, builtin_yaml(&objects)).unwrap();
        files.push(path);
    }
    let newest = newest_version(&kv);
    assert!(newest.starts_with("1."), "{newest}");
    for version in ["1.29.0", newest.as_str()] {
        validate(&kv, version, &files, expected);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn kubernetes_validate_rejects_a_broken_manifest() {
    // The check above means something only if the tool rejects what is wrong.
    let kv = tool("kubernetes-validate");
    let dir = temp_dir("schema-broken");
    let objects = render_objects(&valid(&seed_000()), &opts()).unwrap();
    let sts = objects.iter().find(|o| o.kind() == "StatefulSet").unwrap();
    let mut json = sts.to_json();
    json["spec"]["replicaz"] = Value::from(1);
    let path = dir.join("broken.yaml");
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let out = Command::new(&kv)
        .args(["--strict", "-k", "1.29.0"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn prometheus_rules_have_the_prometheus_operator_shape() {
    let mut checked = 0;
    for (name, plan) in every_kubernetes_plan() {
        for o in render_objects(&valid(&plan), &opts()).unwrap() {
            if o.kind() != "PrometheusRule" {
                continue;
            }
            checked += 1;
            let v = o.to_json();
            assert_eq!(v["apiVersion"], "monitoring.coreos.com/v1", "{name}");
            assert!(v["metadata"]["name"].is_string() && v["metadata"]["namespace"].is_string());
            let spec = v["spec"].as_object().unwrap();
            assert_eq!(spec.keys().collect::<Vec<_>>(), vec!["groups"], "{name}");
            let groups = spec["groups"].as_array().unwrap();
            assert!(!groups.is_empty());
            for g in groups {
                assert!(g["name"].as_str().is_some_and(|n| !n.is_empty()));
                let rules = g["rules"].as_array().unwrap();
                assert!(!rules.is_empty());
                for r in rules {
                    let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
                    for k in &keys {
                        assert!(
                            ["alert", "expr", "for", "labels", "annotations"].contains(&k.as_str()),
                            "{name}: {k}"
                        );
                    }
                    let alert = r["alert"].as_str().unwrap();
                    assert!(
                        alert.chars().next().unwrap().is_ascii_uppercase()
                            && alert.chars().all(|c| c.is_ascii_alphanumeric()),
                        "{alert}"
                    );
                    let expr = r["expr"].as_str().unwrap();
                    assert_eq!(
                        expr.matches('(').count(),
                        expr.matches(')').count(),
                        "{expr}"
                    );
                    assert_eq!(
                        expr.matches('{').count(),
                        expr.matches('}').count(),
                        "{expr}"
                    );
                    if let Some(f) = r.get("for") {
                        let f = f.as_str().unwrap();
                        let (n, unit) = f.split_at(f.find(|c: char| !c.is_ascii_digit()).unwrap());
                        assert!(
                            !n.is_empty() && ["ms", "s", "m", "h", "d", "w", "y"].contains(&unit),
                            "{f}"
                        );
                    }
                    assert!(
                        ["warning", "critical"]
                            .contains(&r["labels"]["severity"].as_str().unwrap())
                    );
                    assert!(
                        r["annotations"]["summary"].is_string()
                            && r["annotations"]["description"].is_string()
                    );
                }
            }
        }
    }
    assert!(checked >= 3, "{checked}");
}
