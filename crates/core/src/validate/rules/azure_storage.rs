//! PGP009 azure (storage): Premium SSD sizes and tiers, Premium SSD v2's
//! size, IOPS and throughput, and the features Premium SSD v2 does not have
//! (auto-grow, high availability, read replicas, geo-redundant backup).

use crate::Bytes;
use crate::azure_facts;
use crate::model::platform::{Azure, AzureHaMode, AzureStorageType, SkuTier};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP009, storage.
pub struct AzureStorageLimits;

const ID: &str = "PGP009";
const GIB: u64 = 1 << 30;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-storage",
    summary: "Azure storage must be a Premium SSD size, or a Premium SSD v2 disk with IOPS and throughput and without the features v2 lacks",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureStorageLimits {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        match az.storage.kind {
            AzureStorageType::PremiumLrs => check_premium_ssd(az, out),
            AzureStorageType::PremiumV2Lrs => check_premium_ssd_v2(cx, az, out),
        }
    }
}

fn gib_list(sizes: &[u64]) -> String {
    sizes
        .iter()
        .map(|s| Bytes::gib(*s).to_kubernetes())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_premium_ssd(az: &Azure, out: &mut Findings<'_>) {
    let storage = &az.storage;
    let size = storage.size;
    let sizes = azure_facts::PREMIUM_SSD_SIZES_GIB;
    let allowed = size.as_u64().is_multiple_of(GIB) && sizes.contains(&size.as_gib());
    if !allowed {
        let below = sizes.iter().rev().find(|s| Bytes::gib(**s) < size).copied();
        let above = sizes.iter().find(|s| Bytes::gib(**s) > size).copied();
        let (nearest, fix) = match (below, above) {
            (Some(b), Some(a)) => (
                format!("the nearest allowed sizes are {b} GiB and {a} GiB"),
                format!(
                    "set platform.azure.storage.size to {} (room to grow) or {}",
                    Bytes::gib(a).to_kubernetes(),
                    Bytes::gib(b).to_kubernetes()
                ),
            ),
            (None, Some(a)) => (
                format!("the smallest allowed size is {a} GiB"),
                format!(
                    "set platform.azure.storage.size to {}",
                    Bytes::gib(a).to_kubernetes()
                ),
            ),
            (Some(b), None) => (
                format!("the largest allowed size is {b} GiB"),
                format!(
                    "set platform.azure.storage.size to {} at most, or use type: PremiumV2_LRS (up to 64 TiB)",
                    Bytes::gib(b).to_kubernetes()
                ),
            ),
            (None, None) => (String::new(), String::new()),
        };
        out.error(            "platform.azure.storage.size",
            format!(
                "storage size {} is not a Premium SSD size; {nearest}",
                size.human()
            ),
            format!(
                "{fix}; Premium SSD comes in {}. Storage can grow later but never shrink; type: PremiumV2_LRS takes any whole number of GiB",
                gib_list(&sizes)
            ));
    }
    if let Some(tier) = &storage.performance_tier
        && !azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS.contains(&tier.as_str())
    {
        out.error(
            "platform.azure.storage.performance_tier",
            format!("performance tier `{tier}` does not exist"),
            format!(
                "use one of {}, or remove it to get the size's default tier",
                azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS.join(", ")
            ),
        );
    }
    let v2_only: Vec<&str> = [
        ("iops", storage.iops.is_some()),
        ("throughput_mbps", storage.throughput_mbps.is_some()),
    ]
    .iter()
    .filter(|(_, set)| *set)
    .map(|(name, _)| *name)
    .collect();
    if let Some(first) = v2_only.first() {
        out.warning(            format!("platform.azure.storage.{first}"),
            format!(
                "{} set on Premium SSD, where the size's performance tier decides IOPS and throughput: ignored",
                v2_only.join(" and ")
            ),
            "remove them (set performance_tier for more IOPS), or use type: PremiumV2_LRS to provision IOPS and throughput");
    }
}

fn check_premium_ssd_v2(cx: &Context<'_>, az: &Azure, out: &mut Findings<'_>) {
    let storage = &az.storage;
    let (lo, hi) = azure_facts::PREMIUM_SSD_V2_RANGE_GIB;
    let size = storage.size;
    if !size.as_u64().is_multiple_of(GIB) || !(lo..=hi).contains(&size.as_gib()) {
        out.error(
            "platform.azure.storage.size",
            format!(
                "storage size {} is not a Premium SSD v2 size: whole GiB from {lo} to {hi} GiB",
                size.human()
            ),
            format!(
                "set platform.azure.storage.size to a whole number of GiB between {lo}Gi and {hi}Gi"
            ),
        );
    }
    let missing: Vec<&str> = [
        ("iops", storage.iops.is_none()),
        ("throughput_mbps", storage.throughput_mbps.is_none()),
    ]
    .iter()
    .filter(|(_, missing)| *missing)
    .map(|(name, _)| *name)
    .collect();
    let (iops_lo, iops_hi) = azure_facts::PREMIUM_SSD_V2_IOPS_RANGE;
    let (tp_lo, tp_hi) = azure_facts::PREMIUM_SSD_V2_THROUGHPUT_MBPS_RANGE;
    if let Some(first) = missing.first() {
        out.error(
            format!("platform.azure.storage.{first}"),
            format!(
                "Premium SSD v2 needs iops and throughput_mbps set explicitly; missing: {}",
                missing.join(", ")
            ),
            format!("set iops ({iops_lo}–{iops_hi}) and throughput_mbps ({tp_lo}–{tp_hi})"),
        );
    }
    if let Some(iops) = storage.iops
        && !(iops_lo..=iops_hi).contains(&iops)
    {
        out.error(
            "platform.azure.storage.iops",
            format!("{iops} IOPS is outside Premium SSD v2's {iops_lo}–{iops_hi}"),
            format!("set iops to {}", iops.clamp(iops_lo, iops_hi)),
        );
    }
    if let Some(tp) = storage.throughput_mbps
        && !(tp_lo..=tp_hi).contains(&tp)
    {
        out.error(
            "platform.azure.storage.throughput_mbps",
            format!("{tp} MB/s is outside Premium SSD v2's {tp_lo}–{tp_hi} MB/s"),
            format!("set throughput_mbps to {}", tp.clamp(tp_lo, tp_hi)),
        );
    }
    if storage.auto_grow {
        out.error(            "platform.azure.storage.auto_grow",
            "auto-grow is available only on Premium SSD (Premium_LRS), not on Premium SSD v2",
            "set auto_grow: false and size the disk for growth (v2 grows in 1 GiB steps), or use type: Premium_LRS");
    }
    if storage.performance_tier.is_some() {
        out.error(            "platform.azure.storage.performance_tier",
            "performance_tier applies to Premium SSD; Premium SSD v2 takes iops and throughput_mbps instead",
            "remove performance_tier");
    }
    if az.sku.tier() == Some(SkuTier::Burstable) {
        out.error(
            "platform.azure.sku.tier",
            format!(
                "Premium SSD v2 is not available for the Burstable tier ({})",
                az.sku.name
            ),
            "use GeneralPurpose or MemoryOptimized compute, or type: Premium_LRS storage",
        );
    }
    if az.high_availability.mode != AzureHaMode::Disabled {
        out.error(
            "platform.azure.high_availability.mode",
            "Premium SSD v2 does not support high availability",
            "use type: Premium_LRS storage for a standby, or set high_availability.mode: disabled",
        );
    }
    let replicas = cx.plan.topology.replicas.len();
    if replicas > 0 {
        out.error(
            "topology.replicas",
            format!("a Premium SSD v2 primary cannot have read replicas ({replicas} planned)"),
            "use type: Premium_LRS storage, or remove topology.replicas",
        );
    }
    if cx
        .plan
        .backups
        .managed
        .as_ref()
        .is_some_and(|m| m.geo_redundant)
    {
        out.error(            "backups.managed.geo_redundant",
            "Premium SSD v2 does not support geo-redundant backup",
            "use type: Premium_LRS storage, or set geo_redundant: false and copy logical backups to another region");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{AzureStorage, Platform, ReadReplica};

    fn storage(plan: &mut crate::Plan) -> &mut AzureStorage {
        match &mut plan.platform {
            Platform::Azure(az) => &mut az.storage,
            _ => panic!("not an Azure plan"),
        }
    }

    /// The reference plan on a valid Premium SSD v2 disk (no HA, no geo backup).
    fn v2_plan() -> crate::Plan {
        let mut plan = azure_reference_plan();
        if let Platform::Azure(az) = &mut plan.platform {
            az.high_availability = Default::default();
            az.storage.kind = AzureStorageType::PremiumV2Lrs;
            az.storage.size = Bytes::gib(300);
            az.storage.auto_grow = false;
            az.storage.iops = Some(5000);
            az.storage.throughput_mbps = Some(200);
        }
        if let Some(m) = &mut plan.backups.managed {
            m.geo_redundant = false;
            m.geo_region = None;
        }
        plan
    }

    #[test]
    fn reference_plans_pass() {
        assert!(run(&AzureStorageLimits, &azure_reference_plan()).is_empty());
        let d = run(&AzureStorageLimits, &v2_plan());
        assert!(d.is_empty(), "{d:#?}");
        assert!(run(&AzureStorageLimits, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn premium_ssd_size_names_the_nearest_sizes() {
        let mut plan = azure_reference_plan();
        storage(&mut plan).size = Bytes::gib(300);
        let d = run(&AzureStorageLimits, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "platform.azure.storage.size");
        assert!(
            d[0].message
                .contains("300 GiB is not a Premium SSD size; the nearest allowed sizes are 256 GiB and 512 GiB"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("512Gi (room to grow) or 256Gi"),
            "{}",
            d[0].help
        );

        storage(&mut plan).size = Bytes::gib(16);
        let d = run(&AzureStorageLimits, &plan);
        assert!(
            d[0].message.contains("smallest allowed size is 32 GiB"),
            "{}",
            d[0].message
        );
        storage(&mut plan).size = Bytes::tib(40);
        let d = run(&AzureStorageLimits, &plan);
        assert!(
            d[0].message.contains("largest allowed size is 32768 GiB"),
            "{}",
            d[0].message
        );
        storage(&mut plan).size = Bytes::mib(256 * 1024 + 1);
        assert_eq!(run(&AzureStorageLimits, &plan).len(), 1);
    }

    #[test]
    fn performance_tier_must_exist() {
        let mut plan = azure_reference_plan();
        storage(&mut plan).performance_tier = Some("P99".into());
        let d = run(&AzureStorageLimits, &plan);
        let d = diagnostic_at(&d, "platform.azure.storage.performance_tier");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("`P99`"), "{}", d.message);
        storage(&mut plan).performance_tier = Some("P30".into());
        assert!(run(&AzureStorageLimits, &plan).is_empty());
    }

    #[test]
    fn iops_on_premium_ssd_are_ignored() {
        let mut plan = azure_reference_plan();
        storage(&mut plan).iops = Some(5000);
        let d = run(&AzureStorageLimits, &plan);
        let d = diagnostic_at(&d, "platform.azure.storage.iops");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("ignored"), "{}", d.message);
    }

    #[test]
    fn premium_ssd_v2_size_range() {
        let mut plan = v2_plan();
        storage(&mut plan).size = Bytes::tib(65);
        let d = run(&AzureStorageLimits, &plan);
        let d = diagnostic_at(&d, "platform.azure.storage.size");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("from 1 to 65536 GiB"), "{}", d.message);
    }

    #[test]
    fn premium_ssd_v2_needs_iops_and_throughput() {
        let mut plan = v2_plan();
        storage(&mut plan).iops = None;
        storage(&mut plan).throughput_mbps = None;
        let d = run(&AzureStorageLimits, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "platform.azure.storage.iops");
        assert!(
            d[0].message.contains("missing: iops, throughput_mbps"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("3000–80000"), "{}", d[0].help);

        let mut plan = v2_plan();
        storage(&mut plan).iops = Some(100_000);
        storage(&mut plan).throughput_mbps = Some(50);
        let d = run(&AzureStorageLimits, &plan);
        assert!(
            diagnostic_at(&d, "platform.azure.storage.iops")
                .help
                .contains("80000")
        );
        assert!(
            diagnostic_at(&d, "platform.azure.storage.throughput_mbps")
                .message
                .contains("50 MB/s is outside")
        );
    }

    #[test]
    fn premium_ssd_v2_lacks_auto_grow_ha_replicas_and_geo_backup() {
        let mut plan = azure_reference_plan();
        storage(&mut plan).kind = AzureStorageType::PremiumV2Lrs;
        storage(&mut plan).iops = Some(5000);
        storage(&mut plan).throughput_mbps = Some(200);
        plan.topology.replicas = vec![ReadReplica::builder().name("bill-replica").build()];
        let d = run(&AzureStorageLimits, &plan);
        let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "platform.azure.storage.auto_grow",
                "platform.azure.high_availability.mode",
                "topology.replicas",
                "backups.managed.geo_redundant",
            ],
            "{d:#?}"
        );
        assert!(d.iter().all(|d| d.severity == Severity::Error));
        assert!(d[2].message.contains("(1 planned)"), "{}", d[2].message);
    }

    #[test]
    fn premium_ssd_v2_not_on_burstable() {
        let mut plan = v2_plan();
        if let Platform::Azure(az) = &mut plan.platform {
            az.sku.tier = SkuTier::Burstable;
            az.sku.name = "Standard_B2s".into();
        }
        let d = run(&AzureStorageLimits, &plan);
        let d = diagnostic_at(&d, "platform.azure.sku.tier");
        assert!(
            d.message.contains("Burstable tier (Standard_B2s)"),
            "{}",
            d.message
        );
    }
}
