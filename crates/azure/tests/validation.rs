//! The core validator's Azure rules (PGP009) fire on deliberately wrong
//! variations of seed 001; the corrected seed itself has no PGP009 error.

use pgplan_core::{AzureHaMode, Bytes, Plan, Platform, Severity, SkuTier};

use crate::support::seed;

fn azure(plan: &mut Plan) -> &mut pgplan_core::Azure {
    match &mut plan.platform {
        Platform::Azure(a) => a,
        other => panic!("seed 001 is on {}", other.kind()),
    }
}

/// Asserts a PGP009 error at one of `paths` (a prefix of its field path).
fn assert_pgp009(plan: &Plan, what: &str, paths: &[&str]) {
    let report = plan.report();
    let found = report
        .by_id("PGP009")
        .any(|d| d.severity == Severity::Error && paths.iter().any(|p| d.path.starts_with(*p)));
    assert!(found, "no PGP009 error at {paths:?} for {what}:\n{report}");
}

#[test]
fn the_corrected_seed_has_no_azure_error() {
    let report = seed().report();
    assert!(
        !report
            .by_id("PGP009")
            .any(|d| d.severity == Severity::Error),
        "{report}"
    );
}

#[test]
fn burstable_with_high_availability() {
    let mut plan = seed();
    let az = azure(&mut plan);
    az.sku = pgplan_core::AzureSku::builder()
        .tier(SkuTier::Burstable)
        .name("Standard_B2ms".parse().unwrap())
        .build();
    az.high_availability.mode = AzureHaMode::ZoneRedundant;
    plan.topology.replicas.clear();
    assert_pgp009(
        &plan,
        "Burstable + zone-redundant HA",
        &["platform.azure.high_availability", "platform.azure.sku"],
    );
}

#[test]
fn retention_of_40_days() {
    let mut plan = seed();
    plan.backups.managed.as_mut().unwrap().retention_days = 40;
    assert_pgp009(
        &plan,
        "retention 40 days",
        &["backups.managed.retention_days"],
    );
}

#[test]
fn storage_of_300_gib() {
    let mut plan = seed();
    azure(&mut plan).storage.size = Bytes::gib(300);
    for r in &mut plan.topology.replicas {
        r.storage = Some(Bytes::gib(300));
    }
    assert_pgp009(
        &plan,
        "300 GiB Premium SSD",
        &["platform.azure.storage.size"],
    );
}

#[test]
fn geo_backup_to_a_region_that_is_not_the_pair() {
    let mut plan = seed();
    plan.backups.managed.as_mut().unwrap().geo_region = Some("japaneast".parse().unwrap());
    assert_pgp009(
        &plan,
        "geo-backup to japaneast from koreacentral",
        &["backups.managed.geo_region"],
    );
}

#[test]
fn extension_not_allow_listed() {
    let mut plan = seed();
    plan.databases[0].extensions.push(
        pgplan_core::Extension::builder()
            .name("plpython3u".parse().unwrap())
            .build(),
    );
    assert_pgp009(&plan, "extension plpython3u", &["databases[0].extensions"]);
}
