//! PGP306 existing-roles: a role the plan names as existing is not also a
//! role it manages, and is named once.

use std::collections::BTreeSet;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP306.
pub struct ExistingRoles;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP306",
    name: "existing-roles",
    summary: "a role in existing_roles is named once and is not also in roles",
    rationale: "existing_roles are roles on the server that the plan uses without managing them: apply checks they exist and never changes them. A role in both lists would be left alone and managed at once — its password and attributes changed, or a destructive apply dropping it — so the plan has to say which it is.",
    examples: crate::rule_examples!("PGP306-existing-roles"),
    replaces: &[],
};

impl Rule for ExistingRoles {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let mut seen = BTreeSet::new();
        for (i, name) in cx.plan.existing_roles.iter().enumerate() {
            if !seen.insert(name.as_str()) {
                out.error(
                    format!("existing_roles[{i}]"),
                    format!("{name} is in existing_roles twice"),
                    "keep one",
                );
            }
            if let Some(r) = cx.plan.roles.iter().position(|r| r.name == *name) {
                out.error(
                    format!("existing_roles[{i}]"),
                    format!(
                        "{name} is both an existing role the plan leaves alone and a role it manages (roles[{r}])"
                    ),
                    "remove it from existing_roles to manage it, or from roles to leave it as it is on the server",
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
    fn a_role_both_existing_and_planned_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&ExistingRoles, &plan).is_empty());
        let planned = plan.roles[0].name.clone();
        plan.existing_roles = vec![v("postgres"), planned, v("postgres")];
        let d = run(&ExistingRoles, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().any(|x| x.message.contains("both")));
    }
}
