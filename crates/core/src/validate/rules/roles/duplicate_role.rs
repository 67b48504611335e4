//! PGP046 duplicate-role: a role is planned once.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP046.
pub struct DuplicateRole;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP046",
    name: "duplicate-role",
    summary: "each role is planned once",
    rationale: "A role exists once on a server. Two entries with one name describe it twice — different login, password, memberships or grants — and whichever the script applies last silently wins, so the role ends up with privileges neither entry states.",
    examples: crate::rule_examples!("PGP046-duplicate-role"),
    replaces: &["PGP011"],
};

impl Rule for DuplicateRole {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let name = role.name.as_str();
            match seen.get(name) {
                Some(first) => out.error(
                    format!("roles[{i}].name"),
                    format!("role {name} is planned twice (roles[{first}] and roles[{i}])"),
                    "merge the two entries into one role",
                ),
                None => {
                    seen.insert(name, i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn role_names_are_unique() {
        let mut plan = azure_reference_plan();
        let dup = plan.roles[1].clone();
        plan.roles.push(dup);
        let d = run(&DuplicateRole, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = diagnostic_at(&d, "roles[3].name");
        assert_eq!(d.id(), "PGP046");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("bill_app_user is planned twice (roles[1] and roles[3])")
        );
    }
}
