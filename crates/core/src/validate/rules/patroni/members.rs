//! PGP035 patroni-members: an HA cluster has at least two members.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP035.
pub struct PatroniMembers;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP035",
    name: "patroni-members",
    summary: "a Patroni cluster has at least two members",
    rationale: "Patroni fails over to a standby; with a single member there is none, so the cluster has all of Patroni's moving parts and none of its availability: when the one server fails, the database is down until it comes back.",
    examples: crate::rule_examples!("PGP035-patroni-members"),
    replaces: &["PGP008"],
};

impl Rule for PatroniMembers {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let n = p.members.len();
        if n >= 2 {
            return;
        }
        out.error(
            "topology.patroni.members",
            format!(
                "the Patroni cluster has {n} member(s): there is no standby to fail over to, so it is not highly available"
            ),
            "list at least 2 members (3 let one fail while a synchronous standby remains), or remove topology.patroni for a single server",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn one_member_is_not_ha() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&PatroniMembers, &plan).is_empty());
        cluster(&mut plan).members.truncate(1);
        let d = run(&PatroniMembers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP035");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.members");
        assert!(d[0].message.contains("1 member(s)"), "{}", d[0].message);
    }
}
