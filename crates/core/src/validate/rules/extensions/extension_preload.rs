//! PGP082 extension-preload: an extension that needs a library in
//! `shared_preload_libraries` ([`preload_library_for`]) has it there when the
//! plan sets the parameter explicitly. When the parameter is derived, pgplan
//! adds the library itself, so there is nothing to report. (On Azure,
//! pg_stat_statements is PGP009's, which also checks its tracking.)

use std::collections::BTreeMap;

use crate::model::databases::preload_library_for;
use crate::tuning::params::SHARED_PRELOAD_LIBRARIES;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP082.
pub struct ExtensionPreload;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP082",
    name: "extension-preload",
    summary: "an explicit shared_preload_libraries includes every library the plan's extensions need (pg_cron, pg_stat_statements, pgaudit, timescaledb…)",
    rationale: "Some extensions work only when their library is loaded at server start: CREATE EXTENSION pg_cron fails, and pg_stat_statements installs but its view errors (pg_stat_statements must be loaded via shared_preload_libraries). Fixing it takes a restart — in production, a maintenance window.",
    examples: crate::rule_examples!("PGP082-extension-preload"),
    replaces: &["PGP016"],
};

impl Rule for ExtensionPreload {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.settings.is_set(SHARED_PRELOAD_LIBRARIES) {
            return;
        }
        let libraries = cx.settings.preload_libraries();
        let on_azure = cx.plan.platform.azure().is_some();
        // Missing library → the extensions (with their databases) that need it.
        let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (db, ext) in cx.plan.extensions() {
            let Some(library) = preload_library_for(ext.name.as_str()) else {
                continue;
            };
            if on_azure && library == "pg_stat_statements" {
                continue;
            }
            if !libraries.iter().any(|l| l == library) {
                missing
                    .entry(library)
                    .or_default()
                    .push(format!("{} in {}", ext.name, db.name));
            }
        }
        if missing.is_empty() {
            return;
        }
        let mut fixed = libraries.clone();
        fixed.extend(missing.keys().map(|l| (*l).to_owned()));
        let needs: Vec<String> = missing
            .iter()
            .map(|(library, users)| format!("{library} (for {})", users.join(", ")))
            .collect();
        out.error(        cx.path_of(SHARED_PRELOAD_LIBRARIES),
            format!(
                "shared_preload_libraries is `{}` but the plan's extensions need {}: CREATE EXTENSION fails or the extension does nothing without its library",
                libraries.join(","),
                needs.join("; ")
            ),
            format!(
                "set shared_preload_libraries: '{}' (a restart), or remove it and let pgplan derive it",
                fixed.join(",")
            ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::extension;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn derived_preload_adds_the_library() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions = vec![extension("pg_cron"), extension("pgaudit")];
        assert!(run(&ExtensionPreload, &plan).is_empty());
        let settings = plan.settings();
        assert_eq!(settings.preload_libraries(), ["pg_cron", "pgaudit"]);
    }

    #[test]
    fn explicit_preload_must_include_the_library() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions = vec![
            extension("pg_cron"),
            extension("pg_stat_statements"),
            extension("pgaudit"),
            extension("pg_trgm"),
        ];
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "pg_stat_statements")],
        );
        let d = run(&ExtensionPreload, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "tuning.parameters.shared_preload_libraries");
        assert!(
            d.message.contains(
                "is `pg_stat_statements` but the plan's extensions need pg_cron (for pg_cron in product_change_db); pgaudit (for pgaudit in product_change_db)"
            ),
            "{}",
            d.message
        );
        assert!(
            d.help
                .contains("shared_preload_libraries: 'pg_stat_statements,pg_cron,pgaudit'"),
            "{}",
            d.help
        );
    }

    #[test]
    fn azure_pg_stat_statements_is_left_to_pgp009() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("shared_preload_libraries", "pg_cron")]);
        assert!(run(&ExtensionPreload, &plan).is_empty());
        plan.databases[0].extensions.push(extension("pgaudit"));
        let d = run(&ExtensionPreload, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("need pgaudit"), "{}", d[0].message);
    }
}
