//! PGP180 unique-database-names: every database is planned once.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP180.
pub struct UniqueDatabaseNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP180",
    name: "unique-database-names",
    summary: "every database in `databases` has a name no other entry has",
    rationale: "Two entries of one name are one database on the server: the second entry's owner, locale, schemas and extensions would silently be merged into — or fight with — the first's, and no renderer could say which one the plan meant.",
    examples: crate::rule_examples!("PGP180-unique-database-names"),
    replaces: &[],
};

impl Rule for UniqueDatabaseNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, db) in cx.plan.databases.iter().enumerate() {
            if let Some(f) = first.insert(db.name.as_str(), i) {
                first.insert(db.name.as_str(), f);
                out.error(
                    format!("databases[{i}].name"),
                    format!(
                        "database `{}` is planned twice (databases[{f}] and databases[{i}])",
                        db.name
                    ),
                    "merge the two entries into one, or rename one of them",
                );
            }
        }
    }
}
