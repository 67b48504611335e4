//! What the rendered objects say: order, labels, names, the plan's numbers,
//! hardening, credentials, config files; that what the backend cannot render
//! is refused by validation, with the rule and the field; and the errors of
//! render options that do not fit the plan.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec};
use pgplan_core::DnsSubdomain;
use pgplan_core::prelude::*;
use pgplan_core::seams::InitScript;
use pgplan_k8s::{
    COMPONENT, Error, MANAGED_BY, Object, Password, PasswordFill, RenderOptions, password_slots,
    render_files, render_objects,
};

use crate::support::{every_kubernetes_plan, opts, opts_for, seed_000, valid, variants};

fn objects(plan: &Plan) -> Vec<Object> {
    let plan = valid(plan);
    render_objects(&plan, &opts_for(&plan)).unwrap()
}

fn find<'a>(objects: &'a [Object], kind: &str, name: &str) -> &'a Object {
    objects
        .iter()
        .find(|o| o.kind() == kind && o.name() == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// Every pod spec of an object, with the object's name.
fn pod_specs(o: &Object) -> Vec<&PodSpec> {
    match o {
        Object::StatefulSet(s) => s.spec.template.spec.iter().collect(),
        Object::Job(j) => j
            .spec
            .iter()
            .filter_map(|s| s.template.spec.as_ref())
            .collect(),
        Object::CronJob(c) => c
            .spec
            .job_template
            .spec
            .iter()
            .filter_map(|s| s.template.spec.as_ref())
            .collect(),
        _ => vec![],
    }
}

fn all_containers(p: &PodSpec) -> Vec<&Container> {
    p.containers
        .iter()
        .chain(p.init_containers.iter().flatten())
        .collect()
}

fn script(c: &Container) -> &str {
    &c.command.as_ref().unwrap()[2]
}

fn config_file<'a>(objects: &'a [Object], name: &str, key: &str) -> &'a str {
    match find(objects, "ConfigMap", name) {
        Object::ConfigMap(c) => &c.data.as_ref().unwrap()[key],
        _ => unreachable!(),
    }
}

/// The value a postgresql.conf sets for a parameter.
pub fn conf_value<'a>(conf: &'a str, name: &str) -> Option<&'a str> {
    conf.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("{name} = ")))
}

#[test]
fn seed_000_renders_its_objects_in_apply_order() {
    let kinds: Vec<String> = objects(&seed_000())
        .iter()
        .map(|o| format!("{} {}", o.kind(), o.name()))
        .collect();
    let init = kinds
        .iter()
        .find(|k| k.starts_with("Job "))
        .unwrap()
        .clone();
    let init_name = init.trim_start_matches("Job ");
    assert_eq!(
        kinds,
        vec![
            "Namespace phonebill-dev".to_owned(),
            "ServiceAccount postgresql-product-change".into(),
            "Secret postgresql-product-change-role-product-change-admin".into(),
            "Secret postgresql-product-change-role-product-change-app".into(),
            "Secret postgresql-product-change-role-product-change-readonly".into(),
            "Secret postgresql-product-change-superuser".into(),
            "ConfigMap postgresql-product-change-config".into(),
            format!("ConfigMap {init_name}"),
            "PersistentVolumeClaim postgresql-product-change-backup".into(),
            "NetworkPolicy postgresql-product-change".into(),
            "NetworkPolicy postgresql-product-change-jobs".into(),
            "PodDisruptionBudget postgresql-product-change".into(),
            "StatefulSet postgresql-product-change".into(),
            "Service postgresql-product-change".into(),
            "Service postgresql-product-change-headless".into(),
            "Service postgresql-product-change-metrics".into(),
            "PrometheusRule postgresql-product-change".into(),
            init.clone(),
            "CronJob postgresql-product-change-backup-daily".into(),
        ]
    );
    assert!(init_name.starts_with("postgresql-product-change-init-"));
}

