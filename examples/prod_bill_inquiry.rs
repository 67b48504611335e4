//! Seed 001 (with seed 002's client numbers): the Bill-Inquiry production
//! database on Azure Database for PostgreSQL Flexible Server.
//!
//! Builds the plan with the typed builders exactly as the seed wrote it,
//! validates it and prints the report; then applies the fixes the report's
//! help texts propose, shows that the corrected plan validates clean (and is
//! the same plan as `examples/plans/prod-bill-inquiry.yaml`), and renders it.
//!
//! Run: `cargo run --example prod_bill_inquiry`

use pgplan::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let as_written = seed_as_written()?;
    let from_file = Plan::from_yaml(include_str!(
        "../tests/plans/fail/seed-001-bill-inquiry-as-written.yaml"
    ))?;
    if from_file != as_written {
        return Err("tests/plans/fail/seed-001-bill-inquiry-as-written.yaml differs from the seed as built here".into());
    }
    let report = as_written.report();
    println!("== Seed 001 as written: {}", as_written.service);
    println!("{report}");
    assert!(report.has_errors(), "the seed as written must not pass");

    let corrected = corrected(as_written)?;
    let report = corrected.report();
    println!("\n== Seed 001 corrected");
    println!("{report}");
    if report.has_errors() {
        return Err("the corrected plan still has errors".into());
    }
    let from_file = Plan::from_yaml(include_str!("plans/prod-bill-inquiry.yaml"))?;
    if from_file != corrected {
        return Err("examples/plans/prod-bill-inquiry.yaml differs from the corrected plan".into());
    }
    println!("(identical to examples/plans/prod-bill-inquiry.yaml)");

    println!("\n== Settings of the corrected plan");
    {
        let settings = corrected.settings();
        for s in settings.iter() {
            println!("  {:<34} {:<16} {}", s.name, s.value, s.provenance);
        }
    }
    render(&corrected)?;
    Ok(())
}

/// Renders the corrected plan with every backend that applies to Azure.
fn render(plan: &Plan) -> Result<(), Box<dyn std::error::Error>> {
    let sql = pgplan::sql::render_files(&plan.validate().expect("the plan validates"))?;
    let azure = pgplan::azure::render_files(&plan.validate().expect("the plan validates"))?;
    println!("\n== Rendered");
    for (name, text) in sql.iter().chain(azure.iter()) {
        println!("  {name}: {} lines", text.lines().count());
    }
    if let Some(script) = azure.get("deploy.sh") {
        println!("\n-- deploy.sh (first lines)");
        for line in script.lines().take(25) {
            println!("{line}");
        }
    }
    Ok(())
}

fn role(name: &str) -> Result<RoleName, NameError> {
    RoleName::new(name)
}

const DB: &str = "bill_inquiry_db";

fn grant(objects: ObjectKind, privileges: &[Privilege]) -> Result<Grant, NameError> {
    let mut g = Grant::builder()
        .database(DatabaseName::new(DB)?)
        .objects(objects)
        .privileges(privileges.to_vec())
        .build();
    if objects != ObjectKind::Database {
        g.schema = Some(SchemaName::new("public")?);
    }
    Ok(g)
}

