//! The metric alerts: the body pgplan's hand-written model writes into
//! `operations.json` (and apply PUTs) is, field by field, the body the real
//! Azure CLI 2.91 builds for the `az monitor metrics alert create` that
//! `deploy.sh` runs — the script is run with bash against the fake `az`,
//! and each recorded alert command goes through the CLI in-process
//! (`tools/az_check.py`), which captures the request instead of sending it.

use std::collections::BTreeMap;

use pgplan_azure::{Body, OperationKind, render_operations};
use serde_json::Value;

use crate::fake::{Fake, SUBSCRIPTION, az_check, environment, world};
use crate::support::{azure_plans, is_rule_example, name, render};

#[test]
fn the_cli_sends_exactly_the_rendered_alert_bodies() {
    let mut expected: BTreeMap<String, (String, Value)> = BTreeMap::new();
    let mut commands = Vec::new();
    for (path, plan) in azure_plans() {
        // Of the rules' examples, the alert rules' own (action groups,
        // severity, windows, a replica's lag); the others repeat one plan.
        let file = name(&path);
        if is_rule_example(&path) && !file.contains("PGP176") && !file.contains("PGP177") {
            continue;
        }
        let valid = plan.validate().expect("the plan validates");
        let ops = render_operations(&valid).unwrap();
        let alerts: Vec<_> = ops
            .iter()
            .filter(|o| o.kind == OperationKind::MetricAlert)
            .collect();
        if alerts.is_empty() {
            continue;
        }
        let mut fake = Fake::new("alerts", &world(&valid, &ops));
        fake.env = environment(&valid);
        let out = fake.run(&render(&valid)["deploy.sh"]);
        assert!(
            out.status.success(),
            "{}: {}",
            name(&path),
            String::from_utf8_lossy(&out.stderr)
        );
        let recorded: Vec<Vec<String>> = fake
            .calls()
            .into_iter()
            .filter(|c| c.is("monitor metrics alert create"))
            .map(|c| c.argv)
            .collect();
        assert_eq!(recorded.len(), alerts.len(), "{}", name(&path));
        for op in alerts {
            let Some(Body::MetricAlert(_)) = &op.body else {
                panic!("{}: an alert without its body", op.id);
            };
            let body = op.body_json().unwrap().unwrap().to_string();
            let body: Value =
                serde_json::from_str(&body.replace("{subscriptionId}", SUBSCRIPTION)).unwrap();
            let path_filled = op.path.replace("{subscriptionId}", SUBSCRIPTION);
            let key = format!("{} {}", name(&path), op.id);
            expected.insert(key, (path_filled, body));
        }
        commands.extend(recorded.into_iter().map(|argv| (name(&path), argv)));
    }
    assert!(expected.len() >= 15, "only {} alerts", expected.len());
    let argvs: Vec<Vec<String>> = commands.iter().map(|(_, a)| a.clone()).collect();
    let verdicts = az_check(&argvs);
    let mut compared = 0;
    for ((plan, argv), verdict) in commands.iter().zip(&verdicts) {
        let alert = argv[argv.iter().position(|a| a == "--name").unwrap() + 1].clone();
        let (path, body) = &expected[&format!("{plan} alert:{alert}")];
        let request = verdict
            .request
            .as_ref()
            .unwrap_or_else(|| panic!("{plan} {alert}: the CLI sent nothing: {}", verdict.output));
        assert_eq!(request["method"], "PUT", "{plan} {alert}");
        let url = request["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!("https://management.azure.com{path}"),
            "{plan} {alert}"
        );
        // A plain PUT: create or replace, no If-None-Match.
        assert_eq!(request["if"], serde_json::json!({}), "{plan} {alert}");
        assert_eq!(
            &request["body"], body,
            "{plan} {alert}: the CLI's body differs from operations.json"
        );
        compared += 1;
    }
    assert_eq!(compared, expected.len());
    // The comparison sees a difference where there is one: the body the
    // azure_mgmt_monitor 0.21 model writes lacks `criterionType`.
    let (_, body) = expected.values().next().unwrap();
    let mut crate_like = body.clone();
    crate_like["properties"]["criteria"]["allOf"][0]
        .as_object_mut()
        .unwrap()
        .remove("criterionType");
    assert_ne!(&crate_like, &verdicts[0].request.as_ref().unwrap()["body"]);
}

/// The model reads back what Azure answers for the rule it was sent
/// (response members it does not model are ignored), and two equal rules
/// have no differences while any field that differs is named.
#[test]
fn the_model_reads_azures_answer_and_names_differences() {
    let plan = crate::support::seed();
    let ops = render_operations(&plan.validate().unwrap()).unwrap();
    let op = ops
        .iter()
        .find(|o| o.kind == OperationKind::MetricAlert)
        .unwrap();
    let Some(Body::MetricAlert(sent)) = &op.body else {
        unreachable!()
    };
    let mut answer = op.body_json().unwrap().unwrap();
    answer["id"] = Value::String(op.resource_path().to_owned());
    answer["name"] = Value::String("x".into());
    answer["type"] = Value::String("Microsoft.Insights/metricAlerts".into());
    answer["properties"]["lastUpdatedTime"] = Value::String("2025-03-15T18:30:22Z".into());
    answer["properties"]["isMigrated"] = Value::Bool(false);
    answer["properties"]["scopes"][0] = Value::String(
        answer["properties"]["scopes"][0]
            .as_str()
            .unwrap()
            .to_ascii_lowercase(),
    );
    let read: pgplan_azure::monitor::MetricAlertResource = serde_json::from_value(answer).unwrap();
    assert!(
        sent.differences(&read).is_empty(),
        "{:?}",
        sent.differences(&read)
    );
    let mut changed = read.clone();
    changed.properties.severity = 4;
    changed.properties.window_size = "PT15M".into();
    assert_eq!(
        sent.differences(&changed),
        ["severity 4 → 2", "window PT15M → PT5M"]
    );
}
