//! PGP157 azure-replica-names: every replica's name is a server name of its
//! own.

use std::collections::BTreeMap;

use super::support::{platform, replica_path};
use crate::model::azure_names::AzureServerName;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP157.
pub struct AzureReplicaNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP157",
    name: "azure-replica-names",
    summary: "every read replica's name is a valid Flexible Server name (3–63 lowercase letters, digits and single hyphens), not the primary's and not another replica's",
    rationale: "On Azure a read replica is a server of its own, created under its name in the resource group: a name Azure refuses, or one already taken, fails the create request.",
    examples: crate::rule_examples!("PGP157-azure-replica-names"),
    replaces: &["PGP009"],
};

impl Rule for AzureReplicaNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let primary = az.server_name.as_str();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            let path = replica_path(i).field("name");
            let name = replica.name.as_str();
            if let Err(e) = AzureServerName::new(name) {
                out.error(
                    path.clone(),
                    format!("replica name `{name}` is not a valid server name: {}", e.reason),
                    "a replica is a server of its own: use 3–63 lowercase letters, digits and single hyphens",
                );
            }
            if name == primary {
                out.error(
                    path,
                    format!("replica name `{name}` is the primary's server name"),
                    format!("name it e.g. `{primary}-replica`"),
                );
            } else if let Some(first) = seen.insert(name, i) {
                out.error(
                    path,
                    format!("replica name `{name}` is already used by topology.replicas[{first}]"),
                    format!(
                        "give every replica its own server name, e.g. `{name}-{}`",
                        i + 1
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
    use crate::ReadReplica;

    #[test]
    fn replica_names_are_server_names_of_their_own() {
        let mut plan = reference();
        plan.topology.replicas = [
            "pg",
            "phonebill-bill-inquiry-prod-pg",
            "bill-replica",
            "bill-replica",
            "a--b",
        ]
        .iter()
        .map(|n| ReadReplica::builder().name(v(n)).build())
        .collect();
        let d = run(&AzureReplicaNames, &plan);
        assert!(
            at(&d, "topology.replicas[0].name")
                .message
                .contains("2 characters long")
        );
        assert!(
            at(&d, "topology.replicas[1].name")
                .message
                .contains("is the primary's server name")
        );
        assert!(
            at(&d, "topology.replicas[3].name")
                .message
                .contains("already used by topology.replicas[2]")
        );
        assert!(
            at(&d, "topology.replicas[4].name")
                .message
                .contains("two hyphens")
        );
        assert_eq!(d.len(), 4, "{d:#?}");
        plan.topology.replicas = vec![ReadReplica::builder().name(v("bill-replica")).build()];
        assert!(run(&AzureReplicaNames, &plan).is_empty());
    }
}
