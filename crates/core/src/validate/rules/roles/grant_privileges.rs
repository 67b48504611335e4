//! PGP052 grant-privileges: each grant lists privileges, and they apply to
//! its object kind on the plan's version (`EXECUTE` on tables, `MAINTAIN`
//! before 17 are errors).

use super::{grants, list};
use crate::model::roles::{Grant, Privilege};
use crate::validate::{FieldPath, Findings, Rule, RuleInfo};

/// PGP052.
pub struct GrantPrivileges;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP052",
    name: "grant-privileges",
    summary: "every grant lists privileges, and only ones its kind of object has on the plan's PostgreSQL version",
    rationale: "PostgreSQL rejects a privilege its object does not have (invalid privilege type EXECUTE for table), and MAINTAIN exists only from PostgreSQL 17: the GRANT fails and the script stops. A grant with no privileges grants nothing, so the role that should have had access has none.",
    examples: crate::rule_examples!("PGP052-grant-privileges"),
    replaces: &["PGP011"],
};

impl Rule for GrantPrivileges {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &crate::validate::Context<'_>, out: &mut Findings<'_>) {
        let major = cx.plan.version.get();
        for (path, grant) in grants(cx) {
            check_grant(major, path.field("privileges"), grant, out);
        }
    }
}

fn check_grant(major: u16, path: FieldPath, grant: &Grant, out: &mut Findings<'_>) {
    let objects = grant.objects;
    if grant.privileges.is_empty() {
        out.error(
            path,
            format!("a grant on {objects} with no privileges grants nothing"),
            format!(
                "list the privileges (for {objects}: {}) or remove the grant",
                list(&objects.all_privileges(major))
            ),
        );
        return;
    }
    let invalid: Vec<Privilege> = grant
        .privileges
        .iter()
        .copied()
        .filter(|p| !objects.allows(*p, major))
        .collect();
    if invalid.is_empty() {
        return;
    }
    let newer = invalid.contains(&Privilege::Maintain)
        && objects.allows(Privilege::Maintain, 17)
        && major < 17;
    let note = if newer {
        format!("; MAINTAIN exists from PostgreSQL 17 and this plan runs {major}")
    } else {
        String::new()
    };
    out.error(
        path,
        format!(
            "{} {} not apply to {objects} on PostgreSQL {major} (allowed on {objects}: {}){note}",
            list(&invalid),
            if invalid.len() == 1 { "does" } else { "do" },
            list(&objects.all_privileges(major)),
        ),
        if newer {
            format!("remove {} or plan version 17 or later", list(&invalid))
        } else {
            format!(
                "remove {}, or grant it in a grant on the kind of object it applies to",
                list(&invalid)
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::app_grants;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn privileges_must_fit_the_object_kind() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2]
            .privileges
            .extend([Privilege::Execute, Privilege::Maintain]);
        let d = run(&GrantPrivileges, &plan);
        let d = diagnostic_at(&d, "roles[1].grants[2].privileges");
        assert_eq!(d.id(), "PGP052");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("EXECUTE, MAINTAIN do not apply to tables on PostgreSQL 14"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("MAINTAIN exists from PostgreSQL 17"),
            "{}",
            d.message
        );

        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[0].privileges = vec![Privilege::Select];
        let d = run(&GrantPrivileges, &plan);
        let d = diagnostic_at(&d, "roles[1].grants[0].privileges");
        assert!(
            d.message
                .contains("SELECT does not apply to database on PostgreSQL 14 (allowed on database: CREATE, CONNECT, TEMPORARY)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn no_privileges_grant_nothing() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[0].privileges.clear();
        let d = run(&GrantPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            diagnostic_at(&d, "roles[1].grants[0].privileges")
                .message
                .contains("grants nothing")
        );
    }

    #[test]
    fn all_is_valid_on_every_kind() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2].privileges = vec![Privilege::All];
        assert!(run(&GrantPrivileges, &plan).is_empty());
    }
}
