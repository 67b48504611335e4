use super::*;
use crate::apply::observe::ServerState;
use crate::render_operations;

/// A public-access server with a static and a dynamic parameter, a
/// database, an Entra administrator, a firewall rule and a replica.
const PLAN: &str = r#"
service: orders
environment: production
version: 16
platform:
  azure:
    subscription_id: ffffffff-ffff-ffff-ffff-ffffffffffff
    resource_group: orders-rg
    server_name: orders-prod-pg
    region: koreacentral
    sku: { name: Standard_D4ds_v5 }
    storage: { size: 128Gi, auto_grow: true }
    zone: "1"
    network:
      firewall_rules:
        - { name: office, start_ip: 203.0.113.0, end_ip: 203.0.113.255 }
    auth:
      entra: true
      administrators:
        - { principal_name: orders-dba, principal_type: Group, object_id: 0a0a0a0a-1111-2222-3333-444444444444 }
    administrator_login: ordersadmin
    administrator_password: { env: { var: ORDERS_PG_ADMIN_PASSWORD } }
topology:
  replicas:
    - { name: orders-prod-pg-replica }
tuning:
  parameters: { max_connections: 200, work_mem: 8MB }
databases:
  - { name: orders, owner: orders_owner, locale: en_US.UTF-8 }
roles:
  - { name: orders_owner, purpose: owner, login: true, password: { env: { var: ORDERS_OWNER_PASSWORD } } }
backups:
  managed: { retention_days: 14 }
"#;

fn ops() -> Vec<Operation> {
    let plan = pgplan_core::Plan::from_yaml(PLAN).unwrap();
    render_operations(&plan.validate().unwrap_or_else(|r| panic!("{r}"))).unwrap()
}

/// What Azure would hold after the operations ran: every resource as
/// the operations describe it.
fn converged(ops: &[Operation]) -> Observed {
    let mut observed = Observed::default();
    for op in ops {
        let state = observed
            .servers
            .entry(op.server.clone())
            .or_insert(ServerState::Absent);
        if let Some(Body::Server(s)) = &op.body {
            *state = ServerState::Present(Box::new(PresentServer::new((**s).clone())));
            continue;
        }
        if let Some(Body::MetricAlert(a)) = &op.body {
            observed
                .alerts
                .insert(child_name(op).to_owned(), (**a).clone());
            continue;
        }
        let ServerState::Present(p) = state else {
            panic!("{} before its server", op.id);
        };
        let child = child_name(op).to_owned();
        match &op.body {
            Some(Body::Configuration(_)) => {
                let (_, value) = op.configuration().unwrap();
                p.configurations.insert(
                    child,
                    models::ConfigurationProperties {
                        value: Some(value.to_owned()),
                        is_dynamic_config: Some(!op.needs_restart),
                        ..Default::default()
                    },
                );
            }
            Some(Body::Database(d)) => {
                p.databases.insert(child, d.properties.clone().unwrap());
            }
            Some(Body::Administrator(a)) => {
                let props = serde_json::to_value(a.properties.clone().unwrap()).unwrap();
                p.administrators
                    .insert(child, serde_json::from_value(props).unwrap());
            }
            Some(Body::FirewallRule(r)) => {
                p.firewall_rules.insert(child, r.properties.clone());
            }
            _ => {}
        }
    }
    observed
}

fn present<'a>(observed: &'a mut Observed, server: &str) -> &'a mut PresentServer {
    match observed.servers.get_mut(server) {
        Some(ServerState::Present(p)) => p,
        _ => panic!("{server} is not present"),
    }
}

fn step_of<'a>(changes: &'a [Change], id: &str) -> &'a Change {
    changes
        .iter()
        .find(|c| c.operation == id)
        .unwrap_or_else(|| panic!("no change for {id}"))
}

#[test]
fn nothing_on_azure_means_everything_is_created() {
    let ops = ops();
    let changes = diff(&ops, &Observed::default());
    assert_eq!(changes.len(), ops.len());
    for id in [
        "server",
        "database:orders",
        "administrator:orders-dba",
        "firewall_rule:office",
        "replica:orders-prod-pg-replica",
    ] {
        assert_eq!(step_of(&changes, id).step, Step::Create, "{id}");
    }
    let work_mem = step_of(&changes, "configuration:work_mem");
    assert_eq!(work_mem.step, Step::Update { patch: None });
    assert!(work_mem.reasons[0].contains("on the new server orders-prod-pg"));
    let restart = step_of(&changes, "restart");
    assert_eq!(restart.step, Step::Restart);
    assert!(restart.reasons[0].contains("max_connections"), "{restart}");
    assert!(changes.iter().all(|c| c.step.writes()));
}

