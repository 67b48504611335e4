//! PGP004 durability: settings that trade crash safety for speed.
//!
//! - `fsync = off` and `full_page_writes = off` can corrupt the database on a
//!   crash (power loss, OOM kill, node failure): an error in production and
//!   staging, a warning in development, where they are acceptable only when
//!   losing the whole database is acceptable.
//! - `synchronous_commit = off` loses at most the last few acknowledged
//!   transactions on a crash and never corrupts anything: a warning in
//!   production, an info elsewhere (a reasonable choice outside production).

use crate::Environment;
use crate::validate::{Context, Findings, Rule, RuleInfo, Severity};

/// PGP004.
pub struct Durability;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP004",
    name: "durability",
    summary: "fsync and full_page_writes must stay on outside development; synchronous_commit = off in production may lose the last transactions",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for Durability {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let env = cx.plan.environment;
        let development = env == Environment::Development;
        let corrupting = [
            (
                "fsync",
                "a crash (power loss, OOM kill, node failure) can leave the data files inconsistent with the WAL: data loss and corruption that recovery cannot repair",
            ),
            (
                "full_page_writes",
                "a crash in the middle of a page write leaves torn pages that WAL replay cannot repair: data loss and corruption",
            ),
        ];
        for (name, consequence) in corrupting {
            if cx.settings.bool(name) != Some(false) {
                continue;
            }
            let (severity, help) = if development {
                (
                    Severity::Warning,
                    format!(
                        "acceptable only where losing the data is acceptable (a database rebuilt from its schema and seed data); otherwise remove `{name}: off` (the default is on)"
                    ),
                )
            } else {
                (
                    Severity::Error,
                    format!(
                        "remove `{name}: off` from tuning.parameters (the default is on); for faster commits set synchronous_commit = off instead, which may lose the last transactions but never corrupts the database"
                    ),
                )
            };
            out.report(
                severity,
                cx.param_path(name),
                format!("{name} is off in {env}: {consequence}"),
                help,
            );
        }

        if cx.settings.text("synchronous_commit").as_deref() == Some("off") {
            // The WAL writer flushes every wal_writer_delay; an asynchronous
            // commit can be lost for up to three times that.
            let delay_ms = cx
                .settings
                .duration("wal_writer_delay")
                .map_or(200, |d| d.as_millis());
            let severity = if cx.is_production() {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.report(
                severity,
                cx.param_path("synchronous_commit"),
                format!(
                    "synchronous_commit is off in {env}: a crash may lose the transactions committed in the last {}ms (3 × wal_writer_delay {delay_ms}ms) although clients were told they committed; the database stays consistent",
                    3 * delay_ms
                ),
                "remove `synchronous_commit: off` (the default is on) where every acknowledged commit must survive a crash; for data that may be lost, turn it off per transaction instead (SET LOCAL synchronous_commit = off)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn seed_000_dev_plan_turns_off_all_three() {
        let d = run(&Durability, &seed_000_plan());
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|d| d.id() == "PGP004"));
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "tuning.parameters.fsync");
        assert!(
            d[0].message.contains("fsync is off in development"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("corruption"), "{}", d[0].message);
        assert!(
            d[0].help
                .contains("acceptable only where losing the data is acceptable"),
            "{}",
            d[0].help
        );
        assert_eq!(d[1].severity, Severity::Warning);
        assert_eq!(d[1].path, "tuning.parameters.full_page_writes");
        assert!(d[1].message.contains("torn pages"), "{}", d[1].message);
        assert_eq!(d[2].severity, Severity::Info);
        assert_eq!(d[2].path, "tuning.parameters.synchronous_commit");
        assert!(d[2].message.contains("last 600ms"), "{}", d[2].message);
    }

    #[test]
    fn production_turns_corrupting_settings_into_errors() {
        let mut plan = seed_000_plan();
        plan.environment = Environment::Production;
        set_parameters(&mut plan, &[("wal_writer_delay", "100ms")]);
        let d = run(&Durability, &plan);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("fsync is off in production"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("remove `fsync: off`"), "{}", d[0].help);
        assert_eq!(d[1].severity, Severity::Error);
        assert_eq!(d[1].path, "tuning.parameters.full_page_writes");
        assert_eq!(d[2].severity, Severity::Warning);
        assert!(d[2].message.contains("last 300ms"), "{}", d[2].message);
        assert!(
            d[2].message.contains("stays consistent"),
            "{}",
            d[2].message
        );
    }

    #[test]
    fn staging_is_held_to_production_for_corruption() {
        let mut plan = seed_000_plan();
        plan.environment = Environment::Staging;
        let d = run(&Durability, &plan);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[1].severity, Severity::Error);
        assert_eq!(d[2].severity, Severity::Info);
    }

    #[test]
    fn defaults_and_explicit_on_pass() {
        let mut plan = kubernetes_plan();
        plan.environment = Environment::Production;
        assert!(run(&Durability, &plan).is_empty());
        set_parameters(
            &mut plan,
            &[
                ("fsync", "on"),
                ("full_page_writes", "true"),
                ("synchronous_commit", "local"),
            ],
        );
        assert!(run(&Durability, &plan).is_empty());
    }
}
