//! PGP150 azure-storage-size: storage sizes the storage type offers, for the
//! primary and for every replica that sets its own.

use super::support::{azure_path, gib_list, platform, replica_path};
use crate::Bytes;
use crate::azure_facts;
use crate::model::platform::AzureStorageType;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP150.
pub struct AzureStorageSize;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP150",
    name: "azure-storage-size",
    summary: "every storage size (the primary's and the replicas') is one the storage type offers: a Premium SSD size from 32 GiB to 32 TiB, or a whole number of GiB up to 64 TiB on Premium SSD v2",
    rationale: "Azure provisions Premium SSD in fixed sizes and Premium SSD v2 in whole GiB; the create request carries whole GiB, and storage can grow later but never shrink.",
    examples: crate::rule_examples!("PGP150-azure-storage-size"),
    replaces: &["PGP009"],
};

const GIB: u64 = 1 << 30;

impl Rule for AzureStorageSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let kind = az.storage.kind;
        check_size(kind, az.storage.size, azure_path(&["storage", "size"]), out);
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            if let Some(size) = replica.storage {
                check_size(kind, size, replica_path(i).field("storage"), out);
            }
        }
    }
}

fn check_size(kind: AzureStorageType, size: Bytes, path: FieldPath, out: &mut Findings<'_>) {
    let whole = size.as_u64().is_multiple_of(GIB);
    match kind {
        AzureStorageType::PremiumLrs => {
            let sizes = azure_facts::PREMIUM_SSD_SIZES_GIB;
            if whole && sizes.contains(&size.as_gib()) {
                return;
            }
            let below = sizes.iter().rev().find(|s| Bytes::gib(**s) < size).copied();
            let above = sizes.iter().find(|s| Bytes::gib(**s) > size).copied();
            let k = |gib: u64| Bytes::gib(gib).to_kubernetes();
            let (nearest, fix) = match (below, above) {
                (Some(b), Some(a)) => (
                    format!("the nearest allowed sizes are {b} GiB and {a} GiB"),
                    format!("set {path} to {} (room to grow) or {}", k(a), k(b)),
                ),
                (None, Some(a)) => (
                    format!("the smallest allowed size is {a} GiB"),
                    format!("set {path} to {}", k(a)),
                ),
                (Some(b), None) => (
                    format!("the largest allowed size is {b} GiB"),
                    format!(
                        "set {path} to {} at most, or use type: PremiumV2_LRS (up to 64 TiB)",
                        k(b)
                    ),
                ),
                (None, None) => (String::new(), format!("set {path} to a Premium SSD size")),
            };
            out.error(
                path,
                format!(
                    "storage size {} is not a Premium SSD size; {nearest}",
                    size.human()
                ),
                format!(
                    "{fix}; Premium SSD comes in {}. Storage can grow later but never shrink; type: PremiumV2_LRS takes any whole number of GiB",
                    gib_list(&sizes)
                ),
            );
        }
        AzureStorageType::PremiumV2Lrs => {
            let (lo, hi) = azure_facts::PREMIUM_SSD_V2_RANGE_GIB;
            if whole && (lo..=hi).contains(&size.as_gib()) {
                return;
            }
            let fix = size.as_u64().div_ceil(GIB).clamp(lo, hi);
            out.error(
                path.clone(),
                format!(
                    "storage size {} is not a Premium SSD v2 size: whole GiB from {lo} to {hi} GiB",
                    size.human()
                ),
                format!(
                    "set {path} to {} (a whole number of GiB between {lo}Gi and {hi}Gi)",
                    Bytes::gib(fix).to_kubernetes()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{ReadReplica, Severity};

    #[test]
    fn premium_ssd_sizes_name_the_nearest_ones() {
        assert!(run(&AzureStorageSize, &reference()).is_empty());
        assert!(run(&AzureStorageSize, &kubernetes()).is_empty());
        let mut plan = reference();
        azure(&mut plan).storage.size = Bytes::gib(300);
        let d = run(&AzureStorageSize, &plan);
        let e = at(&d, "platform.azure.storage.size");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message.contains(
                "300 GiB is not a Premium SSD size; the nearest allowed sizes are 256 GiB and 512 GiB"
            ),
            "{}",
            e.message
        );
        assert!(
            e.help
                .contains("set platform.azure.storage.size to 512Gi (room to grow) or 256Gi"),
            "{}",
            e.help
        );
        azure(&mut plan).storage.size = Bytes::gib(16);
        let d = run(&AzureStorageSize, &plan);
        assert!(
            d[0].message.contains("smallest allowed size is 32 GiB"),
            "{}",
            d[0].message
        );
        azure(&mut plan).storage.size = Bytes::tib(40);
        let d = run(&AzureStorageSize, &plan);
        assert!(
            d[0].message.contains("largest allowed size is 32768 GiB"),
            "{}",
            d[0].message
        );
        azure(&mut plan).storage.size = Bytes::mib(256 * 1024 + 1);
        assert_eq!(run(&AzureStorageSize, &plan).len(), 1);
    }

    #[test]
    fn premium_ssd_v2_takes_whole_gib_up_to_64_tib() {
        let mut plan = reference();
        azure(&mut plan).storage.kind = AzureStorageType::PremiumV2Lrs;
        azure(&mut plan).storage.size = Bytes::gib(300);
        assert!(run(&AzureStorageSize, &plan).is_empty());
        azure(&mut plan).storage.size = Bytes::tib(65);
        let d = run(&AzureStorageSize, &plan);
        let e = at(&d, "platform.azure.storage.size");
        assert!(e.message.contains("from 1 to 65536 GiB"), "{}", e.message);
        assert!(e.help.contains("to 64Ti"), "{}", e.help);
        azure(&mut plan).storage.size = Bytes::mib(1536);
        let d = run(&AzureStorageSize, &plan);
        assert!(d[0].help.contains("to 2Gi"), "{}", d[0].help);
    }

    #[test]
    fn a_replica_size_is_a_size_of_the_type_too() {
        let mut plan = reference();
        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica.storage = Some(Bytes::gib(300));
        plan.topology.replicas = vec![replica];
        let d = run(&AzureStorageSize, &plan);
        let e = at(&d, "topology.replicas[0].storage");
        assert!(
            e.help.contains("set topology.replicas[0].storage to 512Gi"),
            "{}",
            e.help
        );
    }
}
