//! PGP048 role-membership: `member_of` names a planned role, or a predefined
//! role that exists in the plan's version and can have members.

use super::{PREDEFINED_ROLES, is_existing, is_planned, planned_names, predefined_since};
use crate::catalog::edit_distance;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP048.
pub struct RoleMembership;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP048",
    name: "role-membership",
    summary: "every role in member_of is planned, or a predefined role of the plan's PostgreSQL version that can have members",
    rationale: "GRANT group TO role fails when the group does not exist (role \"…\" does not exist) — a typo, a role the plan forgot, or a predefined role from a later version such as pg_maintain before 17 — and the script stops there. pg_database_owner cannot have members at all: its one member is the current database's owner.",
    examples: crate::rule_examples!("PGP048-role-membership"),
    replaces: &["PGP011"],
};

impl Rule for RoleMembership {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let major = cx.plan.version.get();
        let on_azure = cx.plan.platform.azure().is_some();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            for (k, group) in role.member_of.iter().enumerate() {
                let group = group.as_str();
                let path = format!("roles[{i}].member_of[{k}]");
                if is_planned(cx, group)
                    || is_existing(cx, group)
                    || (on_azure && group == "azure_pg_admin")
                {
                    continue;
                }
                match predefined_since(group) {
                    Some(_) if group == "pg_database_owner" => out.error(                    path,
                        format!(
                            "role {} is made a member of pg_database_owner, which cannot have members: its one implicit member is the current database's owner",
                            role.name
                        ),
                        "make the role the database owner instead (databases[].owner), or remove the membership"),
                    Some(since) if since > major => out.error(                    path,
                        format!(
                            "predefined role {group} exists from PostgreSQL {since}; this plan runs PostgreSQL {major}"
                        ),
                        format!("remove the membership, or plan version {since} or later")),
                    Some(_) => {}
                    None => {
                        let mut candidates: Vec<(usize, &str)> = cx
                            .plan
                            .roles
                            .iter()
                            .map(|r| r.name.as_str())
                            .chain(PREDEFINED_ROLES.iter().map(|(n, _)| *n))
                            .map(|n| (edit_distance(group, n), n))
                            .filter(|(d, _)| *d <= 3)
                            .collect();
                        candidates.sort();
                        let help = match candidates.first() {
                            Some((_, n)) => format!("did you mean {n}?"),
                            None => format!(
                                "add role {group} to roles, or use a predefined role such as pg_read_all_data or pg_monitor (planned roles: {})",
                                planned_names(cx)
                            ),
                        };
                        out.error(                        path,
                            format!(
                                "role {} is a member of {group}, which is neither a planned role nor a predefined role",
                                role.name
                            ),
                            help);
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
    use crate::MajorVersion;
    use crate::validate::rules::test_support::*;

    #[test]
    fn member_of_must_resolve() {
        let mut plan = azure_reference_plan();
        plan.roles[2].member_of = vec![
            name("pg_read_all_stats"),
            name("bill_ownr"),
            name("pg_maintain"),
            name("pg_database_owner"),
            name("azure_pg_admin"),
            name("reporting"),
        ];
        let d = run(&RoleMembership, &plan);
        let typo = diagnostic_at(&d, "roles[2].member_of[1]");
        assert_eq!(typo.severity, Severity::Error);
        assert!(
            typo.message
                .contains("neither a planned role nor a predefined role")
        );
        assert_eq!(typo.help, "did you mean bill_owner?");
        let newer = diagnostic_at(&d, "roles[2].member_of[2]");
        assert!(
            newer
                .message
                .contains("pg_maintain exists from PostgreSQL 17; this plan runs PostgreSQL 14"),
            "{}",
            newer.message
        );
        assert!(
            diagnostic_at(&d, "roles[2].member_of[3]")
                .message
                .contains("cannot have members")
        );
        assert!(
            diagnostic_at(&d, "roles[2].member_of[5]")
                .help
                .contains("add role reporting")
        );
        assert_eq!(d.len(), 4, "{d:#?}");

        // azure_pg_admin exists only on Azure.
        let mut plan = kubernetes_reference_plan();
        plan.roles[1].member_of = vec![name("azure_pg_admin")];
        assert_eq!(run(&RoleMembership, &plan).len(), 1);
        plan.version = MajorVersion::new(17).unwrap();
        plan.roles[1].member_of = vec![name("pg_maintain")];
        assert!(run(&RoleMembership, &plan).is_empty());
    }
}