#[test]
fn a_converged_server_needs_nothing() {
    let ops = ops();
    let changes = diff(&ops, &converged(&ops));
    let writes: Vec<String> = changes
        .iter()
        .filter(|c| c.step != Step::Unchanged)
        .map(ToString::to_string)
        .collect();
    assert_eq!(writes, ["skip       restart: no static parameter changes"]);
}

#[test]
fn a_dynamic_parameter_changes_without_a_restart_a_static_one_with() {
    let ops = ops();
    let mut observed = converged(&ops);
    let p = present(&mut observed, "orders-prod-pg");
    p.configurations.get_mut("work_mem").unwrap().value = Some("4096".into());
    let changes = diff(&ops, &observed);
    let work_mem = step_of(&changes, "configuration:work_mem");
    assert_eq!(work_mem.step, Step::Update { patch: None });
    assert_eq!(work_mem.reasons, ["work_mem 4096 → 8192"]);
    assert_eq!(step_of(&changes, "restart").step, Step::Skip);

    let p = present(&mut observed, "orders-prod-pg");
    p.configurations.get_mut("max_connections").unwrap().value = Some("100".into());
    let changes = diff(&ops, &observed);
    assert_eq!(
        step_of(&changes, "configuration:max_connections").reasons,
        ["max_connections 100 → 200 (static)"]
    );
    let restart = step_of(&changes, "restart");
    assert_eq!(restart.step, Step::Restart);
    assert_eq!(
        restart.reasons,
        ["static parameters change: max_connections"]
    );
    // The replica's restart is its own.
    assert_eq!(
        step_of(&changes, "replica:orders-prod-pg-replica").step,
        Step::Unchanged
    );
}

#[test]
fn a_read_only_parameter_is_refused() {
    let ops = ops();
    let mut observed = converged(&ops);
    let p = present(&mut observed, "orders-prod-pg");
    let c = p.configurations.get_mut("work_mem").unwrap();
    c.value = Some("4096".into());
    c.is_read_only = Some(true);
    let change = step_of(&diff(&ops, &observed), "configuration:work_mem").clone();
    assert_eq!(change.step, Step::Refuse);
    assert!(change.reasons[0].contains("read-only"), "{change}");
}

#[test]
fn a_server_property_is_patched_alone_and_create_only_ones_drift() {
    let ops = ops();
    let mut observed = converged(&ops);
    let server = &mut present(&mut observed, "orders-prod-pg").server;
    let props = server.properties.as_mut().unwrap();
    props.backup.as_mut().unwrap().backup_retention_days = Some(7);
    let changes = diff(&ops, &observed);
    let change = step_of(&changes, "server");
    let Step::Update { patch: Some(patch) } = &change.step else {
        panic!("{change}");
    };
    // As sent: the transport strips the models' null members.
    let mut sent = serde_json::to_value(patch).unwrap();
    crate::operation::strip_nulls(&mut sent);
    assert_eq!(
        sent,
        serde_json::json!({"properties": {"backup": {"backupRetentionDays": 14}}})
    );
    assert_eq!(change.reasons, ["backup retention 7 → 14 days"]);

    let server = &mut present(&mut observed, "orders-prod-pg").server;
    let props = server.properties.as_mut().unwrap();
    props.backup.as_mut().unwrap().backup_retention_days = Some(14);
    props.availability_zone = Some("3".into());
    let change = step_of(&diff(&ops, &observed), "server").clone();
    assert_eq!(change.step, Step::Drift);
    assert_eq!(
        change.detail(),
        "availability zone is 3, the plan says 1; it is chosen at server creation only"
    );
    assert!(!change.step.writes());
}

