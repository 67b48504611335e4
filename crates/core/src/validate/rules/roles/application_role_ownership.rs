//! PGP056 application-role-ownership: in production an application role
//! owns no database or schema, itself or through a group it belongs to.

use super::{LEAST_PRIVILEGE, groups_of};
use crate::model::roles::RolePurpose;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP056.
pub struct ApplicationRoleOwnership;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP056",
    name: "application-role-ownership",
    summary: "in production, an application role owns no database or schema, directly or through a group",
    rationale: "An owner may do anything to what it owns — ALTER, DROP, and grant it to others — whatever its grants say. A service that logs in as the owner turns one SQL injection or one buggy migration into a dropped table; with a separate owner role for migrations, the service can only read and write rows.",
    examples: crate::rule_examples!("PGP056-application-role-ownership"),
    replaces: &["PGP011"],
};

impl Rule for ApplicationRoleOwnership {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if role.purpose != RolePurpose::Application {
                continue;
            }
            let name = role.name.as_str();
            // What the role owns, itself or through a group it belongs to.
            let groups = groups_of(cx, i);
            let owned_by = |owner: &str| owner == name || groups.contains(owner);
            for (d, db) in cx.plan.databases.iter().enumerate() {
                if owned_by(db.owner.as_str()) {
                    let through = if db.owner.as_str() == name {
                        String::new()
                    } else {
                        format!(" (through its membership in {})", db.owner)
                    };
                    out.error(
                        format!("databases[{d}].owner"),
                        format!(
                            "application role {name} owns database {}{through}: in production an application role owns nothing, so a compromised or faulty service cannot drop or alter the schema",
                            db.name
                        ),
                        LEAST_PRIVILEGE,
                    );
                }
                for (s, schema) in db.schemas.iter().enumerate() {
                    if let Some(owner) = &schema.owner
                        && owned_by(owner.as_str())
                    {
                        out.error(
                            format!("databases[{d}].schemas[{s}].owner"),
                            format!(
                                "application role {name} owns schema {} of {}: in production an application role owns nothing",
                                schema.name, db.name
                            ),
                            LEAST_PRIVILEGE,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::name;
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Environment, Schema};

    #[test]
    fn application_roles_own_nothing_in_production() {
        let mut plan = azure_reference_plan();
        plan.databases[0].owner = name("bill_app_user");
        plan.databases[0].schemas = vec![
            Schema::builder()
                .name(v("bill"))
                .owner(name("bill_app_user"))
                .build(),
        ];
        let d = run(&ApplicationRoleOwnership, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let owner = diagnostic_at(&d, "databases[0].owner");
        assert_eq!(owner.id(), "PGP056");
        assert_eq!(owner.severity, Severity::Error);
        assert!(
            owner
                .message
                .contains("application role bill_app_user owns database bill_inquiry_db")
        );
        assert!(
            diagnostic_at(&d, "databases[0].schemas[0].owner")
                .message
                .contains("owns schema bill")
        );

        // Outside production the same plan draws nothing.
        plan.environment = Environment::Staging;
        assert!(run(&ApplicationRoleOwnership, &plan).is_empty());
    }

    #[test]
    fn ownership_through_a_group_counts() {
        let mut plan = azure_reference_plan();
        plan.roles[1].member_of = vec![name("bill_owner")];
        let d = run(&ApplicationRoleOwnership, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("(through its membership in bill_owner)")
        );
    }
}
