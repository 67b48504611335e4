//! PGP161 azure-settings-method: server parameters go through the
//! configurations API.

use super::support::platform;
use crate::model::tuning::SettingsMethod;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP161.
pub struct AzureSettingsMethod;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP161",
    name: "azure-settings-method",
    summary: "on Azure, server parameters are set through the configurations API (tuning.method service_api), never ALTER SYSTEM or a config file",
    rationale: "The Flexible Server administrator is not a superuser (it is a member of azure_pg_admin; only the service holds azuresu), so ALTER SYSTEM fails, and there is no postgresql.conf to edit.",
    examples: crate::rule_examples!("PGP161-azure-settings-method"),
    replaces: &["PGP009"],
};

impl Rule for AzureSettingsMethod {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let message = match cx.plan.tuning.method {
            Some(SettingsMethod::AlterSystem) => {
                "tuning.method is alter_system, but ALTER SYSTEM cannot run on Flexible Server: the administrator is not a superuser (it is a member of azure_pg_admin; only the service holds azuresu)"
            }
            Some(SettingsMethod::ConfigFile) => {
                "tuning.method is config_file, but Flexible Server has no postgresql.conf to edit, and ALTER SYSTEM cannot run there either: the administrator is not a superuser (it is a member of azure_pg_admin; only the service holds azuresu)"
            }
            Some(SettingsMethod::ServiceApi) | None => return,
        };
        out.error(
            "tuning.method",
            message,
            "remove tuning.method (or set it to service_api): pgplan sends every parameter through the configurations API, as `az postgres flexible-server parameter set` does; static parameters take effect at the next restart",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn seed_001_alter_system_cannot_run_on_flexible_server() {
        for (method, word) in [
            (SettingsMethod::AlterSystem, "alter_system"),
            (SettingsMethod::ConfigFile, "config_file"),
        ] {
            let mut plan = reference();
            plan.tuning.method = Some(method);
            let d = run(&AzureSettingsMethod, &plan);
            let e = at(&d, "tuning.method");
            assert!(e.message.contains(word), "{}", e.message);
            assert!(e.message.contains("not a superuser"), "{}", e.message);
            assert!(
                e.help.contains("az postgres flexible-server parameter set"),
                "{}",
                e.help
            );
        }
        let mut plan = reference();
        plan.tuning.method = Some(SettingsMethod::ServiceApi);
        assert!(run(&AzureSettingsMethod, &plan).is_empty());
    }
}
