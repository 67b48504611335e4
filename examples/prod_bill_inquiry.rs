//! The Bill-Inquiry production database on Azure Flexible Server: the plan
//! as its hand-written original had it (with the client numbers of the
//! physical architecture), what validation says about it, the corrections
//! the report's help texts propose, and the corrected plan rendered.
//!
//! Run: `cargo run --example prod_bill_inquiry`

use pgplan::prelude::*;

const DB: &str = "bill_inquiry_db";
const OWNER: &str = "bill_owner";
const SERVER: &str = "phonebill-bill-inquiry-prod-pg";
const REPLICA: &str = "phonebill-bill-inquiry-prod-pg-replica";

/// The plan as written, defects included.
fn as_written() -> PlanBuilder {
    Plan::production("bill-inquiry")
        .version(14)
        .objectives(|o| {
            o.availability(99.9.pct())
                .rpo(5.minutes())
                .rto(30.minutes())
                .declared_elsewhere("physical-architecture-prod", |d| d.rpo(1.hours()).rto(30.minutes()))
                .declared_elsewhere("bill-inquiry SLA tables", |d| d.availability(99.99.pct()))
        })
        .azure("phonebill-rg", SERVER, "Korea Central", |az| {
            az.sku("Standard_D4s_v3")
                .storage(256.gib())
                .auto_grow()
                .zone("1")
                .zone_redundant_ha("2")
                .private_access("phonebill-vnet", "database-subnet", |p| {
                    p.subnet_cidr("10.0.2.0/24").private_dns_zone("privatelink.postgres.database.azure.com")
                })
                // `az postgres flexible-server vnet-rule create --subnet database-subnet`,
                // a single-server command.
                .firewall_rule("allow-aks-subnet", "10.0.2.0", "10.0.2.255")
                .entra_admin("phonebill-admin", |a| a)
                // The install script's ADMIN_USER and ADMIN_PASSWORD.
                .administrator("postgres", secret::literal("Complex#PostgreSQL#2025!"))
                .managed_identity("bill-inquiry-service-identity")
        })
        .topology(|t| {
            t.replica(REPLICA, |r| r.region("Korea South").sku("Standard_D2s_v3").storage(256.gib()))
        })
        .tuning(|t| {
            t.method(SettingsMethod::AlterSystem).parameters([
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
                ("log_line_prefix", "%t [%p]: user=%u,db=%d,app=%a,client=%h "),
                ("log_lock_waits", "on"),
                ("log_temp_files", "10240"),
                ("backup_retention_days", "35"),
            ])
        })
        // The schema is applied as bill_app_user, so the application role owns the tables.
        .database(DB, "bill_app_user", |d| {
            d.locale("en_US.UTF-8").template("template0").timezone("Asia/Seoul").extensions([
                "uuid-ossp",
                "pg_stat_statements",
                "pg_trgm",
            ])
        })
        .role("bill_app_user", |r| {
            r.application()
                .password(secret::literal("Complex#Password#2025!"))
                .connect_to(DB)
                .grant(USAGE, on::schema(DB, "public"))
                .grant(CRUD, on::tables(DB, "public"))
                .grant([USAGE, SELECT], on::sequences(DB, "public"))
                // ALTER DEFAULT PRIVILEGES without FOR ROLE: only the script runner's objects.
                .grant(CRUD, on::future_tables(DB, "public"))
                .grant([USAGE, SELECT], on::future_sequences(DB, "public"))
        })
        .role("bill_readonly_user", |r| {
            r.read_only()
                .password(secret::literal("ReadOnly#Password#2025!"))
                .connect_to(DB)
                .grant(USAGE, on::schema(DB, "public"))
                .grant(SELECT, on::tables(DB, "public"))
                .grant(SELECT, on::future_tables(DB, "public"))
        })
        .role("bill_backup_user", |r| r.backup().password(secret::literal("Backup#Password#2025!")))
        .role("bill_admin", |r| r.admin().grant(ALL, on::database(DB)))
        .role("bill_developer", |r| {
            r.developer()
                .connect_to(DB)
                .grant(USAGE, on::schema(DB, "public"))
                .grant(SELECT, on::tables(DB, "public"))
        })
        .role("bill_auditor", |r| r.auditor().connect_to(DB).grant(SELECT, on::tables(DB, "public")))
        // A HikariCP pool of 15; the autoscaler runs up to 15 pods.
        .client("bill-inquiry", |c| {
            c.pool_size(15)
                .pods(3, 15)
                .database(DB)
                .role("bill_app_user")
                .connection_lifetime(30.minutes())
                .idle_timeout(10.minutes())
                .connect_timeout(30.seconds())
        })
        .backups(|b| {
            b.managed(35, |m| m.geo_redundant("Korea South").window("02:00 KST")).logical(
                "weekly",
                "@weekly",
                90.days(),
                |l| {
                    l.databases([DB])
                        .role("bill_backup_user")
                        .to_blob_storage("phonebillbackups", "bill-inquiry")
                },
            )
        })
        .monitoring(|m| {
            m.cpu(above(85.pct()))
                .memory(above(90.pct()))
                .storage(above(80.pct()))
                .connections(above(180))
                .slow_query(above(500.ms()))
                .failed_connections_per_minute(10)
        })
        .security(|s| s.tls_required(TlsVersion::Tls12).statement_logging(StatementLogging::All))
}

