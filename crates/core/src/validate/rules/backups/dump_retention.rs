//! PGP069 dump-retention: dumps are kept at least one interval.

use super::dumps;
use crate::model::units::Interval;
use crate::validate::rules::common::span;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP069.
pub struct DumpRetention;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP069",
    name: "dump-retention",
    summary: "a dump's retention is at least the interval between dumps",
    rationale: "When dumps are deleted before the next one is written, there are moments in every interval with no dump at all; a failure then — or a dump that fails — leaves nothing to restore.",
    examples: crate::rule_examples!("PGP069-dump-retention"),
    replaces: &["PGP013"],
};

impl Rule for DumpRetention {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, backup) in dumps(cx) {
            let interval = backup.schedule.longest_gap();
            if backup.retention >= interval {
                continue;
            }
            out.error(
                path.field("retention"),
                format!(
                    "retention {} is shorter than the {} between dumps of {}: each dump is deleted before the next is written, so for part of every interval no dump survives",
                    span(backup.retention),
                    span(interval),
                    backup.name
                ),
                format!(
                    "keep dumps at least one interval, e.g. retention: {} (two dumps)",
                    span(Interval::millis(interval.as_millis().saturating_mul(2)))
                ),
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
    fn retention_shorter_than_the_interval() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&DumpRetention, &plan).is_empty());
        nightly(&mut plan).retention = Interval::hours(12);
        let d = run(&DumpRetention, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP069");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "backups.logical[0].retention");
        assert!(
            d[0].message
                .contains("retention 12h is shorter than the 24h between dumps")
        );
        assert!(d[0].help.contains("retention: 48h"), "{}", d[0].help);
    }
}
