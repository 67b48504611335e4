//! Properties over generated plans: the numbers in the objects are the
//! model's (StatefulSet resources, volume sizes, shared_buffers and
//! max_connections in the ConfigMap), every document reads back as the object
//! it was written from, and no plan makes the renderer panic.

use std::collections::BTreeMap;

use pgplan_core::strategies;
use pgplan_core::{
    Bytes, Client, ContainerImage, Database, Environment, Exporter, Kubernetes, LogicalBackup,
    MajorVersion, Millicores, Monitoring, Plan, Platform, ReadReplica, ReplicaRange, Resources,
    Role, RolePurpose, SecretSource, Sizing, StorageKind, Tls, Workload,
};
use pgplan_k8s::{Error, Object, render_objects};
use proptest::prelude::*;
use proptest::sample::select;

use crate::render::conf_value;
use crate::support::opts;

/// PROPTEST_CASES when set (the test script sets 64), else 64.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

/// Plans the Kubernetes backend renders: any sizes, both image families,
/// awkward role and database names, explicit or derived max_connections and
/// shared_buffers, read replicas, TLS, backups, clients.
fn kubernetes_plan() -> impl Strategy<Value = Plan> {
    let sizing = (
        100u32..16_000,
        prop::option::of(0u32..16_000),
        256u64..262_144,
        prop::option::of(0u64..262_144),
        1u64..4_096,
        prop::option::of(1u64..1_024),
    );
    let tuning = (
        select(
            &[
                Workload::Web,
                Workload::Oltp,
                Workload::Dw,
                Workload::Mixed,
                Workload::Desktop,
            ][..],
        ),
        select(
            &[
                StorageKind::Ssd,
                StorageKind::Hdd,
                StorageKind::San,
                StorageKind::Nvme,
            ][..],
        ),
        prop::option::of(10u32..5_000),
        prop::option::of(1u64..100),
    );
    let shape = (
        "[a-z][a-z0-9]{0,12}",
        14u16..=18,
        select(
            &[
                "bitnami/postgresql:17.2.0",
                "postgres:16.4",
                "registry.example.com/db/postgres:15.8",
            ][..],
        ),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1u32..40_000),
    );
    // `postgres` and `replicator` are logins of the image and of pgplan.
    let role = || {
        strategies::role_name().prop_filter("a login pgplan or the image owns", |n| {
            !["postgres", "replicator"].contains(&n.as_str())
        })
    };
    let names = (role(), role(), strategies::database_name(), 0u32..3);
    (sizing, tuning, shape, names).prop_map(
        |(
            (cpu_req, cpu_extra, mem_req, mem_extra, data_gib, backup_gib),
            (workload, storage, max_connections, shared_buffers_pct),
            (service, version, image, replicas, tls, exporter, uid),
            (owner, app, db, clients),
        )| {
            let memory = Resources {
                request: Bytes::mib(mem_req),
                limit: mem_extra.map(|e| Bytes::mib(mem_req + e)),
            };
            let mut parameters = BTreeMap::new();
            if let Some(n) = max_connections {
                parameters.insert("max_connections".parse().unwrap(), n.into());
            }
            if let Some(pct) = shared_buffers_pct {
                let sb = (memory.ceiling().as_u64() / 100 * pct / (1024 * 1024)).max(1);
                parameters.insert("shared_buffers".parse().unwrap(), format!("{sb}MB").into());
            }
            let owner_name = owner.clone();
            let app_name = if app == owner {
                "app_role".parse().unwrap()
            } else {
                app
            };
            let mut plan = Plan::builder()
                .service(service.parse().unwrap())
                .environment(Environment::Production)
                .version(MajorVersion::new(version).unwrap())
                .platform(Platform::Kubernetes(
                    Kubernetes::builder()
                        .namespace("generated")
                        .image(ContainerImage::new(image).unwrap())
                        .run_as_user(i64::from(uid.unwrap_or(1001)))
                        .build(),
                ))
                .sizing(Sizing {
                    cpu: Some(Resources {
                        request: Millicores::new(cpu_req),
                        limit: cpu_extra.map(|e| Millicores::new(cpu_req + e)),
                    }),
                    memory: Some(memory),
                    data_volume: Some(Bytes::gib(data_gib)),
                    wal_volume: None,
                    backup_volume: backup_gib.map(Bytes::gib),
                })
                .build();
            plan.tuning.workload = workload;
            plan.tuning.storage = storage;
            plan.tuning.parameters = parameters;
            plan.security.tls = Tls::builder().required(tls).build();
            if exporter {
                plan.monitoring = Monitoring::builder()
                    .exporter(Exporter::builder().build())
                    .build();
            }
            plan.databases = vec![
                Database::builder()
                    .name(db.clone())
                    .owner(owner_name.clone())
                    .build(),
            ];
            plan.roles = vec![
                Role::builder()
                    .name(owner_name)
                    .purpose(RolePurpose::Owner)
                    .login(true)
                    .password(SecretSource::generated())
                    .build(),
                Role::builder()
                    .name(app_name.clone())
                    .purpose(RolePurpose::Application)
                    .login(true)
                    .password(SecretSource::kubernetes_secret(
                        "app-credentials",
                        "password",
                    ))
                    .build(),
            ];
            plan.clients = (0..clients)
                .map(|i| {
                    Client::builder()
                        .name(format!("client-{i}").parse().unwrap())
                        .pool_size(5 + i)
                        .replicas(ReplicaRange { min: 1, max: 2 + i })
                        .role(app_name.clone())
                        .build()
                })
                .collect();
            plan.topology.replicas = (0..replicas)
                .map(|i| ReadReplica::builder().name(format!("read-{i}")).build())
                .collect();
            if backup_gib.is_some() {
                plan.backups.logical = vec![
                    LogicalBackup::builder()
                        .name("nightly".parse().unwrap())
                        .schedule("30 1 * * *".parse().unwrap())
                        .retention(pgplan_core::Duration::days(7))
                        .databases(vec![db])
                        .build(),
                ];
            }
            plan
        },
    )
}

