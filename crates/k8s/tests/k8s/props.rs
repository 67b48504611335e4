//! Properties over generated plans: every plan that validates renders
//! (what validates renders), the numbers in the objects are the model's
//! (StatefulSet resources, volume sizes, shared_buffers and max_connections
//! in the ConfigMap), and every document reads back as the object it was
//! written from.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use pgplan_core::strategies;
use pgplan_core::{
    Bytes, Client, ContainerImage, Database, Environment, Exporter, Kubernetes, LogicalBackup,
    MajorVersion, Millicores, Monitoring, Plan, Platform, PodRange, ReadReplica, Resources, Role,
    RolePurpose, SecretSource, Sizing, StorageKind, Tls, ValidPlan, Workload,
};
use pgplan_k8s::{Error, Object, render_objects};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{FileFailurePersistence, TestRunner};

use crate::render::conf_value;
use crate::support::opts;

/// Cases per property: PROPTEST_CASES when set (the test script sets 64),
/// else 64.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(cases())
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
        prop::option::of(15u64..=40),
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
    let role = strategies::role_name;
    let names = (role(), role(), strategies::database_name(), 0u32..3);
    (sizing, tuning, shape, names).prop_map(
        |(
            (cpu_req, cpu_extra, mem_req, mem_extra, data_gib, backup_gib),
            (workload, storage, max_connections, shared_buffers_pct),
            (service, version, image, replicas, tls, exporter, uid),
            (owner, app, db, clients),
        )| {
            // A memory limit always: Kubernetes plans need one (PGP023).
            let memory = Resources {
                request: Bytes::mib(mem_req),
                limit: Some(Bytes::mib(mem_req + mem_extra.unwrap_or(0))),
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
                        .namespace("generated".parse().unwrap())
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
                        "app-credentials".parse().unwrap(),
                        "password".parse().unwrap(),
                    ))
                    .build(),
            ];
            plan.clients = (0..clients)
                .map(|i| {
                    Client::builder()
                        .name(format!("client-{i}").parse().unwrap())
                        .pool_size(5 + i)
                        .pods(PodRange { min: 1, max: 2 + i })
                        .role(app_name.clone())
                        .build()
                })
                .collect();
            plan.topology.replicas = (0..replicas)
                .map(|i| {
                    ReadReplica::builder()
                        .name(format!("read-{i}").parse().unwrap())
                        .build()
                })
                .collect();
            if backup_gib.is_some() {
                plan.backups.logical = vec![
                    LogicalBackup::builder()
                        .name("nightly".parse().unwrap())
                        .schedule("30 1 * * *".parse().unwrap())
                        .retention(pgplan_core::Interval::days(7))
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

/// The plan and its validated form, when it validates (for `prop_filter_map`).
fn validated(plan: Plan) -> Option<(Plan, ValidPlan)> {
    let valid = plan.validate().ok()?;
    Some((plan, valid))
}

/// Runs `strategy` for `cases()` cases; every plan that validates must
/// render, with `check` holding for its objects. Returns how many plans
/// validated, so that a property cannot pass by validating nothing.
fn every_valid_plan_renders(
    name: &str,
    strategy: BoxedStrategy<Plan>,
    check: fn(&Plan, &[Object]) -> Result<(), TestCaseError>,
) -> u32 {
    let valid = AtomicU32::new(0);
    let mut config = config();
    config.failure_persistence = Some(Box::new(FileFailurePersistence::SourceParallel(
        "proptest-regressions",
    )));
    config.source_file = Some(file!());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |plan| {
        let Ok(validated) = plan.validate() else {
            return Ok(());
        };
        valid.fetch_add(1, Ordering::Relaxed);
        match render_objects(&validated, &opts()) {
            Ok(objects) => check(&plan, &objects),
            Err(Error::NotKubernetes { found }) => {
                prop_assert!(plan.platform.kubernetes().is_none());
                prop_assert_eq!(found, plan.platform.kind());
                Ok(())
            }
            Err(e) => Err(TestCaseError::fail(format!(
                "a plan that validates does not render: {e}\n{}",
                plan.to_yaml().unwrap_or_default()
            ))),
        }
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    valid.into_inner()
}

/// The objects of a plan that validated: they read back from YAML, and on
/// Kubernetes they carry the model's numbers.
fn renders_the_model(plan: &Plan, objects: &[Object]) -> Result<(), TestCaseError> {
    check_round_trip(objects)?;
    check_numbers(plan, objects)
}

#[test]
fn every_generated_plan_that_validates_renders() {
    // Realistic plans on every platform (other platforms are refused by
    // name), and realistic Kubernetes plans, most of which validate: those
    // must render, with the model's numbers. (Plans drawn from the whole
    // model, `strategies::plan()`, almost never validate: they would make
    // this property vacuous.)
    let n = cases();
    let any_platform = every_valid_plan_renders(
        "strategies::reasonable_plan()",
        strategies::reasonable_plan(),
        |_, objects| check_round_trip(objects),
    );
    let kubernetes = every_valid_plan_renders(
        "strategies::reasonable_kubernetes_plan()",
        strategies::reasonable_kubernetes_plan(),
        renders_the_model,
    );
    // Not vacuous: a good share of the Kubernetes plans validated.
    assert!(
        kubernetes * 4 >= n,
        "only {kubernetes} of {n} reasonable Kubernetes plans validated ({any_platform} of {n} on any platform)"
    );
    eprintln!(
        "validated and rendered (or refused as another platform): {any_platform} of {n} reasonable plans, {kubernetes} of {n} reasonable Kubernetes plans"
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn numbers_in_the_objects_are_the_models(
        (plan, valid) in kubernetes_plan().prop_filter_map("a plan that validates", validated)
    ) {
        let objects = render_objects(&valid, &opts())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", plan.to_yaml().unwrap_or_default())))?;
        renders_the_model(&plan, &objects)?;
    }
}
