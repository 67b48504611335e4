//! PGP053 all-privileges: `ALL` is shown expanded for the plan's version.

use super::{grants, list};
use crate::model::roles::Privilege;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP053.
pub struct AllPrivileges;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP053",
    name: "all-privileges",
    summary: "a grant of ALL is spelled out: what it grants on the plan's PostgreSQL version",
    rationale: "ALL grants every privilege the object has on the server it runs on, and that set grows: PostgreSQL 17 added MAINTAIN (VACUUM, ANALYZE, REINDEX, CLUSTER, REFRESH MATERIALIZED VIEW, LOCK TABLE) to ALL ON TABLES. A role granted ALL gets more after an upgrade than its reviewers approved; listing the privileges keeps the grant what it was.",
    examples: crate::rule_examples!("PGP053-all-privileges"),
    replaces: &["PGP011"],
};

impl Rule for AllPrivileges {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let major = cx.plan.version.get();
        for (path, grant) in grants(cx) {
            if !grant.privileges.contains(&Privilege::All) {
                continue;
            }
            out.info(
                path.field("privileges"),
                format!(
                    "ALL on {} means {} on PostgreSQL {major}",
                    grant.objects,
                    list(&grant.effective_privileges(major))
                ),
                "list only the privileges the role needs; ALL grows with new versions (MAINTAIN arrived in 17)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MajorVersion;
    use crate::model::roles::ObjectKind;
    use crate::validate::rules::test_support::*;

    #[test]
    fn all_is_shown_expanded() {
        let mut plan = azure_reference_plan();
        plan.roles[0].grants = vec![bill_grant(ObjectKind::Tables, &[Privilege::All])];
        let d = run(&AllPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP053");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "roles[0].grants[0].privileges");
        assert!(
            d[0].message.contains(
                "ALL on tables means SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER on PostgreSQL 14"
            ),
            "{}",
            d[0].message
        );
        plan.version = MajorVersion::new(17).unwrap();
        let d = run(&AllPrivileges, &plan);
        assert!(
            d[0].message.contains("TRIGGER, MAINTAIN on PostgreSQL 17"),
            "{}",
            d[0].message
        );
    }
}
