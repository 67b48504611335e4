//! Seed 000: the Product-Change development database on Kubernetes (AKS).
//!
//! Builds the plan with the typed builders as the seed wrote it (same plan as
//! `tests/plans/fail/seed-000-product-change-as-written.yaml`), validates it
//! and prints the report; then applies the fixes, shows the corrected plan
//! (`examples/plans/dev-product-change.yaml`) validates without errors, and
//! renders its Kubernetes manifests and SQL.
//!
//! Run: `cargo run --example dev_product_change`

use std::collections::BTreeMap;

use pgplan::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let as_written = seed_as_written()?;
    let from_file = Plan::from_yaml(include_str!(
        "../tests/plans/fail/seed-000-product-change-as-written.yaml"
    ))?;
    if from_file != as_written {
        return Err("tests/plans/fail/seed-000-product-change-as-written.yaml differs from the seed as built here".into());
    }
    let report = as_written.report();
    println!("== Seed 000 as written: {}", as_written.service);
    println!("{report}");

    let corrected = corrected(as_written)?;
    let report = corrected.report();
    println!("\n== Seed 000 corrected");
    println!("{report}");
    if report.has_errors() {
        return Err("the corrected plan still has errors".into());
    }
    let from_file = Plan::from_yaml(include_str!("plans/dev-product-change.yaml"))?;
    if from_file != corrected {
        return Err(
            "examples/plans/dev-product-change.yaml differs from the corrected plan".into(),
        );
    }
    println!("(identical to examples/plans/dev-product-change.yaml)");
    render(&corrected)
}

/// Renders the SQL init script and the Kubernetes manifests that run it.
fn render(plan: &Plan) -> Result<(), Box<dyn std::error::Error>> {
    let init_sql = pgplan::sql::render_script(&plan.validate().expect("the plan validates"))?;
    let options = pgplan::k8s::RenderOptions {
        init_sql: Some(init_sql),
        ..Default::default()
    };
    let files = pgplan::k8s::render_files(&plan.validate().expect("the plan validates"), &options)?;
    println!("\n== Rendered Kubernetes objects");
    for (name, text) in &files {
        println!("  {name}: {} lines", text.lines().count());
    }
    Ok(())
}

fn grant(
    schema: Option<&str>,
    objects: ObjectKind,
    privileges: &[Privilege],
) -> Result<Grant, NameError> {
    let mut g = Grant::builder()
        .database(DatabaseName::new("product_change_db")?)
        .objects(objects)
        .privileges(privileges.to_vec())
        .build();
    g.schema = schema.map(SchemaName::new).transpose()?;
    Ok(g)
}

/// The plan as seed 000 wrote it.
fn seed_as_written() -> Result<Plan, Box<dyn std::error::Error>> {
    use ObjectKind::*;
    use Privilege::*;
    const SCHEMA: Option<&str> = Some("product_change");

    let mut parameters = BTreeMap::new();
    for (name, value) in [
        ("max_connections", "100"),
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
        // "Development environment optimizations".
        ("fsync", "off"),
        ("synchronous_commit", "off"),
        ("full_page_writes", "off"),
        ("timezone", "UTC"),
        ("log_timezone", "UTC"),
    ] {
        parameters.insert(GucName::new(name)?, ParamValue::new(value));
    }

    Ok(Plan::builder()
        .service(ServiceName::new("product-change")?)
        .environment(Environment::Development)
        .objectives(
            Objectives::builder()
                .availability(Percent::whole(95))
                .build(),
        )
        .version(MajorVersion::new(14)?)
        .platform(Platform::Kubernetes(
            Kubernetes::builder()
                .cluster("phonebill-dev-aks")
                .resource_group("phonebill-dev-rg")
                .namespace("phonebill-dev")
                .storage_class("managed-standard")
                .image("bitnami/postgresql:14".parse()?)
                .build(),
        ))
        .sizing(
            Sizing::builder()
                .cpu(
                    Resources::builder()
                        .request(Millicores::new(500))
                        .limit(Millicores::new(1000))
                        .build(),
                )
                .memory(
                    Resources::builder()
                        .request(Bytes::gib(1))
                        .limit(Bytes::gib(2))
                        .build(),
                )
                .data_volume(Bytes::gib(20))
                .backup_volume(Bytes::gib(10))
                .build(),
        )
        .tuning(
            Tuning::builder()
                .storage(StorageKind::Hdd)
                .parameters(parameters)
                .build(),
        )
        .databases(vec![
            pgplan::Database::builder()
                .name(DatabaseName::new("product_change_db")?)
                .owner(RoleName::new("product_change_app")?)
                .timezone("UTC")
                .schemas(vec![
                    pgplan::Schema::builder()
                        .name(SchemaName::new("product_change")?)
                        .build(),
                ])
                .build(),
        ])
        .roles(vec![
            Role::builder()
                .name(RoleName::new("product_change_app")?)
                .purpose(RolePurpose::Application)
                .login(true)
                // The Secret's base64 of a password written in the document.
                .password(SecretSource::Literal(LiteralSecret::new(
                    "dev_password_2025",
                )))
                .grants(vec![grant(SCHEMA, Tables, &[Select, Insert, Update])?])
                .build(),
            Role::builder()
                .name(RoleName::new("product_change_admin")?)
                .purpose(RolePurpose::Admin)
                .login(true)
                .grants(vec![grant(None, Database, &[All])?])
                .build(),
            Role::builder()
                .name(RoleName::new("product_change_readonly")?)
                .purpose(RolePurpose::ReadOnly)
                .login(true)
                .grants(vec![grant(SCHEMA, Tables, &[Select])?])
                .build(),
        ])
        .backups(
            Backups::builder()
                .logical(vec![
                    LogicalBackup::builder()
                        .name(ServiceName::new("daily")?)
                        .schedule(CronSchedule::new("0 2 * * *")?)
                        .retention(Duration::days(7))
                        .databases(vec![DatabaseName::new("product_change_db")?])
                        .format(DumpFormat::Plain)
                        .build(),
                ])
                .wal_archiving(
                    WalArchiving::builder()
                        .retention(Duration::days(7))
                        .destination("azure-blob")
                        .build(),
                )
                .snapshots(Snapshots::default())
                .build(),
        )
        .monitoring(
            Monitoring::builder()
                .thresholds(
                    Thresholds::builder()
                        .cpu(
                            Threshold::builder()
                                .above(Percent::whole(80))
                                .sustained(Duration::minutes(5))
                                .build(),
                        )
                        .memory(
                            Threshold::builder()
                                .above(Percent::whole(85))
                                .sustained(Duration::minutes(3))
                                .build(),
                        )
                        .connections(Threshold::builder().above(80).build())
                        .storage(Threshold::builder().above(Percent::whole(80)).build())
                        .slow_query(Threshold::builder().above(Duration::seconds(5)).build())
                        .build(),
                )
                .build(),
        )
        .security(
            Security::builder()
                .tls(Tls::builder().required(false).build())
                .build(),
        )
        .build())
}

