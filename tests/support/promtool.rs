//! The rendered PrometheusRule, run by Prometheus' own `promtool`: `check
//! rules` parses every expression, and `test rules` evaluates each alert on
//! series built from the plan's thresholds (not from the expressions): just
//! past the threshold it fires once its `for` has passed, and not before;
//! at or just below the threshold it never fires.

use std::path::Path;
use std::process::{Command, Output};

use pgplan::{Interval, ValidPlan, params};
use serde_json::{Value, json};

/// The input a test feeds one alert.
struct Case {
    alert: String,
    /// Series name and labels → values (promtool's expanding notation).
    firing: Vec<(String, String)>,
    quiet: Vec<(String, String)>,
    /// Labels the firing alert carries (besides the rule's own).
    labels: Vec<(String, String)>,
}

fn series(name: &str, labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

/// A gauge at `v` for 60 minutes.
fn flat(v: f64) -> String {
    format!("{v}x60")
}

fn hundredths(p: pgplan::Percent) -> f64 {
    f64::from(p.hundredths()) / 100.0
}

/// The alert cases for the rules a plan's thresholds render.
fn cases(plan: &ValidPlan, namespace: &str, base: &str) -> Vec<Case> {
    let pod = format!("{base}-0");
    let claim = format!("data-{base}-0");
    let t = &plan.monitoring.thresholds;
    let server = [
        ("namespace", namespace),
        ("pod", pod.as_str()),
        ("container", "postgresql"),
    ];
    let exporter = [("namespace", namespace), ("pod", pod.as_str())];
    let by_pod = vec![("pod".to_owned(), pod.clone())];
    let mut out = vec![Case {
        alert: "PostgresqlDown".into(),
        firing: vec![(series("pg_up", &exporter), flat(0.0))],
        quiet: vec![(series("pg_up", &exporter), flat(1.0))],
        labels: vec![
            ("namespace".into(), namespace.into()),
            ("pod".into(), pod.clone()),
        ],
    }];
    if let (Some(cpu), Some(limit)) = (&t.cpu, plan.sizing.cpu) {
        let cores = f64::from(limit.ceiling().as_millis()) / 1000.0;
        // A counter rising by `rate` core-seconds per second, sampled each minute.
        let rising = |share: f64| format!("0+{}x60", share * cores * 60.0);
        let at = hundredths(cpu.above) / 100.0;
        out.push(Case {
            alert: "PostgresqlHighCpu".into(),
            firing: vec![(
                series("container_cpu_usage_seconds_total", &server),
                rising(at + 0.01),
            )],
            quiet: vec![(
                series("container_cpu_usage_seconds_total", &server),
                rising(at - 0.01),
            )],
            labels: by_pod.clone(),
        });
    }
    if let (Some(mem), Some(memory)) = (&t.memory, plan.sizing.memory) {
        let limit = memory.ceiling().as_u64() as f64;
        let at = hundredths(mem.above) / 100.0;
        out.push(Case {
            alert: "PostgresqlHighMemory".into(),
            firing: vec![(
                series("container_memory_working_set_bytes", &server),
                flat((limit * (at + 0.01)).round()),
            )],
            quiet: vec![(
                series("container_memory_working_set_bytes", &server),
                flat((limit * at).floor()),
            )],
            labels: by_pod.clone(),
        });
    }
    if let Some(st) = &t.storage {
        let capacity = 10.0 * 1024.0 * 1024.0 * 1024.0;
        let at = hundredths(st.above) / 100.0;
        let volume = [
            ("namespace", namespace),
            ("persistentvolumeclaim", claim.as_str()),
        ];
        let with_available = |used: f64| {
            vec![
                (
                    series("kubelet_volume_stats_capacity_bytes", &volume),
                    flat(capacity),
                ),
                (
                    series("kubelet_volume_stats_available_bytes", &volume),
                    flat((capacity * (1.0 - used)).round()),
                ),
            ]
        };
        out.push(Case {
            alert: "PostgresqlStorageFull".into(),
            firing: with_available(at + 0.01),
            quiet: with_available(at - 0.01),
            labels: vec![
                ("namespace".into(), namespace.into()),
                ("persistentvolumeclaim".into(), claim.clone()),
            ],
        });
    }
    let max_connections = f64::from(plan.settings().get(params::MAX_CONNECTIONS).unwrap_or(100));
    let threshold = match &t.connections {
        Some(c) => f64::from(c.above),
        None => 0.8 * max_connections,
    };
    let connections = |count: f64| {
        vec![
            (
                series(
                    "pg_stat_activity_count",
                    &[
                        ("namespace", namespace),
                        ("pod", pod.as_str()),
                        ("datname", "postgres"),
                        ("state", "active"),
                    ],
                ),
                flat(count),
            ),
            (
                series("pg_settings_max_connections", &exporter),
                flat(max_connections),
            ),
        ]
    };
    out.push(Case {
        alert: "PostgresqlTooManyConnections".into(),
        firing: connections(threshold.floor() + 1.0),
        // At the threshold (or the last whole count below it): no alert.
        quiet: connections(threshold.floor()),
        labels: by_pod.clone(),
    });
    if let Some(slow) = &t.slow_query {
        let seconds = slow.above.as_millis() as f64 / 1000.0;
        let tx = |s: f64| {
            vec![(
                series(
                    "pg_stat_activity_max_tx_duration",
                    &[
                        ("namespace", namespace),
                        ("pod", pod.as_str()),
                        ("datname", "postgres"),
                        ("state", "active"),
                    ],
                ),
                flat(s),
            )]
        };
        out.push(Case {
            alert: "PostgresqlSlowQuery".into(),
            firing: tx(seconds + 0.5),
            quiet: tx(seconds),
            labels: by_pod.clone(),
        });
    }
    out
}

fn minutes(i: Interval) -> u64 {
    i.as_millis().div_ceil(60_000)
}

/// Writes the rule file and the unit tests for it into `dir`; returns the
/// rule file's path and the test file's path.
pub fn write_tests(
    plan: &ValidPlan,
    rule: &Value,
    dir: &Path,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let namespace = rule["metadata"]["namespace"].as_str().unwrap();
    let base = rule["metadata"]["name"].as_str().unwrap();
    let rules_file = dir.join("rules.yaml");
    std::fs::write(
        &rules_file,
        serde_json::to_string_pretty(&rule["spec"]).unwrap(),
    )
    .unwrap();
    let rendered: Vec<&Value> = rule["spec"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .collect();
    let mut tests = Vec::new();
    let all_cases = cases(plan, namespace, base);
    for r in &rendered {
        let alert = r["alert"].as_str().unwrap();
        let case = all_cases
            .iter()
            .find(|c| c.alert == alert)
            .unwrap_or_else(|| panic!("no test case for the rendered alert {alert}"));
        let sustained = r["for"]
            .as_str()
            .map(|f| f.parse::<Interval>().unwrap())
            .unwrap_or(Interval::ZERO);
        // promtool adds `alertname` itself.
        let mut labels = serde_json::Map::new();
        for (k, v) in r["labels"].as_object().unwrap() {
            labels.insert(k.clone(), v.clone());
        }
        for (k, v) in &case.labels {
            labels.insert(k.clone(), json!(v));
        }
        let firing_at = minutes(sustained) + 7;
        let mut checks = vec![json!({
            "eval_time": format!("{firing_at}m"),
            "alertname": alert,
            "exp_alerts": [{ "exp_labels": labels, "exp_annotations": r["annotations"] }],
        })];
        if minutes(sustained) > 1 {
            // Past the threshold, but not yet for long enough.
            checks.push(json!({
                "eval_time": format!("{}m", minutes(sustained) - 1),
                "alertname": alert,
                "exp_alerts": [],
            }));
        }
        let input = |s: &[(String, String)]| -> Vec<Value> {
            s.iter()
                .map(|(k, v)| json!({ "series": k, "values": v }))
                .collect()
        };
        tests.push(json!({
            "name": format!("{alert} fires past the plan's threshold"),
            "interval": "1m",
            "input_series": input(&case.firing),
            "alert_rule_test": checks,
        }));
        tests.push(json!({
            "name": format!("{alert} stays quiet at the plan's threshold"),
            "interval": "1m",
            "input_series": input(&case.quiet),
            "alert_rule_test": [{ "eval_time": "30m", "alertname": alert, "exp_alerts": [] }],
        }));
    }
    let test_file = dir.join("rules_test.yaml");
    std::fs::write(
        &test_file,
        serde_json::to_string_pretty(&json!({
            "rule_files": ["rules.yaml"],
            "evaluation_interval": "1m",
            "tests": tests,
        }))
        .unwrap(),
    )
    .unwrap();
    (rules_file, test_file)
}

/// Runs promtool with `args` in `dir`.
pub fn promtool(dir: &Path, args: &[&str]) -> Output {
    Command::new(super::promtool())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}
