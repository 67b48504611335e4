//! PGP181 reserved-schema-names: no planned schema takes a name PostgreSQL
//! reserves.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP181.
pub struct ReservedSchemaNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP181",
    name: "reserved-schema-names",
    summary: "no planned schema is named `pg_…` or `information_schema`",
    rationale: "PostgreSQL refuses `CREATE SCHEMA pg_…` (\"unacceptable schema name\": the prefix is reserved for system schemas), and `information_schema` already exists in every database, owned by the bootstrap superuser: the schema step of the deployment would fail or change nothing.",
    examples: crate::rule_examples!("PGP181-reserved-schema-names"),
    replaces: &[],
};

impl Rule for ReservedSchemaNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, db) in cx.plan.databases.iter().enumerate() {
            for (j, s) in db.schemas.iter().enumerate() {
                let name = s.name.as_str();
                if name.starts_with("pg_") || name == "information_schema" {
                    out.error(
                        format!("databases[{i}].schemas[{j}].name"),
                        format!(
                            "schema `{name}` in database {} has a name PostgreSQL reserves for its system schemas",
                            db.name
                        ),
                        "name the schema after the service (e.g. `app`); `pg_` prefixes and information_schema are the server's",
                    );
                }
            }
        }
    }
}
