//! PGP083 extension-schema: an extension's schema is `public`, `pg_catalog`
//! or a planned schema of its database.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP083.
pub struct ExtensionSchema;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP083",
    name: "extension-schema",
    summary: "an extension is created in public, pg_catalog or a planned schema of its database",
    rationale: "CREATE EXTENSION … SCHEMA s fails when s does not exist in that database (schema \"s\" does not exist), and the script stops before the extension — and everything after it in the database — is set up.",
    examples: crate::rule_examples!("PGP083-extension-schema"),
    replaces: &["PGP016"],
};

impl Rule for ExtensionSchema {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db) in cx.plan.databases.iter().enumerate() {
            for (e, ext) in db.extensions.iter().enumerate() {
                let Some(schema) = &ext.schema else {
                    continue;
                };
                let name = schema.as_str();
                if name == "public"
                    || name == "pg_catalog"
                    || db.schemas.iter().any(|s| &s.name == schema)
                {
                    continue;
                }
                let planned: Vec<&str> = std::iter::once("public")
                    .chain(db.schemas.iter().map(|s| s.name.as_str()))
                    .collect();
                out.error(
                    format!("databases[{d}].extensions[{e}].schema"),
                    format!(
                        "extension {} is to be created in schema {schema}, which {} does not have: CREATE EXTENSION … SCHEMA {schema} fails",
                        ext.name, db.name
                    ),
                    format!(
                        "add schema {schema} to the database's schemas, or use a planned schema ({})",
                        planned.join(", ")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::extension;
    use super::*;
    use crate::Schema;
    use crate::validate::rules::test_support::*;

    #[test]
    fn extension_schema_must_be_planned() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&ExtensionSchema, &plan).is_empty());
        let mut trgm = extension("pg_trgm");
        trgm.schema = Some(v("extensions"));
        let mut crypto = extension("pgcrypto");
        crypto.schema = Some(v("product_change"));
        plan.databases[0].extensions = vec![trgm, crypto];
        let d = run(&ExtensionSchema, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP083");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "databases[0].extensions[0].schema");
        assert!(
            d[0].message
                .contains("schema extensions, which product_change_db does not have"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("public, product_change"),
            "{}",
            d[0].help
        );
        plan.databases[0]
            .schemas
            .push(Schema::builder().name(v("extensions")).build());
        assert!(run(&ExtensionSchema, &plan).is_empty());
    }
}
