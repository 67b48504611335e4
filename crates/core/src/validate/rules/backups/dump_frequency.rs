//! PGP067 dump-frequency: logical dumps run at most hourly.

use super::dumps;
use crate::model::units::Interval;
use crate::validate::rules::common::span;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP067.
pub struct DumpFrequency;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP067",
    name: "dump-frequency",
    summary: "a logical dump runs at most once an hour",
    rationale: "Each pg_dump reads every table it dumps and holds one snapshot open for as long as it runs; while it does, vacuum cannot remove rows deleted after the snapshot began, so tables bloat and queries slow down. Dumping more often than hourly keeps that snapshot open most of the time; WAL archiving gives a finer recovery point without it.",
    examples: crate::rule_examples!("PGP067-dump-frequency"),
    replaces: &["PGP013"],
};

impl Rule for DumpFrequency {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, backup) in dumps(cx) {
            let interval = backup.schedule.shortest_gap();
            if interval >= Interval::hours(1) {
                continue;
            }
            out.warning(
                path.field("schedule"),
                format!(
                    "pg_dump {} runs every {} (`{}`): each run reads every table and holds one snapshot open while it does, which holds back vacuum",
                    backup.name,
                    span(interval),
                    backup.schedule
                ),
                "dump at most hourly; for a finer recovery point use backups.wal_archiving",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::nightly;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn dumps_more_often_than_hourly_warn() {
        let mut plan = kubernetes_reference_plan();
        nightly(&mut plan).schedule = "*/15 * * * *".parse().unwrap();
        nightly(&mut plan).retention = Interval::hours(2);
        assert!(run(&DumpFrequency, &kubernetes_reference_plan()).is_empty());
        let d = run(&DumpFrequency, &plan);
        let w = diagnostic_at(&d, "backups.logical[0].schedule");
        assert_eq!(w.id(), "PGP067");
        assert_eq!(w.severity, Severity::Warning);
        assert!(
            w.message.contains("every 15min (`*/15 * * * *`)"),
            "{}",
            w.message
        );
        assert_eq!(d.len(), 1, "{d:#?}");
    }
}
