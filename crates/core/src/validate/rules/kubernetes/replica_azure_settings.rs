//! PGP105 kubernetes-replica-azure-settings: Azure-only settings on a
//! Kubernetes read replica.

use super::common::{kubernetes, replica_path};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP105.
pub struct KubernetesReplicaAzureSettings;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP105",
    name: "kubernetes-replica-azure-settings",
    summary: "read replicas on Kubernetes set no Azure compute SKU, region or VNet integration",
    rationale: "On Kubernetes the read replicas are pods of one StatefulSet in the primary's cluster and namespace, sized by sizing.cpu and sizing.memory and admitted by the NetworkPolicy. A SKU, a region or a VNet written for Azure would be ignored: the replica would not be where, or as large as, the plan says.",
    examples: crate::rule_examples!("PGP105-kubernetes-replica-azure-settings"),
    replaces: &[],
};

impl Rule for KubernetesReplicaAzureSettings {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        for (i, r) in cx.plan.topology.replicas.iter().enumerate() {
            let path = replica_path(i);
            if let Some(sku) = &r.sku {
                out.error(
                    path.clone().field("sku"),
                    format!(
                        "read replica {} sets the Azure compute SKU {}; on Kubernetes the replicas run as pods sized by sizing.cpu and sizing.memory, so the SKU would be ignored",
                        r.name, sku.name
                    ),
                    format!("remove topology.replicas[{i}].sku and size the servers with sizing.cpu and sizing.memory"),
                );
            }
            if let Some(region) = &r.region {
                out.error(
                    path.clone().field("region"),
                    format!(
                        "read replica {} sets the Azure region {region}; on Kubernetes the replicas run in the primary's cluster and namespace",
                        r.name
                    ),
                    format!("remove topology.replicas[{i}].region; for a copy in another region, deploy a plan of its own to a cluster there"),
                );
            }
            if r.network.is_some() {
                out.error(
                    path.field("network"),
                    format!(
                        "read replica {} sets Azure VNet integration; on Kubernetes the replicas' pods share the primary's network, and the NetworkPolicy decides who reaches them",
                        r.name
                    ),
                    format!("remove topology.replicas[{i}].network"),
                );
            }
        }
    }
}
