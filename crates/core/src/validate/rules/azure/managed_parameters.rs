//! PGP163 azure-managed-parameters: no parameter Azure manages itself.

use super::support::{explicit_parameters, platform};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP163.
pub struct AzureManagedParameters;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP163",
    name: "azure-managed-parameters",
    summary: "the plan sets no parameter Azure manages itself: archiving, standbys, TLS files, reserved connections, the network endpoint, files and server logs",
    rationale: "Flexible Server keeps these parameters read-only or out of the configurations API: setting one fails, and the service already runs them as a managed server needs.",
    examples: crate::rule_examples!("PGP163-azure-managed-parameters"),
    replaces: &["PGP009"],
};

impl Rule for AzureManagedParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        for p in explicit_parameters(cx) {
            let name = p.name.as_str();
            if let Some(why) = azure_facts::managed_parameter(name) {
                out.error(
                    p.path(),
                    format!(
                        "`{name}` = {} cannot be set on Flexible Server: {why}",
                        p.value
                    ),
                    format!("remove {name} from {}", p.map),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn parameters_azure_manages_are_refused() {
        assert!(run(&AzureManagedParameters, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning
            .parameters
            .insert(v("superuser_reserved_connections"), "3".into());
        plan.tuning
            .parameters
            .insert(v("archive_mode"), "on".into());
        let d = run(&AzureManagedParameters, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let e = at(&d, "tuning.parameters.superuser_reserved_connections");
        assert!(e.message.contains("15 connection slots"), "{}", e.message);
        assert_eq!(
            e.help,
            "remove superuser_reserved_connections from tuning.parameters"
        );
        assert!(
            at(&d, "tuning.parameters.archive_mode")
                .message
                .contains("managed backups")
        );
    }
}
