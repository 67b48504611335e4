//! PGP210 patroni-rewind-off: without pg_rewind a former leader of a
//! Patroni cluster does not rejoin by itself.
//!
//! Patroni rewinds a former leader only with `use_pg_rewind`, and copies it
//! again only with `remove_data_directory_on_diverged_timelines` (which
//! pgplan does not render); otherwise it leaves the member as it is
//! (Patroni's `ha.py`, `_handle_rewind_or_reinitialize`).

use crate::Environment;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP210.
pub struct PatroniRewindOff;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP210",
    name: "patroni-rewind-off",
    summary: "a Patroni cluster outside development keeps use_pg_rewind on, so a former leader rejoins after a failover",
    rationale: "A leader that fails usually has written WAL its standbys never received; the promoted standby starts a new timeline from an earlier point, and the old leader cannot stream from it until pg_rewind has undone the divergent changes. With use_pg_rewind off Patroni neither rewinds it nor copies it again, so after every failover one member stays down until an operator runs patronictl reinit, which copies the whole database over the network. Until then the cluster has one standby fewer than planned, and a synchronous cluster of two has none to commit on.",
    examples: crate::rule_examples!("PGP210-patroni-rewind-off"),
    replaces: &[],
};

impl Rule for PatroniRewindOff {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(patroni) = &cx.plan.topology.patroni else {
            return;
        };
        if patroni.use_pg_rewind || cx.plan.environment == Environment::Development {
            return;
        }
        out.warning(
            FieldPath::root()
                .field("topology")
                .field("patroni")
                .field("use_pg_rewind"),
            format!(
                "use_pg_rewind is off in {} cluster `{}` of {} members: after a failover the old leader stays out of the cluster until patronictl reinit copies the whole database to it, and the cluster runs with {} standby(s) instead of {}",
                cx.plan.environment,
                patroni.scope,
                patroni.members.len(),
                patroni.members.len().saturating_sub(2),
                patroni.members.len().saturating_sub(1),
            ),
            "remove topology.patroni.use_pg_rewind (on by default): Patroni then rewinds a former leader with pg_rewind and it rejoins as a replica by itself",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn rewind_off_outside_development_warns() {
        let mut plan = patroni_cluster_plan();
        plan.environment = Environment::Production;
        cluster(&mut plan).use_pg_rewind = false;
        let d = run(&PatroniRewindOff, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.patroni.use_pg_rewind");
        plan.environment = Environment::Development;
        assert!(run(&PatroniRewindOff, &plan).is_empty());
        let mut plan = patroni_cluster_plan();
        plan.environment = Environment::Production;
        assert!(run(&PatroniRewindOff, &plan).is_empty());
    }
}
