//! The Azure rules and facts behind what the deploy script and apply run
//! beyond the server: Entra principals (PGP175), metric alerts (PGP176,
//! PGP177 and `azure_monitor::planned_alerts`), logical backups (PGP178).
//! Each rule's failing example reports it and its fixed example does not.

use pgplan_core::azure_monitor::{self, Aggregation, Metric};
use pgplan_core::validate::rules;
use pgplan_core::{Diagnostic, Interval, Plan, Report, Severity};

/// An Azure plan (seed 001's server, public access) to vary: `extra` is
/// inserted under `platform.azure`, `tail` appended at the end.
fn plan(extra: &str, tail: &str) -> Plan {
    variant(extra, "", "", "", tail)
}

/// Like [`plan`], with more parameters, roles and backups.
fn variant(extra: &str, parameters: &str, roles: &str, backups: &str, tail: &str) -> Plan {
    let text = format!(
        r#"
service: bill-inquiry
environment: production
version: 14
platform:
  azure:
    resource_group: phonebill-rg
    server_name: bill-pg
    region: koreacentral
    sku: {{ name: Standard_D4s_v3 }}
    storage: {{ size: 256Gi, auto_grow: true }}
    zone: "1"
    high_availability: {{ mode: zone_redundant, standby_zone: "2" }}
    administrator_login: pgadmin
    administrator_password: {{ key_vault: {{ vault: phonebill-kv, secret: pg-admin }} }}
{extra}tuning:
  parameters:
    max_connections: 200
{parameters}databases:
  - {{ name: bill, owner: bill_owner }}
roles:
  - {{ name: bill_owner, purpose: owner, login: true, password: {{ key_vault: {{ vault: phonebill-kv, secret: owner }} }} }}
{roles}backups:
  managed: {{ retention_days: 35 }}
{backups}{tail}"#
    );
    Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const ENTRA: &str = "    auth: { password: true, entra: true, administrators: [{ principal_name: bill-dba, principal_type: Group }] }\n    managed_identities: [bill-api-identity]\n";

fn entra_role(principal: &str, login: bool) -> String {
    format!(
        "  - {{ name: bill_app, purpose: application, login: {login}, password: {{ entra_identity: {{ principal: {principal} }} }} }}\n"
    )
}

/// `plan` with one more role.
fn with_role(extra: &str, role: &str, tail: &str) -> Plan {
    variant(extra, "", role, "", tail)
}

fn of<'a>(report: &'a Report, id: &'a str) -> Vec<&'a Diagnostic> {
    report.by_id(id).collect()
}

fn one<'a>(report: &'a Report, id: &str, path: &str) -> &'a Diagnostic {
    let hits: Vec<&Diagnostic> = report
        .diagnostics()
        .iter()
        .filter(|d| d.rule.id == id && d.path == path)
        .collect();
    match hits.as_slice() {
        [d] => d,
        _ => panic!("{} {id} finding(s) at {path}:\n{report}", hits.len()),
    }
}

