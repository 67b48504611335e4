//! The Kubernetes rules (PGP100–PGP139): each one's failing and fixed
//! example plan does what its documentation says, and each reports what it
//! should with the plan's numbers and a fix; the facts they share with the
//! Kubernetes backend (`kubernetes_facts`) hold.

use pgplan_core::kubernetes_facts::{
    ImageFamily, MAX_DNS_LABEL, ObjectNames, ReplicationLogin, backup_login, dns_fragment,
    is_dns_label, replication_login, role_secret,
};
use pgplan_core::prelude::*;
use pgplan_core::validate::rules;
use pgplan_core::{Diagnostic, Plan, RoleName, RuleInfo, Severity};

/// The rules of the Kubernetes range, in id order.
fn kubernetes_rules() -> Vec<&'static RuleInfo> {
    rules::infos()
        .filter(|r| {
            r.id.strip_prefix("PGP")
                .and_then(|n| n.parse::<u16>().ok())
                .is_some_and(|n| (100..=139).contains(&n))
        })
        .collect()
}

fn read(text: &str, path: &str) -> Plan {
    Plan::from_yaml(text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The diagnostics of one rule for a plan.
fn of(plan: &Plan, id: &str) -> Vec<Diagnostic> {
    plan.report().by_id(id).cloned().collect()
}

/// A development plan on Kubernetes that validates without errors.
fn base() -> PlanBuilder {
    base_for("orders")
}

/// The same for another service.
fn base_for(service: &str) -> PlanBuilder {
    Plan::development(service)
        .version(17)
        .kubernetes("shop", "postgres:17.2", |k| k.run_as_user(999))
        .sizing(|s| {
            s.cpu(500.millicores(), 1.cores())
                .memory(1.gib(), 1.gib())
                .data_volume(10.gib())
        })
}

fn build(b: PlanBuilder) -> Plan {
    b.build().expect("the test plan builds")
}

#[test]
fn the_base_plan_validates() {
    let plan = build(base());
    let report = plan.report();
    assert!(!report.has_errors(), "{report}");
}

#[test]
fn every_kubernetes_rule_has_a_failing_and_a_fixed_example() {
    let rules = kubernetes_rules();
    assert_eq!(rules.len(), 26, "{rules:?}");
    let ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "registered in id order");
    for rule in rules {
        let stem = format!("{}-{}", rule.id, rule.name);
        assert!(rule.name.starts_with("kubernetes-"), "{stem}");
        assert!(
            !rule.summary.is_empty() && !rule.rationale.is_empty(),
            "{stem}"
        );
        let ex = rule
            .examples
            .unwrap_or_else(|| panic!("{stem}: no examples"));
        assert_eq!(ex.fail_path, format!("tests/plans/fail/{stem}.yaml"));
        assert_eq!(ex.fixed_path, format!("tests/plans/pass/{stem}.yaml"));
        for (path, text) in [(ex.fail_path, ex.fail), (ex.fixed_path, ex.fixed)] {
            assert!(
                text.lines().next().is_some_and(|l| l.starts_with("# ")),
                "{path}: the first line says what the plan shows"
            );
        }

        let failing = read(ex.fail, ex.fail_path);
        assert!(failing.platform.kubernetes().is_some(), "{}", ex.fail_path);
        let report = failing.report();
        let found: Vec<&Diagnostic> = report.by_id(rule.id).collect();
        // Budgets that only make maintenance harder warn; the rest refuse.
        let severity = if ["PGP121", "PGP122"].contains(&rule.id) {
            Severity::Warning
        } else {
            Severity::Error
        };
        assert!(
            !found.is_empty() && found.iter().all(|d| d.severity == severity),
            "{} must report {} as {severity:?}:\n{report}",
            ex.fail_path,
            rule.id
        );
        for d in &found {
            assert!(!d.message.is_empty() && !d.help.is_empty(), "{d}");
            assert!(!d.path.is_root(), "{d}");
        }

        let fixed = read(ex.fixed, ex.fixed_path);
        let report = fixed.report();
        assert!(!report.has_errors(), "{}:\n{report}", ex.fixed_path);
        assert_eq!(
            report.by_id(rule.id).count(),
            0,
            "{}:\n{report}",
            ex.fixed_path
        );
    }
}

#[test]
fn pgp017_is_retired_and_its_checks_have_their_own_ids() {
    assert!(rules::by_id("PGP017").is_none());
    let heirs: Vec<&str> = kubernetes_rules()
        .into_iter()
        .filter(|r| r.replaces.contains(&"PGP017"))
        .map(|r| r.id)
        .collect();
    assert_eq!(heirs, ["PGP101", "PGP102", "PGP107", "PGP115"]);
    // `pgplan explain PGP017` names the same rules.
    assert_eq!(rules::retired("PGP017"), Some(heirs.as_slice()));
}

#[test]
fn other_platforms_are_not_the_kubernetes_rules_business() {
    // A local plan with everything the Kubernetes rules refuse.
    let plan = build(
        Plan::development("orders")
            .version(17)
            .local(|l| l)
            .label("app", "mine")
            .security(|s| s.password_encryption(PasswordEncryption::Md5))
            .tuning(|t| t.parameter("data_directory", "/srv/pg")),
    );
    let report = plan.report();
    for rule in kubernetes_rules() {
        assert_eq!(report.by_id(rule.id).count(), 0, "{}:\n{report}", rule.id);
    }
}

#[test]
fn uids_outside_what_the_api_server_accepts_are_refused() {
    for (uid, says) in [
        (0, "root"),
        (-1, "not a UID"),
        (2_147_483_648, "above 2147483647"),
    ] {
        let plan = build(base().kubernetes_mut(|k| k.run_as_user(uid)));
        let d = of(&plan, "PGP101");
        assert_eq!(d.len(), 1, "{uid}");
        assert!(d[0].message.contains(says), "{}", d[0]);
        assert!(
            d[0].help.contains("999"),
            "the postgres image's user: {}",
            d[0]
        );
    }
    let bitnami =
        build(base().kubernetes_mut(|k| k.image("bitnami/postgresql:17.2.0").run_as_user(0)));
    assert!(of(&bitnami, "PGP101")[0].help.contains("1001"));
    for uid in [1, 999, 10_001, 2_147_483_647] {
        let plan = build(base().kubernetes_mut(|k| k.run_as_user(uid)));
        assert!(of(&plan, "PGP101").is_empty(), "{uid}");
    }
}

#[test]
fn every_image_the_pods_run_must_name_a_version() {
    let plan = build(
        base()
            .kubernetes_mut(|k| k.image("postgres").tools_image("postgres:latest"))
            .monitoring(|m| {
                m.exporter(|e| e.image("quay.io/prometheuscommunity/postgres-exporter"))
            }),
    );
    let paths: Vec<String> = of(&plan, "PGP102")
        .iter()
        .map(|d| d.path.to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "platform.kubernetes.image",
            "platform.kubernetes.tools_image",
            "monitoring.exporter.image"
        ]
    );
    let d = of(&plan, "PGP102");
    assert!(d[0].help.contains("PostgreSQL 17"), "{}", d[0]);
    assert!(d[1].message.contains("tagged `latest`"), "{}", d[1]);
    let digest = "postgres@sha256:".to_owned() + &"a".repeat(64);
    let pinned = build(base().kubernetes_mut(|k| k.image(digest.as_str())));
    assert!(of(&pinned, "PGP102").is_empty());
}

