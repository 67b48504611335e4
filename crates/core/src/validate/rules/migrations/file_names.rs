//! PGP330 migration-file-names: every script is named `V<n>__<description>.sql`.

use super::with_migrations;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP330.
pub struct MigrationFileNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP330",
    name: "migration-file-names",
    summary: "every migration script is named `V<version>__<description>.sql`",
    rationale: "The version in the file name is the order scripts run in and the key the history table records them under. A file without one (`init.sql`, `V1_init.sql` with one underscore, `V1.1__x.sql`) has no place in that order: run anyway it would run at an arbitrary point, skipped it would be a change that silently never reaches the server.",
    examples: crate::rule_examples!("PGP330-migration-file-names"),
    replaces: &[],
};

impl Rule for MigrationFileNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            for (s, script) in m.scripts.iter().enumerate() {
                if script.version().is_some() {
                    continue;
                }
                out.error(
                    format!("databases[{d}].migrations.scripts[{s}].file"),
                    format!(
                        "migration `{}` of database {} has no version in its name",
                        script.file, db.name
                    ),
                    "rename it V<version>__<description>.sql (a whole number, two underscores, letters, digits, _ or - in the description), e.g. V1__init.sql",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::migrations::{MigrationScript, Migrations};
    use crate::validate::rules::test_support::*;

    #[test]
    fn names_without_a_version_are_errors() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].migrations = Some(Migrations {
            scripts: vec![
                MigrationScript::new("V1__init.sql", "SELECT 1;"),
                MigrationScript::new("V2_add.sql", "SELECT 1;"),
            ],
            ..Default::default()
        });
        let d = run(&MigrationFileNames, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let f = diagnostic_at(&d, "databases[0].migrations.scripts[1].file");
        assert!(f.message.contains("`V2_add.sql`"), "{}", f.message);
    }
}
