//! PGP209 patroni-rewind-possible: pg_rewind works only on a cluster with
//! page checksums or `wal_log_hints = on`.
//!
//! Patroni passes `wal_log_hints` on the server's command line (its default
//! there is on) and, before every rewind, reads `pg_controldata`: with
//! neither `wal_log_hints setting: on` nor a data page checksum version it
//! logs "pg_rewind is not possible" and does not run it (Patroni's
//! `postgresql/rewind.py`, `configuration_allows_rewind`).

use crate::runner;
use crate::tuning::params::WAL_LOG_HINTS;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP209.
pub struct PatroniRewindPossible;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP209",
    name: "patroni-rewind-possible",
    summary: "a Patroni cluster with use_pg_rewind has page checksums or wal_log_hints on, without which pg_rewind refuses to run",
    rationale: "pg_rewind can only find the pages a former primary changed after the failover when every change of a hint bit was WAL-logged, that is with page checksums (initdb --data-checksums) or wal_log_hints = on; otherwise it stops with \"target server needs to use either data checksums or wal_log_hints = on\". Patroni checks the same in pg_controldata before rewinding and then does not try: the old leader, whose WAL went past the point where the new leader took over, cannot follow the new timeline and stays out of the cluster until someone copies it again with patronictl reinit. The cluster runs one standby short from the first failover on, and in synchronous mode it may have none left to commit on.",
    examples: crate::rule_examples!("PGP209-patroni-rewind-possible"),
    replaces: &[],
};

impl Rule for PatroniRewindPossible {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(patroni) = runner::local_patroni(cx.plan) else {
            return;
        };
        if !patroni.use_pg_rewind || cx.plan.platform.data_checksums() != Some(false) {
            return;
        }
        // pgplan turns wal_log_hints on for a cluster without checksums
        // unless the plan says otherwise.
        if !cx.settings.is_set(WAL_LOG_HINTS) || cx.settings.get(WAL_LOG_HINTS) != Some(false) {
            return;
        }
        out.error(
            cx.param_path(WAL_LOG_HINTS.name()),
            format!(
                "topology.patroni.use_pg_rewind is on, but cluster `{}` is initialised without page checksums (platform.local.data_checksums: false) and the plan sets wal_log_hints = off: pg_rewind refuses such a cluster, so after a failover the old leader stays out of the cluster until patronictl reinit copies it again",
                patroni.scope
            ),
            "remove wal_log_hints from tuning.parameters (pgplan sets it on when checksums are off), or leave platform.local.data_checksums on; if a former leader is meant to be copied again, set topology.patroni.use_pg_rewind: false to say so",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{GucName, ParamValue, Platform};

    fn without_checksums(hints: Option<&str>) -> crate::Plan {
        let mut plan = patroni_cluster_plan();
        if let Platform::Local(l) = &mut plan.platform {
            l.data_checksums = false;
        }
        if let Some(v) = hints {
            plan.tuning
                .parameters
                .insert(GucName::new("wal_log_hints").unwrap(), ParamValue::new(v));
        }
        plan
    }

    #[test]
    fn rewind_without_checksums_or_hints_is_an_error() {
        let d = run(&PatroniRewindPossible, &without_checksums(Some("off")));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.wal_log_hints");
        // pgplan's own wal_log_hints = on, an explicit on, checksums, or
        // rewind off: nothing to say.
        assert!(run(&PatroniRewindPossible, &without_checksums(None)).is_empty());
        assert!(run(&PatroniRewindPossible, &without_checksums(Some("on"))).is_empty());
        let mut plan = without_checksums(Some("off"));
        cluster(&mut plan).use_pg_rewind = false;
        assert!(run(&PatroniRewindPossible, &plan).is_empty());
        let mut plan = patroni_cluster_plan();
        plan.tuning.parameters.insert(
            GucName::new("wal_log_hints").unwrap(),
            ParamValue::new("off"),
        );
        assert!(run(&PatroniRewindPossible, &plan).is_empty());
    }
}
