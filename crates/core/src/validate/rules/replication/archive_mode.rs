//! PGP031 archive-mode: with `backups.wal_archiving`, `archive_mode` is on.

use crate::tuning::params::ARCHIVE_MODE;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP031.
pub struct ArchiveMode;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP031",
    name: "archive-mode",
    summary: "archive_mode is on (or always) when the plan archives WAL",
    rationale: "With archive_mode off the server never runs archive_command: no WAL segment reaches the archive, and the point-in-time recovery the plan counts on is impossible — which nobody notices until a restore is needed.",
    examples: crate::rule_examples!("PGP031-archive-mode"),
    replaces: &["PGP007"],
};

impl Rule for ArchiveMode {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if cx.plan.backups.wal_archiving.is_none() {
            return;
        }
        let Some(mode) = cx.settings.get(ARCHIVE_MODE) else {
            return;
        };
        if mode == "on" || mode == "always" {
            return;
        }
        out.error(
            cx.path_of(ARCHIVE_MODE),
            format!(
                "archive_mode is {mode} but backups.wal_archiving is planned: no WAL segment is archived, so point-in-time recovery is impossible"
            ),
            "set archive_mode to on (it needs a restart), or remove it and let pgplan derive it",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Interval, WalArchiving};

    #[test]
    fn archiving_needs_archive_mode() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("archive_mode", "off")]);
        assert!(run(&ArchiveMode, &plan).is_empty());
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/backup/wal")
                .build(),
        );
        let d = run(&ArchiveMode, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP031");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.archive_mode");
        assert!(
            d[0].message.contains("archive_mode is off"),
            "{}",
            d[0].message
        );
        set_parameters(&mut plan, &[("archive_mode", "always")]);
        assert!(run(&ArchiveMode, &plan).is_empty());
        // Derived: on.
        plan.tuning.parameters.clear();
        assert!(run(&ArchiveMode, &plan).is_empty());
    }
}
