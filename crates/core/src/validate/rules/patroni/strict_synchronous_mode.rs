//! PGP039 strict-synchronous-mode: strict mode with a single standby stops
//! writes whenever that standby is down.

use crate::SynchronousMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP039.
pub struct StrictSynchronousMode;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP039",
    name: "strict-synchronous-mode",
    summary: "strict synchronous mode has more than one standby",
    rationale: "In strict mode Patroni never lets the primary commit without a synchronous standby. With one standby, every restart, upgrade or failure of that standby stops all writes on the primary until it is back: the cluster is less available than a single server.",
    examples: crate::rule_examples!("PGP039-strict-synchronous-mode"),
    replaces: &["PGP008"],
};

impl Rule for StrictSynchronousMode {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        if p.synchronous_mode != SynchronousMode::Strict || p.members.len() != 2 {
            return;
        }
        out.warning(
            "topology.patroni.synchronous_mode",
            "strict synchronous mode with a single standby: a strict cluster needs a standby to take writes, so every outage of that standby stops all writes on the primary",
            "add a third member so another standby can become synchronous, or use synchronous_mode: on",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn strict_mode_with_one_standby_warns() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.members.truncate(2);
        p.synchronous_mode = SynchronousMode::Strict;
        let d = run(&StrictSynchronousMode, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP039");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.patroni.synchronous_mode");
        assert!(
            d[0].message.contains("stops all writes"),
            "{}",
            d[0].message
        );
        // With two standbys another can take over.
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).synchronous_mode = SynchronousMode::Strict;
        assert!(run(&StrictSynchronousMode, &plan).is_empty());
    }
}
