//! PGP051 grant-schema: a grant on schema objects names `public` or a
//! planned schema of its database; a grant on the database itself takes no
//! schema.

use super::{find_database, grants};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP051.
pub struct GrantSchema;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP051",
    name: "grant-schema",
    summary: "a grant on schema objects names public or a planned schema of its database, and a grant on the database names none",
    rationale: "GRANT … ON ALL TABLES IN SCHEMA needs a schema, and fails when the schema does not exist in that database (schema \"…\" does not exist), stopping the script; a schema given on a database-level grant is ignored, so the grant does less than its reader thinks.",
    examples: crate::rule_examples!("PGP051-grant-schema"),
    replaces: &["PGP011"],
};

impl Rule for GrantSchema {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, grant) in grants(cx) {
            let objects = grant.objects;
            let path = path.field("schema");
            match (&grant.schema, objects.needs_schema()) {
                (Some(schema), false) => out.warning(
                    path,
                    format!(
                        "a grant on the database itself takes no schema; schema {schema} is ignored"
                    ),
                    "remove schema, or grant on objects: schema",
                ),
                (None, true) => out.error(
                    path,
                    format!("a grant on {objects} needs a schema"),
                    "set schema: public, or one of the database's planned schemas",
                ),
                (Some(schema), true) => {
                    let Some(db) = find_database(cx, grant) else {
                        continue;
                    };
                    if schema.as_str() == "public" || db.schemas.iter().any(|s| &s.name == schema) {
                        continue;
                    }
                    let planned: Vec<&str> = std::iter::once("public")
                        .chain(db.schemas.iter().map(|s| s.name.as_str()))
                        .collect();
                    out.error(
                        path,
                        format!(
                            "grant on schema {schema} of {}, which the plan does not create there",
                            db.name
                        ),
                        format!(
                            "use a planned schema ({}) or add schema {schema} to the database's schemas",
                            planned.join(", ")
                        ),
                    );
                }
                (None, false) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::app_grants;
    use super::*;
    use crate::Schema;
    use crate::validate::rules::test_support::*;

    #[test]
    fn grants_name_planned_schemas() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2].schema = Some(v("bill"));
        app_grants(&mut plan)[3].schema = None;
        app_grants(&mut plan)[0].schema = Some(v("public"));
        let d = run(&GrantSchema, &plan);
        let schema = diagnostic_at(&d, "roles[1].grants[2].schema");
        assert_eq!(schema.id(), "PGP051");
        assert_eq!(schema.severity, Severity::Error);
        assert!(schema.message.contains("schema bill of bill_inquiry_db"));
        assert!(
            schema.help.contains("use a planned schema (public)"),
            "{}",
            schema.help
        );
        assert!(
            diagnostic_at(&d, "roles[1].grants[3].schema")
                .message
                .contains("needs a schema")
        );
        assert_eq!(
            diagnostic_at(&d, "roles[1].grants[0].schema").severity,
            Severity::Warning
        );
        assert_eq!(d.len(), 3, "{d:#?}");
        // A planned schema is fine.
        let mut plan = azure_reference_plan();
        plan.databases[0].schemas = vec![Schema::builder().name(v("bill")).build()];
        app_grants(&mut plan)[2].schema = Some(v("bill"));
        assert!(run(&GrantSchema, &plan).is_empty());
    }

    #[test]
    fn grants_on_unplanned_databases_are_left_to_pgp050() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2].database = v("billing_db");
        app_grants(&mut plan)[2].schema = Some(v("bill"));
        assert!(run(&GrantSchema, &plan).is_empty());
    }
}
