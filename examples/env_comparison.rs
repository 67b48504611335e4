//! Seed 004: the event-marketing service's development and production
//! databases, derived from one shared base that states what both have; each
//! plan states only what differs. The side-by-side tables a hand-written
//! master index keeps are computed — objectives, platform, persistence and
//! HA, network, TLS, secrets per role, backups, alerts, the connection
//! budget, the settings that differ with both provenances, cost — with the
//! parity findings ("works in dev, fails in prod") and the promotion
//! checklist. `pgplan compare examples/plans/dev-event-marketing.yaml
//! examples/plans/prod-event-marketing.yaml` prints the same; the Markdown
//! is checked in as examples/out/env-comparison.{en,ko}.md.
//!
//! Run: `cargo run --example env_comparison`

use pgplan::doc::{CompareOptions, Lang, compare};
use pgplan::prelude::*;

const DB: &str = "event_marketing";

/// What both environments share: the database, its roles and clients, alerts.
fn base(environment: Environment) -> PlanBuilder {
    Plan::builder_for("event-marketing", environment)
        .version(16)
        .label("system", "event-marketing")
        .tuning(|t| t.workload(Workload::Web).storage(StorageKind::Ssd))
        .database(DB, "event_owner", |d| d)
        .role("event_owner", |r| r.owner().grant([CONNECT, CREATE, TEMPORARY], on::database(DB)))
        .role("event_app", |r| r.application().crud_on(DB, "public"))
        .client("event-api", |c| c.database(DB).role("event_app"))
        .client("participation", |c| c.database(DB).role("event_app"))
        .monitoring(|m| {
            m.cpu(above(80.pct()).sustained_for(5.minutes()))
                .memory(above(85.pct()).sustained_for(5.minutes()))
                .storage(above(80.pct()))
        })
}

/// A pod in the development cluster, Kubernetes Secrets, a weekly dump.
/// The hand-written plan's hostPath volume becomes a PersistentVolumeClaim.
fn development() -> PlanBuilder {
    base(Environment::Development)
        .objectives(|o| o.availability(95.pct()).rpo(7.days()))
        .kubernetes("event-marketing-dev", "postgres:16.4", |k| {
            k.storage_class("managed-csi").run_as_user(999)
        })
        .sizing(|s| {
            s.cpu(250.millicores(), 1.cores())
                .memory(512.mib(), 1.gib())
                .data_volume(10.gib())
                .backup_volume(10.gib())
        })
        .database_mut(DB, |d| d.estimated_size(500.mib()))
        // The migrations' test suite creates and drops scratch databases.
        .role_mut("event_owner", |r| r.password(secret::generated()).create_db())
        .role_mut("event_app", |r| {
            r.password(secret::kubernetes_secret("event-marketing-db", "app-password"))
        })
        .client_mut("event-api", |c| c.pool_size(5).pods(1, 2))
        .client_mut("participation", |c| c.pool_size(5).pods(1, 2))
        .backups(|b| b.logical("weekly", "0 3 * * 0", 28.days(), |l| l.databases([DB])))
        .monitoring(|m| m.exporter(|e| e))
        .security(|s| s.tls_optional())
}

/// Flexible Server: 99.9 %, Key Vault, a managed identity, automatic backups
/// kept 35 days and copied to the paired region.
fn production() -> PlanBuilder {
    let kv = |name: &str| secret::key_vault("event-marketing-kv", name);
    base(Environment::Production)
        .objectives(|o| o.availability(99.9.pct()).rpo(5.minutes()).rto(1.hours()))
        .azure("event-marketing-prod-rg", "event-marketing-prod-pg", "koreacentral", |az| {
            az.sku("Standard_D4ds_v5")
                .storage(128.gib())
                .auto_grow()
                .zone("1")
                .zone_redundant_ha("2")
                .private_access("event-marketing-vnet", "db-subnet", |p| {
                    p.subnet_cidr("10.1.2.0/24")
                        .delegated()
                        .private_dns_zone("event-marketing-prod-pg.private.postgres.database.azure.com")
                })
                .entra_admin("event-marketing-dba", |a| a.group())
                .administrator("eventadmin", kv("pg-admin-password"))
                .managed_identity("event-api-identity")
        })
        .tuning(|t| t.parameter("pg_stat_statements.track", "top"))
        .database_mut(DB, |d| {
            d.locale("en_US.utf8").estimated_size(30.gib()).extensions(["pg_stat_statements", "pgcrypto"])
        })
        .role_mut("event_owner", |r| r.password(kv("event-owner-password")))
        .role_mut("event_app", |r| r.password(secret::entra_identity("event-api-identity")))
        .role("event_readonly", |r| {
            r.read_only().read_only_on(DB, "public").password(kv("event-readonly-password"))
        })
        .client_mut("event-api", |c| c.pool_size(10).pods(3, 20))
        .client_mut("participation", |c| c.pool_size(10).pods(2, 10))
        .backups(|b| b.managed(35, |m| m.geo_redundant("koreasouth")))
        .monitoring(|m| m.slow_query(above(1.seconds())))
        .security(|s| s.tls_required(TlsVersion::Tls12))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = development().validate()?;
    let prod = production().validate()?;
    dev.ensure_same(&Plan::from_yaml(include_str!("plans/dev-event-marketing.yaml"))?)?;
    prod.ensure_same(&Plan::from_yaml(include_str!("plans/prod-event-marketing.yaml"))?)?;
    let comparison = compare(
        &dev,
        &prod,
        &CompareOptions {
            lang: Lang::En,
            prices: None,
            files: (
                "examples/plans/dev-event-marketing.yaml".into(),
                "examples/plans/prod-event-marketing.yaml".into(),
            ),
        },
    );
    print!("{}", comparison.to_text(Lang::En));
    // What the seed's master index got wrong about parity, found by the model.
    assert!(comparison.parity.iter().any(|f| f.text.contains("pgcrypto")));
    Ok(())
}