#[test]
fn a_missing_data_volume_is_sized_from_the_databases_estimates() {
    let mut plan = build(base().database("orders", "orders_owner", |d| d.estimated_size(3.gib())));
    plan.sizing.data_volume = None;
    let d = of(&plan, "PGP104");
    assert_eq!(d.len(), 1);
    assert!(d[0].help.contains("add up to 3Gi"), "{}", d[0]);
    assert!(d[0].help.contains("data_volume: 6Gi"), "{}", d[0]);
}

#[test]
fn object_names_report_the_worst_name_and_the_room_left() {
    // 38 characters: the schema-init Job name is exactly 63.
    let fits = "a".repeat(38);
    let plan = build(base_for(&fits));
    assert!(of(&plan, "PGP107").is_empty(), "{}", plan.report());

    let plan = build(base_for(&"a".repeat(39)));
    let d = of(&plan, "PGP107");
    assert_eq!(d.len(), 1, "one finding per field: {d:?}");
    assert_eq!(d[0].path, "service");
    assert!(
        d[0].message.contains("Job name `postgresql-aaa"),
        "{}",
        d[0]
    );
    assert!(
        d[0].message.contains("-init-<checksum>` is 64 characters"),
        "{}",
        d[0]
    );
    assert!(d[0].message.contains("64 characters"), "{}", d[0]);
    assert!(
        d[0].help.contains("at most 38 characters (1 fewer)"),
        "{}",
        d[0]
    );

    // With read replicas the read StatefulSet (52) decides: 36 characters.
    let plan = build(base_for(&"a".repeat(38)).topology(|t| t.replica("read-1", |r| r)));
    let d = of(&plan, "PGP107");
    assert!(d[0].message.contains("StatefulSet name"), "{}", d[0]);
    assert!(d[0].help.contains("at most 36 characters"), "{}", d[0]);

    // A backup's CronJob: the backup name has the room the service leaves.
    let plan = build(
        base()
            .database("orders", "orders_owner", |d| d)
            .sizing(|s| s.backup_volume(10.gib()))
            .backups(|b| {
                b.logical(
                    "a-rather-long-nightly-backup-name",
                    "0 2 * * *",
                    7.days(),
                    |l| l,
                )
            }),
    );
    let d = of(&plan, "PGP107");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, "backups.logical[0].name");
    assert!(
        d[0].message
            .contains("CronJob name `postgresql-orders-backup-a-rather-long-nightly-backup-name`"),
        "{}",
        d[0]
    );
    // 52 − len("postgresql-orders-backup-") = 27.
    assert!(d[0].help.contains("at most 27 characters"), "{}", d[0]);
}

