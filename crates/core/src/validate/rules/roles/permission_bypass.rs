//! PGP087 permission-bypass-attributes: in production, SUPERUSER belongs to
//! admin roles only and BYPASSRLS to admin and backup roles.

use crate::model::roles::{RoleAttribute, RolePurpose};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP087.
pub struct PermissionBypassAttributes;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP087",
    name: "permission-bypass-attributes",
    summary: "in production, SUPERUSER is held by admin roles only and BYPASSRLS by admin and backup roles only",
    rationale: "A superuser skips every permission check: it reads and changes every database, and `COPY … TO PROGRAM` or an untrusted language runs commands on the server as the operating-system user that owns the data directory, so one SQL injection in a service that logs in as a superuser is a compromise of the host. BYPASSRLS makes every row-level security policy a no-op for the role: a multi-tenant service holding it sees every tenant's rows the moment a query forgets its filter. pg_dump needs BYPASSRLS to dump tables with policies, so a backup role may hold it; nothing else that logs in from an application should.",
    examples: crate::rule_examples!("PGP087-permission-bypass-attributes"),
    replaces: &[],
};

impl Rule for PermissionBypassAttributes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let path = format!("roles[{i}].attributes");
            if role.has(RoleAttribute::Superuser) && role.purpose != RolePurpose::Admin {
                out.error(
                    path.clone(),
                    format!(
                        "{} role {} is a SUPERUSER in production: it skips every permission check and can run programs on the server (COPY … TO PROGRAM)",
                        role.purpose, role.name
                    ),
                    "remove SUPERUSER and grant what the role needs (predefined roles such as pg_read_all_data, pg_monitor or pg_signal_backend cover most needs); if it really administers the server, give it purpose admin".to_owned(),
                );
            }
            if role.has(RoleAttribute::BypassRls)
                && !matches!(role.purpose, RolePurpose::Admin | RolePurpose::Backup)
            {
                let message = format!(
                    "{} role {} has BYPASSRLS in production: every row-level security policy is ignored for it",
                    role.purpose, role.name
                );
                let help = "remove BYPASSRLS; only the role pg_dump runs as (purpose backup) needs it, to dump tables with policies".to_owned();
                out.report(
                    super::misplaced_attribute(role.purpose),
                    path,
                    message,
                    help,
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
    fn superuser_and_bypassrls_only_where_they_belong() {
        let mut plan = azure_reference_plan();
        plan.roles[1].attributes.insert(RoleAttribute::Superuser);
        plan.roles[1].attributes.insert(RoleAttribute::BypassRls);
        let d = run(&PermissionBypassAttributes, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        for d in &d {
            assert_eq!(d.severity, Severity::Error);
            assert_eq!(d.path.to_string(), "roles[1].attributes");
        }
        assert!(
            d[0].message.contains("is a SUPERUSER in production"),
            "{}",
            d[0].message
        );
        assert!(d[1].message.contains("has BYPASSRLS"), "{}", d[1].message);

        // A backup role may bypass row-level security; an admin may do both.
        plan.roles[1].attributes.clear();
        let backup = plan
            .roles
            .iter()
            .position(|r| r.purpose == RolePurpose::Backup);
        if let Some(b) = backup {
            plan.roles[b].attributes.insert(RoleAttribute::BypassRls);
        }
        plan.roles[0].purpose = RolePurpose::Admin;
        plan.roles[0].attributes.insert(RoleAttribute::Superuser);
        assert!(run(&PermissionBypassAttributes, &plan).is_empty());

        // Outside production nothing is reported.
        plan.roles[1].attributes.insert(RoleAttribute::Superuser);
        plan.environment = Environment::Staging;
        assert!(run(&PermissionBypassAttributes, &plan).is_empty());
    }
}
