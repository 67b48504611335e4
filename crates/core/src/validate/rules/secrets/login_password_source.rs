//! PGP044 login-password-source: a login role without a password source
//! under password authentication cannot log in: warning.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP044.
pub struct LoginPasswordSource;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP044",
    name: "login-password-source",
    summary: "every login role has a password source where the server authenticates with passwords",
    rationale: "Where the server authenticates with passwords (scram-sha-256 in pg_hba.conf, Azure's password authentication), a login role created without a password has no verifier: every login as it fails with password authentication failed, and the service that uses it cannot connect.",
    examples: crate::rule_examples!("PGP044-login-password-source"),
    replaces: &["PGP010"],
};

impl Rule for LoginPasswordSource {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let password_auth = cx.plan.platform.azure().is_none_or(|az| az.auth.password);
        if !password_auth {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if !role.login || role.password.is_some() {
                continue;
            }
            out.warning(
                format!("roles[{i}].password"),
                format!(
                    "login role {} ({}) has no password source: with password authentication it cannot log in",
                    role.name, role.purpose
                ),
                "add password: { generated: {} } (or { key_vault: { vault, secret } }, { kubernetes_secret: { name, key } }, { env: { var } }), or set login: false for a group role",
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
    fn login_roles_need_a_password_source() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&LoginPasswordSource, &plan).is_empty());
        plan.roles[1].password = None;
        let d = run(&LoginPasswordSource, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP044");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "roles[1].password");
        assert!(
            d[0].message
                .contains("login role product_change_app (application) has no password source")
        );
        // A group role needs none.
        plan.roles[1].login = false;
        assert!(run(&LoginPasswordSource, &plan).is_empty());
    }

    #[test]
    fn entra_only_servers_need_no_password() {
        let mut plan = azure_reference_plan();
        plan.roles[2].password = None;
        assert_eq!(run(&LoginPasswordSource, &plan).len(), 1);
        if let Platform::Azure(az) = &mut plan.platform {
            az.auth.entra = true;
            az.auth.password = false;
        }
        assert!(run(&LoginPasswordSource, &plan).is_empty());
    }
}
