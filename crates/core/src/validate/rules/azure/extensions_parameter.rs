//! PGP166 azure-extensions-parameter: an explicit `azure.extensions` lists
//! only allowed extensions, and every extension the databases use.

use std::collections::BTreeSet;

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP166.
pub struct AzureExtensionsParameter;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP166",
    name: "azure-extensions-parameter",
    summary: "an azure.extensions the plan sets itself lists only allow-listed extensions, and every extension the databases use",
    rationale: "The service refuses a value outside the allow-list, and CREATE EXTENSION fails for an extension the list leaves out; pgplan derives the list from the databases when the plan does not set it.",
    examples: crate::rule_examples!("PGP166-azure-extensions-parameter"),
    replaces: &["PGP009"],
};

const NAME: &str = "azure.extensions";

impl Rule for AzureExtensionsParameter {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let Some(explicit) = cx.plan.tuning.explicit(NAME) else {
            return;
        };
        let path = cx.param_path(NAME);
        let listed: Vec<String> = azure_facts::parameter_list(explicit.as_str())
            .into_iter()
            .map(str::to_ascii_lowercase)
            .collect();
        let not_allowed: Vec<&str> = listed
            .iter()
            .map(String::as_str)
            .filter(|l| !azure_facts::ALLOWED_EXTENSIONS.contains(l))
            .collect();
        if !not_allowed.is_empty() {
            let kept: Vec<&str> = listed
                .iter()
                .map(String::as_str)
                .filter(|l| azure_facts::ALLOWED_EXTENSIONS.contains(l))
                .collect();
            out.error(
                path.clone(),
                format!(
                    "azure.extensions lists {} that Azure does not allow",
                    not_allowed.join(", ")
                ),
                format!(
                    "remove them (azure.extensions: '{}'); the service rejects a value outside the allowed list",
                    kept.join(",")
                ),
            );
        }
        let used: BTreeSet<&str> = cx
            .plan
            .extensions()
            .map(|(_, e)| e.name.as_str())
            .filter(|n| *n != "plpgsql")
            .collect();
        let missing: Vec<&str> = used
            .iter()
            .copied()
            .filter(|u| !listed.iter().any(|l| *l == u.to_ascii_lowercase()))
            .collect();
        if !missing.is_empty() {
            let mut all: Vec<&str> = listed.iter().map(String::as_str).collect();
            all.extend(&missing);
            out.error(
                path,
                format!(
                    "azure.extensions is set to `{explicit}` but the plan's databases also use {}: CREATE EXTENSION fails for extensions not on the list",
                    missing.join(", ")
                ),
                format!(
                    "set azure.extensions: '{}', or remove it and let pgplan derive it from the databases",
                    all.join(",")
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
    fn an_explicit_list_covers_every_extension() {
        assert!(run(&AzureExtensionsParameter, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning
            .parameters
            .insert(v(NAME), "pg_trgm,pgcrypto".into());
        let d = run(&AzureExtensionsParameter, &plan);
        let e = at(&d, "tuning.parameters.azure.extensions");
        assert!(
            e.message.contains("also use pg_stat_statements, uuid-ossp"),
            "{}",
            e.message
        );
        assert!(
            e.help
                .contains("azure.extensions: 'pg_trgm,pgcrypto,pg_stat_statements,uuid-ossp'"),
            "{}",
            e.help
        );
    }

    #[test]
    fn an_explicit_list_holds_only_allowed_extensions() {
        let mut plan = reference();
        plan.tuning.parameters.insert(
            v(NAME),
            "PG_TRGM, pg_stat_statements,uuid-ossp,timescale".into(),
        );
        let d = run(&AzureExtensionsParameter, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("lists timescale"), "{}", d[0].message);
        assert!(
            d[0].help.contains("'pg_trgm,pg_stat_statements,uuid-ossp'"),
            "{}",
            d[0].help
        );
    }
}
