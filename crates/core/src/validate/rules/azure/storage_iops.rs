//! PGP152 azure-storage-iops: Premium SSD v2's provisioned IOPS and
//! throughput; none on Premium SSD.

use super::support::{azure_path, platform};
use crate::azure_facts;
use crate::model::platform::AzureStorageType;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP152.
pub struct AzureStorageIops;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP152",
    name: "azure-storage-iops",
    summary: "Premium SSD v2 has iops (3,000–80,000) and throughput_mbps (125–1,200) set; Premium SSD takes neither",
    rationale: "Premium SSD v2 is provisioned by IOPS and throughput, which Azure refuses outside their ranges; on Premium SSD the performance tier decides them and pgplan does not send the plan's values.",
    examples: crate::rule_examples!("PGP152-azure-storage-iops"),
    replaces: &["PGP009"],
};

impl Rule for AzureStorageIops {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let storage = &az.storage;
        let fields = [
            ("iops", storage.iops),
            ("throughput_mbps", storage.throughput_mbps),
        ];
        if storage.kind == AzureStorageType::PremiumLrs {
            let set: Vec<&str> = fields
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(name, _)| *name)
                .collect();
            if let Some(first) = set.first() {
                out.warning(
                    azure_path(&["storage", first]),
                    format!(
                        "{} set on Premium SSD, where the size's performance tier decides IOPS and throughput: not sent",
                        set.join(" and ")
                    ),
                    "remove them (set performance_tier for more IOPS), or use type: PremiumV2_LRS to provision IOPS and throughput",
                );
            }
            return;
        }
        let (iops_lo, iops_hi) = azure_facts::PREMIUM_SSD_V2_IOPS_RANGE;
        let (tp_lo, tp_hi) = azure_facts::PREMIUM_SSD_V2_THROUGHPUT_MBPS_RANGE;
        let missing: Vec<&str> = fields
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
        if let Some(first) = missing.first() {
            out.error(
                azure_path(&["storage", first]),
                format!(
                    "Premium SSD v2 needs iops and throughput_mbps set explicitly; missing: {}",
                    missing.join(", ")
                ),
                format!(
                    "set iops ({iops_lo}–{iops_hi}, e.g. {iops_lo}) and throughput_mbps ({tp_lo}–{tp_hi}, e.g. {tp_lo}), Azure's baseline"
                ),
            );
        }
        if let Some(iops) = storage.iops
            && !(iops_lo..=iops_hi).contains(&iops)
        {
            out.error(
                azure_path(&["storage", "iops"]),
                format!("{iops} IOPS is outside Premium SSD v2's {iops_lo}–{iops_hi}"),
                format!("set iops to {}", iops.clamp(iops_lo, iops_hi)),
            );
        }
        if let Some(tp) = storage.throughput_mbps
            && !(tp_lo..=tp_hi).contains(&tp)
        {
            out.error(
                azure_path(&["storage", "throughput_mbps"]),
                format!("{tp} MB/s is outside Premium SSD v2's {tp_lo}–{tp_hi} MB/s"),
                format!("set throughput_mbps to {}", tp.clamp(tp_lo, tp_hi)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    #[test]
    fn iops_on_premium_ssd_are_not_sent() {
        assert!(run(&AzureStorageIops, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).storage.iops = Some(5000);
        let d = run(&AzureStorageIops, &plan);
        let w = at(&d, "platform.azure.storage.iops");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("not sent"), "{}", w.message);
    }

    #[test]
    fn premium_ssd_v2_needs_iops_and_throughput_in_range() {
        let mut plan = reference();
        azure(&mut plan).storage.kind = AzureStorageType::PremiumV2Lrs;
        let d = run(&AzureStorageIops, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let e = at(&d, "platform.azure.storage.iops");
        assert!(
            e.message.contains("missing: iops, throughput_mbps"),
            "{}",
            e.message
        );
        assert!(e.help.contains("3000–80000"), "{}", e.help);
        let storage = &mut azure(&mut plan).storage;
        storage.iops = Some(100_000);
        storage.throughput_mbps = Some(50);
        let d = run(&AzureStorageIops, &plan);
        assert_eq!(
            at(&d, "platform.azure.storage.iops").help,
            "set iops to 80000"
        );
        assert!(
            at(&d, "platform.azure.storage.throughput_mbps")
                .message
                .contains("50 MB/s is outside")
        );
        let storage = &mut azure(&mut plan).storage;
        storage.iops = Some(5000);
        storage.throughput_mbps = Some(200);
        assert!(run(&AzureStorageIops, &plan).is_empty());
    }
}
