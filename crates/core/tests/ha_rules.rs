//! The rules of the local runner and the HA backend (PGP200–PGP239): each
//! rule's failing example reports it, its fixed example validates clean, and
//! the messages carry the plan's names, addresses and ports with the path of
//! the field to change.
//!
//! (A separate test binary: these rules are core's, but their checks are
//! about what `pgplan-ha` renders and runs.)

use pgplan_core::{Diagnostic, Plan, Report, Severity, runner};

fn ha_rules() -> Vec<&'static pgplan_core::RuleInfo> {
    pgplan_core::validate::rules::infos()
        .filter(|r| ("PGP200"..="PGP239").contains(&r.id))
        .collect()
}

fn report(yaml: &str) -> Report {
    Plan::from_yaml(yaml)
        .unwrap_or_else(|e| panic!("the plan does not read: {e}\n{yaml}"))
        .report()
}

fn of<'a>(report: &'a Report, id: &'a str) -> Vec<&'a Diagnostic> {
    report.by_id(id).collect()
}

fn seed() -> Plan {
    Plan::from_yaml(include_str!("../../../examples/plans/ha-cluster.yaml")).unwrap()
}

#[test]
fn every_rule_has_examples_named_after_it_and_they_behave() {
    let rules = ha_rules();
    assert_eq!(rules.len(), 11, "{rules:?}");
    for rule in rules {
        let ex = rule.examples.expect("every HA rule has examples");
        let stem = format!("{}-{}", rule.id, rule.name);
        assert_eq!(ex.fail_path, format!("tests/plans/fail/{stem}.yaml"));
        assert_eq!(ex.fixed_path, format!("tests/plans/pass/{stem}.yaml"));
        let failing = report(ex.fail);
        let found = of(&failing, rule.id);
        assert!(
            !found.is_empty(),
            "{stem}: the failing example does not report it:\n{failing}"
        );
        // Turning pg_rewind off is a choice with a cost, not a plan that
        // cannot run.
        let severity = if rule.id == "PGP210" {
            Severity::Warning
        } else {
            Severity::Error
        };
        assert!(found.iter().all(|d| d.severity == severity), "{failing}");
        let fixed = report(ex.fixed);
        assert!(
            !fixed.has_errors(),
            "{stem}: the fixed example has errors:\n{fixed}"
        );
        assert!(of(&fixed, rule.id).is_empty(), "{fixed}");
        assert!(!rule.rationale.is_empty() && !rule.summary.is_empty());
    }
}

#[test]
fn the_seed_cluster_and_the_test_clusters_validate_clean_of_every_ha_rule() {
    let plan = seed();
    let r = plan.report();
    assert!(!r.has_errors(), "{r}");
    for rule in ha_rules() {
        assert!(of(&r, rule.id).is_empty(), "{r}");
    }
}

#[test]
fn pgp200_patroni_on_kubernetes_and_azure_is_refused_at_the_topology() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP200-patroni-platform.yaml"
    ));
    let d = of(&r, "PGP200");
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0].path, "topology.patroni");
    assert!(
        d[0].message.contains("platform kubernetes"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].help.contains("platform: { local: {} }"),
        "{}",
        d[0].help
    );
}

#[test]
fn pgp201_each_host_problem_is_reported_at_its_field() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP201-local-loopback-hosts.yaml"
    ));
    let d = of(&r, "PGP201");
    let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "topology.patroni.members[0].host",
            "topology.patroni.members[1].host",
            "topology.patroni.etcd[0].host",
            "topology.patroni.endpoints.host",
        ],
        "{r}"
    );
    assert!(d[0].message.contains("127.0.0.1"), "{}", d[0].message);
    assert!(d[0].help.contains("127.0.0.11"), "{}", d[0].help);
    assert!(d[1].message.contains("has no host"), "{}", d[1].message);
    assert!(d[1].help.contains("127.0.0.12"), "{}", d[1].help);
    assert!(
        d[2].message.contains("10.0.0.21 is not a loopback"),
        "{}",
        d[2].message
    );
    assert!(
        d[3].message.contains("`db.example.com` is not an IPv4"),
        "{}",
        d[3].message
    );
}

