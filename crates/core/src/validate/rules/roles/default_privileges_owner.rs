//! PGP054 default-privileges-owner: default privileges name `for_owner`, a
//! planned role that owns the schema. PostgreSQL applies default privileges
//! only to objects created by that role, and without it by whoever runs the
//! script — who is not the role the migrations run as, so new tables get
//! none of them.

use super::{find_database, grants, planned_names, role_exists};
use crate::model::roles::Grant;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP054.
pub struct DefaultPrivilegesOwner;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP054",
    name: "default-privileges-owner",
    summary: "default privileges name for_owner: a planned role, the owner of the schema whose new objects they cover",
    rationale: "ALTER DEFAULT PRIVILEGES applies only to objects created later by one role — FOR ROLE, or else whoever runs the statement. Run by an administrator, it covers tables the administrator creates, while the migrations create them as the schema's owner: every new table then lacks the grants, and the application fails with permission denied after its next migration.",
    examples: crate::rule_examples!("PGP054-default-privileges-owner"),
    replaces: &["PGP011"],
};

impl Rule for DefaultPrivilegesOwner {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, grant) in grants(cx) {
            if grant.objects.is_default() {
                check_grant(cx, path.field("for_owner"), grant, out);
            }
        }
    }
}

fn check_grant(cx: &Context<'_>, path: FieldPath, grant: &Grant, out: &mut Findings<'_>) {
    let database = find_database(cx, grant);
    let schema_owner = match (database, &grant.schema) {
        (Some(db), Some(schema)) => Some((db, schema, db.schema_owner(schema))),
        _ => None,
    };
    let Some(owner) = &grant.for_owner else {
        let (where_, fix) = match schema_owner {
            Some((db, schema, owner)) => (
                format!(" in {}.{schema}", db.name),
                format!(
                    "set for_owner: {owner} (the owner of schema {schema} in {}, the role the migrations run as)",
                    db.name
                ),
            ),
            None => (
                String::new(),
                "set for_owner to the role the migrations run as (the schema's owner)".to_owned(),
            ),
        };
        out.error(            path,
            format!(
                "default privileges on {}{where_} name no for_owner: they would apply only to objects created by whoever runs the script, so the {} the migrations create get none of them",
                grant.objects,
                grant.objects.sql_noun().to_ascii_lowercase()
            ),
            fix);
        return;
    };
    if !role_exists(cx, owner.as_str()) {
        out.error(
            path,
            format!("for_owner {owner} is not a planned role"),
            match schema_owner {
                Some((_, _, o)) => format!("set for_owner: {o} (the schema's owner)"),
                None => format!("use a planned role ({})", planned_names(cx)),
            },
        );
        return;
    }
    if let Some((db, schema, expected)) = schema_owner
        && expected != owner
    {
        out.warning(            path,
            format!(
                "for_owner {owner} is not the owner of schema {schema} in {} ({expected}): the default privileges apply only to objects {owner} creates, while the schema's objects are normally created by {expected}",
                db.name
            ),
            format!(
                "set for_owner: {expected}, or make sure the migrations run as {owner}"
            ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{app_grants, name};
    use super::*;
    use crate::Schema;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_001_default_privileges_without_for_owner() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[4].for_owner = None;
        let d = run(&DefaultPrivilegesOwner, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "roles[1].grants[4].for_owner");
        assert!(
            d.message.contains(
                "default privileges on default_tables in bill_inquiry_db.public name no for_owner"
            ),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("whoever runs the script"),
            "{}",
            d.message
        );
        assert!(
            d.help.contains("set for_owner: bill_owner (the owner of schema public in bill_inquiry_db, the role the migrations run as)"),
            "{}",
            d.help
        );
    }

    #[test]
    fn for_owner_should_own_the_schema() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[4].for_owner = Some(name("bill_readonly_user"));
        let d = run(&DefaultPrivilegesOwner, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message
                .contains("not the owner of schema public in bill_inquiry_db (bill_owner)")
        );
        app_grants(&mut plan)[4].for_owner = Some(name("nobody"));
        let d = run(&DefaultPrivilegesOwner, &plan);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].help.contains("for_owner: bill_owner"));
        // A schema's own owner wins over the database owner.
        let mut plan = azure_reference_plan();
        plan.databases[0].schemas = vec![
            Schema::builder()
                .name(v("bill"))
                .owner(name("bill_readonly_user"))
                .build(),
        ];
        app_grants(&mut plan)[4].schema = Some(v("bill"));
        let d = run(&DefaultPrivilegesOwner, &plan);
        assert!(d[0].message.contains("(bill_readonly_user)"), "{d:#?}");
    }
}