#[test]
fn every_object_carries_the_labels() {
    for (name, plan) in every_kubernetes_plan() {
        for o in objects(&plan) {
            let labels = o.metadata().labels.clone().unwrap_or_default();
            let what = format!("{name}: {} {}", o.kind(), o.name());
            assert_eq!(
                labels.get(MANAGED_BY.0).map(String::as_str),
                Some(MANAGED_BY.1),
                "{what}"
            );
            for (k, v) in &plan.labels {
                assert_eq!(
                    labels.get(k.as_str()).map(String::as_str),
                    Some(v.as_str()),
                    "{what}: plan label {k}"
                );
            }
            if o.kind() == "Namespace" {
                continue;
            }
            assert_eq!(
                labels["app"],
                format!("postgresql-{}", plan.service),
                "{what}"
            );
            assert_eq!(labels["service"], plan.service.as_str(), "{what}");
            assert_eq!(labels["tier"], "database", "{what}");
            assert_eq!(
                o.namespace(),
                Some(plan.platform.kubernetes().unwrap().namespace.as_str()),
                "{what}"
            );
            // Pod templates are labelled like their owner, with a component.
            let template_labels: Vec<BTreeMap<String, String>> = match &o {
                Object::StatefulSet(s) => {
                    vec![s.spec.template.metadata.clone().unwrap().labels.unwrap()]
                }
                Object::Job(j) => vec![
                    j.spec
                        .clone()
                        .unwrap()
                        .template
                        .metadata
                        .unwrap()
                        .labels
                        .unwrap(),
                ],
                Object::CronJob(c) => vec![
                    c.spec
                        .job_template
                        .spec
                        .clone()
                        .unwrap()
                        .template
                        .metadata
                        .unwrap()
                        .labels
                        .unwrap(),
                ],
                _ => vec![],
            };
            for t in template_labels {
                assert_eq!(t["app"], labels["app"], "{what}");
                assert!(t.contains_key(COMPONENT), "{what}");
                assert_eq!(
                    t.get(MANAGED_BY.0).map(String::as_str),
                    Some(MANAGED_BY.1),
                    "{what}"
                );
            }
        }
    }
}

#[test]
fn seed_000_keeps_its_service_dns_name() {
    let objects = objects(&seed_000());
    let Object::Service(s) = find(&objects, "Service", "postgresql-product-change") else {
        unreachable!()
    };
    // postgresql-product-change.phonebill-dev.svc.cluster.local
    assert_eq!(s.metadata.namespace.as_deref(), Some("phonebill-dev"));
    let spec = s.spec.as_ref().unwrap();
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(spec.ports.as_ref().unwrap()[0].port, 5432);
    assert!(spec.cluster_ip.is_none());
    let Object::Service(h) = find(&objects, "Service", "postgresql-product-change-headless") else {
        unreachable!()
    };
    assert_eq!(h.spec.as_ref().unwrap().cluster_ip.as_deref(), Some("None"));
    let Object::StatefulSet(sts) = find(&objects, "StatefulSet", "postgresql-product-change")
    else {
        unreachable!()
    };
    assert_eq!(
        sts.spec.service_name.as_deref(),
        Some("postgresql-product-change-headless")
    );
    assert_eq!(
        sts.spec.selector.match_labels,
        h.spec.as_ref().unwrap().selector
    );
}

