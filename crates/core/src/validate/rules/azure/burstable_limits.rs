//! PGP143 azure-burstable-limits: what the Burstable tier does not have —
//! high availability, read replicas, Premium SSD v2.

use super::support::{azure_path, platform, replica_path};
use crate::model::platform::{AzureHaMode, AzureStorageType, SkuTier};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP143.
pub struct AzureBurstableLimits;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP143",
    name: "azure-burstable-limits",
    summary: "a Burstable server has no high availability, no read replicas and no Premium SSD v2 storage, and a read replica is never Burstable",
    rationale: "Azure refuses to create a Burstable server with a standby, a replica of a Burstable primary, a Burstable replica or a Burstable server on Premium SSD v2.",
    examples: crate::rule_examples!("PGP143-azure-burstable-limits"),
    replaces: &["PGP009"],
};

const LARGER: &str = "use GeneralPurpose or MemoryOptimized compute (e.g. Standard_D2ds_v5)";

impl Rule for AzureBurstableLimits {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let replicas = &cx.plan.topology.replicas;
        if az.sku.tier() == Some(SkuTier::Burstable) {
            let sku = &az.sku.name;
            if az.high_availability.mode != AzureHaMode::Disabled {
                let mode = match az.high_availability.mode {
                    AzureHaMode::ZoneRedundant => "zone_redundant",
                    _ => "same_zone",
                };
                out.error(
                    azure_path(&["high_availability", "mode"]),
                    format!(
                        "high availability ({mode}) is not supported for the Burstable tier ({sku})"
                    ),
                    format!("{LARGER}, or set high_availability.mode: disabled"),
                );
            }
            if !replicas.is_empty() {
                out.error(
                    azure_path(&["sku", "tier"]),
                    format!(
                        "read replicas are not supported for the Burstable tier ({sku}), and {} are planned",
                        replicas.len()
                    ),
                    format!("{LARGER} for the primary, or remove topology.replicas"),
                );
            }
            if az.storage.kind == AzureStorageType::PremiumV2Lrs {
                out.error(
                    azure_path(&["sku", "tier"]),
                    format!("Premium SSD v2 is not available for the Burstable tier ({sku})"),
                    format!("{LARGER}, or type: Premium_LRS storage"),
                );
            }
        }
        for (i, replica) in replicas.iter().enumerate() {
            if let Some(sku) = &replica.sku
                && sku.tier() == Some(SkuTier::Burstable)
            {
                out.error(
                    replica_path(i).field("sku").field("tier"),
                    format!(
                        "replica `{}` is Burstable ({}); read replicas must be GeneralPurpose or MemoryOptimized",
                        replica.name, sku.name
                    ),
                    format!(
                        "use {} (the primary's SKU) or larger, or remove sku to use the primary's",
                        az.sku.name
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{AzureSku, ReadReplica, Severity};

    fn burstable() -> AzureSku {
        AzureSku::new(v("Standard_B2s"))
    }

    #[test]
    fn no_high_availability_replicas_or_v2_on_burstable() {
        assert!(run(&AzureBurstableLimits, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).sku = burstable();
        let d = run(&AzureBurstableLimits, &plan);
        let ha = at(&d, "platform.azure.high_availability.mode");
        assert_eq!(ha.severity, Severity::Error);
        assert!(
            ha.message.contains(
                "(zone_redundant) is not supported for the Burstable tier (Standard_B2s)"
            ),
            "{}",
            ha.message
        );
        azure(&mut plan).high_availability = Default::default();
        assert!(run(&AzureBurstableLimits, &plan).is_empty());

        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica.sku = Some(burstable());
        plan.topology.replicas = vec![replica];
        azure(&mut plan).storage.kind = AzureStorageType::PremiumV2Lrs;
        let d = run(&AzureBurstableLimits, &plan);
        let tier: Vec<_> = d
            .iter()
            .filter(|d| d.path == "platform.azure.sku.tier")
            .collect();
        assert_eq!(tier.len(), 2, "{d:#?}");
        assert!(
            tier[0].message.contains("1 are planned"),
            "{}",
            tier[0].message
        );
        assert!(
            tier[1].message.contains("Premium SSD v2"),
            "{}",
            tier[1].message
        );
        let r = at(&d, "topology.replicas[0].sku.tier");
        assert!(
            r.help.contains("Standard_B2s (the primary's SKU)"),
            "{}",
            r.help
        );
    }

    #[test]
    fn a_burstable_replica_of_a_general_purpose_primary() {
        let mut plan = reference();
        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica.sku = Some(burstable());
        plan.topology.replicas = vec![replica];
        let d = run(&AzureBurstableLimits, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            at(&d, "topology.replicas[0].sku.tier")
                .help
                .contains("Standard_D4s_v3")
        );
    }
}
