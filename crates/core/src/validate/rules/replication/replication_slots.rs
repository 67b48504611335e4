//! PGP030 replication-slots: `max_replication_slots` covers every standby.

use super::primary_path;
use crate::tuning::params::MAX_REPLICATION_SLOTS;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP030.
pub struct ReplicationSlots;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP030",
    name: "replication-slots",
    summary: "max_replication_slots covers every standby",
    rationale: "A replication slot makes the primary keep the WAL its standby has not received yet. A standby without one depends on wal_keep_size: after an outage longer than that, the WAL it needs is gone (requested WAL segment has already been removed) and it must be rebuilt from a new base backup.",
    examples: crate::rule_examples!("PGP030-replication-slots"),
    replaces: &["PGP007"],
};

impl Rule for ReplicationSlots {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let standbys = u64::from(cx.plan.topology.standby_count());
        if standbys == 0 {
            return;
        }
        let Some(slots) = cx.settings.get(MAX_REPLICATION_SLOTS) else {
            return;
        };
        if u64::from(slots) >= standbys {
            return;
        }
        out.warning(
            primary_path(cx, MAX_REPLICATION_SLOTS),
            format!(
                "max_replication_slots is {slots} but the plan has {standbys} standby(s): a standby without a slot can fall behind the WAL the primary keeps and must be rebuilt"
            ),
            format!(
                "set max_replication_slots to at least {standbys} (e.g. {}, for a rebuilt replica and a backup)",
                standbys + 2
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn too_few_slots_warn() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&ReplicationSlots, &plan).is_empty());
        set_parameters(&mut plan, &[("max_replication_slots", "1")]);
        let d = run(&ReplicationSlots, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP030");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "tuning.parameters.max_replication_slots");
        assert!(
            d[0].message
                .contains("max_replication_slots is 1 but the plan has 2 standby(s)"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 2"), "{}", d[0].help);
        set_parameters(&mut plan, &[("max_replication_slots", "2")]);
        assert!(run(&ReplicationSlots, &plan).is_empty());
    }

    #[test]
    fn no_standby_needs_no_slot() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("max_replication_slots", "0")]);
        assert!(run(&ReplicationSlots, &plan).is_empty());
    }
}
