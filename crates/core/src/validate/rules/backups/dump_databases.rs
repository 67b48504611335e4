//! PGP070 dump-databases: a dump names databases the plan creates.

use super::dumps;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP070.
pub struct DumpDatabases;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP070",
    name: "dump-databases",
    summary: "every database a dump lists is one the plan creates",
    rationale: "`pg_dump` of a database that does not exist fails to connect (database \"…\" does not exist): the job fails every night, and the database the name was meant to be — usually a typo of it — is never backed up.",
    examples: crate::rule_examples!("PGP070-dump-databases"),
    replaces: &["PGP013"],
};

impl Rule for DumpDatabases {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, backup) in dumps(cx) {
            for (k, name) in backup.databases.iter().enumerate() {
                if cx.plan.databases.iter().any(|d| &d.name == name) {
                    continue;
                }
                out.error(
                    path.clone().field("databases").index(k),
                    format!(
                        "pg_dump {} dumps database {name}, which the plan does not create",
                        backup.name
                    ),
                    "fix the name, or leave databases empty to dump every planned database",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::nightly;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn dumps_name_planned_databases() {
        let mut plan = kubernetes_reference_plan();
        nightly(&mut plan).databases = vec![v("product_change_db")];
        assert!(run(&DumpDatabases, &plan).is_empty());
        nightly(&mut plan).databases.push(v("reports_db"));
        let d = run(&DumpDatabases, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP070");
        assert_eq!(d[0].path, "backups.logical[0].databases[1]");
        assert!(
            d[0].message
                .contains("reports_db, which the plan does not create")
        );
    }
}