#[test]
fn databases_drift_rules_and_administrators_update() {
    let ops = ops();
    let mut observed = converged(&ops);
    let p = present(&mut observed, "orders-prod-pg");
    p.databases.get_mut("orders").unwrap().collation = Some("C".into());
    p.firewall_rules.get_mut("office").unwrap().end_ip_address = "203.0.113.127".into();
    p.administrators
        .get_mut("0a0a0a0a-1111-2222-3333-444444444444")
        .unwrap()
        .principal_name = Some("old-dba".into());
    let changes = diff(&ops, &observed);
    let db = step_of(&changes, "database:orders");
    assert_eq!(db.step, Step::Drift);
    assert!(
        db.detail()
            .contains("exists with UTF8 / C, the plan says UTF8 / en_US.utf8")
    );
    let rule = step_of(&changes, "firewall_rule:office");
    assert_eq!(
        rule.reasons,
        ["range 203.0.113.0–203.0.113.127 → 203.0.113.0–203.0.113.255"]
    );
    let admin = step_of(&changes, "administrator:orders-dba");
    assert_eq!(admin.step, Step::Update { patch: None });
    assert!(admin.reasons[0].contains("is old-dba (Group)"), "{admin}");
}

#[test]
fn an_alert_is_created_replaced_or_left_alone() {
    let ops = ops();
    let id = "alert:orders-prod-pg-connections";
    let mut observed = converged(&ops);
    assert_eq!(step_of(&diff(&ops, &observed), id).step, Step::Unchanged);
    let rule = observed
        .alerts
        .get_mut("orders-prod-pg-connections")
        .unwrap();
    rule.properties.evaluation_frequency = "PT5M".into();
    rule.properties
        .actions
        .push(crate::monitor::MetricAlertAction {
            action_group_id:
                "/subscriptions/x/resourceGroups/y/providers/microsoft.insights/actionGroups/z"
                    .into(),
        });
    let change = step_of(&diff(&ops, &observed), id).clone();
    assert_eq!(change.step, Step::Update { patch: None });
    assert_eq!(change.reasons[0], "evaluation frequency PT5M → PT1M");
    assert!(
        change.reasons[1].starts_with("action groups /subscriptions/x/"),
        "{change}"
    );
    observed.alerts.clear();
    assert_eq!(step_of(&diff(&ops, &observed), id).step, Step::Create);
}

#[test]
fn a_server_is_created_only_with_its_network() {
    let private = PLAN.replace(
            "    network:\n      firewall_rules:\n        - { name: office, start_ip: 203.0.113.0, end_ip: 203.0.113.255 }\n",
            "    network:\n      private: { vnet: orders-vnet, subnet: db-subnet, subnet_cidr: 10.0.2.0/24, subnet_delegated: true, private_dns_zone: orders-prod-pg.private.postgres.database.azure.com }\n",
        );
    let plan = pgplan_core::Plan::from_yaml(&private).unwrap();
    let ops = render_operations(&plan.validate().unwrap_or_else(|r| panic!("{r}"))).unwrap();
    let server = ops.iter().find(|o| o.id == "server").unwrap();
    assert_eq!(server.prerequisites.len(), 3);
    // Nothing read: everything missing, the create refused.
    let change = step_of(&diff(&ops, &Observed::default()), "server").clone();
    assert_eq!(change.step, Step::Refuse);
    assert_eq!(change.reasons.len(), 3, "{change}");
    assert!(change.reasons[0].starts_with("subnet db-subnet of VNet orders-vnet, delegated to Microsoft.DBforPostgreSQL/flexibleServers does not exist"), "{change}");
    let mut observed = Observed::default();
    for p in &server.prerequisites {
        observed.prerequisites.insert(
            p.resource_id.to_ascii_lowercase(),
            PrerequisiteState::Present,
        );
    }
    assert_eq!(step_of(&diff(&ops, &observed), "server").step, Step::Create);
    let subnet = server.prerequisites[0].resource_id.to_ascii_lowercase();
    observed.prerequisites.insert(
        subnet,
        PrerequisiteState::Wrong(
            "it is not delegated to Microsoft.DBforPostgreSQL/flexibleServers".into(),
        ),
    );
    let change = step_of(&diff(&ops, &observed), "server").clone();
    assert_eq!(change.step, Step::Refuse);
    assert!(
        change.reasons[0].contains("is not usable: it is not delegated"),
        "{change}"
    );
    // An existing server is not refused for its network.
    let converged = converged(&ops);
    assert_eq!(
        step_of(&diff(&ops, &converged), "server").step,
        Step::Unchanged
    );
}

#[test]
fn values_compare_like_azure_reports_them() {
    assert!(same_value("524288", "524288"));
    assert!(same_value("on", "ON"));
    assert!(same_value("on", "true"));
    assert!(same_value("1.1", "1.10"));
    assert!(same_value("pg_trgm,uuid-ossp", "UUID-OSSP, pg_trgm"));
    assert!(!same_value("top", "none"));
    assert!(!same_value("4096", "8192"));
}
