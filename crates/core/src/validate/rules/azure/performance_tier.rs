//! PGP151 azure-performance-tier: a Premium SSD performance tier that exists.

use super::support::{azure_path, platform};
use crate::azure_facts;
use crate::model::platform::AzureStorageType;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP151.
pub struct AzurePerformanceTier;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP151",
    name: "azure-performance-tier",
    summary: "a storage performance tier is one of Premium SSD's P1 … P80, and only on Premium SSD",
    rationale: "The API's storage tier is an enum of the Premium SSD tiers; Premium SSD v2 has no tiers and takes IOPS and throughput instead.",
    examples: crate::rule_examples!("PGP151-azure-performance-tier"),
    replaces: &["PGP009"],
};

impl Rule for AzurePerformanceTier {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let Some(tier) = &az.storage.performance_tier else {
            return;
        };
        let path = azure_path(&["storage", "performance_tier"]);
        match az.storage.kind {
            AzureStorageType::PremiumLrs => {
                if !azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS.contains(&tier.as_str()) {
                    out.error(
                        path,
                        format!("performance tier `{tier}` does not exist"),
                        format!(
                            "use one of {}, or remove it to get the size's default tier",
                            azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS.join(", ")
                        ),
                    );
                }
            }
            AzureStorageType::PremiumV2Lrs => out.error(
                path,
                format!(
                    "performance_tier {tier} applies to Premium SSD; Premium SSD v2 takes iops and throughput_mbps instead"
                ),
                "remove performance_tier",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn the_tier_must_exist_on_premium_ssd() {
        assert!(run(&AzurePerformanceTier, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).storage.performance_tier = Some(v("P99"));
        let d = run(&AzurePerformanceTier, &plan);
        let e = at(&d, "platform.azure.storage.performance_tier");
        assert!(e.message.contains("`P99`"), "{}", e.message);
        assert!(e.help.contains("P15"), "{}", e.help);
        azure(&mut plan).storage.performance_tier = Some(v("p30"));
        assert!(run(&AzurePerformanceTier, &plan).is_empty());
        azure(&mut plan).storage.kind = AzureStorageType::PremiumV2Lrs;
        let d = run(&AzurePerformanceTier, &plan);
        assert!(
            at(&d, "platform.azure.storage.performance_tier")
                .message
                .contains("Premium SSD v2 takes iops")
        );
    }
}
