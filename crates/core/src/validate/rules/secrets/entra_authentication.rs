//! PGP045 entra-authentication: a role that authenticates as a Microsoft
//! Entra identity is on Azure. On Azure, PGP175 azure-entra-roles checks what
//! such a role needs there; on Kubernetes, PGP110 kubernetes-entra-identity
//! reports it.

use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP045.
pub struct EntraAuthentication;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP045",
    name: "entra-authentication",
    summary: "a role that logs in as a Microsoft Entra identity is on Azure, the only platform that checks Entra tokens",
    rationale: "An Entra identity logs in with a token that only Azure Database for PostgreSQL with Microsoft Entra authentication accepts; a server pgplan runs itself has no way to check one, so the role cannot authenticate and the service that uses it cannot connect.",
    examples: crate::rule_examples!("PGP045-entra-authentication"),
    replaces: &["PGP010"],
};

impl Rule for EntraAuthentication {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        // Azure (PGP175) and Kubernetes (PGP110) have rules of their own
        // that say what the role needs there.
        if cx.plan.platform.azure().is_some() || cx.plan.platform.kubernetes().is_some() {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let Some(SecretSource::EntraIdentity { principal }) = &role.password else {
                continue;
            };
            out.error(
                format!("roles[{i}].password"),
                format!(
                    "role {} authenticates as Entra identity `{principal}`, but Microsoft Entra authentication exists only on Azure: it cannot log in",
                    role.name
                ),
                "give the role a password source ({ generated: {} }, { env: { var } }, { key_vault: { vault, secret } }), or plan it on Azure",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    fn with_entra_role(mut plan: crate::Plan) -> crate::Plan {
        plan.roles[1].password = Some(SecretSource::EntraIdentity {
            principal: "svc".into(),
        });
        plan
    }

    #[test]
    fn entra_exists_only_on_azure() {
        let mut plan = patroni_cluster_plan();
        plan.roles = kubernetes_reference_plan().roles;
        assert!(run(&EntraAuthentication, &plan).is_empty());
        let d = run(&EntraAuthentication, &with_entra_role(plan));
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP045");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "roles[1].password");
        assert!(
            d[0].message.contains("exists only on Azure"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn azure_and_kubernetes_have_rules_of_their_own() {
        // PGP175 and PGP110 report these, with what each platform needs.
        assert!(
            run(
                &EntraAuthentication,
                &with_entra_role(azure_reference_plan())
            )
            .is_empty()
        );
        assert!(
            run(
                &EntraAuthentication,
                &with_entra_role(kubernetes_reference_plan())
            )
            .is_empty()
        );
    }
}
