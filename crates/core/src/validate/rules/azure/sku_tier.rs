//! PGP141 azure-sku-tier: every SKU's tier is known and matches its series.

use super::support::{platform, skus};
use crate::model::platform::SkuTier;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP141.
pub struct AzureSkuTier;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP141",
    name: "azure-sku-tier",
    summary: "every Azure SKU (the primary's and the replicas') has a compute tier, and it is the tier of the SKU's series: B Burstable, D GeneralPurpose, E MemoryOptimized",
    rationale: "The create request names both the tier and the SKU, and Azure refuses a SKU that is not in the tier; without a tier pgplan cannot say which features (high availability, replicas) the server has.",
    examples: crate::rule_examples!("PGP141-azure-sku-tier"),
    replaces: &["PGP009"],
};

impl Rule for AzureSkuTier {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        for (path, sku) in skus(cx, az) {
            let path = path.field("tier");
            match (sku.name.tier(), sku.tier) {
                (Some(series), Some(tier)) if series != tier => out.error(
                    path,
                    format!(
                        "SKU {} is a {series} size, but the tier is {tier}",
                        sku.name
                    ),
                    format!(
                        "remove tier (the SKU's series gives it: {series}), or pick a {tier} SKU ({})",
                        match tier {
                            SkuTier::Burstable => "Standard_B…",
                            SkuTier::GeneralPurpose => "Standard_D…",
                            SkuTier::MemoryOptimized => "Standard_E…",
                        }
                    ),
                ),
                (None, None) => out.error(
                    path,
                    format!(
                        "pgplan does not know the tier of SKU {}: B sizes are Burstable, D GeneralPurpose and E MemoryOptimized",
                        sku.name
                    ),
                    "set tier: Burstable, GeneralPurpose or MemoryOptimized",
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{AzureSku, ReadReplica, Severity};

    #[test]
    fn the_tier_must_match_the_series() {
        assert!(run(&AzureSkuTier, &reference()).is_empty());
        assert!(run(&AzureSkuTier, &kubernetes()).is_empty());
        let mut plan = reference();
        azure(&mut plan).sku.tier = Some(SkuTier::MemoryOptimized);
        let d = run(&AzureSkuTier, &plan);
        let d = at(&d, "platform.azure.sku.tier");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains(
                "Standard_D4s_v3 is a GeneralPurpose size, but the tier is MemoryOptimized"
            ),
            "{}",
            d.message
        );
    }

    #[test]
    fn an_unknown_series_needs_a_tier_on_replicas_too() {
        let mut plan = reference();
        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica.sku = Some(AzureSku::new(v("Standard_F4s_v2")));
        plan.topology.replicas = vec![replica];
        let d = run(&AzureSkuTier, &plan);
        let d = at(&d, "topology.replicas[0].sku.tier");
        assert!(
            d.message.contains("tier of SKU Standard_F4s_v2"),
            "{}",
            d.message
        );
        plan.topology.replicas[0].sku.as_mut().unwrap().tier = Some(SkuTier::GeneralPurpose);
        assert!(run(&AzureSkuTier, &plan).is_empty());
    }
}
