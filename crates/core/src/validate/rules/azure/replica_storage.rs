//! PGP160 azure-replica-storage: a replica has at least the primary's storage.

use super::support::{platform, replica_path};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP160.
pub struct AzureReplicaStorage;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP160",
    name: "azure-replica-storage",
    summary: "a read replica's storage is at least the primary's",
    rationale: "A replica holds everything the primary holds; Azure refuses a replica with less storage than its primary.",
    examples: crate::rule_examples!("PGP160-azure-replica-storage"),
    replaces: &["PGP009"],
};

impl Rule for AzureReplicaStorage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let primary = az.storage.size;
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            if let Some(size) = replica.storage
                && size < primary
            {
                out.error(
                    replica_path(i).field("storage"),
                    format!(
                        "replica `{}` has {} of storage, less than the primary's {}; Azure needs replica storage at least the primary's",
                        replica.name,
                        size.human(),
                        primary.human()
                    ),
                    format!(
                        "set storage: {} or remove it (the primary's size is used)",
                        primary.to_kubernetes()
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
    use crate::{Bytes, ReadReplica};

    #[test]
    fn replica_storage_is_at_least_the_primarys() {
        let mut plan = reference();
        let mut r = ReadReplica::builder().name(v("bill-replica")).build();
        r.storage = Some(Bytes::gib(128));
        plan.topology.replicas = vec![r];
        let d = run(&AzureReplicaStorage, &plan);
        let e = at(&d, "topology.replicas[0].storage");
        assert!(
            e.message
                .contains("128 GiB of storage, less than the primary's 256 GiB"),
            "{}",
            e.message
        );
        assert!(e.help.contains("storage: 256Gi"), "{}", e.help);
        plan.topology.replicas[0].storage = Some(Bytes::gib(512));
        assert!(run(&AzureReplicaStorage, &plan).is_empty());
    }
}
