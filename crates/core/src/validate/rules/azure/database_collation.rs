//! PGP174 azure-database-collation: locales the databases API takes as a
//! collation.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP174.
pub struct AzureDatabaseCollation;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP174",
    name: "azure-database-collation",
    summary: "every database locale, spelled as the API's collation (`en_US.UTF-8` is sent as `en_US.utf8`), fits the API's pattern: it starts with a letter and has no `@` modifier",
    rationale: "The databases API checks the collation against `^[a-zA-Z\\-]+([. ]|\\w)*$` and refuses the request otherwise; the collation cannot change after the database is created.",
    examples: crate::rule_examples!("PGP174-azure-database-collation"),
    replaces: &["PGP009"],
};

impl Rule for AzureDatabaseCollation {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        for (i, db) in cx.plan.databases.iter().enumerate() {
            let Some(locale) = &db.locale else {
                continue;
            };
            let collation = azure_facts::collation(locale);
            if azure_facts::collation_accepted(&collation) {
                continue;
            }
            let without_modifier = collation.split('@').next().unwrap_or(&collation);
            let help = if azure_facts::collation_accepted(without_modifier) {
                format!(
                    "drop the `@` modifier (locale: {}), or create the database with SQL on the kubernetes platform",
                    locale.as_str().split('@').next().unwrap_or(locale.as_str())
                )
            } else {
                "use a locale such as en_US.UTF-8 or C".to_owned()
            };
            out.error(
                FieldPath::root().field("databases").index(i).field("locale"),
                format!(
                    "locale `{locale}` of database {} is sent as collation `{collation}`, which the Azure databases API does not accept",
                    db.name
                ),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn collations_follow_the_api_pattern() {
        assert!(run(&AzureDatabaseCollation, &reference()).is_empty());
        let mut plan = reference();
        plan.databases[0].locale = Some(v("de_DE.ISO-8859-15@euro"));
        let d = run(&AzureDatabaseCollation, &plan);
        let e = at(&d, "databases[0].locale");
        assert!(
            e.message.contains("collation `de_DE.iso885915@euro`"),
            "{}",
            e.message
        );
        assert!(e.help.contains("locale: de_DE.ISO-8859-15"), "{}", e.help);
        plan.databases[0].locale = Some(v("1x"));
        let d = run(&AzureDatabaseCollation, &plan);
        assert!(d[0].help.contains("en_US.UTF-8"), "{}", d[0].help);
        plan.databases[0].locale = Some(v("C"));
        assert!(run(&AzureDatabaseCollation, &plan).is_empty());
    }
}
