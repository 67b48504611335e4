//! Roles and privileges: role names, memberships, grants, default
//! privileges, ownership and every reference to a role or database.

mod all_privileges;
mod application_role_ddl;
mod application_role_ownership;
mod backup_role;
mod client_references;
mod createrole_attribute;
mod default_privileges_owner;
mod duplicate_role;
mod existing_roles;
mod for_owner_ignored;
mod grant_database;
mod grant_privileges;
mod grant_schema;
mod membership_cycle;
mod owner_references;
mod permission_bypass;
mod replication_attribute;
mod reserved_role_name;
mod role_membership;

pub use all_privileges::AllPrivileges;
pub use application_role_ddl::ApplicationRoleDdl;
pub use application_role_ownership::ApplicationRoleOwnership;
pub use backup_role::BackupRole;
pub use client_references::ClientReferences;
pub use createrole_attribute::RoleManagementAttributes;
pub use default_privileges_owner::DefaultPrivilegesOwner;
pub use duplicate_role::DuplicateRole;
pub use existing_roles::ExistingRoles;
pub use for_owner_ignored::ForOwnerIgnored;
pub use grant_database::GrantDatabase;
pub use grant_privileges::GrantPrivileges;
pub use grant_schema::GrantSchema;
pub use membership_cycle::MembershipCycle;
pub use owner_references::OwnerReferences;
pub use permission_bypass::PermissionBypassAttributes;
pub use replication_attribute::ReplicationAttribute;
pub use reserved_role_name::ReservedRoleName;
pub use role_membership::RoleMembership;

use std::collections::BTreeSet;

use crate::model::databases::Database;
use crate::model::roles::{Grant, Privilege, RolePurpose};
use crate::validate::{Context, FieldPath, Severity};

/// Predefined roles and the major version that introduced them.
const PREDEFINED_ROLES: &[(&str, u16)] = &[
    ("pg_checkpoint", 15),
    ("pg_create_subscription", 16),
    ("pg_database_owner", 14),
    ("pg_execute_server_program", 11),
    ("pg_maintain", 17),
    ("pg_monitor", 10),
    ("pg_read_all_data", 14),
    ("pg_read_all_settings", 10),
    ("pg_read_all_stats", 10),
    ("pg_read_server_files", 11),
    ("pg_signal_autovacuum_worker", 18),
    ("pg_signal_backend", 9),
    ("pg_stat_scan_tables", 10),
    ("pg_use_reserved_connections", 16),
    ("pg_write_all_data", 14),
    ("pg_write_server_files", 11),
];

/// The major version that introduced a predefined role.
fn predefined_since(name: &str) -> Option<u16> {
    PREDEFINED_ROLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// True when the plan creates a role of this name.
fn is_planned(cx: &Context<'_>, name: &str) -> bool {
    cx.plan.roles.iter().any(|r| r.name.as_str() == name)
}

/// True when the plan names this role as one that exists on the server
/// without being managed (`existing_roles`).
fn is_existing(cx: &Context<'_>, name: &str) -> bool {
    cx.plan.existing_roles.iter().any(|r| r.as_str() == name)
}

/// A planned role, an existing role the plan names, or the Azure
/// administrator, which exists on the server without being planned.
fn role_exists(cx: &Context<'_>, name: &str) -> bool {
    is_planned(cx, name)
        || is_existing(cx, name)
        || cx
            .plan
            .platform
            .azure()
            .is_some_and(|az| az.administrator_login == name)
}

/// The planned roles' names, for help texts.
fn planned_names(cx: &Context<'_>) -> String {
    let names: Vec<&str> = cx.plan.roles.iter().map(|r| r.name.as_str()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Privileges as SQL, comma-separated.
fn list(privileges: &[Privilege]) -> String {
    privileges
        .iter()
        .map(|p| p.as_sql())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every grant of every role with its path (`roles[1].grants[2]`).
fn grants<'a>(cx: &'a Context<'_>) -> impl Iterator<Item = (FieldPath, &'a Grant)> + 'a {
    cx.plan.roles.iter().enumerate().flat_map(|(i, role)| {
        role.grants.iter().enumerate().map(move |(g, grant)| {
            (
                FieldPath::root()
                    .field("roles")
                    .index(i)
                    .field("grants")
                    .index(g),
                grant,
            )
        })
    })
}

/// The planned database a grant is on.
fn find_database<'a>(cx: &'a Context<'_>, grant: &Grant) -> Option<&'a Database> {
    cx.plan.databases.iter().find(|d| d.name == grant.database)
}

/// The roles a role belongs to, directly or through other planned roles.
fn groups_of<'a>(cx: &'a Context<'_>, start: usize) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = cx.plan.roles[start]
        .member_of
        .iter()
        .map(|m| m.as_str())
        .collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(role) = cx.plan.roles.iter().find(|r| r.name.as_str() == name) {
            stack.extend(role.member_of.iter().map(|m| m.as_str()));
        }
    }
    seen
}

/// What the application-role rules tell a production plan to do instead.
const LEAST_PRIVILEGE: &str = "let a role with purpose owner own the schema objects and run the migrations; grant the application role only DML (SELECT, INSERT, UPDATE, DELETE) and USAGE";

/// Plans and roles the rules' tests build.
#[cfg(test)]
mod testing {
    use crate::validate::rules::test_support::v;
    use crate::{Grant, Plan, Role, RoleName, RolePurpose};

    pub fn name(s: &str) -> RoleName {
        v(s)
    }

    pub fn group(n: &str, member_of: &[&str]) -> Role {
        Role::builder()
            .name(name(n))
            .purpose(RolePurpose::Developer)
            .member_of(member_of.iter().map(|m| name(m)).collect())
            .build()
    }

    pub fn app_grants(plan: &mut Plan) -> &mut Vec<Grant> {
        &mut plan.roles[1].grants
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::Rule;
    use crate::validate::rules::test_support::*;

    /// Every roles rule, for the reference plans.
    const RULES: &[&dyn Rule] = &[
        &super::DuplicateRole,
        &super::ReservedRoleName,
        &super::RoleMembership,
        &super::MembershipCycle,
        &super::GrantDatabase,
        &super::GrantSchema,
        &super::GrantPrivileges,
        &super::AllPrivileges,
        &super::DefaultPrivilegesOwner,
        &super::ForOwnerIgnored,
        &super::ApplicationRoleOwnership,
        &super::ApplicationRoleDdl,
        &super::OwnerReferences,
        &super::ClientReferences,
        &super::BackupRole,
        &super::PermissionBypassAttributes,
        &super::RoleManagementAttributes,
        &super::ReplicationAttribute,
    ];

    #[test]
    fn reference_plans_pass() {
        for rule in RULES {
            for plan in [azure_reference_plan(), kubernetes_reference_plan()] {
                let d = run(*rule, &plan);
                assert!(d.is_empty(), "{}: {d:#?}", rule.info());
            }
        }
    }
}

/// How a dangerous role attribute where it does not belong is reported
/// (PGP087–PGP089): an error on an application role, the login a service
/// (and an injection in it) uses; a warning on the others, which people and
/// tools hold and may have a reason for.
fn misplaced_attribute(purpose: RolePurpose) -> Severity {
    if purpose == RolePurpose::Application {
        Severity::Error
    } else {
        Severity::Warning
    }
}