#[test]
fn seed_000_numbers_are_the_plans() {
    let plan = seed_000();
    let objects = objects(&plan);
    let Object::StatefulSet(sts) = find(&objects, "StatefulSet", "postgresql-product-change")
    else {
        unreachable!()
    };
    let pod = sts.spec.template.spec.as_ref().unwrap();
    let server = &pod.containers[0];
    assert_eq!(server.image.as_deref(), Some("bitnami/postgresql:14.18.0"));
    let res = server.resources.as_ref().unwrap();
    let q =
        |m: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
         k: &str| { m.as_ref().unwrap()[k].0.clone() };
    assert_eq!(q(&res.requests, "cpu"), "500m");
    assert_eq!(q(&res.limits, "cpu"), "1");
    assert_eq!(q(&res.requests, "memory"), "1Gi");
    assert_eq!(q(&res.limits, "memory"), "2Gi");
    let claim = &sts.spec.volume_claim_templates.as_ref().unwrap()[0];
    let claim_spec = claim.spec.as_ref().unwrap();
    assert_eq!(
        claim_spec.storage_class_name.as_deref(),
        Some("managed-standard")
    );
    assert_eq!(
        claim_spec
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap()["storage"]
            .0,
        "20Gi"
    );
    let Object::PersistentVolumeClaim(backup) = find(
        &objects,
        "PersistentVolumeClaim",
        "postgresql-product-change-backup",
    ) else {
        unreachable!()
    };
    assert_eq!(
        backup
            .spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap()["storage"]
            .0,
        "10Gi"
    );

    // postgresql.conf: the derived and explicit values, each with its provenance.
    let conf = config_file(
        &objects,
        "postgresql-product-change-config",
        "postgresql.conf",
    );
    let settings = plan.settings();
    assert_eq!(conf_value(conf, "shared_buffers"), Some("512MB"));
    assert_eq!(settings.lookup("shared_buffers").unwrap().value, "512MB");
    assert_eq!(conf_value(conf, "max_connections"), Some("100"));
    assert_eq!(conf_value(conf, "synchronous_commit"), Some("off"));
    assert_eq!(
        conf_value(conf, "checkpoint_completion_target"),
        Some("0.7")
    );
    assert_eq!(conf_value(conf, "log_min_duration_statement"), Some("5s"));
    assert!(conf.contains("# explicit in the plan\nmax_connections = 100\n"));
    assert!(conf.contains(
        "# derived: 25% of RAM, in 8kB pages (sizing.memory.limit = 2GB)\nshared_buffers = 512MB\n"
    ));
    // Every setting line follows its provenance comment.
    let lines: Vec<&str> = conf.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if !l.is_empty() && !l.starts_with('#') {
            assert!(
                i > 0 && lines[i - 1].starts_with("# "),
                "no provenance above `{l}`"
            );
        }
    }
    for s in settings.iter() {
        assert!(conf_value(conf, &s.name).is_some(), "{} missing", s.name);
    }

    // The backup schedule and retention.
    let Object::CronJob(cron) = find(
        &objects,
        "CronJob",
        "postgresql-product-change-backup-daily",
    ) else {
        unreachable!()
    };
    assert_eq!(cron.spec.schedule, "0 2 * * *");
    assert_eq!(cron.spec.concurrency_policy.as_deref(), Some("Forbid"));
    let job = cron.spec.job_template.spec.as_ref().unwrap();
    let backup_script = script(&job.template.spec.as_ref().unwrap().containers[0]);
    assert!(backup_script.starts_with("set -euo pipefail\n"));
    assert!(backup_script.contains("--format=custom"));
    assert!(backup_script.contains(r#"pg_restore --list "$partial" >/dev/null"#));
    assert!(backup_script.contains("-mmin +10080 "), "7 days in minutes");
    assert!(backup_script.contains("dump product_change_db product_change_db\n"));

    // The alert thresholds.
    let rule = find(&objects, "PrometheusRule", "postgresql-product-change").to_json();
    let rules = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    let by_alert = |a: &str| {
        rules
            .iter()
            .find(|r| r["alert"] == a)
            .unwrap_or_else(|| panic!("{a}"))
    };
    assert!(
        by_alert("PostgresqlHighCpu")["expr"]
            .as_str()
            .unwrap()
            .ends_with("/ 1 > 80")
    );
    assert_eq!(by_alert("PostgresqlHighCpu")["for"], "5m");
    assert!(
        by_alert("PostgresqlHighMemory")["expr"]
            .as_str()
            .unwrap()
            .ends_with("/ 2147483648 > 85")
    );
    assert_eq!(by_alert("PostgresqlHighMemory")["for"], "3m");
    assert!(
        by_alert("PostgresqlStorageFull")["expr"]
            .as_str()
            .unwrap()
            .ends_with(") > 80")
    );
    // 80 connections of max_connections 100.
    assert!(
        by_alert("PostgresqlTooManyConnections")["expr"]
            .as_str()
            .unwrap()
            .ends_with(" > 80")
    );
    assert!(
        by_alert("PostgresqlSlowQuery")["expr"]
            .as_str()
            .unwrap()
            .ends_with(" > 5")
    );
}

#[test]
fn every_pod_is_hardened() {
    for (name, plan) in every_kubernetes_plan() {
        let k8s = plan.platform.kubernetes().unwrap();
        for o in objects(&plan) {
            for pod in pod_specs(&o) {
                let what = format!("{name}: {} {}", o.kind(), o.name());
                assert_eq!(pod.automount_service_account_token, Some(false), "{what}");
                assert_eq!(
                    pod.service_account_name.as_deref(),
                    Some(format!("postgresql-{}", plan.service).as_str())
                );
                let psc = pod.security_context.as_ref().unwrap();
                assert_eq!(psc.run_as_non_root, Some(true), "{what}");
                assert_eq!(psc.run_as_user, Some(k8s.run_as_user), "{what}");
                assert_eq!(
                    psc.seccomp_profile.as_ref().unwrap().type_,
                    "RuntimeDefault"
                );
                for c in all_containers(pod) {
                    let what = format!("{what} container {}", c.name);
                    let sc = c.security_context.as_ref().unwrap();
                    assert_eq!(sc.allow_privilege_escalation, Some(false), "{what}");
                    assert_eq!(sc.read_only_root_filesystem, Some(true), "{what}");
                    assert_eq!(sc.run_as_non_root, Some(true), "{what}");
                    assert_eq!(sc.privileged, Some(false), "{what}");
                    assert_eq!(
                        sc.capabilities.as_ref().unwrap().drop,
                        Some(vec!["ALL".to_owned()]),
                        "{what}"
                    );
                    let r = c.resources.as_ref().unwrap();
                    for key in ["cpu", "memory"] {
                        assert!(r.requests.as_ref().unwrap().contains_key(key), "{what}");
                        assert!(r.limits.as_ref().unwrap().contains_key(key), "{what}");
                    }
                    let image = c.image.as_deref().unwrap();
                    assert!(
                        image.contains(':') || image.contains('@'),
                        "{what}: {image} not pinned"
                    );
                    assert!(!image.ends_with(":latest"), "{what}");
                    // Passwords are files, never environment variables.
                    for e in c.env.iter().flatten() {
                        assert!(e.value_from.is_none(), "{what}: {}", e.name);
                        assert!(
                            !e.name.contains("PASSWORD") || e.name.ends_with("_FILE"),
                            "{what}: {}",
                            e.name
                        );
                    }
                }
                // Long-running containers have probes; the server all three.
                if let Object::StatefulSet(_) = o {
                    for c in &pod.containers {
                        assert!(
                            c.liveness_probe.is_some() && c.readiness_probe.is_some(),
                            "{}",
                            c.name
                        );
                    }
                    let server = &pod.containers[0];
                    let startup = server.startup_probe.as_ref().unwrap();
                    assert_eq!(
                        startup.exec.as_ref().unwrap().command.as_ref().unwrap()[0],
                        "pg_isready"
                    );
                }
            }
        }
    }
}

#[test]
fn secrets_hold_no_password_unless_the_caller_passes_one() {
    let plan = seed_000();
    let slots = password_slots(&valid(&plan)).unwrap();
    let names: Vec<&str> = slots.iter().map(|s| s.secret.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "postgresql-product-change-role-product-change-admin",
            "postgresql-product-change-role-product-change-app",
            "postgresql-product-change-role-product-change-readonly",
            "postgresql-product-change-superuser",
        ]
    );
    assert!(
        slots
            .iter()
            .all(|s| s.fill == PasswordFill::Generate { length: 32 })
    );
    for o in objects(&plan) {
        if let Object::Secret(s) = o {
            let data = s.data.unwrap();
            assert!(!data.contains_key("password"), "{:?}", s.metadata.name);
            assert!(data.contains_key("username"));
        }
    }

    let mut with = opts();
    with.passwords.insert(
        "postgresql-product-change-superuser".into(),
        Password::new("given-by-the-caller"),
    );
    assert!(!format!("{with:?}").contains("given-by-the-caller"));
    let rendered = render_objects(&valid(&plan), &with).unwrap();
    let Object::Secret(s) = find(&rendered, "Secret", "postgresql-product-change-superuser") else {
        unreachable!()
    };
    assert_eq!(
        s.data.as_ref().unwrap()["password"].0,
        b"given-by-the-caller"
    );

    // A password for a Secret the plan does not render is an options error.
    let mut unknown = opts();
    unknown
        .passwords
        .insert("no-such-secret".into(), Password::new("x"));
    let e = render_objects(&valid(&plan), &unknown).unwrap_err();
    assert!(
        matches!(&e, Error::UnknownPasswordSecret { secret, .. } if secret == "no-such-secret"),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains("postgresql-product-change-superuser"),
        "names the Secrets that take one: {message}"
    );
    assert!(!message.contains("given-by-the-caller") && !message.contains("\"x\""));
}

