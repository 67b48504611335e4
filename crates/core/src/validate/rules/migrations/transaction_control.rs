//! PGP335 migration-transaction-control: scripts leave transactions to the
//! runner, and only non-transactional scripts build indexes concurrently.

use super::with_migrations;
use crate::model::migrations::NO_TRANSACTION_MARKER;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP335.
pub struct MigrationTransactionControl;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP335",
    name: "migration-transaction-control",
    summary: "migration scripts hold no BEGIN, COMMIT or ROLLBACK, and build indexes concurrently only outside a transaction",
    rationale: "Each script runs in one transaction together with its history row, so a failure leaves nothing half-applied. A COMMIT inside the script ends that transaction early: what came before it stays even when a later statement fails, and the history does not record it, so the next apply runs it again. CREATE INDEX CONCURRENTLY (and REINDEX … CONCURRENTLY) is refused by PostgreSQL inside a transaction block, so such a script fails on every server.",
    examples: crate::rule_examples!("PGP335-migration-transaction-control"),
    replaces: &[],
};

const CONTROL: &[&str] = &[
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "START",
    "END",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "PREPARE",
];

impl Rule for MigrationTransactionControl {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            for (s, script) in m.scripts.iter().enumerate() {
                let path = format!("databases[{d}].migrations.scripts[{s}].sql");
                for st in script.statements() {
                    let words = st.keywords(4);
                    let first = words.first().map(String::as_str).unwrap_or_default();
                    // `START TRANSACTION`, `PREPARE TRANSACTION`; not `PREPARE name AS`.
                    let control = CONTROL.contains(&first)
                        && (!matches!(first, "START" | "PREPARE")
                            || words.get(1).is_some_and(|w| w == "TRANSACTION"));
                    if control {
                        out.error(
                            path.clone(),
                            format!(
                                "migration `{}` of database {} controls the transaction itself (`{}` at line {})",
                                script.file,
                                db.name,
                                words.join(" "),
                                st.line
                            ),
                            format!(
                                "remove it: each script runs in one transaction with its history row (a first line `{NO_TRANSACTION_MARKER}` runs it statement by statement instead)"
                            ),
                        );
                    }
                    let concurrently = matches!(first, "CREATE" | "REINDEX" | "DROP")
                        && words.iter().any(|w| w == "CONCURRENTLY");
                    if concurrently && script.transactional() {
                        out.error(
                            path.clone(),
                            format!(
                                "migration `{}` of database {} runs `{}` at line {} inside a transaction, which PostgreSQL refuses",
                                script.file,
                                db.name,
                                words.join(" "),
                                st.line
                            ),
                            format!(
                                "make `{NO_TRANSACTION_MARKER}` the script's first line (and keep such a script to the concurrent statements)"
                            ),
                        );
                    }
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
    fn commit_and_concurrent_indexes_in_a_transaction_are_errors() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].migrations = Some(Migrations {
            scripts: vec![
                MigrationScript::new("V1__init.sql", "CREATE TABLE t (a int);\nCOMMIT;\n"),
                MigrationScript::new("V2__ix.sql", "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"),
                MigrationScript::new(
                    "V3__ix.sql",
                    "-- pgplan:no-transaction\nCREATE INDEX CONCURRENTLY t_b ON t (a);\n",
                ),
                MigrationScript::new("V4__p.sql", "PREPARE q AS SELECT 1;\n"),
            ],
            ..Default::default()
        });
        let d = run(&MigrationTransactionControl, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d[0].message.contains("`COMMIT` at line 2"), "{d:#?}");
        assert!(d[1].message.contains("inside a transaction"), "{d:#?}");
    }
}
