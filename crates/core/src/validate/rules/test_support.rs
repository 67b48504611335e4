//! Plans and helpers shared by the rules' tests.

use crate::build::prelude::*;
use crate::validate::{Context, Findings, Rule};
pub use crate::validate::{Diagnostic, Severity};
use crate::*;

/// Reads a typed value from text (tests only: panics on a typo).
pub fn v<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .unwrap_or_else(|e| panic!("test value `{s}`: {e}"))
}

/// Runs one rule on a plan.
pub fn run(rule: &dyn Rule, plan: &Plan) -> Vec<Diagnostic> {
    let settings = plan.settings();
    let cx = Context {
        plan,
        settings: &settings,
        as_of: crate::lifecycle::TABLE_CHECKED,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut Findings::new(rule.info(), &mut out));
    out
}

/// Seed 001's server (GP Standard_D4s_v3, 16 GB, 256 GB) with one client of
/// `pool` × `pods` and an explicit max_connections.
pub fn azure_plan_with_clients(max_connections: u32, pool: u32, pods: u32) -> Plan {
    azure_builder(max_connections, pool, pods)
        .build()
        .expect("the test plan builds")
}

fn azure_builder(max_connections: u32, pool: u32, pods: u32) -> PlanBuilder {
    Plan::production("bill-inquiry")
        .version(14)
        .azure(
            "phonebill-rg",
            "phonebill-bill-inquiry-prod-pg",
            "koreacentral",
            |az| {
                az.sku("Standard_D4s_v3")
                    .sku_tier(SkuTier::GeneralPurpose)
                    .storage(256.gib())
                    .auto_grow()
                    .administrator("pgadmin", secret::key_vault("phonebill-kv", "pg-admin"))
            },
        )
        .tuning(|t| t.parameter("max_connections", max_connections))
        .client("bill-inquiry", |c| c.pool_size(pool).pods(3, pods))
}

/// A small Kubernetes plan like seed 000 (PostgreSQL 14, 1Gi/2Gi, 20Gi).
pub fn kubernetes_plan() -> Plan {
    kubernetes_builder().build().expect("the test plan builds")
}

fn kubernetes_builder() -> PlanBuilder {
    Plan::development("product-change")
        .version(14)
        .kubernetes("phonebill-dev", "bitnami/postgresql:14.18.0", |k| {
            k.storage_class("managed-standard")
        })
        .sizing(|s| {
            s.cpu(500.millicores(), 1.cores())
                .memory(1.gib(), 2.gib())
                .data_volume(20.gib())
                .backup_volume(10.gib())
        })
}

/// Sets explicit parameters on a plan (`tuning.parameters`).
pub fn set_parameters(plan: &mut Plan, params: &[(&str, &str)]) {
    for (name, value) in params {
        plan.tuning
            .parameters
            .insert(name.parse().expect("parameter name"), (*value).into());
    }
}

/// Seed 000 as written: the Kubernetes plan with its postgresql.conf values,
/// including the dev-only fsync, synchronous_commit and full_page_writes off.
pub fn seed_000_plan() -> Plan {
    let mut plan = kubernetes_plan();
    set_parameters(
        &mut plan,
        &[
            ("max_connections", "100"),
            ("shared_buffers", "256MB"),
            ("effective_cache_size", "1GB"),
            ("work_mem", "4MB"),
            ("maintenance_work_mem", "64MB"),
            ("checkpoint_completion_target", "0.7"),
            ("wal_buffers", "16MB"),
            ("default_statistics_target", "100"),
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
        ],
    );
    plan
}

/// Seed 003's cluster on this machine: three Patroni members (PostgreSQL 17,
/// scope `pg-ha`), three etcd members, Patroni's default timings, 4Gi/2 CPUs
/// and a 50Gi data volume, in production.
pub fn patroni_cluster_plan() -> Plan {
    Plan::production("pg-ha")
        .version(17)
        .local(|l| l)
        .topology(|t| {
            t.patroni("pg-ha", |p| {
                (1..=3).fold(p, |p, i| {
                    p.member(format!("pg-{i}"), "127.0.0.1")
                        .etcd(format!("etcd-{i}"), "127.0.0.1")
                })
            })
        })
        .sizing(|s| {
            s.cpu_request(2.cores())
                .memory(4.gib(), 4.gib())
                .data_volume(50.gib())
        })
        .build()
        .expect("the test plan builds")
}

/// The first diagnostic at `path`; panics with every diagnostic when none is.
pub fn diagnostic_at<'a>(diagnostics: &'a [Diagnostic], path: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no diagnostic at `{path}` in {diagnostics:#?}"))
}

/// A grant on `bill_inquiry_db` (schema `public` unless `objects` is the database).
pub fn bill_grant(objects: ObjectKind, privileges: &[Privilege]) -> Grant {
    Grant {
        database: "bill_inquiry_db".parse().expect("database name"),
        schema: (objects != ObjectKind::Database).then(|| "public".parse().expect("schema")),
        objects,
        for_owner: None,
        privileges: privileges.to_vec(),
    }
}

