//! PGP334 migration-scripts-present: a migrations entry has scripts, and
//! every script has a statement.

use super::with_migrations;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP334.
pub struct MigrationScriptsPresent;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP334",
    name: "migration-scripts-present",
    summary: "a database's migrations hold scripts, and every script holds a statement",
    rationale: "An empty migrations directory usually means the plan points at the wrong path, and a script of only comments is usually one saved before its SQL was written. Either way the schema the application expects is not created, and the history table would record an empty script as applied, so writing its SQL later needs a new version.",
    examples: crate::rule_examples!("PGP334-migration-scripts-present"),
    replaces: &[],
};

impl Rule for MigrationScriptsPresent {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            if m.scripts.is_empty() {
                out.warning(
                    format!("databases[{d}].migrations"),
                    match &m.directory {
                        Some(dir) => format!(
                            "the migrations directory `{dir}` of database {} holds no .sql files",
                            db.name
                        ),
                        None => format!("database {} has migrations without scripts", db.name),
                    },
                    "add V1__init.sql (relative to the plan file), or remove migrations",
                );
                continue;
            }
            for (s, script) in m.scripts.iter().enumerate() {
                if script.statements().is_empty() {
                    out.error(
                        format!("databases[{d}].migrations.scripts[{s}].sql"),
                        format!(
                            "migration `{}` of database {} has no SQL statement",
                            script.file, db.name
                        ),
                        "write its SQL, or delete the file before any server applies it",
                    );
                }
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
    fn empty_scripts_and_directories_are_reported() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].migrations = Some(Migrations {
            directory: Some("migrations".into()),
            ..Default::default()
        });
        let d = run(&MigrationScriptsPresent, &plan);
        assert!(d[0].message.contains("holds no .sql files"), "{d:#?}");
        plan.databases[0].migrations.as_mut().unwrap().scripts =
            vec![MigrationScript::new("V1__init.sql", "-- later\n/* ; */\n")];
        let d = run(&MigrationScriptsPresent, &plan);
        assert!(d[0].message.contains("has no SQL statement"), "{d:#?}");
    }
}
