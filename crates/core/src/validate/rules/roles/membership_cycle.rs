//! PGP049 membership-cycle: role memberships have no cycle.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP049.
pub struct MembershipCycle;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP049",
    name: "membership-cycle",
    summary: "role memberships form no cycle",
    rationale: "PostgreSQL refuses the GRANT that would make a role a member of itself, directly or through other roles (role \"…\" is a member of role \"…\"), so the script stops at the membership that closes the cycle and the roles after it are never set up.",
    examples: crate::rule_examples!("PGP049-membership-cycle"),
    replaces: &["PGP011"],
};

impl Rule for MembershipCycle {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let roles = &cx.plan.roles;
        let index: BTreeMap<&str, usize> = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();
        let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
        for (start, role) in roles.iter().enumerate() {
            // Breadth-first from the role's groups back to the role: the shortest cycle through it.
            let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue: VecDeque<usize> = VecDeque::new();
            for group in &role.member_of {
                if let Some(&g) = index.get(group.as_str())
                    && !parent.contains_key(&g)
                {
                    parent.insert(g, start);
                    queue.push_back(g);
                }
            }
            let mut closed = parent.contains_key(&start);
            while !closed && let Some(node) = queue.pop_front() {
                for group in &roles[node].member_of {
                    let Some(&g) = index.get(group.as_str()) else {
                        continue;
                    };
                    if parent.contains_key(&g) {
                        continue;
                    }
                    parent.insert(g, node);
                    if g == start {
                        closed = true;
                        break;
                    }
                    queue.push_back(g);
                }
            }
            if !closed {
                continue;
            }
            // Walk back from the start to list the cycle in membership order.
            // Every node the search reached has a parent, the start included.
            let mut cycle = vec![start];
            let mut node = parent.get(&start).copied().unwrap_or(start);
            while node != start && cycle.len() <= roles.len() {
                cycle.push(node);
                node = parent.get(&node).copied().unwrap_or(start);
            }
            cycle.reverse();
            cycle.rotate_right(1);
            let mut key = cycle.clone();
            key.sort_unstable();
            if !reported.insert(key) {
                continue;
            }
            let mut names: Vec<&str> = cycle.iter().map(|&i| roles[i].name.as_str()).collect();
            names.push(role.name.as_str());
            let next = roles
                .get(cycle.get(1).copied().unwrap_or(start))
                .map_or(role.name.as_str(), |r| r.name.as_str());
            let k = role
                .member_of
                .iter()
                .position(|m| m.as_str() == next)
                .unwrap_or(0);
            out.error(            format!("roles[{start}].member_of[{k}]"),
                format!(
                    "role memberships form a cycle: {} (each is a member of the next); PostgreSQL refuses the GRANT that closes it",
                    names.join(" → ")
                ),
                format!(
                    "remove one membership of the cycle, e.g. {} from roles[{start}].member_of",
                    next
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::group;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn membership_cycles() {
        let mut plan = kubernetes_reference_plan();
        plan.roles.push(group("dev_a", &["dev_b"]));
        plan.roles.push(group("dev_b", &["dev_c"]));
        plan.roles.push(group("dev_c", &["dev_a"]));
        plan.roles.push(group("dev_self", &["dev_self"]));
        let d = run(&MembershipCycle, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let cycle = diagnostic_at(&d, "roles[2].member_of[0]");
        assert_eq!(cycle.severity, Severity::Error);
        assert!(
            cycle.message.contains("dev_a → dev_b → dev_c → dev_a"),
            "{}",
            cycle.message
        );
        let own = diagnostic_at(&d, "roles[5].member_of[0]");
        assert!(
            own.message.contains("dev_self → dev_self"),
            "{}",
            own.message
        );
    }
}
