//! Seed 001 (the Bill-Inquiry production server, corrected) renders into
//! what its hand-written script meant to do, and fixes what that script got
//! wrong.

use pgplan_azure::{Body, Method, OperationKind, render_files, render_operations, render_script};

use crate::support::seed;

#[test]
fn seed_001_renders_its_server() {
    let ops = render_operations(&seed().validate().expect("the plan validates")).unwrap();
    let server = &ops[0];
    assert_eq!(server.kind, OperationKind::ServerCreate);
    assert_eq!(server.method, Method::Put);
    let body = server.body_json().unwrap().unwrap();
    assert_eq!(body["location"], "koreacentral");
    assert_eq!(body["sku"]["name"], "Standard_D4s_v3");
    assert_eq!(body["sku"]["tier"], "GeneralPurpose");
    let p = &body["properties"];
    assert_eq!(p["version"], "14");
    assert_eq!(p["createMode"], "Create");
    assert_eq!(p["storage"]["storageSizeGB"], 256);
    assert_eq!(p["storage"]["autoGrow"], "Enabled");
    assert_eq!(p["storage"]["type"], "Premium_LRS");
    assert_eq!(p["availabilityZone"], "1");
    assert_eq!(p["highAvailability"]["mode"], "ZoneRedundant");
    assert_eq!(p["highAvailability"]["standbyAvailabilityZone"], "2");
    // Retention is a server property, not a parameter.
    assert_eq!(p["backup"]["backupRetentionDays"], 35);
    assert_eq!(p["backup"]["geoRedundantBackup"], "Enabled");
    assert_eq!(
        p["network"]["delegatedSubnetResourceId"],
        "/subscriptions/{subscriptionId}/resourceGroups/phonebill-rg/providers/Microsoft.Network/virtualNetworks/phonebill-vnet/subnets/database-subnet"
    );
    assert_eq!(
        p["network"]["privateDnsZoneArmResourceId"],
        "/subscriptions/{subscriptionId}/resourceGroups/phonebill-rg/providers/Microsoft.Network/privateDnsZones/phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com"
    );
    assert_eq!(p["authConfig"]["activeDirectoryAuth"], "Enabled");
    assert_eq!(p["authConfig"]["passwordAuth"], "Enabled");
    assert_eq!(p["administratorLogin"], "billadmin");
    assert!(p.get("administratorLoginPassword").is_none());
    assert_eq!(server.secrets.len(), 1);
    assert_eq!(
        server.secrets[0].field,
        "/properties/administratorLoginPassword"
    );
    assert!(server.secrets[0].description.contains("phonebill-kv"));
    assert_eq!(server.placeholders[0].placeholder, "{subscriptionId}");
}

#[test]
fn seed_001_parameters_go_through_the_configurations_api() {
    let ops = render_operations(&seed().validate().expect("the plan validates")).unwrap();
    let param = |name: &str| {
        ops.iter()
            .find(|o| o.id == format!("configuration:{name}"))
            .unwrap_or_else(|| {
                panic!(
                    "no {name} among {:?}",
                    ops.iter().map(|o| &o.id).collect::<Vec<_>>()
                )
            })
    };
    let value = |name: &str| param(name).configuration().unwrap().1.to_owned();
    // 16 GiB SKU: 25 % in 8 kB pages; work_mem in kB; max_wal_size in MB.
    assert_eq!(value("shared_buffers"), "524288");
    assert!(param("shared_buffers").needs_restart);
    assert_eq!(value("effective_cache_size"), "1572864");
    assert_eq!(value("maintenance_work_mem"), "1048576");
    assert_eq!(
        value("azure.extensions"),
        "pg_stat_statements,pg_trgm,uuid-ossp"
    );
    assert!(!param("azure.extensions").needs_restart);
    assert_eq!(
        value("shared_preload_libraries"),
        "pg_cron,pg_stat_statements"
    );
    assert!(param("shared_preload_libraries").needs_restart);
    assert_eq!(value("pg_stat_statements.track"), "top");
    assert_eq!(value("require_secure_transport"), "on");
    assert_eq!(value("ssl_min_protocol_version"), "TLSv1.2");
    assert_eq!(value("log_statement"), "none");
    assert_eq!(value("log_min_duration_statement"), "500");
    assert_eq!(
        value("log_line_prefix"),
        "%t [%p]: user=%u,db=%d,app=%a,client=%h "
    );
    let work_mem: u64 = value("work_mem").parse().unwrap();
    assert!(
        (4096..=2_097_151).contains(&work_mem),
        "work_mem {work_mem} kB is outside Azure's range"
    );
    let max_connections: u64 = value("max_connections").parse().unwrap();
    assert!(max_connections >= 240, "{max_connections}");
    assert!(param("max_connections").needs_restart);
    // Not parameters on Azure.
    for absent in [
        "backup_retention_days",
        "hot_standby",
        "archive_mode",
        "ssl",
    ] {
        assert!(
            !ops.iter()
                .any(|o| o.id == format!("configuration:{absent}")),
            "{absent}"
        );
    }
    // The restart follows the parameters.
    let restart = ops
        .iter()
        .position(|o| o.kind == OperationKind::Restart)
        .unwrap();
    let last_param = ops
        .iter()
        .rposition(|o| o.id.starts_with("configuration:") && o.server == ops[0].server)
        .unwrap();
    assert_eq!(restart, last_param + 1);
    assert!(ops[restart].summary.contains("shared_buffers"));
    assert!(
        ops[restart]
            .path
            .ends_with("/restart?api-version=2024-08-01")
    );
}