#[test]
fn a_tls_secret_named_in_the_options_is_mounted() {
    let (_, plan) = variants().into_iter().next().unwrap();
    let with = RenderOptions {
        tls_secret: Some("orders-cert-manager-tls".parse::<DnsSubdomain>().unwrap()),
        ..opts()
    };
    let objects = render_objects(&valid(&plan), &with).unwrap();
    let Object::StatefulSet(sts) = find(&objects, "StatefulSet", "postgresql-product-change")
    else {
        unreachable!()
    };
    let volumes = sts
        .spec
        .template
        .spec
        .as_ref()
        .unwrap()
        .volumes
        .as_ref()
        .unwrap();
    let tls = volumes.iter().find(|v| v.name == "tls").unwrap();
    assert_eq!(
        tls.secret.as_ref().unwrap().secret_name.as_deref(),
        Some("orders-cert-manager-tls")
    );
    // A name Kubernetes would refuse cannot even be passed.
    assert!("Orders_TLS".parse::<DnsSubdomain>().is_err());
}

#[test]
fn existing_and_key_vault_secrets_are_referenced_not_rendered() {
    let (_, official) = variants().into_iter().nth(1).unwrap();
    let objects = objects(&official);
    // event_app's password lives in an existing Secret: nothing is rendered for it.
    assert!(!objects.iter().any(|o| o.name() == "event-marketing-db"));
    let Object::Job(job) = objects.iter().find(|o| o.kind() == "Job").unwrap() else {
        unreachable!()
    };
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let secret_names: Vec<&str> = pod
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.secret.as_ref())
        .filter_map(|s| s.secret_name.as_deref())
        .collect();
    assert!(secret_names.contains(&"event-marketing-db"));
    // event_owner's comes from Key Vault through an ExternalSecret.
    let es = find(
        &objects,
        "ExternalSecret",
        "postgresql-event-marketing-role-event-owner",
    )
    .to_json();
    assert_eq!(es["spec"]["secretStoreRef"]["name"], "event-kv");
    assert_eq!(
        es["spec"]["data"][0]["remoteRef"]["key"],
        "event-owner-password"
    );
    assert_eq!(
        es["spec"]["target"]["name"],
        "postgresql-event-marketing-role-event-owner"
    );
}

