//! PGP148 azure-admin-password: password authentication has a password
//! source that apply and the script can read.

use super::support::{azure_path, platform};
use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP148.
pub struct AzureAdminPassword;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP148",
    name: "azure-admin-password",
    summary: "with password authentication on, the administrator password comes from a Key Vault secret or an environment variable",
    rationale: "A server with password authentication cannot be created without its administrator password, and apply and the az script read it themselves at run time: from Key Vault or the environment, never from the plan or the rendered files.",
    examples: crate::rule_examples!("PGP148-azure-admin-password"),
    replaces: &["PGP009"],
};

const SOURCES: &str =
    "set administrator_password: { key_vault: { vault, secret } } or { env: { var } }";

impl Rule for AzureAdminPassword {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let path = azure_path(&["administrator_password"]);
        let login = &az.administrator_login;
        let source = az.administrator_password.as_ref();
        if !az.auth.password {
            if let Some(source) = source {
                out.info(
                    path,
                    format!(
                        "administrator_password ({}) is set but password authentication is off: it is not used",
                        source.describe()
                    ),
                    "remove administrator_password, or set auth.password: true",
                );
            }
            return;
        }
        let Some(source) = source else {
            out.error(
                path,
                format!(
                    "password authentication is on but the administrator `{login}` has no password source; the server cannot be created without one"
                ),
                format!(
                    "{SOURCES}, or turn password authentication off (auth.password: false) and use Entra"
                ),
            );
            return;
        };
        if source.readable().is_some() {
            return;
        }
        let why = match source {
            SecretSource::Generated { .. } => {
                "has nowhere to be kept on Azure, so nobody could log in with it"
            }
            SecretSource::KubernetesSecret { .. } => {
                "is not reachable when an Azure server is created"
            }
            SecretSource::EntraIdentity { .. } => {
                "is not a password; for an Entra-only server set auth.password: false"
            }
            SecretSource::Literal(_) => "would put the password in the plan and the rendered files",
            SecretSource::Env { .. } | SecretSource::KeyVault { .. } => return,
        };
        out.error(
            path,
            format!(
                "the password of administrator `{login}`, {}, {why}",
                source.describe()
            ),
            format!("keep it in Key Vault or pass it in an environment variable: {SOURCES}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{Input, Severity, secret};

    #[test]
    fn password_auth_needs_a_readable_password() {
        assert!(run(&AzureAdminPassword, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).administrator_password = None;
        let d = run(&AzureAdminPassword, &plan);
        let e = at(&d, "platform.azure.administrator_password");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message.contains("`pgadmin` has no password source"),
            "{}",
            e.message
        );

        for (source, why) in [
            (secret::generated(), "nowhere to be kept"),
            (
                secret::kubernetes_secret("pg-admin", "password"),
                "not reachable",
            ),
            (secret::entra_identity("dba"), "not a password"),
        ] {
            azure(&mut plan).administrator_password = Some(source.into_value().unwrap());
            let d = run(&AzureAdminPassword, &plan);
            let e = at(&d, "platform.azure.administrator_password");
            assert!(e.message.contains(why), "{}", e.message);
            assert!(e.help.contains("key_vault"), "{}", e.help);
        }
        azure(&mut plan).administrator_password =
            Some(secret::env("PG_ADMIN_PASSWORD").into_value().unwrap());
        assert!(run(&AzureAdminPassword, &plan).is_empty());
    }

    #[test]
    fn an_unused_password_is_noted() {
        let mut plan = reference();
        let az = azure(&mut plan);
        az.auth.password = false;
        az.auth.entra = true;
        let d = run(&AzureAdminPassword, &plan);
        assert_eq!(
            at(&d, "platform.azure.administrator_password").severity,
            Severity::Info
        );
        azure(&mut plan).administrator_password = None;
        assert!(run(&AzureAdminPassword, &plan).is_empty());
    }
}
