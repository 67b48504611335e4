//! PGP041 literal-password: a literal password (`SecretSource::Literal`) in a
//! role or as the Azure administrator password is an error; the message
//! gives the path and never the value.

use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP041.
pub struct LiteralPassword;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP041",
    name: "literal-password",
    summary: "no password is written into the plan: roles and the Azure administrator name a secret source",
    rationale: "A plan is committed, reviewed, copied into tickets and rendered into artifacts: a password written in it is known to everyone who ever read any of them and cannot be rotated without editing the plan. pgplan reads a literal only so that this rule can reject it; the fix names where the password lives instead (an environment variable, Key Vault, a Kubernetes Secret, or generated).",
    examples: crate::rule_examples!("PGP041-literal-password"),
    replaces: &["PGP010"],
};

impl Rule for LiteralPassword {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if role.password.as_ref().is_some_and(SecretSource::is_literal) {
                literal_diagnostic(
                    out,
                    &format!("roles[{i}].password"),
                    &format!("role {}", role.name),
                    &env_var_for(role.name.as_str()),
                );
            }
        }
        if let Some(az) = cx.plan.platform.azure()
            && az
                .administrator_password
                .as_ref()
                .is_some_and(SecretSource::is_literal)
        {
            literal_diagnostic(
                out,
                "platform.azure.administrator_password",
                &format!("administrator {}", az.administrator_login),
                &env_var_for(az.administrator_login.as_str()),
            );
        }
    }
}

fn env_var_for(name: &str) -> String {
    format!("{}_PASSWORD", crate::model::secrets::env_var_fragment(name))
}

fn literal_diagnostic(out: &mut Findings<'_>, path: &str, whose: &str, env_var: &str) {
    out.error(
        path,
        format!(
            "{path} ({whose}) is a password written into the plan (the value is not shown here)"
        ),
        format!(
            "replace it with {{ env: {{ var: {env_var} }} }}, {{ key_vault: {{ vault, secret }} }}, {{ kubernetes_secret: {{ name, key }} }} or {{ generated: {{}} }}, and change the password: everyone who has read the plan knows it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::Platform;
    use crate::validate::rules::test_support::*;

    #[test]
    fn reference_plans_pass() {
        assert!(run(&LiteralPassword, &azure_reference_plan()).is_empty());
        assert!(run(&LiteralPassword, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn seed_001_literal_passwords_are_errors_without_the_value() {
        let mut plan = azure_reference_plan();
        plan.roles[1].password = Some(literal());
        if let Platform::Azure(az) = &mut plan.platform {
            az.administrator_password = Some(literal());
        }
        let d = run(&LiteralPassword, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        never_shows_the_secret(&d);
        let role = diagnostic_at(&d, "roles[1].password");
        assert_eq!(role.severity, Severity::Error);
        assert!(
            role.message
                .contains("roles[1].password (role bill_app_user) is a password written into the plan (the value is not shown here)"),
            "{}",
            role.message
        );
        assert!(
            role.help
                .contains("{ env: { var: BILL_APP_USER_PASSWORD } }"),
            "{}",
            role.help
        );
        assert!(role.help.contains("{ generated: {} }"), "{}", role.help);
        let admin = diagnostic_at(&d, "platform.azure.administrator_password");
        assert_eq!(admin.severity, Severity::Error);
        assert!(
            admin.message.contains("administrator pgadmin"),
            "{}",
            admin.message
        );
    }
}
