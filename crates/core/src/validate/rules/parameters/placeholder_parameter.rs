//! PGP078 placeholder-parameter: a custom `prefix.name` parameter is fine
//! when the catalog knows it (`pg_stat_statements.*`) or a planned extension
//! or preloaded library defines the prefix; otherwise PostgreSQL keeps it as
//! a placeholder that does nothing: warning.

use std::collections::BTreeSet;

use super::plan_parameters;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP078.
pub struct PlaceholderParameter;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP078",
    name: "placeholder-parameter",
    summary: "a custom prefix.name parameter belongs to a planned extension or preloaded library",
    rationale: "PostgreSQL accepts any prefix.name parameter and keeps it as a placeholder until a module claims the prefix. When none does — a misspelt prefix, or an extension the plan forgot to install or preload — the setting silently does nothing, and the auditing or tuning it was meant to switch on never happens.",
    examples: crate::rule_examples!("PGP078-placeholder-parameter"),
    replaces: &["PGP015"],
};

impl Rule for PlaceholderParameter {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let catalog = cx.settings.catalog();
        let prefixes = custom_prefixes(cx);
        for (path, name, _) in plan_parameters(cx) {
            if !name.is_custom() || catalog.get(name.as_str()).is_some() {
                continue;
            }
            let prefix = name.as_str().split('.').next().unwrap_or_default();
            if prefixes.contains(prefix) {
                continue;
            }
            out.warning(
                path,
                format!(
                    "`{name}`: no planned extension or preloaded library defines `{prefix}.` parameters, so PostgreSQL keeps it as a placeholder that does nothing"
                ),
                format!(
                    "check the spelling, or add the extension or library that defines `{prefix}.` (databases[].extensions, shared_preload_libraries)"
                ),
            );
        }
    }
}

/// The parameter prefix a library defines, where it differs from the
/// library's name.
fn prefix_of_library(library: &str) -> &str {
    match library {
        "pg_cron" => "cron",
        "pg_squeeze" => "squeeze",
        "pg_duckdb" => "duckdb",
        other => other,
    }
}

/// Prefixes of custom parameters that something in the plan defines.
fn custom_prefixes(cx: &Context<'_>) -> BTreeSet<String> {
    let mut prefixes: BTreeSet<String> = cx
        .settings
        .preload_libraries()
        .iter()
        .map(|l| prefix_of_library(l).to_owned())
        .collect();
    prefixes.extend(
        cx.plan
            .extensions()
            .map(|(_, e)| e.name.as_str().replace('-', "_")),
    );
    if cx.plan.platform.azure().is_some() {
        // azure.extensions, azure.accepted_password_auth_method, …, and
        // the service's metrics.* switches (metrics.collector_database_activity).
        prefixes.insert("azure".to_owned());
        prefixes.insert("metrics".to_owned());
    }
    prefixes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Extension;
    use crate::validate::rules::test_support::*;

    #[test]
    fn custom_parameters_need_a_definer() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(
            &mut plan,
            &[
                ("pg_stat_statements.track", "all"),
                ("pgaudit.log", "ddl"),
                ("auto_explain.log_min_duration", "1s"),
            ],
        );
        let d = run(&PlaceholderParameter, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let audit = diagnostic_at(&d, "tuning.parameters.pgaudit.log");
        assert_eq!(audit.id(), "PGP078");
        assert_eq!(audit.severity, Severity::Warning);
        assert!(
            audit.message.contains("`pgaudit.` parameters"),
            "{}",
            audit.message
        );
        // Preloading the libraries defines their prefixes.
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "pgaudit,auto_explain")],
        );
        assert!(run(&PlaceholderParameter, &plan).is_empty());
        // So does a planned extension.
        let mut plan = kubernetes_reference_plan();
        plan.databases[0]
            .extensions
            .push(Extension::builder().name(v("pg_trgm")).build());
        set_parameters(&mut plan, &[("pg_trgm.similarity_threshold", "0.4")]);
        assert!(run(&PlaceholderParameter, &plan).is_empty());
        // And on Azure, the service's own.
        let mut plan = azure_reference_plan();
        set_parameters(
            &mut plan,
            &[("azure.accepted_password_auth_method", "SCRAM-SHA-256")],
        );
        assert!(run(&PlaceholderParameter, &plan).is_empty());
    }
}
