//! PGP112 kubernetes-replication-login-name: a role named like the
//! replication login pgplan creates.

use super::common::{kubernetes, role_path};
use crate::kubernetes_facts::{DEFAULT_REPLICATION_USER, ReplicationLogin, replication_login};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP112.
pub struct KubernetesReplicationLoginName;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP112",
    name: "kubernetes-replication-login-name",
    summary: "with read replicas and no replication role, no role of the plan is called `replicator`, the login pgplan creates for them",
    rationale: "When a plan on Kubernetes has read replicas but no replication role with a password, pgplan's schema-init Job creates the login `replicator` with REPLICATION and a password of its own Secret. A planned role of that name would be given that attribute and password, or the replicas would log in with the plan role's password: either way one of them cannot log in.",
    examples: crate::rule_examples!("PGP112-kubernetes-replication-login-name"),
    replaces: &[],
};

impl Rule for KubernetesReplicationLoginName {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() || replication_login(cx.plan) != Some(ReplicationLogin::Default)
        {
            return;
        }
        let replicas = cx.plan.topology.replicas.len();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if role.name.as_str() != DEFAULT_REPLICATION_USER {
                continue;
            }
            out.error(
                role_path(i, "name"),
                format!(
                    "the plan has {replicas} read replica(s) and no replication role with a password, so pgplan creates the login `{DEFAULT_REPLICATION_USER}` for them; roles[{i}] has that name too"
                ),
                format!(
                    "make roles[{i}] the replication login (`purpose: replication`, `login: true` and a password source), or give it another name"
                ),
            );
        }
    }
}
