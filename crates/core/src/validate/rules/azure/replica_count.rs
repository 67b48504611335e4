//! PGP156 azure-replica-count: at most five read replicas.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP156.
pub struct AzureReplicaCount;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP156",
    name: "azure-replica-count",
    summary: "an Azure primary has at most five read replicas",
    rationale: "Flexible Server allows five read replicas per primary and no cascading replicas; the sixth create request fails.",
    examples: crate::rule_examples!("PGP156-azure-replica-count"),
    replaces: &["PGP009"],
};

impl Rule for AzureReplicaCount {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let count = cx.plan.topology.replicas.len();
        let max = azure_facts::MAX_READ_REPLICAS;
        if count > max {
            out.error(
                "topology.replicas",
                format!(
                    "{count} read replicas are planned; Azure allows at most {max} per primary (and no cascading replicas)"
                ),
                format!(
                    "remove {} replica(s), or spread the reads over a pooler or a second primary",
                    count - max
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::ReadReplica;

    #[test]
    fn at_most_five_replicas() {
        let mut plan = reference();
        plan.topology.replicas = (1..=6)
            .map(|i| {
                ReadReplica::builder()
                    .name(v(&format!("bill-replica-{i}")))
                    .build()
            })
            .collect();
        let d = run(&AzureReplicaCount, &plan);
        let e = at(&d, "topology.replicas");
        assert!(
            e.message
                .contains("6 read replicas are planned; Azure allows at most 5")
        );
        assert!(e.help.contains("remove 1 replica(s)"), "{}", e.help);
        plan.topology.replicas.pop();
        assert!(run(&AzureReplicaCount, &plan).is_empty());
    }
}