/// The fixes the report's help texts propose.
fn corrected(plan: PlanBuilder) -> PlanBuilder {
    let kv = |name: &str| secret::key_vault("phonebill-kv", name);
    plan.label("system", "phonebill")
        // One RPO: 5 minutes, which point-in-time restore meets.
        .objectives(|o| o.clear_declared_elsewhere())
        .azure_mut(|az| {
            az.storage_type(AzureStorageType::PremiumLrs)
                // VNet integration: a delegated subnet and the server's own
                // zone; a VNet-injected server has no firewall rules.
                .clear_firewall_rules()
                .private_access_mut(|p| {
                    p.delegated().private_dns_zone(format!("{SERVER}.private.postgres.database.azure.com"))
                })
                .entra_admin_mut("phonebill-admin", |a| a.group())
                .administrator("billadmin", kv("bill-inquiry-pg-admin"))
        })
        // The replica keeps up with the primary: same compute, and a VNet of its region.
        .replica_mut(REPLICA, |r| {
            r.sku("Standard_D4s_v3").private_access("phonebill-vnet-koreasouth", "database-subnet", |p| {
                p.subnet_cidr("10.10.2.0/24")
                    .delegated()
                    .private_dns_zone(format!("{REPLICA}.private.postgres.database.azure.com"))
            })
        })
        // Parameters through the configurations API; memory and connections
        // derived from the SKU and the clients; retention is a server property.
        .tuning(|t| {
            t.platform_method()
                .workload(Workload::Oltp)
                .storage(StorageKind::Ssd)
                .keep_only([
                    "log_checkpoints",
                    "log_connections",
                    "log_disconnections",
                    "log_lock_waits",
                    "track_io_timing",
                    "log_line_prefix",
                ])
                .parameter("log_temp_files", "10MB")
                // Azure's default is `none`: pg_stat_statements would collect nothing.
                .parameter("pg_stat_statements.track", "top")
        })
        // A dedicated owner runs the migrations; default privileges name it.
        .database_mut(DB, |d| d.owner(OWNER).estimated_size(20.gib()))
        .role(OWNER, |r| r.owner_of(DB, "public").password(kv("bill-owner-password")))
        .role_mut("bill_app_user", |r| r.password(kv("bill-app-user-password")).default_privileges_for(OWNER))
        .role_mut("bill_readonly_user", |r| {
            r.password(kv("bill-readonly-user-password")).default_privileges_for(OWNER)
        })
        .role_mut("bill_backup_user", |r| {
            r.password(kv("bill-backup-user-password")).member_of("pg_read_all_data").connect_to(DB)
        })
        // ALL on a database is CREATE, CONNECT, TEMPORARY: say so.
        .role_mut("bill_admin", |r| r.clear_grants().grant([CONNECT, CREATE, TEMPORARY], on::database(DB)))
        // Developers and auditors could not read the tables the owner creates later.
        .role_mut("bill_developer", |r| r.clear_grants().read_only_on(DB, "public"))
        .role_mut("bill_auditor", |r| r.clear_grants().read_only_on(DB, "public"))
        .client_mut("bill-inquiry", |c| c.label("app", "bill-inquiry"))
        .backups(|b| b.managed_mut(|m| m.geo_redundant("koreasouth")))
        // Alerts sustained for a while; the connection alert follows the derived max_connections.
        .monitoring(|m| {
            m.cpu(above(85.pct()).sustained_for(5.minutes()))
                .memory(above(90.pct()).sustained_for(5.minutes()))
                .derived_connections_alert()
        })
        // With `all`, a CREATE ROLE … PASSWORD typed by a person lands in the server log.
        .security(|s| s.statement_logging(StatementLogging::None))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = as_written().build()?;
    seed.ensure_same(&Plan::from_yaml(include_str!(
        "../tests/plans/fail/seed-001-bill-inquiry-as-written.yaml"
    ))?)?;
    let report = seed.validate().err().ok_or("the plan as written must not pass")?;
    println!("== {} as written\n{report}", seed.service);

    let plan = corrected(seed.edit()).validate()?;
    println!("\n== corrected\n{}", plan.report());
    plan.ensure_same(&Plan::from_yaml(include_str!("plans/prod-bill-inquiry.yaml"))?)?;
    println!("\n== settings");
    for s in plan.settings().iter() {
        println!("  {:<34} {:<16} {}", s.name, s.value, s.provenance);
    }
    let sql = pgplan::sql::render_files(&plan)?;
    let azure = pgplan::azure::render_files(&plan)?;
    for (name, text) in sql.iter().chain(&azure) {
        println!("rendered {name}: {} lines", text.lines().count());
    }
    Ok(())
}
