//! PGP047 reserved-role-name: role names are not reserved (`postgres`,
//! `pg_*`, `azure_*`, `public`…; on Azure also the service's `azuresu`,
//! `azure_pg_admin`, `replication`).

use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP047.
pub struct ReservedRoleName;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP047",
    name: "reserved-role-name",
    summary: "no planned role takes a reserved name (postgres, pg_*, azure_*, public, current_user…, and Azure's service roles on Azure)",
    rationale: "PostgreSQL refuses to create roles named pg_* (role name \"pg_…\" is reserved) or public and the like; postgres is the bootstrap superuser a plan must not redefine, and Azure keeps azure_* and its own service roles (azuresu, replication) for itself. A plan using one fails when it is applied, or on a later move to Azure.",
    examples: crate::rule_examples!("PGP047-reserved-role-name"),
    replaces: &["PGP011"],
};

impl Rule for ReservedRoleName {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let on_azure = cx.plan.platform.azure().is_some();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let name = role.name.as_str();
            let Some(reason) = reserved_reason(name, on_azure) else {
                continue;
            };
            out.error(
                format!("roles[{i}].name"),
                format!("role name `{name}` is reserved: {reason}"),
                format!(
                    "rename it after the service and its purpose, e.g. `{}_{}`",
                    cx.plan.service.as_str().replace('-', "_"),
                    role.purpose.to_string().replace('-', "_")
                ),
            );
        }
    }
}

fn reserved_reason(name: &str, on_azure: bool) -> Option<String> {
    if name == "postgres" {
        return Some("it is the bootstrap superuser of a self-managed server".into());
    }
    if name.starts_with("pg_") {
        return Some("PostgreSQL reserves the pg_ prefix for its predefined roles".into());
    }
    if name.starts_with("azure_") {
        return Some(
            "Azure reserves the azure_ prefix (azure_pg_admin, azure_superuser), so the plan could not move to Azure".into(),
        );
    }
    if matches!(
        name,
        "public" | "none" | "current_user" | "session_user" | "current_role"
    ) {
        return Some("PostgreSQL reserves it in role specifications".into());
    }
    if on_azure && azure_facts::SERVICE_ROLES.contains(&name) {
        return Some("it is a role of the service on every Flexible Server".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::group;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn reserved_role_names() {
        for (role, azure_only) in [
            ("postgres", false),
            ("pg_backup", false),
            ("azure_app", false),
            ("public", false),
            ("azuresu", true),
            ("replication", true),
        ] {
            for plan in [azure_reference_plan(), kubernetes_reference_plan()] {
                let on_azure = plan.platform.azure().is_some();
                let mut plan = plan;
                plan.roles.push(group(role, &[]));
                let i = plan.roles.len() - 1;
                let d = run(&ReservedRoleName, &plan);
                let found = d.iter().find(|d| d.path == format!("roles[{i}].name"));
                if azure_only && !on_azure {
                    assert!(found.is_none(), "{role}: {d:#?}");
                    continue;
                }
                let found = found.unwrap_or_else(|| panic!("{role}: {d:#?}"));
                assert_eq!(found.id(), "PGP047");
                assert_eq!(found.severity, Severity::Error);
                assert!(
                    found.message.contains(&format!("`{role}` is reserved")),
                    "{}",
                    found.message
                );
            }
        }
    }
}
