//! PGP146 azure-authentication: somebody can log in.

use super::support::{azure_path, platform};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP146.
pub struct AzureAuthentication;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP146",
    name: "azure-authentication",
    summary: "an Azure server has password authentication, Microsoft Entra authentication or both",
    rationale: "With both methods off nobody, not even the administrator, can log in to the server.",
    examples: crate::rule_examples!("PGP146-azure-authentication"),
    replaces: &["PGP009"],
};

impl Rule for AzureAuthentication {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        if !az.auth.password && !az.auth.entra {
            out.error(
                azure_path(&["auth"]),
                "both password and Microsoft Entra authentication are off: nobody can log in",
                "set auth.password: true (with administrator_password), or auth.entra: true with administrators",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn one_method_at_least() {
        assert!(run(&AzureAuthentication, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).auth.password = false;
        let d = run(&AzureAuthentication, &plan);
        assert!(
            at(&d, "platform.azure.auth")
                .message
                .contains("nobody can log in")
        );
        azure(&mut plan).auth.entra = true;
        assert!(run(&AzureAuthentication, &plan).is_empty());
    }
}