#[test]
fn reserved_labels_say_what_pgplan_sets() {
    let plan = build(
        base()
            .label("app", "orders")
            .label("tier", "db")
            .label("team", "shop"),
    );
    let d = of(&plan, "PGP108");
    let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(paths, ["labels.app", "labels.tier"]);
    assert!(d[0].message.contains("postgresql-orders"), "{}", d[0]);
}

#[test]
fn logins_that_would_share_a_secret_are_refused() {
    // Two role names that make the same derived Secret name.
    let plan = build(
        base()
            .database("orders", "orders_app", |d| d)
            .role("orders_app", |r| {
                r.owner().login().password(secret::generated())
            })
            .role("Orders-App", |r| {
                r.application().login().password(secret::generated())
            }),
    );
    let d = of(&plan, "PGP111");
    assert_eq!(d.len(), 1, "{}", plan.report());
    assert_eq!(d[0].path, "roles[1].password");
    assert!(
        d[0].message
            .contains("Secret postgresql-orders-role-orders-app"),
        "{}",
        d[0]
    );
    assert!(d[0].help.contains("postgresql-orders-role-1"), "{}", d[0]);

    // An existing Secret that is one pgplan renders.
    let plan = build(
        base()
            .database("orders", "orders_owner", |d| d)
            .role("orders_owner", |r| {
                r.owner().login().password(secret::kubernetes_secret(
                    "postgresql-orders-superuser",
                    "password",
                ))
            }),
    );
    let d = of(&plan, "PGP111");
    assert_eq!(d.len(), 1, "{}", plan.report());
    assert!(
        d[0].message.contains("pgplan renders for postgres"),
        "{}",
        d[0]
    );
}

#[test]
fn the_default_replication_login_is_reported_only_when_pgplan_creates_it() {
    let with_replicator = |purpose_replication: bool| {
        build(
            base()
                .topology(|t| t.replica("read-1", |r| r))
                .role("replicator", |r| {
                    let r = r.login().password(secret::generated());
                    if purpose_replication {
                        r.replication()
                    } else {
                        r.monitoring()
                    }
                }),
        )
    };
    assert_eq!(of(&with_replicator(false), "PGP112").len(), 1);
    assert!(of(&with_replicator(true), "PGP112").is_empty());
    // Without read replicas pgplan creates no replication login.
    let plan = build(base().role("replicator", |r| {
        r.monitoring().login().password(secret::generated())
    }));
    assert!(of(&plan, "PGP112").is_empty());
}

#[test]
fn huge_pages_on_is_refused_and_try_warned_on_the_primary_and_the_replicas() {
    let plan = build(
        base()
            .tuning(|t| t.parameter("huge_pages", "on"))
            .topology(|t| t.replica("read-1", |r| r.parameter("huge_pages", "try"))),
    );
    let d = of(&plan, "PGP119");
    let found: Vec<(String, Severity)> =
        d.iter().map(|d| (d.path.to_string(), d.severity)).collect();
    assert_eq!(
        found,
        [
            ("tuning.parameters.huge_pages".to_owned(), Severity::Error),
            (
                "topology.replicas[0].parameters.huge_pages".to_owned(),
                Severity::Warning
            ),
        ],
        "{}",
        plan.report()
    );
    assert!(
        d[0].message.contains("requests no hugepages-2Mi"),
        "{}",
        d[0]
    );
    // What pgplan derives on Kubernetes is off, and draws nothing.
    assert!(of(&build(base()), "PGP119").is_empty());
    assert!(
        of(
            &build(base().tuning(|t| t.parameter("huge_pages", "off"))),
            "PGP119"
        )
        .is_empty()
    );
}