fn quantity(
    m: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    key: &str,
) -> String {
    m.as_ref().unwrap()[key].0.clone()
}

/// The numbers of the rendered objects are the model's.
fn check_numbers(plan: &Plan, objects: &[Object]) -> Result<(), TestCaseError> {
    let base = format!("postgresql-{}", plan.service);
    let sizing = &plan.sizing;
    let cpu = sizing.cpu.unwrap();
    let memory = sizing.memory.unwrap();
    let settings = plan.settings();
    let Some(Object::StatefulSet(sts)) = objects
        .iter()
        .find(|o| o.kind() == "StatefulSet" && o.name() == base)
    else {
        return Err(TestCaseError::fail("no primary StatefulSet"));
    };
    let server = &sts.spec.template.spec.as_ref().unwrap().containers[0];
    let res = server.resources.as_ref().unwrap();
    prop_assert_eq!(quantity(&res.requests, "cpu"), cpu.request.to_kubernetes());
    prop_assert_eq!(quantity(&res.limits, "cpu"), cpu.ceiling().to_kubernetes());
    prop_assert_eq!(
        quantity(&res.requests, "memory"),
        memory.request.to_kubernetes()
    );
    prop_assert_eq!(
        quantity(&res.limits, "memory"),
        memory.ceiling().to_kubernetes()
    );
    let claims = sts.spec.volume_claim_templates.as_ref().unwrap();
    let data = claims
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some("data"))
        .unwrap();
    prop_assert_eq!(
        quantity(
            &data
                .spec
                .as_ref()
                .unwrap()
                .resources
                .as_ref()
                .unwrap()
                .requests,
            "storage"
        ),
        sizing.data_volume.unwrap().to_kubernetes()
    );
    if !plan.backups.logical.is_empty() {
        let Some(Object::PersistentVolumeClaim(pvc)) =
            objects.iter().find(|o| o.kind() == "PersistentVolumeClaim")
        else {
            return Err(TestCaseError::fail("no backup claim"));
        };
        prop_assert_eq!(
            quantity(
                &pvc.spec
                    .as_ref()
                    .unwrap()
                    .resources
                    .as_ref()
                    .unwrap()
                    .requests,
                "storage"
            ),
            sizing.backup_volume.unwrap().to_kubernetes()
        );
    }
    let Some(Object::ConfigMap(cm)) = objects
        .iter()
        .find(|o| o.kind() == "ConfigMap" && o.name() == format!("{base}-config"))
    else {
        return Err(TestCaseError::fail("no server ConfigMap"));
    };
    let conf = &cm.data.as_ref().unwrap()["postgresql.conf"];
    for name in ["shared_buffers", "max_connections"] {
        let expected = settings.lookup(name).unwrap().value;
        prop_assert_eq!(conf_value(conf, name), Some(expected.as_str()), "{}", name);
    }
    let replicas = plan.topology.replicas.len();
    let read = objects
        .iter()
        .find(|o| o.kind() == "StatefulSet" && o.name() == format!("{base}-read"));
    match read {
        Some(Object::StatefulSet(r)) => {
            prop_assert_eq!(r.spec.replicas, Some(i32::try_from(replicas).unwrap()));
        }
        _ => prop_assert_eq!(replicas, 0),
    }
    Ok(())
}

/// Every object reads back from its YAML as the value it was written from.
fn check_round_trip(objects: &[Object]) -> Result<(), TestCaseError> {
    for o in objects {
        let yaml = o.to_yaml().unwrap();
        let back: serde_json::Value = serde_saphyr::from_str(&yaml)
            .map_err(|e| TestCaseError::fail(format!("{} {}: {e}\n{yaml}", o.kind(), o.name())))?;
        prop_assert_eq!(&back, &o.to_json(), "{} {}", o.kind(), o.name());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn numbers_in_the_objects_are_the_models(plan in kubernetes_plan()) {
        let objects = render_objects(&plan.validate().expect("the plan validates"), &opts())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", plan.to_yaml().unwrap())))?;
        check_numbers(&plan, &objects)?;
        check_round_trip(&objects)?;
    }

    #[test]
    fn reasonable_plans_render_with_the_models_numbers_or_name_the_field(
        plan in strategies::reasonable_kubernetes_plan()
    ) {
        match render_objects(&plan.validate().expect("the plan validates"), &opts()) {
            Ok(objects) => {
                check_numbers(&plan, &objects)?;
                check_round_trip(&objects)?;
            }
            Err(Error::Plan { field, message, help }) => {
                prop_assert!(!field.is_empty() && !message.is_empty() && !help.is_empty());
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn no_plan_makes_the_renderer_panic(plan in strategies::plan()) {
        match render_objects(&plan.validate().expect("the plan validates"), &opts()) {
            Ok(objects) => check_round_trip(&objects)?,
            Err(Error::Plan { field, .. }) => prop_assert!(!field.is_empty()),
            Err(Error::NotKubernetes { .. }) => prop_assert!(plan.platform.kubernetes().is_none()),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
