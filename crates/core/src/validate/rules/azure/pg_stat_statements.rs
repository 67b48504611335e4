//! PGP167 azure-pg-stat-statements: pg_stat_statements is preloaded and
//! tracking.

use super::support::platform;
use crate::tuning::params;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP167.
pub struct AzurePgStatStatements;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP167",
    name: "azure-pg-stat-statements",
    summary: "a plan that uses pg_stat_statements on Azure keeps it in shared_preload_libraries and sets pg_stat_statements.track to top or all",
    rationale: "The extension collects nothing unless its library is preloaded, and on Azure pg_stat_statements.track defaults to none: CREATE EXTENSION succeeds and the view stays empty.",
    examples: crate::rule_examples!("PGP167-azure-pg-stat-statements"),
    replaces: &["PGP009"],
};

const EXTENSION: &str = "pg_stat_statements";

impl Rule for AzurePgStatStatements {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let databases: Vec<&str> = cx
            .plan
            .extensions()
            .filter(|(_, e)| e.name.as_str() == EXTENSION)
            .map(|(d, _)| d.name.as_str())
            .collect();
        if databases.is_empty() {
            return;
        }
        let libraries = cx.settings.preload_libraries();
        let preloaded = libraries.iter().any(|l| l == EXTENSION);
        let track_set = cx.settings.is_set(params::PG_STAT_STATEMENTS_TRACK);
        let track = cx
            .settings
            .get(params::PG_STAT_STATEMENTS_TRACK)
            .unwrap_or_else(|| "none".into());
        let tracks = track_set && matches!(track.as_str(), "top" | "all");
        if preloaded && tracks {
            return;
        }
        let preload_state = if preloaded {
            "shared_preload_libraries includes it".to_owned()
        } else {
            format!(
                "shared_preload_libraries (`{}`) does not include it",
                libraries.join(",")
            )
        };
        let track_state = if track_set {
            format!("pg_stat_statements.track is `{track}`")
        } else {
            "pg_stat_statements.track is not set, and Azure's default is none".to_owned()
        };
        let mut preload_fix = libraries.clone();
        if !preloaded {
            preload_fix.push(EXTENSION.into());
        }
        let path = if preloaded {
            cx.param_path(params::PG_STAT_STATEMENTS_TRACK.name())
        } else {
            cx.param_path(params::SHARED_PRELOAD_LIBRARIES.name())
        };
        out.error(
            path,
            format!(
                "database {} uses pg_stat_statements, but on Azure it collects nothing this way: {preload_state}; {track_state}",
                databases.join(", ")
            ),
            format!(
                "keep pg_stat_statements in shared_preload_libraries (shared_preload_libraries: '{}'; a restart) and set pg_stat_statements.track: top (or all) in tuning.parameters",
                preload_fix.join(",")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn tracking_must_be_set() {
        assert!(run(&AzurePgStatStatements, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning
            .parameters
            .remove(&v("pg_stat_statements.track"));
        let d = run(&AzurePgStatStatements, &plan);
        let e = at(&d, "tuning.parameters.pg_stat_statements.track");
        assert!(
            e.message
                .contains("database bill_inquiry_db uses pg_stat_statements")
        );
        assert!(
            e.message.contains("shared_preload_libraries includes it"),
            "{}",
            e.message
        );
        assert!(
            e.message
                .contains("track is not set, and Azure's default is none"),
            "{}",
            e.message
        );
        assert!(
            e.help.contains("pg_stat_statements.track: top"),
            "{}",
            e.help
        );
    }

    #[test]
    fn the_library_must_be_preloaded() {
        let mut plan = reference();
        plan.tuning
            .parameters
            .insert(v("shared_preload_libraries"), "pg_cron".into());
        plan.tuning
            .parameters
            .insert(v("pg_stat_statements.track"), "none".into());
        let d = run(&AzurePgStatStatements, &plan);
        let e = at(&d, "tuning.parameters.shared_preload_libraries");
        assert!(
            e.message
                .contains("shared_preload_libraries (`pg_cron`) does not include it"),
            "{}",
            e.message
        );
        assert!(e.message.contains("track is `none`"), "{}", e.message);
        assert!(
            e.help
                .contains("shared_preload_libraries: 'pg_cron,pg_stat_statements'"),
            "{}",
            e.help
        );
        plan.tuning.parameters.insert(
            v("shared_preload_libraries"),
            "pg_cron,pg_stat_statements".into(),
        );
        plan.tuning
            .parameters
            .insert(v("pg_stat_statements.track"), "all".into());
        assert!(run(&AzurePgStatStatements, &plan).is_empty());
    }
}