#[test]
fn seed_001_database_admin_and_replica() {
    let ops = render_operations(&seed().validate().expect("the plan validates")).unwrap();
    let db = ops
        .iter()
        .find(|o| o.id == "database:bill_inquiry_db")
        .unwrap();
    let body = db.body_json().unwrap().unwrap();
    assert_eq!(body["properties"]["charset"], "UTF8");
    assert_eq!(body["properties"]["collation"], "en_US.utf8");
    let admin = ops
        .iter()
        .find(|o| o.kind == OperationKind::Administrator)
        .unwrap();
    assert!(admin.path.contains("/administrators/{objectId}?"));
    assert_eq!(
        admin.body_json().unwrap().unwrap()["properties"]["principalType"],
        "Group"
    );
    assert!(
        admin
            .placeholders
            .iter()
            .any(|p| p.placeholder == "{objectId}")
    );
    // Private access: no firewall rules.
    assert!(!ops.iter().any(|o| o.kind == OperationKind::FirewallRule));
    // The replica is the last server; the metric alerts follow the servers.
    let replica = ops
        .iter()
        .rfind(|o| o.kind != OperationKind::MetricAlert)
        .unwrap();
    assert_eq!(replica.kind, OperationKind::ReplicaCreate);
    let first_alert = ops
        .iter()
        .position(|o| o.kind == OperationKind::MetricAlert)
        .unwrap();
    assert!(
        ops[first_alert..]
            .iter()
            .all(|o| o.kind == OperationKind::MetricAlert)
    );
    // The replica's own network comes with it.
    assert_eq!(replica.prerequisites.len(), 3);
    assert!(
        replica.prerequisites[0]
            .resource_id
            .ends_with("/virtualNetworks/phonebill-vnet-koreasouth/subnets/database-subnet")
    );
    let Some(Body::Server(server)) = &replica.body else {
        panic!()
    };
    assert_eq!(server.tracked_resource.location, "koreasouth");
    let body = replica.body_json().unwrap().unwrap();
    assert_eq!(body["properties"]["createMode"], "Replica");
    assert_eq!(
        body["properties"]["sourceServerResourceId"],
        "/subscriptions/{subscriptionId}/resourceGroups/phonebill-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/phonebill-bill-inquiry-prod-pg"
    );
    assert_eq!(body["sku"]["name"], "Standard_D4s_v3");
    assert_eq!(body["properties"]["storage"]["storageSizeGB"], 256);
    assert!(body["properties"].get("highAvailability").is_none());
}

#[test]
fn seed_001_script_uses_todays_cli_and_never_holds_a_secret() {
    let script = render_script(&seed().validate().expect("the plan validates")).unwrap();
    // One command per line, for matching.
    let joined = script
        .split(" \\\n")
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join(" ");
    for wanted in [
        "--zonal-resiliency Enabled",
        "--standby-zone 2",
        "db create --resource-group phonebill-rg --server-name phonebill-bill-inquiry-prod-pg --name bill_inquiry_db",
        "parameter set",
        "replica create",
        "microsoft-entra-admin create",
        "flexible-server restart",
        "admin_password=\"$(az keyvault secret show --vault-name phonebill-kv --name bill-inquiry-pg-admin --query value --output tsv)\"",
        "--admin-password @<(printf '%s' \"$admin_password\")",
        "--backup-retention 35",
        "--geo-redundant-backup Enabled",
        "--value '%t [%p]: user=%u,db=%d,app=%a,client=%h '",
    ] {
        assert!(joined.contains(wanted), "missing `{wanted}` in\n{script}");
    }
    for unwanted in [
        "--high-availability",
        "--database-name",
        "vnet-rule",
        "backup_retention_days",
        "ALTER SYSTEM",
        "echo \"$admin_password",
        "set -x",
    ] {
        assert!(!script.contains(unwanted), "`{unwanted}` in\n{script}");
    }
    // The server create is told to print nothing (its output would show the password).
    let create = script
        .split("az postgres flexible-server create")
        .nth(1)
        .unwrap();
    let create = &create[..create.find("\n\n").unwrap_or(create.len())];
    assert!(create.contains("--output none"), "{create}");
}

#[test]
fn files_are_json_and_bash() {
    let files = render_files(&seed().validate().expect("the plan validates")).unwrap();
    let ops: serde_json::Value = serde_json::from_str(&files["operations.json"]).unwrap();
    let ops = ops.as_array().unwrap();
    assert_eq!(ops[0]["method"], "PUT");
    assert!(ops.iter().all(|o| {
        let path = o["path"].as_str().unwrap();
        match o["kind"].as_str() {
            Some("metric_alert") => path.ends_with("?api-version=2018-03-01"),
            _ => path.ends_with("?api-version=2024-08-01"),
        }
    }));
    assert!(ops.iter().any(|o| o["kind"] == "metric_alert"));
    assert!(ops.iter().any(|o| o["needs_restart"] == true));
    assert_eq!(
        ops[0]["secrets"][0]["source"]["key_vault"]["vault"],
        "phonebill-kv"
    );
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(&files["deploy.sh"])
        .status()
        .unwrap();
    assert!(status.success(), "bash -n rejects the script");
}
