//! PGP165 azure-extension-allow-list: every extension a database uses is one
//! Azure allows.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP165.
pub struct AzureExtensionAllowList;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP165",
    name: "azure-extension-allow-list",
    summary: "every extension the plan's databases use is on Azure's allow-list (the allowed values of azure.extensions)",
    rationale: "Flexible Server creates only allow-listed extensions: CREATE EXTENSION of any other fails, whoever runs it.",
    examples: crate::rule_examples!("PGP165-azure-extension-allow-list"),
    replaces: &["PGP009"],
};

/// `uuid_ossp` → `uuid-ossp`: an allow-listed name that differs only in
/// case, `_` or `-`.
fn allowed_spelling(name: &str) -> Option<&'static str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let wanted = norm(name);
    azure_facts::ALLOWED_EXTENSIONS
        .iter()
        .find(|a| norm(a) == wanted)
        .copied()
}

impl Rule for AzureExtensionAllowList {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        for (d, db) in cx.plan.databases.iter().enumerate() {
            for (e, ext) in db.extensions.iter().enumerate() {
                let name = ext.name.as_str();
                if azure_facts::ALLOWED_EXTENSIONS.contains(&name) {
                    continue;
                }
                let help = match allowed_spelling(name) {
                    Some(spelling) => format!("did you mean `{spelling}`? write name: {spelling}"),
                    None => "Azure creates only allow-listed extensions (the allowed values of azure.extensions): remove it, use an allowed alternative, or run on the kubernetes platform".to_owned(),
                };
                out.error(
                    FieldPath::root()
                        .field("databases")
                        .index(d)
                        .field("extensions")
                        .index(e)
                        .field("name"),
                    format!(
                        "extension `{name}` in database {} is not on Azure's allow-list: CREATE EXTENSION fails",
                        db.name
                    ),
                    help,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Extension;

    #[test]
    fn extensions_must_be_allow_listed() {
        assert!(run(&AzureExtensionAllowList, &reference()).is_empty());
        let mut plan = reference();
        for name in ["uuid_ossp", "pg_bigm"] {
            plan.databases[0]
                .extensions
                .push(Extension::builder().name(v(name)).build());
        }
        let d = run(&AzureExtensionAllowList, &plan);
        let typo = at(&d, "databases[0].extensions[3].name");
        assert!(
            typo.message
                .contains("`uuid_ossp` in database bill_inquiry_db"),
            "{}",
            typo.message
        );
        assert!(
            typo.help.starts_with("did you mean `uuid-ossp`?"),
            "{}",
            typo.help
        );
        let other = at(&d, "databases[0].extensions[4].name");
        assert!(other.help.contains("allow-listed"), "{}", other.help);
        assert_eq!(d.len(), 2, "{d:#?}");
    }
}