/// Seed 001 as it should have been written: the Azure server of
/// [`azure_plan_with_clients`] (200 connections, 10 × 15 pods) with
/// zone-redundant HA in zones 1 and 2, private access through a delegated
/// subnet and its own private DNS zone, 35-day geo-redundant backups to Korea
/// South, `bill_inquiry_db` owned by `bill_owner` with uuid-ossp,
/// pg_stat_statements (tracking top-level statements) and pg_trgm, an
/// application role and a read-only role whose default privileges name the
/// owner, alert thresholds and objectives. It is the clean baseline the rules'
/// tests break one field at a time.
pub fn azure_reference_plan() -> Plan {
    const DB: &str = "bill_inquiry_db";
    let kv = |name: &str| secret::key_vault("phonebill-kv", name);
    azure_builder(200, 10, 15)
        .azure_mut(|az| {
            az.zone("1").zone_redundant_ha("2").private_access(
                "phonebill-vnet",
                "database-subnet",
                |p| {
                    p.subnet_cidr("10.0.2.0/24").delegated().private_dns_zone(
                        "phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com",
                    )
                },
            )
        })
        .tuning(|t| t.parameter("pg_stat_statements.track", "top"))
        .database(DB, "bill_owner", |d| {
            d.locale("en_US.UTF-8")
                .template("template0")
                .timezone("Asia/Seoul")
                .extensions(["uuid-ossp", "pg_stat_statements", "pg_trgm"])
                .estimated_size(20.gib())
        })
        .role("bill_owner", |r| r.owner().password(kv("bill-owner")))
        .role("bill_app_user", |r| {
            r.application()
                .password(kv("bill-app-user"))
                .connect_to(DB)
                .grant(USAGE, on::schema(DB, "public"))
                .grant(CRUD, on::tables(DB, "public"))
                .grant([USAGE, SELECT], on::sequences(DB, "public"))
                .grant(
                    CRUD,
                    on::future_tables(DB, "public").created_by("bill_owner"),
                )
        })
        .role("bill_readonly_user", |r| {
            r.read_only()
                .password(secret::generated())
                .member_of("pg_read_all_stats")
                .read_only_on(DB, "public")
        })
        .client_mut("bill-inquiry", |c| c.database(DB).role("bill_app_user"))
        .backups(|b| b.managed(35, |m| m.geo_redundant("koreasouth").window("02:00 KST")))
        .objectives(|o| {
            o.availability(99.9.pct())
                .rpo(5.minutes())
                .rto(30.minutes())
        })
        .monitoring(|m| {
            m.cpu(above(85.pct()))
                .memory(above(90.pct()))
                .storage(above(80.pct()))
                .connections(above(180))
                .slow_query(above(500.ms()))
        })
        .build()
        .expect("the reference plan builds")
}

/// Seed 000 as it should have been written: [`kubernetes_plan`] with
/// `product_change_db` (schema `product_change`, 1 GiB), its owner and an
/// application role, a nightly pg_dump to the 10Gi backup volume kept 7 days,
/// max_connections 100 and seed 000's alert thresholds.
pub fn kubernetes_reference_plan() -> Plan {
    const DB: &str = "product_change_db";
    const SCHEMA: &str = "product_change";
    const WRITE: [Privilege; 3] = [SELECT, INSERT, UPDATE];
    kubernetes_builder()
        .tuning(|t| t.parameter("max_connections", 100u32))
        .database(DB, "product_change_owner", |d| {
            d.schema(SCHEMA, |s| s).estimated_size(1.gib())
        })
        .role("product_change_owner", |r| {
            r.owner()
                .password(secret::kubernetes_secret("pg-owner", "password"))
        })
        .role("product_change_app", |r| {
            r.application()
                .password(secret::generated())
                .connect_to(DB)
                .grant(USAGE, on::schema(DB, SCHEMA))
                .grant(WRITE, on::tables(DB, SCHEMA))
                .grant(
                    WRITE,
                    on::future_tables(DB, SCHEMA).created_by("product_change_owner"),
                )
        })
        .client("product-change", |c| {
            c.pool_size(10)
                .pods(1, 3)
                .database(DB)
                .role("product_change_app")
        })
        .backups(|b| b.logical("nightly", "0 2 * * *", 7.days(), |l| l))
        .objectives(|o| o.availability(95.pct()).rpo(24.hours()).rto(4.hours()))
        .monitoring(|m| {
            m.cpu(above(80.pct()))
                .memory(above(85.pct()))
                .storage(above(80.pct()))
                .connections(above(80))
                .slow_query(above(5.seconds()))
        })
        .build()
        .expect("the reference plan builds")
}
