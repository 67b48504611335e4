//! PGP153 azure-premium-ssd-v2-limits: what Premium SSD v2 does not have —
//! auto-grow, high availability, read replicas, geo-redundant backup.

use super::support::{azure_path, platform};
use crate::model::platform::{AzureHaMode, AzureStorageType};
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP153.
pub struct AzurePremiumSsdV2Limits;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP153",
    name: "azure-premium-ssd-v2-limits",
    summary: "a server on Premium SSD v2 has no storage auto-grow, no high availability, no read replicas and no geo-redundant backup",
    rationale: "Flexible Server does not offer these features on Premium SSD v2 and refuses a create request that asks for them.",
    examples: crate::rule_examples!("PGP153-azure-premium-ssd-v2-limits"),
    replaces: &["PGP009"],
};

impl Rule for AzurePremiumSsdV2Limits {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        if az.storage.kind != AzureStorageType::PremiumV2Lrs {
            return;
        }
        if az.storage.auto_grow {
            out.error(
                azure_path(&["storage", "auto_grow"]),
                "auto-grow is available only on Premium SSD (Premium_LRS), not on Premium SSD v2",
                "set auto_grow: false and size the disk for growth (v2 grows in 1 GiB steps), or use type: Premium_LRS",
            );
        }
        if az.high_availability.mode != AzureHaMode::Disabled {
            out.error(
                azure_path(&["high_availability", "mode"]),
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
            out.error(
                FieldPath::from("backups.managed.geo_redundant"),
                "Premium SSD v2 does not support geo-redundant backup",
                "use type: Premium_LRS storage, or set geo_redundant: false and copy logical backups to another region",
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
    fn premium_ssd_v2_lacks_auto_grow_ha_replicas_and_geo_backup() {
        assert!(run(&AzurePremiumSsdV2Limits, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).storage.kind = AzureStorageType::PremiumV2Lrs;
        plan.topology.replicas = vec![ReadReplica::builder().name(v("bill-replica")).build()];
        let d = run(&AzurePremiumSsdV2Limits, &plan);
        let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "platform.azure.storage.auto_grow",
                "platform.azure.high_availability.mode",
                "topology.replicas",
                "backups.managed.geo_redundant",
            ]
        );
        assert!(d.iter().all(|d| d.severity == Severity::Error));
        assert!(d[2].message.contains("(1 planned)"), "{}", d[2].message);
    }
}