#[test]
fn container_parameters_are_refused_on_the_primary_and_the_replicas() {
    let plan = build(
        base()
            .tuning(|t| t.parameter("hba_file", "/etc/pg_hba.conf"))
            .topology(|t| t.replica("read-1", |r| r.parameter("data_directory", "/srv/pg"))),
    );
    let d = of(&plan, "PGP114");
    let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "topology.replicas[0].parameters.data_directory",
            "tuning.parameters.hba_file"
        ]
    );
    assert!(
        d[0].message.contains("/var/lib/postgresql/data/pgdata"),
        "{}",
        d[0]
    );
    assert!(d[1].message.contains("/etc/postgresql"), "{}", d[1]);
}

#[test]
fn day_seven_is_refused_with_the_schedule_rewritten() {
    let plan_with = |schedule: &str| {
        build(
            base()
                .database("orders", "orders_owner", |d| d)
                .sizing(|s| s.backup_volume(10.gib()))
                .backups(|b| b.logical("weekly", schedule, 28.days(), |l| l)),
        )
    };
    for (schedule, help) in [
        ("0 3 * * 7", Some("`0 3 * * 0`")),
        ("0 3 * * 1,7", Some("`0 3 * * 1,0`")),
        ("0 3 * * 5-7", Some("`0 3 * * 5-6,0`")),
        ("0 3 * * 1-7/2", None),
    ] {
        let d = of(&plan_with(schedule), "PGP115");
        assert_eq!(d.len(), 1, "{schedule}");
        match help {
            Some(h) => assert!(d[0].help.contains(h), "{schedule}: {}", d[0]),
            None => assert_eq!(d[0].help, "write Sunday as 0 or SUN", "{schedule}"),
        }
    }
    // A step of 7 is not a day.
    for schedule in ["0 3 * * */7", "0 3 * * 0", "0 3 * * SUN", "@weekly"] {
        assert!(of(&plan_with(schedule), "PGP115").is_empty(), "{schedule}");
    }
}

#[test]
fn the_backup_login_needs_a_password_the_cron_job_can_read() {
    let plan = build(
        base()
            .database("orders", "orders_owner", |d| d)
            .role("orders_owner", |r| {
                r.owner().login().password(secret::generated())
            })
            .role("orders_backup", |r| r.backup())
            .sizing(|s| s.backup_volume(10.gib()))
            .backups(|b| {
                b.logical("nightly", "0 2 * * *", 7.days(), |l| {
                    l.role("orders_backup")
                })
            }),
    );
    let d = of(&plan, "PGP118");
    assert_eq!(d.len(), 1, "{}", plan.report());
    assert!(
        d[0].message.contains("cannot log in (login: false)"),
        "{}",
        d[0]
    );
    assert!(d[0].help.contains("to run as postgres"), "{}", d[0]);
}

#[test]
fn derived_role_secrets_are_valid_distinct_names() {
    let names = ObjectNames::new(&"a-service-name-of-forty-characters-long".parse().unwrap());
    let role = |s: &str| -> RoleName { s.parse().unwrap() };
    // Short enough: the role name as a DNS fragment.
    assert_eq!(
        ObjectNames::new(&"orders".parse().unwrap()).role_secret(&role("Orders_App")),
        "postgresql-orders-role-orders-app"
    );
    // Too long for a DNS label: cut, with a checksum that keeps them apart.
    let full = "postgresql-a-service-name-of-forty-characters-long-role-product-change-app";
    let cut = names.role_secret(&role("product_change_app"));
    assert!(full.len() > MAX_DNS_LABEL);
    assert_eq!(cut.len(), MAX_DNS_LABEL);
    assert_eq!(cut[..54], full[..54]);
    assert!(cut[55..].bytes().all(|b| b.is_ascii_hexdigit()), "{cut}");
    let a = names.role_secret(&role(&format!("{}_one", "x".repeat(50))));
    let b = names.role_secret(&role(&format!("{}_two", "x".repeat(50))));
    assert_ne!(a, b);
    for s in [&cut, &a, &b] {
        assert!(s.len() <= MAX_DNS_LABEL && is_dns_label(s), "{s}");
    }
    assert_eq!(dns_fragment("Bill \"Admin\""), "bill-admin");
    assert_eq!(dns_fragment("한국"), "x");
}

