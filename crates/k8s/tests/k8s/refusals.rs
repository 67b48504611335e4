//! What the Kubernetes backend cannot render is refused by validation, with
//! the rule id and the field path, before anything is rendered.

use pgplan_core::prelude::*;
use pgplan_core::{CidrRange, CronSchedule, LabelValue, Severity};
use pgplan_k8s::{Error, render_files};

use crate::support::{all_plans, opts, seed_000, valid};

#[test]
fn other_platforms_are_refused_by_name() {
    let mut seen = 0;
    for (name, plan) in all_plans() {
        if plan.platform.kubernetes().is_some() {
            continue;
        }
        seen += 1;
        let e = render_files(&valid(&plan), &opts()).unwrap_err();
        assert!(matches!(e, Error::NotKubernetes { .. }), "{name}: {e:?}");
        assert!(e.to_string().contains("not Kubernetes"), "{name}: {e}");
    }
    assert!(seen > 0, "the example plans include other platforms");
}

/// The errors validation reports for a plan: (rule id, field path).
fn refused(plan: &Plan) -> Vec<(String, String)> {
    let Err(report) = plan.validate() else {
        panic!("the plan validates:\n{}", plan.to_yaml().unwrap());
    };
    report
        .errors()
        .map(|d| (d.id().to_owned(), d.path.to_string()))
        .collect()
}

/// True when validation refuses the plan with this rule at this field.
fn refused_by(plan: &Plan, id: &str, path: &str) -> bool {
    refused(plan).iter().any(|(i, p)| i == id && p == path)
}

/// True when validation refuses the plan at this field (a rule other
/// engineers own, whose id may change).
fn refused_at(plan: &Plan, path: &str) -> bool {
    refused(plan).iter().any(|(_, p)| p == path)
}

fn edit(f: impl FnOnce(PlanBuilder) -> PlanBuilder) -> Plan {
    f(seed_000().edit()).build().expect("the edit builds")
}

