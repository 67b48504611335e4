//! PGP106 kubernetes-uniform-replicas: read replicas that differ.

use super::common::{kubernetes, replica_path};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP106.
pub struct KubernetesUniformReplicas;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP106",
    name: "kubernetes-uniform-replicas",
    summary: "read replicas on Kubernetes share their storage size and parameters",
    rationale: "On Kubernetes the read replicas are the pods of one StatefulSet: one volume claim template gives every pod the same volume size, and one ConfigMap the same postgresql.conf. A replica planned with other storage or parameters would silently get the first replica's.",
    examples: crate::rule_examples!("PGP106-kubernetes-uniform-replicas"),
    replaces: &[],
};

impl Rule for KubernetesUniformReplicas {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let replicas = &cx.plan.topology.replicas;
        let Some(first) = replicas.first() else {
            return;
        };
        let storage = |s: Option<crate::Bytes>| match s {
            Some(b) => b.to_kubernetes(),
            None => "the primary's data volume size".to_owned(),
        };
        for (i, r) in replicas.iter().enumerate().skip(1) {
            if r.storage != first.storage {
                out.error(
                    replica_path(i).field("storage"),
                    format!(
                        "read replica {} asks for {} of storage and {} for {}: on Kubernetes the replicas are one StatefulSet with one volume claim template",
                        r.name,
                        storage(r.storage),
                        first.name,
                        storage(first.storage)
                    ),
                    format!(
                        "give every read replica the same storage ({} as topology.replicas[0])",
                        storage(first.storage)
                    ),
                );
            }
            if r.parameters != first.parameters {
                let mut names: Vec<&str> = r
                    .parameters
                    .iter()
                    .filter(|(k, v)| first.parameters.get(*k) != Some(*v))
                    .chain(
                        first
                            .parameters
                            .iter()
                            .filter(|(k, _)| !r.parameters.contains_key(*k)),
                    )
                    .map(|(k, _)| k.as_str())
                    .collect();
                names.sort_unstable();
                names.dedup();
                out.error(
                    replica_path(i).field("parameters"),
                    format!(
                        "read replica {} sets {} unlike {}: on Kubernetes the replicas are one StatefulSet reading one postgresql.conf",
                        r.name,
                        names.join(", "),
                        first.name
                    ),
                    "give every read replica the same parameters as topology.replicas[0] (or move the difference to tuning.parameters)",
                );
            }
        }
    }
}
