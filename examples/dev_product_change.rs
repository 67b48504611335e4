//! The Product-Change development database on Kubernetes (AKS): the plan as
//! its hand-written original had it, what validation says about it, the
//! corrections, and the corrected plan rendered to Kubernetes manifests and
//! the SQL their schema Job runs.
//!
//! Run: `cargo run --example dev_product_change`

use pgplan::prelude::*;

const DB: &str = "product_change_db";
const SCHEMA: &str = "product_change";
const WRITE: [pgplan::Privilege; 3] = [SELECT, INSERT, UPDATE];
const AS_WRITTEN: &str = include_str!("../tests/plans/fail/seed-000-product-change-as-written.yaml");
const CORRECTED: &str = include_str!("plans/dev-product-change.yaml");

/// The plan as written, defects included.
fn as_written() -> PlanBuilder {
    Plan::development("product-change")
        .version(14)
        .objectives(|o| o.availability(95.pct()))
        .kubernetes("phonebill-dev", "bitnami/postgresql:14", |k| {
            k.cluster("phonebill-dev-aks")
                .resource_group("phonebill-dev-rg")
                .storage_class("managed-standard")
        })
        .sizing(|s| s.cpu(500.millicores(), 1000.millicores()).memory(1.gib(), 2.gib()).data_volume(20.gib()))
        .tuning(|t| {
            t.storage(StorageKind::Hdd).parameters([
                ("max_connections", "100"),
                // "25 % of memory" — of a 2Gi container it is 12.5 %.
                ("shared_buffers", "256MB"),
                ("effective_cache_size", "1GB"),
                ("work_mem", "4MB"),
                ("maintenance_work_mem", "64MB"),
                ("checkpoint_completion_target", "0.7"),
                ("wal_buffers", "16MB"),
                ("default_statistics_target", "100"),
                ("log_destination", "stderr"),
                ("logging_collector", "on"),
                ("log_directory", "log"),
                ("log_filename", "postgresql-%Y-%m-%d_%H%M%S.log"),
                ("log_min_duration_statement", "1000"),
                ("log_checkpoints", "on"),
                ("log_connections", "on"),
                ("log_disconnections", "on"),
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("timezone", "UTC"),
                ("log_timezone", "UTC"),
            ])
        })
        .database(DB, "product_change_app", |d| d.encoding("UTF8").schema(SCHEMA, |s| s))
        // The Secret: base64 of a password written in the document.
        .role("product_change_app", |r| {
            r.application()
                .password(secret::literal("dev_password_2025"))
                .grant(WRITE, on::tables(DB, SCHEMA))
        })
        .role("product_change_admin", |r| r.admin().login().grant(ALL, on::database(DB)))
        .role("product_change_readonly", |r| r.read_only().login().grant(SELECT, on::tables(DB, SCHEMA)))
        .backups(|b| {
            b.logical("daily", "0 2 * * *", 7.days(), |l| {
                l.databases([DB]).format(DumpFormat::Plain).role("product_change_app")
            })
            .snapshots(|s| s)
        })
        .monitoring(|m| {
            m.cpu(above(80.pct()).sustained_for(5.minutes()))
                .memory(above(85.pct()).sustained_for(3.minutes()))
                .connections(above(80))
                .storage(above(80.pct()))
                .slow_query(above(5.seconds()))
        })
        .security(|s| s.tls_optional())
}

/// The corrections.
fn corrected(plan: PlanBuilder) -> PlanBuilder {
    const ADMIN: &str = "product_change_admin";
    plan.label("system", "phonebill")
        // The daily dump is the recovery point.
        .objectives(|o| o.rpo(24.hours()))
        // A release instead of the moving `14` tag.
        .kubernetes_mut(|k| k.image("bitnami/postgresql:14.18.0"))
        // Memory settings derive from the 2Gi limit; durability stays on
        // (fsync/full_page_writes off corrupt the cluster on a crash);
        // synchronous_commit off only risks the last commits, acceptable in
        // dev. The container logs to stderr: no collector and files.
        .tuning(|t| {
            t.workload(Workload::Web).keep_only([
                "max_connections",
                "synchronous_commit",
                "checkpoint_completion_target",
                "log_checkpoints",
                "log_connections",
                "log_disconnections",
                "timezone",
                "log_timezone",
            ])
        })
        // The admin owns the database and runs the migrations; the
        // application role owns nothing.
        .database_mut(DB, |d| {
            d.owner(ADMIN)
                .estimated_size(1.gib())
                .schema_mut(SCHEMA, |s| s.owner(ADMIN))
                // The application schema (tables, indexes, a trigger
                // function, initial rows, a monitoring view).
                .migrations_directory("migrations/product_change_db")
        })
        .role_mut(ADMIN, |r| {
            r.owner()
                .password(secret::generated())
                .clear_grants()
                .grant([CONNECT, CREATE, TEMPORARY], on::database(DB))
        })
        .role_mut("product_change_app", |r| {
            r.password(secret::generated()).clear_grants().dml_on(DB, SCHEMA, WRITE)
        })
        .role_mut("product_change_readonly", |r| {
            r.password(secret::generated()).clear_grants().read_only_on(DB, SCHEMA)
        })
        .client("product-change", |c| {
            c.pool_size(10).pods(1, 2).database(DB).role("product_change_app").label("app", "product-change")
        })
        // The backup CronJob's volume, and a verifiable custom-format dump.
        .sizing(|s| s.backup_volume(10.gib()))
        .backups(|b| b.logical_mut("daily", |l| l.format(DumpFormat::Custom)))
        .monitoring(|m| m.exporter(|e| e))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = as_written().build()?;
    seed.ensure_same(&Plan::from_yaml(AS_WRITTEN)?)?;
    let report = seed.validate().err().ok_or("the plan as written must not pass")?;
    println!("== {} as written\n{report}", seed.service);

    // The migration scripts are read from beside the plan file, as
    // `pgplan` reads them.
    let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plans");
    let mut plan = corrected(seed.edit()).build()?;
    plan.read_migrations(&beside)?;
    let plan = plan.validate()?;
    println!("\n== corrected\n{}", plan.report());
    let mut written = Plan::from_yaml(CORRECTED)?;
    written.read_migrations(&beside)?;
    plan.ensure_same(&written)?;

    let options = pgplan::k8s::RenderOptions {
        init_script: Some(pgplan::sql::init_script_for_job(&plan)?),
        migrations: pgplan::sql::migration_runner_for_job(&plan),
        ..Default::default()
    };
    for (name, text) in pgplan::k8s::render_files(&plan, &options)? {
        println!("rendered {name}: {} lines", text.lines().count());
    }
    Ok(())
}
