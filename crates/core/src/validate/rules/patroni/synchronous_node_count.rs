//! PGP038 synchronous-node-count: with synchronous replication,
//! `synchronous_node_count` is at least 1 and below the number of members.

use crate::SynchronousMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP038.
pub struct SynchronousNodeCount;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP038",
    name: "synchronous-node-count",
    summary: "with synchronous replication, Patroni's synchronous_node_count is at least 1 and below the number of members",
    rationale: "Patroni makes synchronous_node_count standbys confirm every commit, and quietly lowers the count to the standbys it has. A plan that asks for more synchronous copies than there are standbys promises a durability the cluster never has: losing the primary can lose commits the plan says were on another node.",
    examples: crate::rule_examples!("PGP038-synchronous-node-count"),
    replaces: &["PGP008"],
};

impl Rule for SynchronousNodeCount {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        if p.synchronous_mode == SynchronousMode::Off {
            return;
        }
        let members = p.members.len() as u64;
        let standbys = members.saturating_sub(1);
        let count = u64::from(p.synchronous_node_count);
        let path = "topology.patroni.synchronous_node_count";
        if count == 0 {
            out.error(
                path,
                "synchronous replication is on but synchronous_node_count is 0",
                "set synchronous_node_count to 1 (Patroni's default and minimum), or turn synchronous_mode off",
            );
        } else if count >= members && members > 0 {
            let fix = if standbys >= 1 {
                format!("lower synchronous_node_count to {standbys} or less, or ")
            } else {
                String::new()
            };
            out.error(
                path,
                format!(
                    "synchronous_node_count is {count} but {members} member(s) have only {standbys} standby(s): Patroni lowers it to what exists, so the plan promises {count} synchronous copies it cannot have"
                ),
                format!(
                    "{fix}add members until there are {} (the primary plus {count} standbys)",
                    count + 1
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn synchronous_node_count_must_leave_a_primary() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.synchronous_mode = SynchronousMode::On;
        p.synchronous_node_count = 3;
        let d = run(&SynchronousNodeCount, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP038");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.synchronous_node_count");
        assert!(
            d[0].message
                .contains("synchronous_node_count is 3 but 3 member(s) have only 2 standby(s)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower synchronous_node_count to 2"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("until there are 4"), "{}", d[0].help);

        cluster(&mut plan).synchronous_node_count = 2;
        assert!(run(&SynchronousNodeCount, &plan).is_empty());
        cluster(&mut plan).synchronous_node_count = 0;
        let d = run(&SynchronousNodeCount, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("is 0"), "{}", d[0].message);
        // Asynchronous clusters do not use the count.
        cluster(&mut plan).synchronous_mode = SynchronousMode::Off;
        assert!(run(&SynchronousNodeCount, &plan).is_empty());
    }
}
