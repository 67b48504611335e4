//! PGP332 migration-version-gaps: a database's versions follow each other
//! without gaps.

use std::collections::BTreeSet;

use super::with_migrations;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP332.
pub struct MigrationVersionGaps;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP332",
    name: "migration-version-gaps",
    summary: "a database's migration versions follow each other without gaps",
    rationale: "A missing version is almost always a script that was deleted, renamed or not copied with the others. Servers that already ran it keep its objects while new servers never get them, so two environments built from one plan end up with different schemas and nothing reports it.",
    examples: crate::rule_examples!("PGP332-migration-version-gaps"),
    replaces: &[],
};

impl Rule for MigrationVersionGaps {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            let versions: BTreeSet<u32> = m.scripts.iter().filter_map(|s| s.version()).collect();
            let (Some(&lowest), Some(&highest)) = (versions.first(), versions.last()) else {
                continue;
            };
            let missing: Vec<String> = (lowest..=highest)
                .filter(|v| !versions.contains(v))
                .map(|v| format!("V{v}"))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.error(
                format!("databases[{d}].migrations.scripts"),
                format!(
                    "the migrations of database {} run V{lowest} to V{highest} but {} {} missing",
                    db.name,
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
                "restore the missing scripts, or renumber the later ones so the versions are consecutive (only while no server has applied them)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::migrations::{MigrationScript, Migrations};
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_gap_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].migrations = Some(Migrations {
            scripts: vec![
                MigrationScript::new("V1__init.sql", "SELECT 1;"),
                MigrationScript::new("V4__b.sql", "SELECT 1;"),
            ],
            ..Default::default()
        });
        let d = run(&MigrationVersionGaps, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let f = diagnostic_at(&d, "databases[0].migrations.scripts");
        assert!(f.message.contains("V2, V3 are missing"), "{}", f.message);
    }
}
