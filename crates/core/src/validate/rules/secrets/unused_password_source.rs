//! PGP090 unused-password-source: on an Azure server that refuses password
//! logins (Microsoft Entra authentication only), a role's password is
//! never used.

use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP090.
pub struct UnusedPasswordSource;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP090",
    name: "unused-password-source",
    summary: "where the server accepts no password logins (Azure with Microsoft Entra authentication only), no role has a password source other than an Entra identity",
    rationale: "With `auth.password: false` Azure Flexible Server checks Entra tokens only: a role that has a password from Key Vault, a Kubernetes Secret, the environment or a generated file can never log in with it, so the service configured with that password cannot connect. The password is still read and set on every apply — a deployment that fails when the secret is missing, for a credential no one can use.",
    examples: crate::rule_examples!("PGP090-unused-password-source"),
    replaces: &[],
};

impl Rule for UnusedPasswordSource {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        if az.auth.password {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let Some(source) = &role.password else {
                continue;
            };
            if matches!(source, SecretSource::EntraIdentity { .. }) {
                continue;
            }
            out.warning(
                format!("roles[{i}].password"),
                format!(
                    "role {} has a password ({}), but server {} accepts Microsoft Entra tokens only (auth.password: false): no one can log in with it",
                    role.name,
                    source.describe(),
                    az.server_name
                ),
                format!(
                    "let the role log in as an Entra identity (password: {{ entra_identity: {{ principal: … }} }}) or remove its password; or turn password authentication on (platform.azure.auth.password: true) if {} must log in with a password",
                    role.name
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Platform;
    use crate::validate::rules::test_support::*;

    #[test]
    fn passwords_are_dead_weight_on_an_entra_only_server() {
        let mut plan = azure_reference_plan();
        assert!(run(&UnusedPasswordSource, &plan).is_empty());
        if let Platform::Azure(az) = &mut plan.platform {
            az.auth.entra = true;
            az.auth.password = false;
        }
        let with_password = plan.roles.iter().filter(|r| r.password.is_some()).count();
        let d = run(&UnusedPasswordSource, &plan);
        assert_eq!(d.len(), with_password, "{d:#?}");
        assert!(d.iter().all(|d| d.severity == Severity::Warning));
        assert!(
            d[0].message.contains("accepts Microsoft Entra tokens only"),
            "{}",
            d[0].message
        );
        for r in &mut plan.roles {
            r.password = None;
        }
        assert!(run(&UnusedPasswordSource, &plan).is_empty());
        assert!(run(&UnusedPasswordSource, &kubernetes_reference_plan()).is_empty());
    }
}