#[test]
fn every_new_azure_rule_fails_its_example_and_passes_its_fix() {
    for id in ["PGP175", "PGP176", "PGP177", "PGP178", "PGP179"] {
        let info = rules::by_id(id).unwrap();
        assert!(info.name.starts_with("azure-"), "{info}");
        assert!(info.replaces.is_empty(), "{info}");
        assert!(!info.summary.is_empty() && !info.rationale.is_empty());
        let ex = info.examples.unwrap();
        let stem = format!("{id}-{}.yaml", info.name);
        assert!(ex.fail_path.ends_with(&stem) && ex.fixed_path.ends_with(&stem));
        let failing = Plan::from_yaml(ex.fail).unwrap().report();
        assert!(
            failing.by_id(id).next().is_some(),
            "{} does not report {id}:\n{failing}",
            ex.fail_path
        );
        let others: Vec<_> = failing.errors().filter(|d| d.rule.id != id).collect();
        assert!(others.is_empty(), "{}: {others:#?}", ex.fail_path);
        let fixed = Plan::from_yaml(ex.fixed).unwrap().report();
        assert_eq!(
            fixed.count(Severity::Error),
            0,
            "{}:\n{fixed}",
            ex.fixed_path
        );
        assert!(
            fixed.by_id(id).next().is_none(),
            "{}:\n{fixed}",
            ex.fixed_path
        );
    }
    // The range still holds every Azure rule in order.
    let ids: Vec<&str> = rules::infos()
        .map(|i| i.id)
        .filter(|id| ("PGP140"..="PGP179").contains(id))
        .collect();
    assert_eq!(ids.len(), 40);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

#[test]
fn pgp175_entra_roles_need_a_listed_identity_entra_and_an_administrator() {
    let ok = with_role(ENTRA, &entra_role("bill-api-identity", true), "");
    assert!(of(&ok.report(), "PGP175").is_empty(), "{}", ok.report());

    let unlisted = with_role(ENTRA, &entra_role("other-identity", true), "").report();
    let e = one(&unlisted, "PGP175", "roles[1].password");
    assert_eq!(e.severity, Severity::Error);
    assert!(
        e.message.contains("`other-identity`, which is not one of platform.azure.managed_identities (the plan lists bill-api-identity)"),
        "{}",
        e.message
    );

    let no_admin = ENTRA.replace(
        ", administrators: [{ principal_name: bill-dba, principal_type: Group }]",
        "",
    );
    let r = with_role(&no_admin, &entra_role("bill-api-identity", true), "").report();
    assert!(
        one(&r, "PGP175", "platform.azure.auth.administrators")
            .message
            .contains("only an Entra administrator can create Entra principals")
    );

    let off = "    managed_identities: [bill-api-identity]\n";
    let r = with_role(off, &entra_role("bill-api-identity", false), "").report();
    assert!(
        one(&r, "PGP175", "roles[1].password")
            .message
            .contains("Microsoft Entra authentication is off")
    );
    assert!(
        one(&r, "PGP175", "roles[1].login")
            .message
            .contains("an Entra principal is a login role")
    );

    let by_id = "    auth: { password: true, entra: true, administrators: [{ principal_name: bill-dba }] }\n    managed_identities: [\"/subscriptions/s/resourceGroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api\", \"-bad\"]\n";
    let r = with_role(by_id, &entra_role("api", true), "").report();
    assert_eq!(of(&r, "PGP175").len(), 1, "{r}");
    assert!(
        one(&r, "PGP175", "platform.azure.managed_identities[1]")
            .message
            .contains("neither a name nor a resource id")
    );
}

#[test]
fn pgp176_windows_frequencies_severities_and_action_groups() {
    for w in [
        "0s", "1min", "5min", "15min", "30min", "1h", "6h", "12h", "1d",
    ] {
        let p = plan(
            "",
            &format!("monitoring:\n  thresholds:\n    cpu: {{ above: 85%, for: {w} }}\n"),
        );
        assert!(of(&p.report(), "PGP176").is_empty(), "{w}: {}", p.report());
    }
    let r = plan("", "monitoring:\n  thresholds:\n    cpu: { above: 85%, for: 3min }\n    slow_query: { above: 1s, for: 2d }\n").report();
    let e = one(&r, "PGP176", "monitoring.thresholds.cpu.for");
    assert_eq!(e.severity, Severity::Error);
    assert!(
        e.message
            .contains("holds for 3min, which is no metric alert window"),
        "{}",
        e.message
    );
    assert_eq!(e.help, "set `for` to 1min or 5min");
    assert_eq!(
        one(&r, "PGP176", "monitoring.thresholds.slow_query.for").help,
        "set `for` to 1d"
    );

    let r = plan(
        "    alerts: { severity: 5, evaluation_frequency: 15min, action_groups: [pg-oncall, \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v\"] }\n",
        "monitoring:\n  thresholds:\n    cpu: { above: 85%, for: 5min }\n",
    )
    .report();
    assert_eq!(of(&r, "PGP176").len(), 3, "{r}");
    assert!(
        one(&r, "PGP176", "platform.azure.alerts.severity")
            .message
            .contains("severity 5 does not exist")
    );
    assert!(
        one(&r, "PGP176", "platform.azure.alerts.evaluation_frequency")
            .message
            .contains("every 15min, longer than the 5min window of the cpu alert")
    );
    assert!(
        one(&r, "PGP176", "platform.azure.alerts.action_groups[1]")
            .message
            .contains("not an action group")
    );
    let r = plan("    alerts: { evaluation_frequency: 2min }\n", "").report();
    assert!(
        one(&r, "PGP176", "platform.azure.alerts.evaluation_frequency")
            .message
            .contains("every 2min")
    );

    // A lag threshold counts only where it renders: on read replicas.
    let lag = "monitoring:\n  thresholds:\n    replication_lag: { above: 30s, for: 2min }\n";
    assert!(of(&plan("", lag).report(), "PGP176").is_empty());
    let replica = format!("topology:\n  replicas:\n    - {{ name: bill-pg-replica }}\n{lag}");
    let r = plan("", &replica).report();
    assert!(
        one(&r, "PGP176", "monitoring.thresholds.replication_lag.for")
            .message
            .contains("2min")
    );
}

#[test]
fn pgp177_says_what_has_no_metric() {
    let slow = "monitoring:\n  thresholds:\n    slow_query: { above: 500ms }\n";
    let r = plan("", slow).report();
    let info = one(&r, "PGP177", "monitoring.thresholds.slow_query");
    assert_eq!(info.severity, Severity::Info);
    assert!(
        info.message.contains("longest_query_time_sec above 0.5 s"),
        "{}",
        info.message
    );

    let off = variant(
        "",
        "    metrics.collector_database_activity: off\n",
        "",
        "",
        slow,
    );
    let r = off.report();
    let w = one(&r, "PGP177", "monitoring.thresholds.slow_query");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("is not rendered"), "{}", w.message);
    // The parameter itself is one Azure defines (no PGP078 placeholder warning).
    assert!(of(&r, "PGP078").is_empty(), "{r}");
    assert!(
        azure_monitor::planned_alerts(&off, &off.settings())
            .iter()
            .all(|a| a.metric != Metric::LongestQuerySeconds)
    );

    let lag = "monitoring:\n  thresholds:\n    replication_lag: { above: 30s }\n";
    let r = plan("", lag).report();
    assert_eq!(
        one(&r, "PGP177", "monitoring.thresholds.replication_lag").severity,
        Severity::Warning
    );
    let r = plan(
        "",
        &format!("topology:\n  replicas:\n    - {{ name: bill-pg-replica }}\n{lag}"),
    )
    .report();
    assert!(of(&r, "PGP177").is_empty(), "{r}");
}

