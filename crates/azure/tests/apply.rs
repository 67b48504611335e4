//! Apply against the local ARM stand-in (see `standin.rs`): the generated
//! client, real `azure_identity` client-secret credentials (pointed at the
//! stand-in's token endpoint), long-running operations, throttling, a
//! failed operation, and the dry run that reads the same state and sends
//! nothing.

use std::sync::Arc;
use std::time::Duration;

use pgplan_azure::apply::{Applier, ApplyOptions, Outcome, Step, diff};
use pgplan_azure::{Body, Error, OperationKind, PrerequisiteKind, render_operations};
use serde_json::json;

use crate::standin::StandIn;
use crate::support::seed;

const SUBSCRIPTION: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
const GROUP_ID: &str = "0a0a0a0a-1111-2222-3333-444444444444";
const PASSWORD: &str = "Stand-in-Passw0rd!";
const SERVER: &str = "/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/phonebill-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/phonebill-bill-inquiry-prod-pg";

/// A stand-in holding the seed's administrator password and the network
/// its servers need (subnets delegated, zones linked to the VNets).
async fn standin() -> StandIn {
    let s = bare_standin().await;
    seed_network(&s, &seed().validate().unwrap());
    s
}

/// A stand-in holding only the seed's administrator password.
async fn bare_standin() -> StandIn {
    let s = StandIn::start().await;
    s.with(|st| {
        st.secrets.insert(
            ("phonebill-kv".into(), "bill-inquiry-pg-admin".into()),
            PASSWORD.into(),
        );
    });
    s
}

/// Puts every network prerequisite of a plan in the stand-in, as Azure
/// reports them.
fn seed_network(standin: &StandIn, plan: &pgplan_core::ValidPlan) {
    let fill = |s: &str| s.replace("{subscriptionId}", SUBSCRIPTION);
    for op in render_operations(plan).unwrap() {
        for p in &op.prerequisites {
            let id = fill(&p.resource_id);
            let value = match p.kind {
                PrerequisiteKind::DelegatedSubnet => json!({
                    "id": id, "name": id.rsplit('/').next(),
                    "properties": { "addressPrefix": p.address_prefix, "delegations": [
                        { "name": "0", "properties": { "serviceName": "Microsoft.DBforPostgreSQL/flexibleServers" } }
                    ] }
                }),
                PrerequisiteKind::PrivateDnsZone => json!({ "id": id, "location": "global" }),
                PrerequisiteKind::VnetLink => json!({
                    "id": id, "location": "global",
                    "properties": { "registrationEnabled": false, "virtualNetwork": {
                        "id": fill(p.virtual_network_id.as_deref().unwrap_or_default()) } }
                }),
            };
            standin.with(|s| s.network.insert(id.to_ascii_lowercase(), value));
        }
    }
}