#[test]
fn pg_hba_requires_scram_and_tls_when_the_plan_does() {
    for (name, plan) in every_kubernetes_plan() {
        let objects = objects(&plan);
        let hba = config_file(
            &objects,
            &format!("postgresql-{}-config", plan.service),
            "pg_hba.conf",
        );
        let tls = plan.security.tls.required;
        for line in hba.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let method = *fields.last().unwrap();
            match method {
                "scram-sha-256" | "reject" => {}
                // The bitnami image's first boot: the superuser, on the socket only.
                "trust" => assert_eq!(&fields[..3], ["local", "all", "postgres"], "{name}: {line}"),
                other => panic!("{name}: method {other} in `{line}`"),
            }
            let remote =
                fields.len() == 5 && !fields[3].starts_with("127.") && fields[3] != "::1/128";
            if tls && remote && method != "reject" {
                assert_eq!(fields[0], "hostssl", "{name}: {line}");
            }
        }
        if tls {
            assert!(
                hba.contains("hostnossl  all          all          0.0.0.0/0     reject"),
                "{name}"
            );
        }
    }
}

#[test]
fn read_replicas_get_their_own_stateful_set_spread_over_nodes() {
    for (name, plan) in variants() {
        let objects = objects(&plan);
        let read_name = format!("postgresql-{}-read", plan.service);
        let Object::StatefulSet(read) = find(&objects, "StatefulSet", &read_name) else {
            unreachable!()
        };
        assert_eq!(read.spec.replicas, Some(2), "{name}");
        let pod = read.spec.template.spec.as_ref().unwrap();
        assert!(
            pod.affinity.as_ref().unwrap().pod_anti_affinity.is_some(),
            "{name}"
        );
        let spread = pod.topology_spread_constraints.as_ref().unwrap();
        assert_eq!(spread.len(), 2, "{name}");
        assert!(find(&objects, "Service", &read_name).kind() == "Service");
        assert!(find(&objects, "PodDisruptionBudget", &read_name).kind() == "PodDisruptionBudget");
        let Object::StatefulSet(primary) = find(
            &objects,
            "StatefulSet",
            &format!("postgresql-{}", plan.service),
        ) else {
            unreachable!()
        };
        // The primary avoids the replicas' nodes too, but is a single pod.
        let ppod = primary.spec.template.spec.as_ref().unwrap();
        assert!(ppod.affinity.is_some(), "{name}");
        assert!(ppod.topology_spread_constraints.is_none(), "{name}");
    }

    // The official image clones replicas in an init container and creates
    // the replication login in the Job.
    let (_, official) = variants().into_iter().nth(1).unwrap();
    let objects = objects(&official);
    let Object::StatefulSet(read) =
        find(&objects, "StatefulSet", "postgresql-event-marketing-read")
    else {
        unreachable!()
    };
    let init = &read
        .spec
        .template
        .spec
        .as_ref()
        .unwrap()
        .init_containers
        .as_ref()
        .unwrap()[0];
    assert_eq!(init.name, "clone-primary");
    assert!(script(init).contains(
        "pg_basebackup --pgdata=\"$PGDATA.partial\" --wal-method=stream --write-recovery-conf"
    ));
    let read_conf = config_file(
        &objects,
        "postgresql-event-marketing-read-config",
        "postgresql.conf",
    );
    assert_eq!(conf_value(read_conf, "work_mem"), Some("8MB"));
    let Object::Job(job) = objects.iter().find(|o| o.kind() == "Job").unwrap() else {
        unreachable!()
    };
    let job_script = script(
        &job.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0],
    );
    assert!(job_script.contains("CREATE ROLE %I WITH REPLICATION LOGIN"));
    assert!(
        job_script.contains("set_password replicator \"$PGPLAN_SECRETS_DIR/replication/password\"")
    );
}

