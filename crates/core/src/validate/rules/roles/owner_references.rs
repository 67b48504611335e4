//! PGP058 owner-references: database and schema owners are planned roles
//! (or the Azure administrator).

use super::{planned_names, role_exists};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP058.
pub struct OwnerReferences;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP058",
    name: "owner-references",
    summary: "every database and schema owner is a planned role, an existing role the plan names (existing_roles) or the Azure administrator",
    rationale: "CREATE DATABASE … OWNER and CREATE SCHEMA … AUTHORIZATION fail when the owner does not exist (role \"…\" does not exist), stopping the script before the database or schema is there; an owner that exists on the server without being planned is a role nobody reviews.",
    examples: crate::rule_examples!("PGP058-owner-references"),
    replaces: &["PGP011"],
};

impl Rule for OwnerReferences {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db) in cx.plan.databases.iter().enumerate() {
            if !role_exists(cx, db.owner.as_str()) {
                out.error(
                    format!("databases[{d}].owner"),
                    format!(
                        "database {} is owned by {}, which is not a planned role",
                        db.name, db.owner
                    ),
                    format!(
                        "add role {} (purpose: owner) to roles, name it in existing_roles when it exists on the server and the plan should not manage it, or use a planned role ({})",
                        db.owner,
                        planned_names(cx)
                    ),
                );
            }
            for (s, schema) in db.schemas.iter().enumerate() {
                let Some(owner) = &schema.owner else {
                    continue;
                };
                if role_exists(cx, owner.as_str()) {
                    continue;
                }
                out.error(
                    format!("databases[{d}].schemas[{s}].owner"),
                    format!(
                        "schema {} of {} is owned by {owner}, which is not a planned role",
                        schema.name, db.name
                    ),
                    format!(
                        "add role {owner} to roles, or remove owner (the database owner {} is used)",
                        db.owner
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::name;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn owners_are_planned() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].owner = name("product_change_admin");
        plan.databases[0].schemas[0].owner = Some(name("ghost"));
        let d = run(&OwnerReferences, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let db = diagnostic_at(&d, "databases[0].owner");
        assert_eq!(db.id(), "PGP058");
        assert!(
            db.message
                .contains("owned by product_change_admin, which is not a planned role")
        );
        assert!(
            diagnostic_at(&d, "databases[0].schemas[0].owner")
                .message
                .contains("owned by ghost")
        );
    }

    #[test]
    fn the_azure_administrator_exists_without_being_planned() {
        let mut plan = azure_reference_plan();
        plan.databases[0].owner = name("pgadmin");
        assert!(run(&OwnerReferences, &plan).is_empty());
    }
}