#[test]
fn pgp178_logical_backups_on_azure_warn_with_where_to_run_them() {
    let dump = "  logical:\n    - { name: weekly, schedule: \"@weekly\", retention: 90d, databases: [bill], role: bill_owner }\n";
    let p = plan("", "");
    let r = variant("", "", "", dump, "").report();
    let w = one(&r, "PGP178", "backups.logical[0]");
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message
            .contains("`weekly` (@weekly) is not run by the Azure target"),
        "{}",
        w.message
    );
    assert!(
        w.help.contains("bill-pg.postgres.database.azure.com"),
        "{}",
        w.help
    );
    assert!(of(&p.report(), "PGP178").is_empty());
}

#[test]
fn planned_alerts_follow_the_thresholds() {
    let p = plan(
        "    alerts: { severity: 1 }\n",
        "topology:\n  replicas:\n    - { name: bill-pg-replica }\nmonitoring:\n  thresholds:\n    cpu: { above: 85%, for: 5min }\n    storage: { above: 80% }\n    slow_query: { above: 500ms }\n    replication_lag: { above: 1min, for: 15min }\n    failed_connections_per_minute: 10\n",
    );
    let alerts = azure_monitor::planned_alerts(&p, &p.settings());
    let names: Vec<String> = alerts.iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "bill-pg-cpu",
            "bill-pg-storage",
            "bill-pg-connections",
            "bill-pg-connections-failed",
            "bill-pg-longest-query",
            "bill-pg-replica-replication-lag"
        ]
    );
    let cpu = &alerts[0];
    assert_eq!(
        (cpu.metric, cpu.aggregation, cpu.threshold),
        (Metric::CpuPercent, Aggregation::Minimum, 85.0)
    );
    assert_eq!(
        (cpu.window, cpu.frequency),
        (Interval::minutes(5), Interval::minutes(1))
    );
    assert_eq!(
        cpu.description,
        "CPU above 85% for 5min (pgplan: monitoring.thresholds.cpu)"
    );
    let storage = &alerts[1];
    assert_eq!(
        (storage.aggregation, storage.window),
        (Aggregation::Maximum, Interval::minutes(1))
    );
    // The connection alert PGP073 announces: 80 % of max_connections.
    let connections = &alerts[2];
    assert_eq!(
        (connections.metric, connections.threshold),
        (Metric::ActiveConnections, 160.0)
    );
    assert!(
        connections
            .description
            .contains("80 % of max_connections 200")
    );
    assert!(
        p.report()
            .by_id("PGP073")
            .any(|d| d.message.contains("alerts above 160 connections"))
    );
    assert_eq!(alerts[3].aggregation, Aggregation::Total);
    assert_eq!(
        (alerts[4].threshold, alerts[4].aggregation),
        (0.5, Aggregation::Maximum)
    );
    let lag = &alerts[5];
    assert_eq!(
        (lag.server.as_str(), lag.metric, lag.threshold),
        ("bill-pg-replica", Metric::ReplicationDelaySeconds, 60.0)
    );
    assert_eq!(
        (lag.window, lag.frequency),
        (Interval::minutes(15), Interval::minutes(1))
    );
    // Other platforms get none.
    let k8s = Plan::from_yaml("service: s\nenvironment: development\nversion: 16\nplatform: { local: {} }\nmonitoring: { thresholds: { cpu: { above: 80% } } }\n").unwrap();
    assert!(azure_monitor::planned_alerts(&k8s, &k8s.settings()).is_empty());
}

