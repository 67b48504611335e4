//! PGP055 for-owner-ignored: `for_owner` on a grant that is not a default
//! privilege is ignored.

use super::grants;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP055.
pub struct ForOwnerIgnored;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP055",
    name: "for-owner-ignored",
    summary: "for_owner appears only on default privileges (objects: default_*)",
    rationale: "`for_owner` becomes ALTER DEFAULT PRIVILEGES FOR ROLE; on a grant on existing objects there is nothing for it to do. Its presence usually means the author wanted the grant to cover tables created later as well, which it does not: those need a default_* grant.",
    examples: crate::rule_examples!("PGP055-for-owner-ignored"),
    replaces: &["PGP011"],
};

impl Rule for ForOwnerIgnored {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, grant) in grants(cx) {
            let Some(owner) = &grant.for_owner else {
                continue;
            };
            if grant.objects.is_default() {
                continue;
            }
            let objects = grant.objects;
            out.warning(
                path.field("for_owner"),
                format!(
                    "for_owner {owner} only applies to default privileges (default_*); on {objects} it is ignored"
                ),
                "remove for_owner, or use objects: default_tables (etc.) for objects created later",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{app_grants, name};
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn for_owner_on_existing_objects_is_ignored() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2].for_owner = Some(name("bill_owner"));
        let d = run(&ForOwnerIgnored, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP055");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "roles[1].grants[2].for_owner");
        assert!(
            d[0].message
                .contains("for_owner bill_owner only applies to default privileges (default_*); on tables it is ignored"),
            "{}",
            d[0].message
        );
    }
}