/// The plan as seed 001 wrote it, defects included.
fn seed_as_written() -> Result<Plan, Box<dyn std::error::Error>> {
    use ObjectKind::*;
    use Privilege::*;

    let azure = Azure::builder()
        .resource_group("phonebill-rg")
        .server_name("phonebill-bill-inquiry-prod-pg")
        .region("Korea Central")
        .sku(
            AzureSku::builder()
                .tier(SkuTier::GeneralPurpose)
                .name("Standard_D4s_v3")
                .build(),
        )
        .storage(
            AzureStorage::builder()
                .size(Bytes::gib(256))
                .auto_grow(true)
                .build(),
        )
        .zone("1")
        .high_availability(
            AzureHighAvailability::builder()
                .mode(AzureHaMode::ZoneRedundant)
                .standby_zone("2")
                .build(),
        )
        .network(
            AzureNetwork::builder()
                .private(
                    PrivateAccess::builder()
                        .vnet("phonebill-vnet")
                        .subnet("database-subnet")
                        .subnet_cidr("10.0.2.0/24")
                        .private_dns_zone("privatelink.postgres.database.azure.com")
                        .build(),
                )
                // `az postgres flexible-server vnet-rule create` (a single-server command).
                .firewall_rules(vec![
                    FirewallRule::builder()
                        .name("allow-aks-subnet")
                        .start_ip("10.0.1.0")
                        .end_ip("10.0.1.255")
                        .build(),
                ])
                .build(),
        )
        .auth(
            AzureAuth::builder()
                .entra(true)
                .administrators(vec![
                    EntraAdmin::builder()
                        .principal_name("phonebill-admin")
                        .build(),
                ])
                .build(),
        )
        .administrator_login("billadmin")
        .administrator_password(SecretSource::env("PG_ADMIN_PASSWORD"))
        .managed_identities(vec!["bill-inquiry-service-identity".to_owned()])
        .build();

    // Section 5.1: every parameter through ALTER SYSTEM, backup retention among them.
    let mut parameters = std::collections::BTreeMap::new();
    for (name, value) in [
        ("max_connections", "200"),
        ("shared_preload_libraries", "pg_stat_statements"),
        ("shared_buffers", "4GB"),
        ("effective_cache_size", "12GB"),
        ("work_mem", "64MB"),
        ("maintenance_work_mem", "1GB"),
        ("checkpoint_completion_target", "0.9"),
        ("max_wal_size", "4GB"),
        ("min_wal_size", "1GB"),
        ("log_min_duration_statement", "1000"),
        ("log_checkpoints", "on"),
        ("log_connections", "on"),
        ("log_disconnections", "on"),
        ("track_activities", "on"),
        ("track_counts", "on"),
        ("track_io_timing", "on"),
        (
            "log_line_prefix",
            "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
        ),
        ("log_lock_waits", "on"),
        ("log_temp_files", "10240"),
        ("backup_retention_days", "35"),
    ] {
        parameters.insert(GucName::new(name)?, ParamValue::new(value));
    }

    let database = pgplan::Database::builder()
        .name(DatabaseName::new(DB)?)
        // The schema is applied as bill_app_user, so the application role owns the tables.
        .owner(role("bill_app_user")?)
        .locale("en_US.UTF-8")
        .template("template0")
        .timezone("Asia/Seoul")
        .extensions(
            ["uuid-ossp", "pg_stat_statements", "pg_trgm"]
                .into_iter()
                .map(|e| Ok(Extension::builder().name(ExtensionName::new(e)?).build()))
                .collect::<Result<Vec<_>, NameError>>()?,
        )
        .build();

    let login = |name: &str, purpose, password: &str, grants| -> Result<Role, NameError> {
        Ok(Role::builder()
            .name(role(name)?)
            .purpose(purpose)
            .login(true)
            .password(SecretSource::Literal(LiteralSecret::new(password)))
            .grants(grants)
            .build())
    };
    let group = |name: &str, purpose, grants| -> Result<Role, NameError> {
        Ok(Role::builder()
            .name(role(name)?)
            .purpose(purpose)
            .grants(grants)
            .build())
    };
    let roles = vec![
        login(
            "bill_app_user",
            RolePurpose::Application,
            "Complex#Password#2025!",
            vec![
                grant(Database, &[Connect])?,
                grant(Schema, &[Usage])?,
                grant(Tables, &[Select, Insert, Update, Delete])?,
                grant(Sequences, &[Usage, Select])?,
                // ALTER DEFAULT PRIVILEGES without FOR ROLE.
                grant(DefaultTables, &[Select, Insert, Update, Delete])?,
                grant(DefaultSequences, &[Usage, Select])?,
            ],
        )?,
        login(
            "bill_readonly_user",
            RolePurpose::ReadOnly,
            "ReadOnly#Password#2025!",
            vec![
                grant(Database, &[Connect])?,
                grant(Schema, &[Usage])?,
                grant(Tables, &[Select])?,
                grant(DefaultTables, &[Select])?,
            ],
        )?,
        login(
            "bill_backup_user",
            RolePurpose::Backup,
            "Backup#Password#2025!",
            vec![],
        )?,
        group(
            "bill_admin",
            RolePurpose::Admin,
            vec![grant(Database, &[All])?],
        )?,
        group(
            "bill_developer",
            RolePurpose::Developer,
            vec![
                grant(Database, &[Connect])?,
                grant(Schema, &[Usage])?,
                grant(Tables, &[Select])?,
            ],
        )?,
        group(
            "bill_auditor",
            RolePurpose::Auditor,
            vec![grant(Database, &[Connect])?, grant(Tables, &[Select])?],
        )?,
    ];

    Ok(Plan::builder()
        .service(ServiceName::new("bill-inquiry")?)
        .environment(Environment::Production)
        .labels([("system".to_owned(), "phonebill".to_owned())].into())
        .objectives(
            Objectives::builder()
                .availability("99.9%".parse()?)
                .rpo(Duration::minutes(5))
                .rto(Duration::minutes(30))
                .declared_elsewhere(vec![
                    ObjectiveDeclaration::builder()
                        .source("physical-architecture-prod (seed 002)")
                        .rpo(Duration::hours(1))
                        .rto(Duration::minutes(30))
                        .build(),
                ])
                .build(),
        )
        .version(MajorVersion::new(14)?)
        .platform(Platform::Azure(Box::new(azure)))
        .topology(
            Topology::builder()
                .replicas(vec![
                    ReadReplica::builder()
                        .name("phonebill-bill-inquiry-prod-pg-replica")
                        .region("Korea South")
                        .sku(
                            AzureSku::builder()
                                .tier(SkuTier::GeneralPurpose)
                                .name("Standard_D2s_v3")
                                .build(),
                        )
                        .storage(Bytes::gib(256))
                        .build(),
                ])
                .build(),
        )
        .tuning(
            Tuning::builder()
                .method(SettingsMethod::AlterSystem)
                .parameters(parameters)
                .build(),
        )
        .databases(vec![database])
        .roles(roles)
        .clients(vec![
            // Seed 001's HikariCP pool of 15; seed 002's HPA scales bill-inquiry to 15 pods.
            Client::builder()
                .name(ServiceName::new("bill-inquiry")?)
                .pool_size(15)
                .replicas(ReplicaRange { min: 3, max: 15 })
                .database(DatabaseName::new(DB)?)
                .role(role("bill_app_user")?)
                .connection_lifetime(Duration::minutes(30))
                .idle_timeout(Duration::minutes(10))
                .connect_timeout(Duration::seconds(30))
                .build(),
        ])
        .backups(
            Backups::builder()
                .managed(
                    ManagedBackups::builder()
                        .retention_days(35)
                        .geo_redundant(true)
                        .geo_region("Korea South")
                        .window("02:00 KST")
                        .build(),
                )
                .logical(vec![
                    LogicalBackup::builder()
                        .name(ServiceName::new("weekly")?)
                        .schedule(CronSchedule::new("0 3 * * 0")?)
                        .retention(Duration::days(90))
                        .databases(vec![DatabaseName::new(DB)?])
                        .role(role("bill_backup_user")?)
                        .destination(BackupDestination::BlobStorage {
                            account: "phonebillbackups".into(),
                            container: "bill-inquiry".into(),
                        })
                        .build(),
                ])
                .build(),
        )
        .monitoring(
            Monitoring::builder()
                .thresholds(
                    Thresholds::builder()
                        .cpu(Threshold::builder().above(Percent::whole(85)).build())
                        .memory(Threshold::builder().above(Percent::whole(90)).build())
                        .storage(Threshold::builder().above(Percent::whole(80)).build())
                        .connections(Threshold::builder().above(180).build())
                        .slow_query(Threshold::builder().above(Duration::millis(500)).build())
                        .failed_connections_per_minute(10)
                        .build(),
                )
                .build(),
        )
        .security(
            Security::builder()
                .statement_logging(StatementLogging::All)
                .build(),
        )
        .build())
}

