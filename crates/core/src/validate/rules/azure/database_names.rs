//! PGP173 azure-database-names: database names the databases API takes.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP173.
pub struct AzureDatabaseNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP173",
    name: "azure-database-names",
    summary: "every database name is one the Flexible Server databases API takes: a letter or `_`, then letters, digits, `_` or `-`, at most 63 characters",
    rationale: "Azure creates databases through its API, whose path pattern is narrower than PostgreSQL's identifiers: a name with spaces, dots or a leading digit is refused.",
    examples: crate::rule_examples!("PGP173-azure-database-names"),
    replaces: &["PGP009"],
};

impl Rule for AzureDatabaseNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        for (i, db) in cx.plan.databases.iter().enumerate() {
            let name = db.name.as_str();
            if azure_facts::database_name_accepted(name) {
                continue;
            }
            let suggestion: String = name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let suggestion = match suggestion.chars().next() {
                Some(c) if c.is_ascii_alphabetic() || c == '_' => suggestion,
                _ => format!("db_{suggestion}"),
            };
            let suggestion: String = suggestion.chars().take(63).collect();
            out.error(
                FieldPath::root().field("databases").index(i).field("name"),
                format!("database name `{name}` is not one the Azure databases API accepts"),
                format!(
                    "start with a letter or `_`, then use letters, digits, `_` or `-`, at most 63 characters (e.g. `{suggestion}`)"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn names_follow_the_api_pattern() {
        assert!(run(&AzureDatabaseNames, &reference()).is_empty());
        let mut plan = reference();
        plan.databases[0].name = v("2024 bills");
        let d = run(&AzureDatabaseNames, &plan);
        let e = at(&d, "databases[0].name");
        assert!(e.message.contains("`2024 bills`"), "{}", e.message);
        assert!(e.help.contains("`db_2024_bills`"), "{}", e.help);
        plan.databases[0].name = v("bills.archive");
        assert!(
            run(&AzureDatabaseNames, &plan)[0]
                .help
                .contains("`bills_archive`")
        );
    }
}