#[test]
fn pgp202_two_members_on_one_address_point_at_the_host_and_port_reuse_at_the_port() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP202-local-port-clashes.yaml"
    ));
    let d = of(&r, "PGP202");
    let shown: Vec<(String, &str)> = d
        .iter()
        .map(|d| (d.path.to_string(), d.message.as_str()))
        .collect();
    // pg-0's exporter is on its REST API port; pg-1 shares pg-0's address, so
    // all three of its ports clash; pg-2's exporter clashes with its REST API.
    assert_eq!(d.len(), 5, "{r}");
    assert_eq!(shown[0].0, "monitoring.exporter.port");
    assert!(
        shown[0].1.contains(
            "member pg-0 postgres_exporter on 127.0.0.11:8008 clashes with member pg-0 Patroni REST API on 127.0.0.11:8008"
        ),
        "{}",
        shown[0].1
    );
    assert_eq!(shown[1].0, "topology.patroni.members[1].host");
    assert!(
        shown[1].1.contains(
            "member pg-1 PostgreSQL on 127.0.0.11:5432 clashes with member pg-0 PostgreSQL"
        ),
        "{}",
        shown[1].1
    );
    assert_eq!(shown[2].0, "topology.patroni.members[1].host");
    assert!(
        shown[3].0 == "topology.patroni.members[1].host"
            || shown[3].0 == "monitoring.exporter.port",
        "{shown:?}"
    );
    assert_eq!(shown[4].0, "monitoring.exporter.port");
}

#[test]
fn pgp202_port_zero_and_haproxy_on_a_member_address() {
    let mut plan = seed();
    let p = plan.topology.patroni.as_mut().unwrap();
    p.endpoints.host = Some("127.0.0.11".parse().unwrap());
    p.endpoints.stats_port = 9187;
    p.etcd[0].peer_port = 0;
    let r = plan.report();
    let d = of(&r, "PGP202");
    assert_eq!(d.len(), 2, "{r}");
    assert_eq!(d[0].path, "topology.patroni.etcd[0].peer_port");
    assert!(d[0].message.contains("port 0"), "{}", d[0].message);
    assert_eq!(d[1].path, "topology.patroni.endpoints.stats_port");
    assert!(
        d[1].message.contains(
            "HAProxy statistics port on 127.0.0.11:9187 clashes with member pg-0 postgres_exporter"
        ),
        "{}",
        d[1].message
    );
}

#[test]
fn pgp203_names_each_owned_parameter_and_where_its_value_belongs() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP203-runner-owned-parameters.yaml"
    ));
    let d = of(&r, "PGP203");
    assert_eq!(d.len(), 2, "{r}");
    assert_eq!(d[0].path, "tuning.parameters.port");
    assert!(d[0].help.contains("platform.local.port"), "{}", d[0].help);
    assert_eq!(d[1].path, "tuning.parameters.primary_conninfo");
    assert!(
        d[1].message.contains("Patroni points each standby"),
        "{}",
        d[1].message
    );

    // Patroni's parameters are the plan's own on a single local server, and
    // nothing is owned off the local platform.
    let single = "service: one\nenvironment: development\nversion: 17\nplatform: { local: {} }\nsizing: { cpu: { request: 2 }, memory: { request: 2Gi }, data_volume: 10Gi }\ntuning: { parameters: { cluster_name: one, unix_socket_directories: /tmp } }\n";
    let r = report(single);
    let d = of(&r, "PGP203");
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0].path, "tuning.parameters.unix_socket_directories");
}

#[test]
fn pgp204_pgp206_logins_the_cluster_connects_as() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP204-patroni-exporter-login.yaml"
    ));
    let d = of(&r, "PGP204");
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0].path, "monitoring.exporter");
    assert!(d[0].help.contains("purpose: monitoring"), "{}", d[0].help);

    let r = report(include_str!(
        "../../../tests/plans/fail/PGP206-patroni-replication-login.yaml"
    ));
    let paths: Vec<String> = of(&r, "PGP206")
        .iter()
        .map(|d| d.path.to_string())
        .collect();
    assert_eq!(paths, ["roles[0].login", "roles[0].password"], "{r}");
}