/// The fixes the report's help texts propose, applied to the seed.
fn corrected(mut plan: Plan) -> Result<Plan, Box<dyn std::error::Error>> {
    use ObjectKind::*;
    use Privilege::*;

    // One RPO: 5 minutes, which point-in-time restore meets.
    plan.objectives.declared_elsewhere.clear();

    if let Platform::Azure(az) = &mut plan.platform {
        // Region names as the API spells them.
        az.region = "koreacentral".into();
        az.storage.kind = AzureStorageType::PremiumLrs;
        // VNet integration: a delegated subnet and the server's own private DNS
        // zone; no firewall rules (VNet-injected servers have none).
        az.network.firewall_rules.clear();
        if let Some(private) = &mut az.network.private {
            private.subnet_delegated = true;
            private.private_dns_zone =
                "phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com".into();
        }
        az.auth.administrators[0].principal_type = PrincipalType::Group;
        az.administrator_password = Some(SecretSource::key_vault(
            "phonebill-kv",
            "bill-inquiry-pg-admin",
        ));
    }

    // The replica keeps up with the primary: same compute.
    plan.topology.replicas[0].region = Some("koreasouth".into());
    plan.topology.replicas[0].sku = Some(
        AzureSku::builder()
            .tier(SkuTier::GeneralPurpose)
            .name("Standard_D4s_v3")
            .build(),
    );
    // A VNet belongs to one region: the Korea South replica gets its own.
    plan.topology.replicas[0].network = Some(
        PrivateAccess::builder()
            .vnet("phonebill-vnet-koreasouth")
            .subnet("database-subnet")
            .subnet_cidr("10.10.2.0/24")
            .subnet_delegated(true)
            .private_dns_zone(
                "phonebill-bill-inquiry-prod-pg-replica.private.postgres.database.azure.com",
            )
            .build(),
    );

    // Settings go through the configurations API (the platform's default);
    // memory and connections are derived from the SKU and the clients;
    // backup retention stays a server property (backups.managed).
    plan.tuning.method = None;
    plan.tuning.workload = Workload::Oltp;
    plan.tuning.storage = StorageKind::Ssd;
    plan.tuning.parameters.retain(|name, _| {
        matches!(
            name.as_str(),
            "log_checkpoints"
                | "log_connections"
                | "log_disconnections"
                | "log_lock_waits"
                | "track_io_timing"
                | "log_line_prefix"
        )
    });
    plan.tuning
        .parameters
        .insert(GucName::new("log_temp_files")?, ParamValue::new("10MB"));
    // Azure's default is `none`: pg_stat_statements would collect nothing.
    plan.tuning.parameters.insert(
        GucName::new("pg_stat_statements.track")?,
        ParamValue::new("top"),
    );

    // A dedicated owner role runs the migrations; default privileges name it.
    let owner = role("bill_owner")?;
    plan.databases[0].owner = owner.clone();
    plan.databases[0].estimated_size = Some(Bytes::gib(20));
    let key_vault = |secret: &str| Some(SecretSource::key_vault("phonebill-kv", secret));
    let mut roles = vec![
        Role::builder()
            .name(owner.clone())
            .purpose(RolePurpose::Owner)
            .login(true)
            .password(SecretSource::key_vault(
                "phonebill-kv",
                "bill-owner-password",
            ))
            .grants(vec![
                grant(Database, &[Connect, Temporary])?,
                grant(Schema, &[Usage, Create])?,
            ])
            .build(),
    ];
    for mut r in std::mem::take(&mut plan.roles) {
        r.password = match r.name.as_str() {
            "bill_app_user" => key_vault("bill-app-user-password"),
            "bill_readonly_user" => key_vault("bill-readonly-user-password"),
            "bill_backup_user" => key_vault("bill-backup-user-password"),
            _ => None,
        };
        for g in &mut r.grants {
            if g.objects.is_default() {
                g.for_owner = Some(owner.clone());
            }
        }
        match r.name.as_str() {
            "bill_backup_user" => {
                r.member_of = vec![role("pg_read_all_data")?];
                r.grants = vec![grant(Database, &[Connect])?];
            }
            // ALL on a database is CREATE, CONNECT, TEMPORARY: say so.
            "bill_admin" => r.grants = vec![grant(Database, &[Connect, Create, Temporary])?],
            // The seed's developer and auditor roles lack USAGE on the schema
            // (auditor) and default privileges (both): they could not read new tables.
            "bill_developer" | "bill_auditor" => {
                r.grants = vec![
                    grant(Database, &[Connect])?,
                    grant(Schema, &[Usage])?,
                    grant(Tables, &[Select])?,
                    Grant {
                        for_owner: Some(owner.clone()),
                        ..grant(DefaultTables, &[Select])?
                    },
                ];
            }
            _ => {}
        }
        roles.push(r);
    }
    plan.roles = roles;

    let client = &mut plan.clients[0];
    client.labels = [("app".to_owned(), "bill-inquiry".to_owned())].into();

    if let Some(m) = &mut plan.backups.managed {
        m.geo_region = Some("koreasouth".into());
    }
    // Alerts: sustained for a while, and the connection alert derives from
    // the derived max_connections.
    let t = &mut plan.monitoring.thresholds;
    t.cpu = Some(
        Threshold::builder()
            .above(Percent::whole(85))
            .sustained(Duration::minutes(5))
            .build(),
    );
    t.memory = Some(
        Threshold::builder()
            .above(Percent::whole(90))
            .sustained(Duration::minutes(5))
            .build(),
    );
    t.connections = None;

    // Statement logging off: with `all`, a CREATE ROLE … PASSWORD typed by a
    // person lands in the server log (pgplan itself sends SCRAM verifiers).
    plan.security.statement_logging = StatementLogging::None;
    Ok(plan)
}
