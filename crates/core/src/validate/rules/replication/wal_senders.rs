//! PGP029 wal-senders: `max_wal_senders` covers every standby plus one for a
//! base backup or a rebuilt replica.

use super::{primary_path, wal_consumers};
use crate::tuning::params::MAX_WAL_SENDERS;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP029.
pub struct WalSenders;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP029",
    name: "wal-senders",
    summary: "max_wal_senders covers every standby plus one for a base backup or a rebuilt replica",
    rationale: "Every standby streaming from the primary, and every pg_basebackup or archiver using streaming, holds a WAL sender. When they are all taken the next one is refused (FATAL: number of requested standby connections exceeds max_wal_senders), so a replica being rebuilt after a failover, or the nightly base backup, cannot start.",
    examples: crate::rule_examples!("PGP029-wal-senders"),
    replaces: &["PGP007"],
};

impl Rule for WalSenders {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(needs) = wal_consumers(cx) else {
            return;
        };
        let standbys = u64::from(cx.plan.topology.standby_count());
        let needed = standbys + 1;
        let Some(senders) = cx.settings.get(MAX_WAL_SENDERS) else {
            return;
        };
        if u64::from(senders) >= needed {
            return;
        }
        out.error(
            primary_path(cx, MAX_WAL_SENDERS),
            format!(
                "max_wal_senders is {senders} but the plan has {needs}: {needed} WAL senders are needed ({standbys} standby(s) + 1 for a base backup or a rebuilt replica)"
            ),
            format!(
                "set max_wal_senders to at least {needed} (e.g. {}, leaving room for one more standby)",
                needed + 1
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Interval, WalArchiving};

    #[test]
    fn too_few_wal_senders_for_the_standbys() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&WalSenders, &plan).is_empty());
        set_parameters(&mut plan, &[("max_wal_senders", "2")]);
        let d = run(&WalSenders, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP029");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.max_wal_senders");
        assert!(
            d[0].message.contains(
                "max_wal_senders is 2 but the plan has 2 standby(s): 3 WAL senders are needed"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 3"), "{}", d[0].help);
        set_parameters(&mut plan, &[("max_wal_senders", "3")]);
        assert!(run(&WalSenders, &plan).is_empty());
    }

    #[test]
    fn archiving_needs_a_sender() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("max_wal_senders", "0")]);
        assert!(run(&WalSenders, &plan).is_empty());
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/backup/wal")
                .build(),
        );
        let d = run(&WalSenders, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("WAL archiving"), "{}", d[0].message);
        assert!(
            d[0].message.contains("1 WAL senders are needed"),
            "{}",
            d[0].message
        );
    }
}