#[test]
fn the_schema_init_job_fails_on_any_error_and_cleans_up_after_itself() {
    let objects = objects(&seed_000());
    let Object::Job(job) = objects.iter().find(|o| o.kind() == "Job").unwrap() else {
        unreachable!()
    };
    let spec = job.spec.as_ref().unwrap();
    assert_eq!(spec.backoff_limit, Some(3));
    assert_eq!(spec.ttl_seconds_after_finished, Some(86_400));
    let pod = spec.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
    let s = script(&pod.containers[0]);
    assert!(s.starts_with("set -euo pipefail\n"));
    assert!(s.contains("until pg_isready --quiet --timeout=5; do"));
    assert!(s.contains("psql --no-psqlrc --set=ON_ERROR_STOP=1 --file=\"$PGPLAN_SQL_FILE\""));
    // The roles of the init script, in its order: product_change_admin first.
    assert!(
        s.contains("set_password product_change_admin \"$PGPLAN_SECRETS_DIR/roles/0/password\"")
    );
    assert!(s.contains("set_password product_change_app \"$PGPLAN_SECRETS_DIR/roles/1/password\""));

    // Without init SQL (and no replication login to create) there is no Job.
    let none = render_objects(&valid(&seed_000()), &RenderOptions::default()).unwrap();
    assert!(!none.iter().any(|o| o.kind() == "Job"));
    // Different SQL, different Job (its pod template cannot change in place).
    let other = render_objects(
        &valid(&seed_000()),
        &RenderOptions {
            init_script: Some(InitScript {
                sql: "SELECT 2;".into(),
                passwords_to_set: vec![],
            }),
            ..RenderOptions::default()
        },
    )
    .unwrap();
    // A script asking for the password of a role without a Secret was
    // rendered for another plan: an options error naming the role.
    let e = render_objects(
        &valid(&seed_000()),
        &RenderOptions {
            init_script: Some(InitScript {
                sql: "SELECT 1;".into(),
                passwords_to_set: vec!["someone_else".parse().unwrap()],
            }),
            ..RenderOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::UnknownInitScriptRole { role, .. } if role == "someone_else"),
        "{e:?}"
    );
    assert!(e.to_string().contains("product_change_app"), "{e}");
    let name = |objs: &[Object]| {
        objs.iter()
            .find(|o| o.kind() == "Job")
            .unwrap()
            .name()
            .to_owned()
    };
    assert_ne!(name(&objects), name(&other));
}

