//! PGP050 grant-database: a grant is on a database the plan creates.

use super::{find_database, grants};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP050.
pub struct GrantDatabase;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP050",
    name: "grant-database",
    summary: "every grant is on a database the plan creates",
    rationale: "A grant on a database the plan does not create fails (database \"…\" does not exist) and stops the script — or, when the database happens to exist already, grants on something the plan does not describe while the planned database gets nothing. Usually it is a typo of the planned name.",
    examples: crate::rule_examples!("PGP050-grant-database"),
    replaces: &["PGP011"],
};

impl Rule for GrantDatabase {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, grant) in grants(cx) {
            if find_database(cx, grant).is_some() {
                continue;
            }
            let planned: Vec<&str> = cx.plan.databases.iter().map(|d| d.name.as_str()).collect();
            out.error(
                path.field("database"),
                format!(
                    "grant on database {}, which the plan does not create",
                    grant.database
                ),
                if planned.is_empty() {
                    "add the database to databases".to_owned()
                } else {
                    format!(
                        "use a planned database ({}) or add it to databases",
                        planned.join(", ")
                    )
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::app_grants;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn grants_name_planned_databases() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[1].database = v("billing_db");
        let d = run(&GrantDatabase, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let db = diagnostic_at(&d, "roles[1].grants[1].database");
        assert_eq!(db.id(), "PGP050");
        assert_eq!(db.severity, Severity::Error);
        assert!(
            db.message
                .contains("database billing_db, which the plan does not create")
        );
        assert!(db.help.contains("bill_inquiry_db"));
    }
}
