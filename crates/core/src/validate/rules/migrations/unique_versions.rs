//! PGP331 migration-unique-versions: no two scripts of a database share a version.

use std::collections::BTreeMap;

use super::with_migrations;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP331.
pub struct MigrationUniqueVersions;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP331",
    name: "migration-unique-versions",
    summary: "no two migration scripts of a database carry the same version",
    rationale: "The history table records one row per version. Of two scripts with one version (`V3__add_index.sql` and `V3__add_column.sql`, typically from two branches merged) only one could ever be recorded: the other would either run on every apply or never, and which one won would depend on the order files are listed.",
    examples: crate::rule_examples!("PGP331-migration-unique-versions"),
    replaces: &[],
};

impl Rule for MigrationUniqueVersions {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            let mut first: BTreeMap<u32, &str> = BTreeMap::new();
            for (s, script) in m.scripts.iter().enumerate() {
                let Some(v) = script.version() else {
                    continue;
                };
                if let Some(other) = first.get(&v) {
                    out.error(
                        format!("databases[{d}].migrations.scripts[{s}].file"),
                        format!(
                            "migrations `{other}` and `{}` of database {} both have version {v}",
                            script.file, db.name
                        ),
                        format!(
                            "give `{}` the next free version ({}) and keep the versions consecutive",
                            script.file,
                            m.scripts.iter().filter_map(|s| s.version()).max().unwrap_or(v) + 1
                        ),
                    );
                } else {
                    first.insert(v, &script.file);
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
    fn a_version_twice_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].migrations = Some(Migrations {
            scripts: vec![
                MigrationScript::new("V1__init.sql", "SELECT 1;"),
                MigrationScript::new("V2__a.sql", "SELECT 1;"),
                MigrationScript::new("V2__b.sql", "SELECT 1;"),
            ],
            ..Default::default()
        });
        let d = run(&MigrationUniqueVersions, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let f = diagnostic_at(&d, "databases[0].migrations.scripts[2].file");
        assert!(f.message.contains("both have version 2"), "{}", f.message);
        assert!(f.help.contains("(3)"), "{}", f.help);
    }
}