/// The Azure CLI reads an argument that starts with `@` as a file to load:
/// an Entra administrator named so cannot go through the deploy script.
#[test]
fn pgp147_refuses_a_principal_name_the_cli_would_read_as_a_file() {
    let r = plan(
        "    auth: { password: true, entra: true, administrators: [{ principal_name: \"@dba\", principal_type: Group }] }\n",
        "",
    )
    .report();
    let e = one(
        &r,
        "PGP147",
        "platform.azure.auth.administrators[0].principal_name",
    );
    assert_eq!(e.severity, Severity::Error);
    assert!(e.message.contains("starts with `@`"), "{}", e.message);
    let ok = plan(
        "    auth: { password: true, entra: true, administrators: [{ principal_name: \"d@ba's team\", principal_type: Group }] }\n",
        "",
    )
    .report();
    assert!(of(&ok, "PGP147").is_empty(), "{ok}");
}

/// With a longer evaluation frequency, a threshold that fires at once takes
/// that window, and failed connections a minute are counted over it.
#[test]
fn at_once_alerts_follow_a_longer_evaluation_frequency() {
    let p = plan(
        "    alerts: { evaluation_frequency: 5min }\n",
        "monitoring:\n  thresholds:\n    storage: { above: 80% }\n    cpu: { above: 85%, for: 15min }\n    failed_connections_per_minute: 10\n",
    );
    assert!(of(&p.report(), "PGP176").is_empty(), "{}", p.report());
    let alerts = azure_monitor::planned_alerts(&p, &p.settings());
    let by = |key: &str| alerts.iter().find(|a| a.key == key).unwrap();
    let five = Interval::minutes(5);
    assert_eq!(
        (by("storage").window, by("storage").frequency),
        (five, five)
    );
    assert_eq!(by("storage").aggregation, Aggregation::Maximum);
    assert_eq!(
        (by("cpu").window, by("cpu").frequency),
        (Interval::minutes(15), five)
    );
    let failed = by("connections-failed");
    assert_eq!((failed.window, failed.threshold), (five, 50.0));
    assert!(
        failed
            .description
            .starts_with("more than 50 failed connections in 5 minutes (10 a minute)"),
        "{}",
        failed.description
    );
}
