//! PGP028 wal-level: a primary with standbys or WAL archiving needs
//! `wal_level` replica or logical.

use super::wal_consumers;
use crate::tuning::params::WAL_LEVEL;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP028.
pub struct WalLevel;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP028",
    name: "wal-level",
    summary: "wal_level is replica or logical when the plan has standbys or archives WAL",
    rationale: "With wal_level minimal the WAL holds only what crash recovery needs: PostgreSQL refuses to start with max_wal_senders above zero or archive_mode on, and a base backup taken from it cannot be restored to a consistent point. Standbys cannot follow and point-in-time recovery is impossible.",
    examples: crate::rule_examples!("PGP028-wal-level"),
    replaces: &["PGP007"],
};

impl Rule for WalLevel {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(needs) = wal_consumers(cx) else {
            return;
        };
        if cx.settings.get(WAL_LEVEL).as_deref() != Some("minimal") {
            return;
        }
        out.error(
            cx.path_of(WAL_LEVEL),
            format!(
                "wal_level is minimal but the plan has {needs}: minimal WAL cannot be streamed to a standby or archived"
            ),
            "set wal_level to replica (or logical for logical decoding), or remove it and let pgplan derive replica",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn derived_settings_support_patroni() {
        assert!(run(&WalLevel, &patroni_cluster_plan()).is_empty());
    }

    #[test]
    fn single_server_without_archiving_is_not_checked() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("wal_level", "minimal")]);
        assert!(run(&WalLevel, &plan).is_empty());
    }

    #[test]
    fn minimal_wal_level_with_standbys_is_an_error() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("wal_level", "minimal")]);
        let d = run(&WalLevel, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP028");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.wal_level");
        assert!(d[0].message.contains("2 standby(s)"), "{}", d[0].message);
        assert!(d[0].help.contains("replica"), "{}", d[0].help);
    }
}