/// The fixes the report proposes.
fn corrected(mut plan: Plan) -> Result<Plan, Box<dyn std::error::Error>> {
    use ObjectKind::*;
    use Privilege::*;
    const SCHEMA: Option<&str> = Some("product_change");

    plan.labels = [("system".to_owned(), "phonebill".to_owned())].into();
    plan.objectives.rpo = Some(Duration::hours(24));
    if let Platform::Kubernetes(k) = &mut plan.platform {
        // A specific release instead of the moving `14` tag.
        k.image = "bitnami/postgresql:14.18.0".parse()?;
    }
    // Memory settings derive from the 2Gi limit; durability stays on
    // (fsync/full_page_writes off corrupt the cluster on a crash);
    // synchronous_commit off only risks the last commits, acceptable in dev.
    // The logging collector and its files are the image's business: the
    // container logs to stderr.
    plan.tuning.workload = Workload::Web;
    plan.tuning.parameters.retain(|name, _| {
        matches!(
            name.as_str(),
            "max_connections"
                | "synchronous_commit"
                | "checkpoint_completion_target"
                | "log_checkpoints"
                | "log_connections"
                | "log_disconnections"
                | "timezone"
                | "log_timezone"
        )
    });

    // The admin role owns the database and schema and runs the migrations;
    // the application role owns nothing.
    let admin = RoleName::new("product_change_admin")?;
    let db = &mut plan.databases[0];
    db.owner = admin.clone();
    db.estimated_size = Some(Bytes::gib(1));
    db.schemas[0].owner = Some(admin.clone());

    let generated = SecretSource::generated;
    let default = |objects, privileges: &[Privilege]| -> Result<Grant, NameError> {
        Ok(Grant {
            for_owner: Some(admin.clone()),
            ..grant(SCHEMA, objects, privileges)?
        })
    };
    plan.roles = vec![
        Role::builder()
            .name(admin.clone())
            .purpose(RolePurpose::Owner)
            .login(true)
            .password(generated())
            .grants(vec![grant(None, Database, &[Connect, Create, Temporary])?])
            .build(),
        Role::builder()
            .name(RoleName::new("product_change_app")?)
            .purpose(RolePurpose::Application)
            .login(true)
            .password(generated())
            .grants(vec![
                grant(None, Database, &[Connect])?,
                grant(SCHEMA, Schema, &[Usage])?,
                grant(SCHEMA, Tables, &[Select, Insert, Update])?,
                grant(SCHEMA, Sequences, &[Usage, Select])?,
                default(DefaultTables, &[Select, Insert, Update])?,
                default(DefaultSequences, &[Usage, Select])?,
            ])
            .build(),
        Role::builder()
            .name(RoleName::new("product_change_readonly")?)
            .purpose(RolePurpose::ReadOnly)
            .login(true)
            .password(generated())
            .grants(vec![
                grant(None, Database, &[Connect])?,
                grant(SCHEMA, Schema, &[Usage])?,
                grant(SCHEMA, Tables, &[Select])?,
                default(DefaultTables, &[Select])?,
            ])
            .build(),
    ];
    plan.clients = vec![
        Client::builder()
            .name(ServiceName::new("product-change")?)
            .pool_size(10)
            .replicas(ReplicaRange { min: 1, max: 2 })
            .database(DatabaseName::new("product_change_db")?)
            .role(RoleName::new("product_change_app")?)
            .labels([("app".to_owned(), "product-change".to_owned())].into())
            .build(),
    ];
    // A verifiable custom-format dump; no WAL archiving target exists in
    // this cluster, so it is not planned (RPO 24 h from the daily dump).
    plan.backups.logical[0].format = DumpFormat::Custom;
    plan.backups.wal_archiving = None;
    plan.monitoring.exporter = Some(Exporter::builder().build());
    Ok(plan)
}
