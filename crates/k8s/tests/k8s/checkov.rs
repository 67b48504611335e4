//! checkov on every rendered manifest, in one run (it takes seconds): no
//! failed check; the only skipped checks are the ones the plan forces, each
//! with its reason.

use std::process::Command;

use pgplan_k8s::render_files;
use serde_json::Value;

use crate::support::{every_kubernetes_plan, file_name, opts, temp_dir, tool, valid};

#[test]
fn checkov_reports_no_failed_check() {
    let checkov = tool("checkov");
    let dir = temp_dir("checkov");
    for (name, plan) in every_kubernetes_plan() {
        let files = render_files(&valid(&plan), &opts()).unwrap();
        std::fs::write(
            dir.join(format!("{}.yaml", file_name(&name))),
            &files["manifests.yaml"],
        )
        .unwrap();
    }
    let out = Command::new(&checkov)
        .args([
            "--framework",
            "kubernetes",
            "--skip-download",
            "--output",
            "json",
            "--directory",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // One framework gives an object; several, a list of them.
    let report = match &parsed {
        Value::Array(reports) => reports
            .iter()
            .find(|r| r["check_type"] == "kubernetes")
            .unwrap()
            .clone(),
        other => other.clone(),
    };
    let summary = &report["summary"];
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} {} ({})", c["check_id"], c["resource"], c["file_path"]))
        .collect();
    assert_eq!(
        summary["failed"],
        0,
        "checkov failed checks:\n{}",
        failed.join("\n")
    );
    assert_eq!(summary["parsing_errors"], 0);
    assert!(summary["passed"].as_u64().unwrap() > 500, "{summary}");
    for skipped in report["results"]["skipped_checks"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let id = skipped["check_id"].as_str().unwrap();
        assert!(
            ["CKV_K8S_40", "CKV_K8S_43"].contains(&id),
            "unexpected skip {id}"
        );
        let reason = skipped["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or_default();
        assert!(reason.contains("to enable this check"), "{id}: {reason}");
    }
    assert!(out.status.success(), "checkov exit {:?}", out.status);
    eprintln!(
        "checkov: {} passed, {} failed, {} skipped over {} resources",
        summary["passed"], summary["failed"], summary["skipped"], summary["resource_count"]
    );
    std::fs::remove_dir_all(&dir).ok();
}