#[test]
fn pgp205_reserved_logins_depend_on_the_topology() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP205-runner-reserved-logins.yaml"
    ));
    let d = of(&r, "PGP205");
    assert_eq!(d.len(), 2, "{r}");
    assert_eq!(d[0].path, "roles[0].name");
    assert!(d[0].message.contains("`postgres`"), "{}", d[0].message);
    assert_eq!(d[1].path, "roles[1].name");
    assert!(d[1].help.contains("purpose: replication"), "{}", d[1].help);

    let mut plan = seed();
    assert_eq!(
        runner::reserved_logins(&plan),
        ["postgres", "pgplan_rewind", "replicator"]
    );
    plan.topology.patroni = None;
    assert_eq!(runner::reserved_logins(&plan), ["postgres"]);
}

#[test]
fn pgp207_read_replicas_on_this_machine() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP207-local-read-replicas.yaml"
    ));
    let d = of(&r, "PGP207");
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0].path, "topology.replicas");
}

#[test]
fn listeners_follow_the_plan_addresses_and_ports() {
    let plan = seed();
    let shown: Vec<String> = runner::listeners(&plan)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown[0],
        "etcd member etcd-1 (client port) on 127.0.0.21:2379"
    );
    assert_eq!(
        shown[1],
        "etcd member etcd-1 (peer port) on 127.0.0.21:2380"
    );
    assert_eq!(shown[6], "member pg-0 PostgreSQL on 127.0.0.11:5432");
    assert_eq!(shown[7], "member pg-0 Patroni REST API on 127.0.0.11:8008");
    assert_eq!(shown[8], "member pg-0 postgres_exporter on 127.0.0.11:9187");
    assert_eq!(shown[15], "HAProxy write port on 127.0.0.10:5000");
    assert_eq!(shown[17], "HAProxy statistics port on 127.0.0.10:8404");
}

#[test]
fn pgp208_names_shared_by_two_processes() {
    let r = report(include_str!(
        "../../../tests/plans/fail/PGP208-patroni-component-names.yaml"
    ));
    let d = of(&r, "PGP208");
    let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "topology.patroni.members[1].name",
            "topology.patroni.etcd[0].name"
        ],
        "{r}"
    );
    assert!(
        d[0].message.contains("has the name of HAProxy"),
        "{}",
        d[0].message
    );
    assert!(
        d[1].message.contains("has the name of member pg-0"),
        "{}",
        d[1].message
    );
}

#[test]
fn the_ha_plan_files_round_trip_through_yaml_and_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut seen = 0;
    for dir in ["tests/plans/pass", "tests/plans/fail"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("PGP2") {
                continue;
            }
            let plan = Plan::from_yaml(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(
                Plan::from_yaml(&plan.to_yaml().unwrap()).unwrap(),
                plan,
                "{name}"
            );
            assert_eq!(
                Plan::from_json(&plan.to_json().unwrap()).unwrap(),
                plan,
                "{name}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 22);
    // platform.local's new fields too.
    let yaml = "service: x\nenvironment: development\nversion: 17\nplatform: { local: { encoding: utf-8, locale: en_US.UTF-8, data_checksums: false } }\n";
    let plan = Plan::from_yaml(yaml).unwrap();
    let local = runner::local(&plan).unwrap();
    assert_eq!(local.encoding_or_default().as_str(), "UTF8");
    assert_eq!(local.locale_or_default().as_str(), "en_US.UTF-8");
    assert!(!local.data_checksums);
    assert_eq!(Plan::from_yaml(&plan.to_yaml().unwrap()).unwrap(), plan);
    let default = Plan::from_yaml(
        "service: x\nenvironment: development\nversion: 17\nplatform: { local: {} }\n",
    )
    .unwrap();
    assert!(runner::local(&default).unwrap().data_checksums);
    assert_eq!(
        runner::local(&default)
            .unwrap()
            .locale_or_default()
            .as_str(),
        "C.UTF-8"
    );
}
