//! PGP085 slot-wal-limit: in a Patroni cluster every standby has a
//! replication slot on the primary, and a slot keeps WAL without limit
//! unless `max_slot_wal_keep_size` bounds it below the room the WAL volume
//! has beside `max_wal_size`.

use super::primary_path;
use crate::Bytes;
use crate::tuning::OrUnset;
use crate::tuning::params::{MAX_SLOT_WAL_KEEP_SIZE, MAX_WAL_SIZE};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP085.
pub struct SlotWalLimit;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP085",
    name: "slot-wal-limit",
    summary: "standbys that stream through replication slots (a Patroni cluster) have max_slot_wal_keep_size set below the room the WAL volume has beside max_wal_size",
    rationale: "Patroni creates a physical replication slot on the primary for every member (use_slots), and the primary keeps every WAL segment a slot has not confirmed. A standby that stops receiving while its slot stays (a broken replay, a network cut between the nodes, a member kept while it is away) makes WAL grow past max_wal_size without limit; when it fills its volume the primary stops with PANIC: could not write to file pg_wal/…. With max_slot_wal_keep_size the primary invalidates the slot once it holds that much WAL: the standby is rebuilt from a base backup (Patroni reinitializes it) and the primary keeps running.",
    examples: crate::rule_examples!("PGP085-slot-wal-limit"),
    replaces: &[],
};

impl Rule for SlotWalLimit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let standbys = cx
            .plan
            .topology
            .patroni
            .as_ref()
            .map_or(0, |p| p.members.len().saturating_sub(1));
        if standbys == 0 {
            return;
        }
        let Some((volume, volume_path)) = cx.plan.wal_volume() else {
            return;
        };
        let Some(max_wal) = cx.settings.get(MAX_WAL_SIZE) else {
            return;
        };
        // Beside max_wal_size (PGP027 reports a max_wal_size that leaves
        // no room at all).
        let room = volume.saturating_sub(max_wal);
        if room == Bytes::ZERO {
            return;
        }
        let suggestion = suggested_limit(room);
        let path = primary_path(cx, MAX_SLOT_WAL_KEEP_SIZE);
        let help = format!(
            "set tuning.parameters.max_slot_wal_keep_size to {} (half of the {} the {} volume at {volume_path} has beside max_wal_size {}): a standby further behind loses its slot and is rebuilt instead of stopping the primary; or give WAL more room",
            suggestion.to_postgres(),
            room.human(),
            volume.human(),
            max_wal.to_postgres()
        );
        match cx.settings.get(MAX_SLOT_WAL_KEEP_SIZE) {
            None | Some(OrUnset::Unset) => out.warning(
                path,
                format!(
                    "max_slot_wal_keep_size is -1 (no limit) and the Patroni cluster has {standbys} standby(s) with replication slots: a standby that stops receiving makes the primary keep WAL until the {} volume ({volume_path}) is full and the primary stops",
                    volume.human()
                ),
                help,
            ),
            Some(OrUnset::Value(limit)) if limit >= room => out.warning(
                path,
                format!(
                    "max_slot_wal_keep_size {} plus max_wal_size {} is at least the {} volume that holds WAL ({volume_path}): the volume fills before a lagging standby's slot is given up, and the primary stops",
                    limit.to_postgres(),
                    max_wal.to_postgres(),
                    volume.human()
                ),
                help,
            ),
            Some(OrUnset::Value(_)) => {}
        }
    }
}

/// Half of the room, in whole GB when it is at least 2 GiB, else in MB
/// (at least 64MB, one WAL segment's worth many times over).
fn suggested_limit(room: Bytes) -> Bytes {
    let half = Bytes::new(room.as_u64() / 2);
    if half >= Bytes::gib(1) {
        half.round_down_to(Bytes::gib(1).as_u64())
    } else {
        half.round_down_to(Bytes::mib(1).as_u64())
            .max(Bytes::mib(64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_patroni_cluster_without_a_limit_warns() {
        let plan = patroni_cluster_plan();
        let d = run(&SlotWalLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP085");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology");
        assert!(
            d[0].message.contains(
                "max_slot_wal_keep_size is -1 (no limit) and the Patroni cluster has 2 standby(s)"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message
                .contains("the 50 GiB volume (sizing.data_volume)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("set tuning.parameters.max_slot_wal_keep_size to 23GB"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn an_explicit_unlimited_value_warns_at_the_parameter() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("max_slot_wal_keep_size", "-1")]);
        let d = run(&SlotWalLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "tuning.parameters.max_slot_wal_keep_size");
    }

    #[test]
    fn a_limit_beyond_the_room_warns_and_one_within_passes() {
        let mut plan = patroni_cluster_plan();
        set_parameters(
            &mut plan,
            &[("max_wal_size", "4GB"), ("max_slot_wal_keep_size", "46GB")],
        );
        let d = run(&SlotWalLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains(
                "max_slot_wal_keep_size 46GB plus max_wal_size 4GB is at least the 50 GiB volume"
            ),
            "{}",
            d[0].message
        );
        set_parameters(
            &mut plan,
            &[("max_wal_size", "4GB"), ("max_slot_wal_keep_size", "23GB")],
        );
        assert!(run(&SlotWalLimit, &plan).is_empty());
    }

    #[test]
    fn no_slots_no_finding() {
        assert!(run(&SlotWalLimit, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn small_rooms_get_a_limit_in_megabytes() {
        assert_eq!(suggested_limit(Bytes::gib(50)), Bytes::gib(25));
        assert_eq!(suggested_limit(Bytes::mib(1500)), Bytes::mib(750));
        assert_eq!(suggested_limit(Bytes::mib(100)), Bytes::mib(64));
    }
}