fn applier(standin: &StandIn) -> Applier {
    let authority = azure_core::Url::parse(&standin.url).unwrap();
    let credential = azure_identity::ClientSecretCredential::new(
        azure_core::new_http_client(),
        authority,
        "stand-in-tenant".into(),
        "stand-in-client".into(),
        "stand-in-secret".into(),
    );
    let options = ApplyOptions::new()
        .endpoint(&standin.url)
        .subscription_id(SUBSCRIPTION)
        .object_id("phonebill-admin", GROUP_ID)
        .key_vault_url(format!("{}/vaults/{{vault}}", standin.url))
        .poll_interval(Duration::from_millis(20));
    Applier::new(Arc::new(credential), options).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_creates_everything_then_has_nothing_to_do() {
    let standin = standin().await;
    let applier = applier(&standin);
    let plan = seed();

    let report = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    assert_eq!(
        report.get("server").unwrap().outcome,
        Outcome::Created,
        "{report}"
    );
    assert_eq!(
        report.get("database:bill_inquiry_db").unwrap().outcome,
        Outcome::Created
    );
    assert_eq!(
        report.get("administrator:phonebill-admin").unwrap().outcome,
        Outcome::Created
    );
    assert_eq!(
        report
            .get("replica:phonebill-bill-inquiry-prod-pg-replica")
            .unwrap()
            .outcome,
        Outcome::Created
    );
    assert_eq!(
        report.get("configuration:shared_buffers").unwrap().outcome,
        Outcome::Updated
    );
    let restart = report.get("restart").unwrap();
    assert_eq!(restart.outcome, Outcome::Updated, "{report}");
    assert!(
        restart.detail.contains("shared_buffers"),
        "{}",
        restart.detail
    );
    assert_eq!(
        standin.with(|s| s.restarts.clone()),
        ["phonebill-bill-inquiry-prod-pg"]
    );

    // The protocol: PUT → 201 with Azure-AsyncOperation → polls → final GET.
    let log = standin.with(|s| s.log.clone());
    let put = log
        .iter()
        .position(|l| l.method == "PUT" && l.path.starts_with(&format!("{SERVER}?")))
        .unwrap();
    assert_eq!(log[put].status, 201);
    let polls: Vec<_> = log[put + 1..]
        .iter()
        .take_while(|l| l.path.contains("/azureAsyncOperation/"))
        .collect();
    assert_eq!(polls.len(), 3, "two InProgress, one Succeeded");
    let final_get = &log[put + 1 + polls.len()];
    assert_eq!((final_get.method.as_str(), final_get.status), ("GET", 200));
    assert!(final_get.path.starts_with(&format!("{SERVER}?")));
    // The password came from Key Vault into the body, and only there.
    let sent = log[put].body.clone().unwrap();
    assert_eq!(sent["properties"]["administratorLoginPassword"], PASSWORD);
    assert_eq!(
        sent["properties"]["network"]["delegatedSubnetResourceId"],
        format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/phonebill-rg/providers/Microsoft.Network/virtualNetworks/phonebill-vnet/subnets/database-subnet"
        )
    );
    assert!(!report.to_string().contains(PASSWORD));
    // The administrator went to its object id.
    assert!(
        log.iter()
            .any(|l| l.method == "PUT" && l.path.contains(&format!("/administrators/{GROUP_ID}?")))
    );
    // Every ARM request carried its provider's api-version.
    for l in log.iter().filter(|l| l.path.starts_with("/subscriptions/")) {
        let version = if l.path.contains("/metricAlerts/") {
            "api-version=2018-03-01"
        } else if l.path.contains("/privateDnsZones/") {
            "api-version=2018-09-01"
        } else if l.path.contains("/Microsoft.Network/") {
            "api-version=2024-05-01"
        } else {
            "api-version=2024-08-01"
        };
        assert!(l.path.contains(version), "{} {}", l.method, l.path);
    }
    // The metric alerts were PUT as rendered (the subscription filled in),
    // after the servers they watch.
    let ops = render_operations(&plan.validate().unwrap()).unwrap();
    let alerts: Vec<_> = ops
        .iter()
        .filter(|o| o.kind == OperationKind::MetricAlert)
        .collect();
    assert!(alerts.len() >= 5, "{alerts:?}");
    let replica_put = log
        .iter()
        .position(|l| l.method == "PUT" && l.path.contains("-replica?"))
        .unwrap();
    for op in alerts {
        assert_eq!(
            report.get(&op.id).unwrap().outcome,
            Outcome::Created,
            "{report}"
        );
        let put = log
            .iter()
            .position(|l| {
                l.method == "PUT"
                    && l.path
                        .starts_with(&op.path.replace("{subscriptionId}", SUBSCRIPTION))
            })
            .unwrap_or_else(|| panic!("{} was not sent", op.id));
        assert!(put > replica_put, "{} before the servers", op.id);
        let Some(Body::MetricAlert(_)) = &op.body else {
            unreachable!()
        };
        let want: serde_json::Value = serde_json::from_str(
            &op.body_json()
                .unwrap()
                .unwrap()
                .to_string()
                .replace("{subscriptionId}", SUBSCRIPTION),
        )
        .unwrap();
        assert_eq!(log[put].body.as_ref(), Some(&want), "{}", op.id);
        assert_eq!(log[put].status, 201);
    }

    // Again: nothing differs, nothing is sent.
    let writes_before = standin.writes().len();
    let again = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    assert!(again.is_noop(), "{again}");
    assert_eq!(again.get("restart").unwrap().outcome, Outcome::Skipped);
    assert_eq!(
        standin.writes().len(),
        writes_before,
        "{:?}",
        &standin.writes()[writes_before..]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_sends_only_what_differs_and_restarts_only_for_static_changes() {
    let standin = standin().await;
    let applier = applier(&standin);
    let plan = seed();
    applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    let restarts = standin.with(|s| s.restarts.len());

    // A dynamic parameter drifted: one PUT, no restart.
    standin.with(|s| {
        let c = s
            .configurations
            .get_mut("phonebill-bill-inquiry-prod-pg")
            .unwrap();
        c.get_mut("work_mem").unwrap()["properties"]["value"] = json!("4096");
    });
    let before = standin.writes().len();
    let report = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    let writes = standin.writes()[before..].to_vec();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].ends_with("/configurations/work_mem"),
        "{writes:?}"
    );
    assert_eq!(report.get("restart").unwrap().outcome, Outcome::Skipped);
    assert_eq!(standin.with(|s| s.restarts.len()), restarts);

    // A static one drifted: its PUT and a restart.
    standin.with(|s| {
        let c = s
            .configurations
            .get_mut("phonebill-bill-inquiry-prod-pg")
            .unwrap();
        c.get_mut("shared_buffers").unwrap()["properties"]["value"] = json!("16384");
    });
    let before = standin.writes().len();
    let report = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    let writes = standin.writes()[before..].to_vec();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(writes[0].ends_with("/configurations/shared_buffers"));
    assert!(writes[1].ends_with("/restart"));
    assert_eq!(report.get("restart").unwrap().outcome, Outcome::Updated);

    // A server property drifted: a PATCH with only that property.
    standin.with(|s| {
        let key = SERVER.to_ascii_lowercase();
        s.resources.get_mut(&key).unwrap()["properties"]["backup"]["backupRetentionDays"] =
            json!(7);
    });
    let before = standin.with(|s| s.log.len());
    let report = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    assert_eq!(
        report.get("server").unwrap().outcome,
        Outcome::Updated,
        "{report}"
    );
    let patch = standin.with(|s| {
        s.log[before..]
            .iter()
            .find(|l| l.method == "PATCH")
            .cloned()
            .unwrap()
    });
    assert_eq!(
        patch.body.unwrap(),
        json!({"properties": {"backup": {"backupRetentionDays": 35}}})
    );

    // A create-only setting drifted: reported, not sent.
    standin.with(|s| {
        let key = SERVER.to_ascii_lowercase();
        s.resources.get_mut(&key).unwrap()["properties"]["availabilityZone"] = json!("3");
    });
    let before = standin.writes().len();
    let report = applier
        .apply(&plan.validate().expect("the plan validates"))
        .await
        .unwrap();
    let server = report.get("server").unwrap();
    assert_eq!(server.outcome, Outcome::Drift);
    assert!(
        server.detail.contains("availability zone"),
        "{}",
        server.detail
    );
    assert_eq!(standin.writes().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_requests_are_retried_after_retry_after() {
    let standin = standin().await;
    standin.with(|s| {
        s.throttle.push((
            "GET".into(),
            "/flexibleServers/phonebill-bill-inquiry-prod-pg".into(),
            429,
        ));
        s.throttle
            .push(("PUT".into(), "/databases/bill_inquiry_db".into(), 503));
    });
    let applier = applier(&standin);
    let report = applier
        .apply(&seed().validate().expect("the plan validates"))
        .await
        .unwrap();
    assert_eq!(report.get("server").unwrap().outcome, Outcome::Created);
    let log = standin.with(|s| s.log.clone());
    for status in [429, 503] {
        let i = log.iter().position(|l| l.status == status).unwrap();
        let retry = log[i + 1..]
            .iter()
            .find(|l| l.method == log[i].method && l.path == log[i].path)
            .unwrap();
        let waited = retry.at.duration_since(log[i].at);
        assert!(
            waited >= Duration::from_millis(950),
            "{status}: retried after {waited:?}"
        );
        assert!(
            ![429, 503].contains(&retry.status),
            "{status}: retry answered {}",
            retry.status
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_operation_stops_apply_with_azures_message() {
    let standin = standin().await;
    standin.with(|s| {
        s.fail.push((
            "/databases/bill_inquiry_db".into(),
            "DatabaseCollationNotSupported".into(),
            "The collation en_US.utf8 is not available.".into(),
        ));
    });
    let applier = applier(&standin);
    let err = applier
        .apply(&seed().validate().expect("the plan validates"))
        .await
        .unwrap_err();
    match &err {
        Error::OperationFailed {
            operation,
            status,
            code,
            message,
        } => {
            assert_eq!(operation, "database:bill_inquiry_db");
            assert_eq!(status, "Failed");
            assert_eq!(code.as_deref(), Some("DatabaseCollationNotSupported"));
            assert!(message.contains("en_US.utf8"));
        }
        other => panic!("unexpected error: {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("database:bill_inquiry_db") && text.contains("DatabaseCollationNotSupported"),
        "{text}"
    );
    // Nothing after the failed operation was sent.
    assert!(
        !standin
            .writes()
            .iter()
            .any(|w| w.contains("/administrators/") || w.contains("-replica"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_object_id_is_named_with_its_fix() {
    let standin = standin().await;
    let authority = azure_core::Url::parse(&standin.url).unwrap();
    let credential = azure_identity::ClientSecretCredential::new(
        azure_core::new_http_client(),
        authority,
        "t".into(),
        "c".into(),
        "s".into(),
    );
    let options = ApplyOptions::new()
        .endpoint(&standin.url)
        .subscription_id(SUBSCRIPTION)
        .key_vault_url(format!("{}/vaults/{{vault}}", standin.url))
        .poll_interval(Duration::from_millis(20));
    let applier = Applier::new(Arc::new(credential), options).unwrap();
    let err = applier
        .apply(&seed().validate().expect("the plan validates"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::MissingInput { .. }), "{text}");
    assert!(
        text.contains("phonebill-admin") && text.contains("object_id"),
        "{text}"
    );
}

/// Requests other than reads: writes, and reads of a Key Vault secret.
fn sent(standin: &StandIn) -> Vec<String> {
    standin.with(|s| {
        s.log
            .iter()
            .filter(|l| {
                (l.method != "GET" || l.path.contains("/secrets/")) && !l.path.contains("/oauth2/")
            })
            .map(|l| format!("{} {}", l.method, l.path))
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_against_nothing_sends_nothing_and_lists_every_create() {
    let standin = standin().await;
    let applier = applier(&standin);
    let plan = seed().validate().expect("the plan validates");

    let dry = applier.dry_run(&plan).await.unwrap();
    assert_eq!(
        sent(&standin),
        Vec::<String>::new(),
        "the dry run sent a request"
    );
    assert!(
        standin.with(|s| !s.log.is_empty()),
        "the dry run read nothing"
    );
    // The printed changes are the pure diff of what was read.
    assert_eq!(diff(dry.operations(), dry.observed()), dry.changes());
    assert!(dry.changes().iter().all(|c| c.step.writes()), "{dry}");
    let text = dry.to_string();
    for line in [
        "dry run against subscription ffffffff-ffff-ffff-ffff-ffffffffffff, resource group phonebill-rg: nothing was sent",
        "  create     server: server phonebill-bill-inquiry-prod-pg does not exist",
        "  create     database:bill_inquiry_db: database bill_inquiry_db does not exist",
        "  restart    restart: static parameters change: ",
        "  create     replica:phonebill-bill-inquiry-prod-pg-replica: server phonebill-bill-inquiry-prod-pg-replica does not exist",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
    assert!(
        text.contains("  update     configuration:shared_buffers: shared_buffers = 524288 on the new server phonebill-bill-inquiry-prod-pg"),
        "{text}"
    );
    assert!(
        text.ends_with("0 unchanged, 0 skipped, 0 drifted, 0 refused"),
        "{text}"
    );
    // Every operation the dry run would create, apply creates.
    let report = applier.apply(&plan).await.unwrap();
    for change in dry.changes().iter().filter(|c| c.step == Step::Create) {
        assert_eq!(
            report.get(&change.operation).map(|a| a.outcome),
            Some(Outcome::Created),
            "{change}\n{report}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_after_drift_shows_exactly_what_apply_then_sends() {
    let standin = standin().await;
    let applier = applier(&standin);
    let plan = seed().validate().expect("the plan validates");
    applier.apply(&plan).await.unwrap();
    let dry = applier.dry_run(&plan).await.unwrap();
    assert!(dry.is_noop(), "{dry}");

    standin.with(|s| {
        let c = s
            .configurations
            .get_mut("phonebill-bill-inquiry-prod-pg")
            .unwrap();
        c.get_mut("work_mem").unwrap()["properties"]["value"] = json!("4096");
        c.get_mut("shared_buffers").unwrap()["properties"]["value"] = json!("16384");
        let server = s.resources.get_mut(&SERVER.to_ascii_lowercase()).unwrap();
        server["properties"]["backup"]["backupRetentionDays"] = json!(7);
        server["properties"]["availabilityZone"] = json!("3");
    });
    let before = standin.with(|s| s.log.len());
    let dry = applier.dry_run(&plan).await.unwrap();
    assert_eq!(
        standin.with(|s| s.log.len()) - before,
        standin.with(|s| s.log[before..]
            .iter()
            .filter(|l| l.method == "GET" || l.path.contains("/oauth2/"))
            .count()),
        "the dry run sent a write"
    );
    assert_eq!(diff(dry.operations(), dry.observed()), dry.changes());
    let writes: Vec<&str> = dry.writes().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        writes,
        [
            "server",
            "configuration:shared_buffers",
            "configuration:work_mem",
            "restart"
        ],
        "{dry}"
    );
    let text = dry.to_string();
    for line in [
        "  update     server: backup retention 7 → 35 days; cannot change in place: availability zone is 3, the plan says 1; it is chosen at server creation only",
        "  update     configuration:shared_buffers: shared_buffers 16384 → 524288 (static)",
        "  update     configuration:work_mem: work_mem 4096 → ",
        "  restart    restart: static parameters change: shared_buffers",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
    assert_eq!(text.lines().count(), 6, "{text}");

    // Apply sends exactly those writes, in that order, and nothing else.
    let before = standin.writes().len();
    let report = applier.apply(&plan).await.unwrap();
    let changed: Vec<&str> = report
        .actions
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Created | Outcome::Updated))
        .map(|a| a.operation.as_str())
        .collect();
    assert_eq!(changed, writes, "{report}");
    let sent: Vec<String> = standin.writes()[before..]
        .iter()
        .map(|w| w.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        sent,
        [
            "phonebill-bill-inquiry-prod-pg",
            "shared_buffers",
            "work_mem",
            "restart"
        ],
        "{:?}",
        &standin.writes()[before..]
    );
    assert!(
        applier
            .dry_run(&plan)
            .await
            .unwrap()
            .writes()
            .next()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_that_differs_is_replaced_alone() {
    let standin = standin().await;
    let applier = applier(&standin);
    let plan = seed().validate().expect("the plan validates");
    applier.apply(&plan).await.unwrap();
    let cpu = "alert:phonebill-bill-inquiry-prod-pg-cpu";
    standin.with(|s| {
        let (_, rule) = s
            .alerts
            .iter_mut()
            .find(|(k, _)| k.ends_with("/phonebill-bill-inquiry-prod-pg-cpu"))
            .unwrap();
        rule["properties"]["severity"] = json!(4);
        rule["properties"]["criteria"]["allOf"][0]["threshold"] = json!(95.0);
    });
    let dry = applier.dry_run(&plan).await.unwrap();
    let writes: Vec<String> = dry.writes().map(ToString::to_string).collect();
    assert_eq!(
        writes,
        [format!(
            "update     {cpu}: severity 4 → 2; condition Minimum cpu_percent GreaterThan 95 → Minimum cpu_percent GreaterThan 85"
        )],
        "{dry}"
    );
    let before = standin.writes().len();
    let report = applier.apply(&plan).await.unwrap();
    assert_eq!(
        report.get(cpu).unwrap().outcome,
        Outcome::Updated,
        "{report}"
    );
    let sent = standin.writes()[before..].to_vec();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].ends_with("/metricAlerts/phonebill-bill-inquiry-prod-pg-cpu"),
        "{sent:?}"
    );
    assert!(applier.dry_run(&plan).await.unwrap().is_noop());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_network_is_missing_is_refused_naming_what_is_missing() {
    let standin = bare_standin().await;
    let applier = applier(&standin);
    let plan = seed().validate().expect("the plan validates");
    // The dry run says what is missing, and how to create it.
    let dry = applier.dry_run(&plan).await.unwrap();
    let text = dry.to_string();
    for wanted in [
        "  refuse     server: subnet database-subnet of VNet phonebill-vnet, delegated to Microsoft.DBforPostgreSQL/flexibleServers does not exist (/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/phonebill-rg/providers/Microsoft.Network/virtualNetworks/phonebill-vnet/subnets/database-subnet): create or delegate it",
        "private DNS zone phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com does not exist",
        "link phonebill-vnet-link of private DNS zone phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com to VNet phonebill-vnet does not exist",
        "  refuse     replica:phonebill-bill-inquiry-prod-pg-replica: subnet database-subnet of VNet phonebill-vnet-koreasouth",
    ] {
        assert!(text.contains(wanted), "no `{wanted}` in\n{text}");
    }
    assert!(text.ends_with("2 refused"), "{text}");
    // Apply stops before sending anything.
    let err = applier.apply(&plan).await.unwrap_err();
    assert!(matches!(err, Error::MissingPrerequisite { .. }), "{err}");
    assert!(err.to_string().starts_with("server: server phonebill-bill-inquiry-prod-pg cannot be created: subnet database-subnet"), "{err}");
    assert_eq!(standin.writes(), Vec::<String>::new());

    // A subnet delegated to another service is named as such; once the
    // network is right, apply goes ahead.
    seed_network(&standin, &plan);
    standin.with(|s| {
        let (_, subnet) = s
            .network
            .iter_mut()
            .find(|(k, _)| k.ends_with("/phonebill-vnet/subnets/database-subnet"))
            .unwrap();
        subnet["properties"]["delegations"][0]["properties"]["serviceName"] =
            json!("Microsoft.Web/serverFarms");
    });
    let err = applier.apply(&plan).await.unwrap_err();
    assert!(
        err.to_string().contains("is not usable: it is delegated to Microsoft.Web/serverFarms, not to Microsoft.DBforPostgreSQL/flexibleServers alone"),
        "{err}"
    );
    seed_network(&standin, &plan);
    let report = applier.apply(&plan).await.unwrap();
    assert_eq!(report.get("server").unwrap().outcome, Outcome::Created);
}
