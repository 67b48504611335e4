//! PGP110 kubernetes-entra-identity: Microsoft Entra logins on Kubernetes.

use super::common::{kubernetes, role_path};
use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP110.
pub struct KubernetesEntraIdentity;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP110",
    name: "kubernetes-entra-identity",
    summary: "login roles of a plan on Kubernetes authenticate with a password, not a Microsoft Entra identity",
    rationale: "Only Azure Database for PostgreSQL can check a Microsoft Entra token. A server on Kubernetes has no Entra authentication: the role gets no password and can never log in, and the Job that sets passwords has none to set.",
    examples: crate::rule_examples!("PGP110-kubernetes-entra-identity"),
    replaces: &[],
};

impl Rule for KubernetesEntraIdentity {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let Some(SecretSource::EntraIdentity { principal }) = &role.password else {
                continue;
            };
            if !role.login {
                continue;
            }
            out.error(
                role_path(i, "password"),
                format!(
                    "role {} authenticates as the Microsoft Entra identity `{principal}`, which only Azure Database for PostgreSQL can check: on Kubernetes it could never log in",
                    role.name
                ),
                "use a password source the cluster can hold: `{ generated: {} }`, `{ kubernetes_secret: { name, key } }`, `{ env: { var } }` or `{ key_vault: { vault, secret } }`",
            );
        }
    }
}
