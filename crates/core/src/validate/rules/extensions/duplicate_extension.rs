//! PGP084 duplicate-extension: an extension is listed once per database.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP084.
pub struct DuplicateExtension;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP084",
    name: "duplicate-extension",
    summary: "an extension is listed once per database",
    rationale: "An extension exists once in a database, in one schema and at one version. Two entries for it say two things — perhaps different schemas or versions — and only one can be true on the server; the other is silently skipped (CREATE EXTENSION IF NOT EXISTS) or fails.",
    examples: crate::rule_examples!("PGP084-duplicate-extension"),
    replaces: &["PGP016"],
};

impl Rule for DuplicateExtension {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db) in cx.plan.databases.iter().enumerate() {
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for (e, ext) in db.extensions.iter().enumerate() {
                match seen.get(ext.name.as_str()) {
                    Some(first) => out.error(
                        format!("databases[{d}].extensions[{e}].name"),
                        format!(
                            "extension {} is listed twice in {} (extensions[{first}] and extensions[{e}])",
                            ext.name, db.name
                        ),
                        "keep one entry; an extension exists once per database",
                    ),
                    None => {
                        seen.insert(ext.name.as_str(), e);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::extension;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn extensions_are_listed_once() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&DuplicateExtension, &plan).is_empty());
        plan.databases[0].extensions = vec![extension("pg_trgm"), extension("pg_trgm")];
        let d = run(&DuplicateExtension, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP084");
        assert_eq!(d[0].path, "databases[0].extensions[1].name");
    }
}
