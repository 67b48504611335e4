//! PGP088 role-management-attributes: in production, CREATEROLE belongs to
//! admin roles, and an application role creates no databases.

use crate::model::roles::{RoleAttribute, RolePurpose};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP088.
pub struct RoleManagementAttributes;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP088",
    name: "role-management-attributes",
    summary: "in production, CREATEROLE is held by admin roles only, and an application role has no CREATEDB",
    rationale: "Before PostgreSQL 16 a role with CREATEROLE can grant itself membership in any role that is not a superuser — every application's role, and pg_execute_server_program, which runs programs on the server — so it is one statement away from everything but SUPERUSER. From 16 on it still creates new login roles that outlive a revoked password and alters every role it created. CREATEDB lets a service create databases that no plan, backup or monitoring knows about and that fill the disk. A compromised service should hold neither.",
    examples: crate::rule_examples!("PGP088-role-management-attributes"),
    replaces: &[],
};

impl Rule for RoleManagementAttributes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() {
            return;
        }
        let major = cx.plan.version.get();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let path = format!("roles[{i}].attributes");
            if role.has(RoleAttribute::CreateRole) && role.purpose != RolePurpose::Admin {
                let reach = if major < 16 {
                    format!(
                        "on PostgreSQL {major} it can grant itself membership in every role but a superuser (pg_execute_server_program included)"
                    )
                } else {
                    "it creates login roles and alters every role it created".to_owned()
                };
                let message = format!(
                    "{} role {} has CREATEROLE in production: {reach}",
                    role.purpose, role.name
                );
                let help = "remove CREATEROLE and let an admin role (or pgplan's apply) create roles; if the role administers the server, give it purpose admin".to_owned();
                out.report(
                    super::misplaced_attribute(role.purpose),
                    path.clone(),
                    message,
                    help,
                );
            }
            if role.has(RoleAttribute::CreateDb) && role.purpose == RolePurpose::Application {
                out.warning(
                    path,
                    format!(
                        "application role {} has CREATEDB in production: it can create databases the plan, its backups and its monitoring do not know",
                        role.name
                    ),
                    "remove CREATEDB and plan the databases the service needs under `databases`".to_owned(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use crate::validate::rules::test_support::*;

    #[test]
    fn createrole_and_createdb_stay_with_admins() {
        let mut plan = azure_reference_plan();
        plan.roles[1].attributes.insert(RoleAttribute::CreateRole);
        plan.roles[1].attributes.insert(RoleAttribute::CreateDb);
        let d = run(&RoleManagementAttributes, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message
                .contains("on PostgreSQL 14 it can grant itself membership"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].severity, Severity::Warning);
        assert!(d[1].message.contains("has CREATEDB"), "{}", d[1].message);

        // An owner with CREATEROLE is a warning; an admin draws nothing.
        plan.roles[1].attributes.clear();
        plan.roles[0].attributes.insert(RoleAttribute::CreateRole);
        let d = run(&RoleManagementAttributes, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        plan.roles[0].purpose = RolePurpose::Admin;
        assert!(run(&RoleManagementAttributes, &plan).is_empty());

        plan.roles[1].attributes.insert(RoleAttribute::CreateRole);
        plan.environment = Environment::Staging;
        assert!(run(&RoleManagementAttributes, &plan).is_empty());
    }
}
