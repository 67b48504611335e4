//! PGP168 azure-preload-libraries: only libraries Azure lets a server preload.

use super::support::platform;
use crate::azure_facts;
use crate::tuning::params;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP168.
pub struct AzurePreloadLibraries;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP168",
    name: "azure-preload-libraries",
    summary: "shared_preload_libraries, set or derived from the extensions, holds only libraries Azure lets a server preload",
    rationale: "The configurations API refuses shared_preload_libraries with a library outside its allowed values, and the server keeps its old list.",
    examples: crate::rule_examples!("PGP168-azure-preload-libraries"),
    replaces: &["PGP009"],
};

impl Rule for AzurePreloadLibraries {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let libraries = cx.settings.preload_libraries();
        let allowed = |l: &str| azure_facts::ALLOWED_PRELOAD_LIBRARIES.contains(&l);
        let not_allowed: Vec<&str> = libraries
            .iter()
            .map(String::as_str)
            .filter(|l| !allowed(l))
            .collect();
        if not_allowed.is_empty() {
            return;
        }
        let kept: Vec<&str> = libraries
            .iter()
            .map(String::as_str)
            .filter(|l| allowed(l))
            .collect();
        let path = if cx.settings.is_set(params::SHARED_PRELOAD_LIBRARIES) {
            cx.param_path(params::SHARED_PRELOAD_LIBRARIES.name())
        } else {
            FieldPath::from("databases")
        };
        out.error(
            path,
            format!(
                "shared_preload_libraries has {} that Azure does not let a server preload",
                not_allowed.join(", ")
            ),
            format!(
                "remove {} (shared_preload_libraries: '{}'); Azure preloads only {}",
                not_allowed.join(", "),
                kept.join(","),
                azure_facts::ALLOWED_PRELOAD_LIBRARIES.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn preload_libraries_must_be_allowed() {
        assert!(run(&AzurePreloadLibraries, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning.parameters.insert(
            v("shared_preload_libraries"),
            "pg_stat_statements,pg_bigm,citus".into(),
        );
        let d = run(&AzurePreloadLibraries, &plan);
        let e = at(&d, "tuning.parameters.shared_preload_libraries");
        assert!(e.message.contains("has pg_bigm, citus"), "{}", e.message);
        assert!(
            e.help
                .contains("(shared_preload_libraries: 'pg_stat_statements')"),
            "{}",
            e.help
        );
    }
}