#[test]
fn checkov_skips_are_only_the_ones_the_plan_forces() {
    for (name, plan) in every_kubernetes_plan() {
        let k8s = plan.platform.kubernetes().unwrap();
        for o in objects(&plan) {
            for (key, value) in o.metadata().annotations.iter().flatten() {
                if !key.starts_with("checkov.io/skip") {
                    continue;
                }
                let (id, reason) = value.split_once('=').unwrap();
                assert!(
                    !reason.contains('='),
                    "{name}: checkov splits on `=`: {value}"
                );
                match id {
                    "CKV_K8S_43" => assert!(reason.contains("pinned by tag")),
                    "CKV_K8S_40" => {
                        assert!(k8s.run_as_user < 10_000);
                        assert!(reason.contains(&format!("UID {}", k8s.run_as_user)));
                    }
                    other => panic!("{name}: unexpected skip {other}"),
                }
            }
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    for (name, plan) in every_kubernetes_plan() {
        let a = render_files(&valid(&plan), &opts()).unwrap();
        let b = render_files(&valid(&plan), &opts()).unwrap();
        assert_eq!(a, b, "{name}");
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            vec!["README.md", "bootstrap-secrets.sh", "manifests.yaml"]
        );
    }
}

#[test]
fn production_primaries_wait_for_an_operator_before_eviction() {
    let mut p = seed_000();
    let dev = objects(&p);
    p.environment = Environment::Production;
    let prod = objects(&p);
    let max = |objs: &[Object]| match find(objs, "PodDisruptionBudget", "postgresql-product-change")
    {
        Object::PodDisruptionBudget(b) => b.spec.clone().unwrap().max_unavailable.unwrap(),
        _ => unreachable!(),
    };
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    assert_eq!(max(&dev), IntOrString::Int(1));
    assert_eq!(max(&prod), IntOrString::Int(0));
}

#[test]
fn the_plans_disruption_budgets_are_rendered() {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use pgplan_core::{DisruptionBudget, DisruptionPolicy, Platform};
    for (name, mut plan) in variants() {
        let Platform::Kubernetes(k) = &mut plan.platform else {
            unreachable!()
        };
        k.disruption = DisruptionPolicy {
            primary: Some(DisruptionBudget::MinAvailable(0)),
            read_replicas: Some(DisruptionBudget::MinAvailable(1)),
        };
        let objs = objects(&plan);
        let spec = |n: &str| match find(&objs, "PodDisruptionBudget", n) {
            Object::PodDisruptionBudget(b) => b.spec.clone().unwrap(),
            _ => unreachable!(),
        };
        let primary = spec(&format!("postgresql-{}", plan.service));
        assert_eq!(primary.min_available, Some(IntOrString::Int(0)), "{name}");
        assert_eq!(primary.max_unavailable, None, "{name}");
        let read = spec(&format!("postgresql-{}-read", plan.service));
        assert_eq!(read.min_available, Some(IntOrString::Int(1)), "{name}");
        // `none`: no budget at all.
        let Platform::Kubernetes(k) = &mut plan.platform else {
            unreachable!()
        };
        k.disruption.read_replicas = Some(DisruptionBudget::NoBudget);
        let budgets = objects(&plan)
            .iter()
            .filter(|o| o.kind() == "PodDisruptionBudget")
            .count();
        assert_eq!(budgets, 1, "{name}");
    }
}

#[test]
fn the_primary_runs_initdb_with_the_plans_checksums() {
    use pgplan_core::Platform;
    let env = |plan: &Plan, var: &str| {
        let objs = objects(plan);
        let Object::StatefulSet(sts) = find(
            &objs,
            "StatefulSet",
            &format!("postgresql-{}", plan.service),
        ) else {
            unreachable!()
        };
        let pod = sts.spec.template.spec.clone().unwrap();
        pod.containers[0]
            .env
            .iter()
            .flatten()
            .find(|e| e.name == var)
            .and_then(|e| e.value.clone())
    };
    let mut plan = seed_000();
    let var =
        pgplan_core::kubernetes_facts::ImageFamily::of(&plan.platform.kubernetes().unwrap().image)
            .initdb_args_env();
    assert_eq!(env(&plan, var).as_deref(), Some("--data-checksums"));
    let Platform::Kubernetes(k) = &mut plan.platform else {
        unreachable!()
    };
    k.data_checksums = false;
    assert_eq!(env(&plan, var), None, "PostgreSQL {}", plan.version);
    plan.version = pgplan_core::MajorVersion::new(18).unwrap();
    assert_eq!(env(&plan, var).as_deref(), Some("--no-data-checksums"));
}

#[test]
fn the_network_policy_admits_only_the_plans_clients() {
    let objects = objects(&seed_000());
    let policy = find(&objects, "NetworkPolicy", "postgresql-product-change").to_json();
    let rules = policy["spec"]["ingress"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    let peers: Vec<&serde_json::Value> = rules[0]["from"].as_array().unwrap().iter().collect();
    assert_eq!(
        peers[0]["podSelector"]["matchLabels"],
        serde_json::json!({"app": "product-change"})
    );
    assert_eq!(
        rules[0]["ports"],
        serde_json::json!([{"port": 5432, "protocol": "TCP"}])
    );
    assert_eq!(
        rules[1]["ports"],
        serde_json::json!([{"port": 9187, "protocol": "TCP"}])
    );
    assert_eq!(
        policy["spec"]["policyTypes"],
        serde_json::json!(["Ingress"])
    );
    let jobs = find(&objects, "NetworkPolicy", "postgresql-product-change-jobs").to_json();
    assert!(
        jobs["spec"].get("ingress").is_none(),
        "the Job pods accept nothing"
    );
}