#[test]
fn what_the_backend_cannot_render_is_refused_by_validation() {
    // The render-time checks that became Kubernetes rules.
    let cases: Vec<(&str, &str, Plan)> = vec![
        ("PGP100", "topology.patroni", {
            let mut p = seed_000();
            p.topology.patroni = Some(
                pgplan_core::PatroniCluster::builder()
                    .scope("pg-ha".parse().unwrap())
                    .members(vec![])
                    .etcd(vec![])
                    .build(),
            );
            p
        }),
        (
            "PGP101",
            "platform.kubernetes.run_as_user",
            edit(|b| b.kubernetes_mut(|k| k.run_as_user(0))),
        ),
        (
            "PGP102",
            "platform.kubernetes.image",
            edit(|b| b.kubernetes_mut(|k| k.image("bitnami/postgresql:latest"))),
        ),
        ("PGP103", "sizing.cpu", {
            let mut p = seed_000();
            p.sizing.cpu = None;
            p
        }),
        ("PGP104", "sizing.data_volume", {
            let mut p = seed_000();
            p.sizing.data_volume = None;
            p
        }),
        (
            "PGP105",
            "topology.replicas[0].region",
            edit(|b| b.topology(|t| t.replica("read-1", |r| r.region("koreasouth")))),
        ),
        (
            "PGP106",
            "topology.replicas[1].storage",
            edit(|b| {
                b.topology(|t| {
                    t.replica("read-1", |r| r.storage(20.gib()))
                        .replica("read-2", |r| r.storage(30.gib()))
                })
            }),
        ),
        ("PGP107", "service", {
            let mut p = seed_000();
            p.service = "a-very-long-service-name-for-a-database-cluster"
                .parse()
                .unwrap();
            p
        }),
        ("PGP108", "labels.app", edit(|b| b.label("app", "mine"))),
        (
            "PGP109",
            "security.password_encryption",
            edit(|b| b.security(|s| s.password_encryption(PasswordEncryption::Md5))),
        ),
        (
            "PGP110",
            "roles[0].password",
            edit(|b| {
                b.role_mut("product_change_app", |r| {
                    r.password(secret::entra_identity("product-change-identity"))
                })
            }),
        ),
        (
            "PGP111",
            "roles[0].password",
            edit(|b| {
                b.role_mut("product_change_app", |r| {
                    r.password(secret::generated_in("postgresql-product-change-superuser"))
                })
            }),
        ),
        (
            "PGP112",
            "roles[3].name",
            edit(|b| {
                b.topology(|t| t.replica("read-1", |r| r))
                    .role("replicator", |r| {
                        r.monitoring().login().password(secret::generated())
                    })
            }),
        ),
        (
            "PGP113",
            "roles[3].name",
            edit(|b| {
                b.topology(|t| t.replica("read-1", |r| r))
                    .role("repl\tone", |r| {
                        r.replication().login().password(secret::generated())
                    })
            }),
        ),
        (
            "PGP114",
            "tuning.parameters.data_directory",
            edit(|b| b.tuning(|t| t.parameter("data_directory", "/data"))),
        ),
        ("PGP115", "backups.logical[0].schedule", {
            let mut p = seed_000();
            p.backups.logical[0].schedule = CronSchedule::new("0 3 * * 7").unwrap();
            p
        }),
        (
            "PGP116",
            "backups.logical[0].destination",
            edit(|b| {
                b.backups(|k| {
                    k.logical_mut("daily", |l| l.to_blob_storage("phonebillbackups", "dumps"))
                })
            }),
        ),
        ("PGP117", "backups.logical[0].databases", {
            let mut p = seed_000();
            p.backups.logical[0].databases.clear();
            p.databases.clear();
            p
        }),
        (
            "PGP118",
            "backups.logical[0].role",
            edit(|b| {
                b.role("product_change_backup", |r| r.backup())
                    .backups(|k| k.logical_mut("daily", |l| l.role("product_change_backup")))
            }),
        ),
    ];
    for (id, path, plan) in cases {
        assert!(
            refused_by(&plan, id, path),
            "{id} at {path}: {:?}",
            refused(&plan)
        );
    }

    // Render-time checks other rules already made: a missing memory limit,
    // a missing backup volume, a request above its limit, a literal
    // password, a backup role or database that is not planned, a
    // connection alert not below max_connections, `postgres` as a role.
    let mut p = seed_000();
    p.sizing.memory = None;
    assert!(refused_at(&p, "sizing.memory"), "{:?}", refused(&p));
    let mut p = seed_000();
    p.sizing.backup_volume = None;
    assert!(refused_at(&p, "sizing.backup_volume"), "{:?}", refused(&p));
    let p = edit(|b| b.sizing(|s| s.cpu(2.cores(), 1.cores())));
    assert!(refused_at(&p, "sizing.cpu.request"), "{:?}", refused(&p));
    let p = edit(|b| {
        b.role_mut("product_change_app", |r| {
            r.password(secret::literal("dev_password_2025"))
        })
    });
    assert!(refused_at(&p, "roles[0].password"), "{:?}", refused(&p));
    let report = p.validate().unwrap_err().to_string();
    assert!(!report.contains("dev_password_2025"), "{report}");
    let p = edit(|b| b.backups(|k| k.logical_mut("daily", |l| l.role("nobody"))));
    assert!(
        refused_at(&p, "backups.logical[0].role"),
        "{:?}",
        refused(&p)
    );
    let mut p = seed_000();
    p.backups.logical[0].databases = vec!["no_such_db".parse().unwrap()];
    assert!(
        refused_at(&p, "backups.logical[0].databases[0]"),
        "{:?}",
        refused(&p)
    );
    let p = edit(|b| b.monitoring(|m| m.connections(above(100))));
    assert!(
        refused_at(&p, "monitoring.thresholds.connections.above"),
        "{:?}",
        refused(&p)
    );
    let p = edit(|b| b.role("postgres", |r| r.admin()));
    assert!(refused_at(&p, "roles[3].name"), "{:?}", refused(&p));

    // And what the model's types refuse before any rule runs.
    assert!("ends-with-".parse::<LabelValue>().is_err());
    assert!("10.0.0.0/40".parse::<CidrRange>().is_err());
    assert!(
        Plan::from_yaml(
            &seed_000()
                .to_yaml()
                .unwrap()
                .replace("namespace: phonebill-dev", "namespace: Phonebill_Dev")
        )
        .is_err()
    );
    let errors = edit(|b| b.kubernetes_mut(|k| k.run_as_user(0)))
        .validate()
        .unwrap_err();
    assert!(errors.errors().all(|d| d.severity == Severity::Error));
}
