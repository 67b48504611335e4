//! The schema-init Job with migrations: the runner and the scripts the SQL
//! backend writes ([`MigrationRunner`]) go into the Job's ConfigMap beside
//! `init.sql`, the Job runs the runner after the init script and the
//! passwords, and changed scripts make a new Job. The root tests run the
//! real runner in the emulated pod (`tests/k8s_pod.rs`).

use std::collections::BTreeMap;

use pgplan_core::seams::MigrationRunner;
use pgplan_k8s::{Object, RenderOptions, render_objects};

use crate::support::{opts_for, seed_000, valid};

fn with_migrations(script: &str) -> Vec<Object> {
    let plan = valid(&seed_000());
    let opts = RenderOptions {
        migrations: Some(MigrationRunner {
            runner: "\\ir 'product_change_db.V1__init.sql'\n".into(),
            files: BTreeMap::from([(
                "product_change_db.V1__init.sql".to_owned(),
                script.to_owned(),
            )]),
        }),
        ..opts_for(&plan)
    };
    render_objects(&plan, &opts).unwrap()
}

fn job(objects: &[Object]) -> &k8s_openapi::api::batch::v1::Job {
    objects
        .iter()
        .find_map(|o| match o {
            Object::Job(j) => Some(j),
            _ => None,
        })
        .unwrap()
}

#[test]
fn the_job_runs_the_migrations_from_its_config_map_after_the_init_script() {
    let objects = with_migrations("CREATE TABLE t (id int);\n");
    let job = job(&objects);
    let config_map = objects
        .iter()
        .find_map(|o| match o {
            Object::ConfigMap(c) if c.metadata.name == job.metadata.name => Some(c),
            _ => None,
        })
        .expect("the Job's ConfigMap");
    let data = config_map.data.as_ref().unwrap();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["init.sql", "migrate.psql", "product_change_db.V1__init.sql"]
    );
    for key in data.keys() {
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)),
            "{key} is a valid ConfigMap key"
        );
    }
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let container = &pod.containers[0];
    let env: BTreeMap<_, _> = container
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.as_str(), e.value.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(env["PGPLAN_MIGRATIONS_FILE"], "/sql/migrate.psql");
    let script = &container.command.as_ref().unwrap()[2];
    let init = script.find("--file=\"$PGPLAN_SQL_FILE\"").unwrap();
    let passwords = script.rfind("set_password ").unwrap();
    let migrations = script
        .find("--file=\"$PGPLAN_MIGRATIONS_FILE\"")
        .expect("the Job runs the runner");
    assert!(init < passwords && passwords < migrations, "{script}");

    // A changed script is a new Job (and ConfigMap): a Job's pod template
    // cannot change in place, and the new one must run.
    let other = with_migrations("CREATE TABLE t (id bigint);\n");
    assert_ne!(job.metadata.name, self::job(&other).metadata.name);
}

#[test]
fn migrations_alone_make_a_job() {
    let plan = valid(&seed_000());
    let objects = render_objects(
        &plan,
        &RenderOptions {
            migrations: Some(MigrationRunner {
                runner: "SELECT 1;\n".into(),
                files: BTreeMap::new(),
            }),
            ..RenderOptions::default()
        },
    )
    .unwrap();
    let job = job(&objects);
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let script = &pod.containers[0].command.as_ref().unwrap()[2];
    assert!(script.contains("$PGPLAN_MIGRATIONS_FILE"));
    assert!(!script.contains("$PGPLAN_SQL_FILE\""), "{script}");
    assert!(pod.volumes.iter().flatten().any(|v| v.config_map.is_some()));
}
