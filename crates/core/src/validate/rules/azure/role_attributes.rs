//! PGP179 azure-role-attributes: Flexible Server gives no one SUPERUSER,
//! and before PostgreSQL 16 its administrator cannot give BYPASSRLS.

use super::support::platform;
use crate::model::roles::RoleAttribute;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP179.
pub struct AzureRoleAttributes;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP179",
    name: "azure-role-attributes",
    summary: "on Azure, no planned role is a SUPERUSER, and before PostgreSQL 16 none has BYPASSRLS",
    rationale: "On Azure Database for PostgreSQL Flexible Server only Microsoft's azuresu is a superuser; the administrator pgplan applies roles as is a member of azure_pg_admin with LOGIN, CREATEDB, CREATEROLE and REPLICATION but NOSUPERUSER, so `CREATE ROLE … SUPERUSER` fails in the middle of an apply. Azure documents that on PostgreSQL 15 and earlier the administrator cannot create roles with BYPASSRLS either (16 and later follow PostgreSQL 16: a CREATEROLE role that has BYPASSRLS may give it). CREATEDB, CREATEROLE and REPLICATION are attributes the administrator holds and may give.",
    examples: crate::rule_examples!("PGP179-azure-role-attributes"),
    replaces: &[],
};

impl Rule for AzureRoleAttributes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let major = cx.plan.version.get();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let path = format!("roles[{i}].attributes");
            if role.has(RoleAttribute::Superuser) {
                out.error(
                    path.clone(),
                    format!(
                        "role {} is a SUPERUSER, which Azure Database for PostgreSQL Flexible Server gives no one (its administrator is NOSUPERUSER)",
                        role.name
                    ),
                    "remove SUPERUSER; make the role a member of azure_pg_admin for the administrator's rights, or grant predefined roles (pg_read_all_data, pg_monitor, pg_signal_backend)".to_owned(),
                );
            }
            if role.has(RoleAttribute::BypassRls) && major < 16 {
                out.error(
                    path,
                    format!(
                        "role {} has BYPASSRLS, which the administrator of an Azure Flexible Server on PostgreSQL {major} cannot give (from PostgreSQL 16 on it can)",
                        role.name
                    ),
                    "remove BYPASSRLS (pg_dump as the administrator, which has it, dumps tables with policies), or move the server to PostgreSQL 16 or later".to_owned(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn superuser_never_and_bypassrls_from_16() {
        let mut plan = azure_reference_plan();
        plan.roles[0].attributes.insert(RoleAttribute::Superuser);
        plan.roles[1].attributes.insert(RoleAttribute::BypassRls);
        plan.roles[1].attributes.insert(RoleAttribute::Replication);
        plan.roles[1].attributes.insert(RoleAttribute::CreateDb);
        plan.roles[1].attributes.insert(RoleAttribute::CreateRole);
        let d = run(&AzureRoleAttributes, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d.iter().all(|d| d.severity == Severity::Error));
        assert_eq!(d[0].path.to_string(), "roles[0].attributes");
        assert!(
            d[1].message.contains("PostgreSQL 14 cannot give"),
            "{}",
            d[1].message
        );

        plan.version = crate::MajorVersion::new(16).unwrap();
        let d = run(&AzureRoleAttributes, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        plan.roles[0].attributes.clear();
        assert!(run(&AzureRoleAttributes, &plan).is_empty());
        assert!(run(&AzureRoleAttributes, &kubernetes_reference_plan()).is_empty());
    }
}
