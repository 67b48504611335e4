//! PGP159 azure-replica-compute: a replica has at least the primary's memory
//! (and is warned about fewer vCores).

use super::support::{platform, replica_path};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP159.
pub struct AzureReplicaCompute;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP159",
    name: "azure-replica-compute",
    summary: "a read replica's SKU has at least the primary's memory; fewer vCores than the primary's is a warning",
    rationale: "Azure needs a replica's compute to be at least the primary's: with less memory it cannot keep max_connections and the other hot-standby settings at the primary's values, and with fewer vCores it may not replay the primary's WAL as fast as it is written.",
    examples: crate::rule_examples!("PGP159-azure-replica-compute"),
    replaces: &["PGP009"],
};

impl Rule for AzureReplicaCompute {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let Some((p_cores, p_mem)) = az.sku.capacity() else {
            return;
        };
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            let Some(sku) = &replica.sku else {
                continue;
            };
            let Some((r_cores, r_mem)) = sku.capacity() else {
                continue;
            };
            let both = format!(
                "replica `{}` has {} ({r_cores} vCores, {}) but the primary has {} ({p_cores} vCores, {})",
                replica.name,
                sku.name,
                r_mem.human(),
                az.sku.name,
                p_mem.human()
            );
            let path = replica_path(i).field("sku");
            if r_mem < p_mem {
                out.error(
                    path,
                    format!(
                        "{both}; Azure needs a replica's compute to be at least the primary's: with less memory it cannot keep max_connections and the other hot-standby settings at the primary's values, and it falls behind under the primary's write load"
                    ),
                    format!(
                        "use {} or larger for the replica (or remove sku to use the primary's)",
                        az.sku.name
                    ),
                );
            } else if r_cores < p_cores {
                out.warning(
                    path,
                    format!(
                        "{both}; with fewer vCores it may not replay the primary's WAL as fast as it is written"
                    ),
                    format!("use {} or larger for the replica", az.sku.name),
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

    fn replica(sku: &str) -> ReadReplica {
        let mut r = ReadReplica::builder().name(v("bill-replica")).build();
        r.sku = Some(AzureSku::new(v(sku)));
        r
    }

    #[test]
    fn seed_001_replica_is_smaller_than_the_primary() {
        let mut plan = reference();
        plan.topology.replicas = vec![replica("Standard_D2s_v3")];
        let d = run(&AzureReplicaCompute, &plan);
        let e = at(&d, "topology.replicas[0].sku");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message.contains(
                "has Standard_D2s_v3 (2 vCores, 8 GiB) but the primary has Standard_D4s_v3 (4 vCores, 16 GiB)"
            ),
            "{}",
            e.message
        );
        assert!(e.help.contains("Standard_D4s_v3 or larger"), "{}", e.help);
    }

    #[test]
    fn fewer_cores_with_enough_memory_warns() {
        let mut plan = reference();
        plan.topology.replicas = vec![replica("Standard_E2ds_v5")];
        let d = run(&AzureReplicaCompute, &plan);
        let w = at(&d, "topology.replicas[0].sku");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("(2 vCores, 16 GiB)"), "{}", w.message);
        plan.topology.replicas = vec![replica("Standard_D4s_v3")];
        assert!(run(&AzureReplicaCompute, &plan).is_empty());
    }
}
