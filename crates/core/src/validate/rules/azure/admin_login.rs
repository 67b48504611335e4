//! PGP149 azure-admin-login: the administrator login is not a name Azure
//! keeps for itself.

use super::support::{azure_path, platform};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP149.
pub struct AzureAdminLogin;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP149",
    name: "azure-admin-login",
    summary: "the administrator login is none of the names Azure reserves and does not start with pg_",
    rationale: "Azure refuses to create a server whose administrator is called postgres, admin, azure_superuser and the like, and the login cannot be changed after creation.",
    examples: crate::rule_examples!("PGP149-azure-admin-login"),
    replaces: &["PGP009"],
};

impl Rule for AzureAdminLogin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let login = az.administrator_login.as_str().to_ascii_lowercase();
        if azure_facts::RESERVED_ADMIN_LOGINS.contains(&login.as_str()) || login.starts_with("pg_")
        {
            out.error(
                azure_path(&["administrator_login"]),
                format!(
                    "administrator_login `{}` is reserved: Azure rejects {} and names starting with pg_",
                    az.administrator_login,
                    azure_facts::RESERVED_ADMIN_LOGINS.join(", ")
                ),
                format!(
                    "choose another login, e.g. `{}_admin`; it cannot be changed after the server is created",
                    cx.plan.service.as_str().replace('-', "_")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn reserved_administrator_logins() {
        assert!(run(&AzureAdminLogin, &reference()).is_empty());
        for login in ["postgres", "azure_superuser", "Admin", "pg_admin"] {
            let mut plan = reference();
            azure(&mut plan).administrator_login = v(login);
            let d = run(&AzureAdminLogin, &plan);
            let d = at(&d, "platform.azure.administrator_login");
            assert!(
                d.message.contains(&format!("`{login}` is reserved")),
                "{}",
                d.message
            );
            assert!(d.help.contains("`bill_inquiry_admin`"), "{}", d.help);
        }
    }
}
