//! PGP021 asynchronous-commit: `synchronous_commit = off` loses at most the
//! last few acknowledged transactions on a crash and never corrupts anything:
//! a warning in production, an info elsewhere (a reasonable choice outside
//! production).

use crate::tuning::params::{SYNCHRONOUS_COMMIT, WAL_WRITER_DELAY};
use crate::validate::{Context, Findings, Rule, RuleInfo, Severity};

/// PGP021.
pub struct AsynchronousCommit;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP021",
    name: "asynchronous-commit",
    summary: "synchronous_commit = off is a deliberate choice: a crash may lose the last acknowledged transactions",
    rationale: "With synchronous_commit off the server tells a client its transaction committed before the commit record is on disk; the WAL writer flushes it within three wal_writer_delay. A crash in between loses those transactions although the client saw them succeed — the database stays consistent, but an order or a payment the application confirmed is gone.",
    examples: crate::rule_examples!("PGP021-asynchronous-commit"),
    replaces: &["PGP004"],
};

impl Rule for AsynchronousCommit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if cx.settings.get(SYNCHRONOUS_COMMIT).as_deref() != Some("off") {
            return;
        }
        // The WAL writer flushes every wal_writer_delay; an asynchronous
        // commit can be lost for up to three times that.
        let delay_ms = cx
            .settings
            .get(WAL_WRITER_DELAY)
            .map_or(200, |d| d.as_millis());
        let severity = if cx.is_production() {
            Severity::Warning
        } else {
            Severity::Info
        };
        let env = cx.plan.environment;
        out.report(
            severity,
            cx.path_of(SYNCHRONOUS_COMMIT),
            format!(
                "synchronous_commit is off in {env}: a crash may lose the transactions committed in the last {}ms (3 × wal_writer_delay {delay_ms}ms) although clients were told they committed; the database stays consistent",
                3 * delay_ms
            ),
            "remove `synchronous_commit: off` (the default is on) where every acknowledged commit must survive a crash; for data that may be lost, turn it off per transaction instead (SET LOCAL synchronous_commit = off)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_000_dev_plan_is_told() {
        let d = run(&AsynchronousCommit, &seed_000_plan());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP021");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "tuning.parameters.synchronous_commit");
        assert!(d[0].message.contains("last 600ms"), "{}", d[0].message);
    }

    #[test]
    fn production_is_warned_with_its_wal_writer_delay() {
        let mut plan = seed_000_plan();
        plan.environment = Environment::Production;
        set_parameters(&mut plan, &[("wal_writer_delay", "100ms")]);
        let d = run(&AsynchronousCommit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("last 300ms"), "{}", d[0].message);
        assert!(
            d[0].message.contains("stays consistent"),
            "{}",
            d[0].message
        );
        // Staging is told, not warned.
        plan.environment = Environment::Staging;
        assert_eq!(run(&AsynchronousCommit, &plan)[0].severity, Severity::Info);
    }

    #[test]
    fn on_and_local_pass() {
        let mut plan = kubernetes_plan();
        assert!(run(&AsynchronousCommit, &plan).is_empty());
        set_parameters(&mut plan, &[("synchronous_commit", "local")]);
        assert!(run(&AsynchronousCommit, &plan).is_empty());
    }
}
