//! PGP158 azure-replica-network: a cross-region replica of a VNet-injected
//! primary brings a VNet of its own region.

use super::support::{platform, replica_path};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP158.
pub struct AzureReplicaNetwork;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP158",
    name: "azure-replica-network",
    summary: "a read replica in another region than a VNet-injected primary has a VNet integration of its own in its region",
    rationale: "A virtual network belongs to one region: a replica elsewhere cannot join the primary's subnet, and Azure refuses to create it without a delegated subnet in its own region.",
    examples: crate::rule_examples!("PGP158-azure-replica-network"),
    replaces: &["PGP009"],
};

impl Rule for AzureReplicaNetwork {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        if az.network.private.is_none() {
            return;
        }
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            let region = replica.region.as_ref().unwrap_or(&az.region);
            if replica.network.is_some() || region == &az.region {
                continue;
            }
            out.error(
                replica_path(i).field("network"),
                format!(
                    "replica `{}` is in {region} but the primary is VNet-injected in {}: a VNet belongs to one region, so the replica needs a delegated subnet in a VNet in {region}, which the plan does not give",
                    replica.name, az.region
                ),
                format!(
                    "add `network:` to the replica with a VNet and delegated subnet in {region} and a private DNS zone (e.g. {}) linked to the clients' VNet",
                    azure_facts::own_private_dns_zone(replica.name.as_str())
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{PrivateAccess, ReadReplica, Severity};

    #[test]
    fn a_cross_region_replica_of_a_private_primary_needs_its_own_network() {
        let mut plan = reference();
        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica.region = Some(v("koreasouth"));
        plan.topology.replicas = vec![replica];
        let d = run(&AzureReplicaNetwork, &plan);
        let e = at(&d, "topology.replicas[0].network");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message
                .contains("is in koreasouth but the primary is VNet-injected in koreacentral"),
            "{}",
            e.message
        );
        assert!(
            e.help
                .contains("bill-replica.private.postgres.database.azure.com"),
            "{}",
            e.help
        );

        plan.topology.replicas[0].network = Some(
            PrivateAccess::builder()
                .vnet(v("vnet-koreasouth"))
                .subnet(v("db"))
                .subnet_delegated(true)
                .private_dns_zone(v("bill-replica.private.postgres.database.azure.com"))
                .build(),
        );
        assert!(run(&AzureReplicaNetwork, &plan).is_empty());
        // In the primary's region it joins the primary's network.
        plan.topology.replicas[0].network = None;
        plan.topology.replicas[0].region = Some(v("Korea Central"));
        assert!(run(&AzureReplicaNetwork, &plan).is_empty());
    }
}
