//! PGP057 application-role-ddl: in production an application role is granted
//! no DDL: no `CREATE` on databases or schemas, no `TRUNCATE`,
//! `REFERENCES`, `TRIGGER` or `MAINTAIN` on tables.

use super::{LEAST_PRIVILEGE, list};
use crate::model::roles::{ObjectKind, Privilege, RolePurpose};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP057.
pub struct ApplicationRoleDdl;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP057",
    name: "application-role-ddl",
    summary: "in production, an application role is granted no DDL privileges (CREATE; TRUNCATE, REFERENCES, TRIGGER, MAINTAIN on tables)",
    rationale: "With CREATE a service can add objects — including functions and triggers that run with its rights whenever someone else touches the table — and with TRUNCATE it can empty a table in one statement that no row-level policy or DELETE trigger sees. A compromised or faulty service should be able to change rows, not the schema.",
    examples: crate::rule_examples!("PGP057-application-role-ddl"),
    replaces: &["PGP011"],
};

impl Rule for ApplicationRoleDdl {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() {
            return;
        }
        let major = cx.plan.version.get();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if role.purpose != RolePurpose::Application {
                continue;
            }
            for (g, grant) in role.grants.iter().enumerate() {
                let ddl = ddl_privileges(grant.objects, &grant.effective_privileges(major));
                if ddl.is_empty() {
                    continue;
                }
                let via_all = if grant.privileges.contains(&Privilege::All) {
                    " (ALL includes them)"
                } else {
                    ""
                };
                out.error(
                    format!("roles[{i}].grants[{g}].privileges"),
                    format!(
                        "application role {} is granted {} on {} in {}{via_all}: in production an application role runs no DDL",
                        role.name,
                        list(&ddl),
                        grant.objects,
                        grant.database
                    ),
                    format!("remove {}; {LEAST_PRIVILEGE}", list(&ddl)),
                );
            }
        }
    }
}

/// Privileges that let a role change the schema or bypass row-level work.
fn ddl_privileges(objects: ObjectKind, effective: &[Privilege]) -> Vec<Privilege> {
    let ddl: &[Privilege] = match objects {
        ObjectKind::Database | ObjectKind::Schema => &[Privilege::Create],
        ObjectKind::Tables | ObjectKind::DefaultTables => &[
            Privilege::Truncate,
            Privilege::References,
            Privilege::Trigger,
            Privilege::Maintain,
        ],
        _ => &[],
    };
    effective
        .iter()
        .copied()
        .filter(|p| ddl.contains(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::app_grants;
    use super::*;
    use crate::Environment;
    use crate::validate::rules::test_support::*;

    #[test]
    fn application_roles_run_no_ddl_in_production() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[1].privileges = vec![Privilege::All];
        app_grants(&mut plan)[2]
            .privileges
            .push(Privilege::Truncate);
        let d = run(&ApplicationRoleDdl, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let all = diagnostic_at(&d, "roles[1].grants[1].privileges");
        assert_eq!(all.id(), "PGP057");
        assert_eq!(all.severity, Severity::Error);
        assert!(
            all.message
                .contains("granted CREATE on schema in bill_inquiry_db (ALL includes them)"),
            "{}",
            all.message
        );
        assert!(
            diagnostic_at(&d, "roles[1].grants[2].privileges")
                .message
                .contains("granted TRUNCATE on tables")
        );

        // Outside production the same plan draws nothing.
        plan.environment = Environment::Staging;
        assert!(run(&ApplicationRoleDdl, &plan).is_empty());
    }
}