#[test]
fn logins_follow_the_plans_roles() {
    let plan = build(
        base()
            .topology(|t| t.replica("read-1", |r| r))
            .role("orders_repl", |r| {
                r.replication().login().password(secret::generated())
            })
            .role("orders_backup", |r| {
                r.backup()
                    .login()
                    .password(secret::env("ORDERS_BACKUP_PASSWORD"))
            })
            .database("orders", "orders_backup", |d| d)
            .sizing(|s| s.backup_volume(10.gib()))
            .backups(|b| b.logical("nightly", "0 2 * * *", 7.days(), |l| l)),
    );
    match replication_login(&plan) {
        Some(ReplicationLogin::Planned(0, role)) => assert_eq!(role.name.as_str(), "orders_repl"),
        other => panic!("{other:?}"),
    }
    let backup = backup_login(&plan, &plan.backups.logical[0]).expect("the backup role");
    assert_eq!(backup.name.as_str(), "orders_backup");
    let names = ObjectNames::new(&plan.service);
    let secret = role_secret(&names, backup).expect("a Secret");
    assert_eq!(secret.name, "postgresql-orders-role-orders-backup");
    assert!(secret.rendered);
}

#[test]
fn image_families() {
    let of = |s: &str| ImageFamily::of(&s.parse().unwrap());
    assert_eq!(of("bitnami/postgresql:14.18.0"), ImageFamily::Bitnami);
    assert_eq!(of("docker.io/bitnami/postgresql:17"), ImageFamily::Bitnami);
    assert_eq!(
        of("registry.example.com/bitnamilegacy/postgresql:16"),
        ImageFamily::Bitnami
    );
    assert_eq!(of("postgres:17.2"), ImageFamily::Official);
    assert_eq!(of("docker.io/library/postgres:16.4"), ImageFamily::Official);
    assert_eq!(of("bitnami/postgresql-repmgr:16"), ImageFamily::Official);
    assert_eq!(ImageFamily::Bitnami.pgdata(), "/bitnami/postgresql/data");
}

#[test]
fn disruption_budgets_are_checked_against_the_pods_they_cover() {
    use pgplan_core::DisruptionBudget::{MaxUnavailable, MinAvailable, NoBudget};
    let with = |primary: Option<pgplan_core::DisruptionBudget>,
                replicas: Option<pgplan_core::DisruptionBudget>,
                n: usize| {
        let mut b = base().kubernetes_mut(|k| {
            let k = match primary {
                Some(p) => k.primary_disruption_budget(p),
                None => k,
            };
            match replicas {
                Some(r) => k.read_replica_disruption_budget(r),
                None => k,
            }
        });
        for i in 0..n {
            b = b.topology(|t| t.replica(format!("read-{i}").as_str(), |r| r));
        }
        build(b)
    };
    // PGP120: more than the pods; the primary runs one.
    let d = of(&with(Some(MinAvailable(2)), None, 0), "PGP120");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, "platform.kubernetes.disruption.primary");
    assert!(d[0].message.contains("min_available: 2") && d[0].message.contains("1 pod(s)"));
    assert!(
        of(
            &with(Some(MinAvailable(1)), Some(MinAvailable(3)), 3),
            "PGP120"
        )
        .is_empty()
    );
    // PGP121: the read replicas' budget that allows no eviction; never the
    // primary's.
    let d = of(&with(None, Some(MinAvailable(3)), 3), "PGP121");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message.contains("3 read replica pod(s)"),
        "{}",
        d[0].message
    );
    assert!(
        of(
            &with(Some(MaxUnavailable(0)), Some(MinAvailable(2)), 3),
            "PGP121"
        )
        .is_empty()
    );
    // PGP122: production only, with several servers.
    assert!(
        of(&with(Some(NoBudget), None, 1), "PGP122").is_empty(),
        "development"
    );
    // PGP123: a replicas' budget without replicas.
    assert_eq!(
        of(&with(None, Some(MaxUnavailable(1)), 0), "PGP123").len(),
        1
    );
    assert!(of(&with(None, Some(MaxUnavailable(1)), 1), "PGP123").is_empty());
}

#[test]
fn io_uring_is_refused_on_the_primary_and_the_replicas() {
    let plan = build(
        base()
            .version(18)
            .kubernetes_mut(|k| k.image("postgres:18.1"))
            .tuning(|t| t.parameter("io_method", "io_uring"))
            .topology(|t| t.replica("read-1", |r| r.parameter("io_method", "IO_URING"))),
    );
    let d = of(&plan, "PGP124");
    let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "tuning.parameters.io_method",
            "topology.replicas[0].parameters.io_method"
        ],
        "{d:?}"
    );
    assert!(
        d[0].message
            .contains("PostgreSQL 18 cannot set up its I/O rings"),
        "{}",
        d[0].message
    );
    let worker = build(
        base()
            .version(18)
            .kubernetes_mut(|k| k.image("postgres:18.1"))
            .tuning(|t| t.parameter("io_method", "worker")),
    );
    assert!(of(&worker, "PGP124").is_empty());
}
