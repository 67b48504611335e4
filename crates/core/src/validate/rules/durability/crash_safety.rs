//! PGP020 crash-safety: `fsync = off` and `full_page_writes = off` can
//! corrupt the database on a crash (power loss, OOM kill, node failure): an
//! error in production and staging, a warning in development, where they are
//! acceptable only when losing the whole database is acceptable.

use crate::Environment;
use crate::tuning::params::{FSYNC, FULL_PAGE_WRITES, Param};
use crate::validate::{Context, Findings, Rule, RuleInfo, Severity};

/// PGP020.
pub struct CrashSafety;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP020",
    name: "crash-safety",
    summary: "fsync and full_page_writes stay on outside development",
    rationale: "With fsync off PostgreSQL never waits for the disk, so after a power loss, an OOM kill or a node failure the data files may hold writes the WAL does not describe, or miss ones it does; with full_page_writes off a page half-written at the crash cannot be repaired from the WAL. Either way the database comes back corrupt, and only a restore from backup helps.",
    examples: crate::rule_examples!("PGP020-crash-safety"),
    replaces: &["PGP004"],
};

/// The settings that corrupt the database on a crash, and how.
const CORRUPTING: [(Param<bool>, &str); 2] = [
    (
        FSYNC,
        "a crash (power loss, OOM kill, node failure) can leave the data files inconsistent with the WAL: data loss and corruption that recovery cannot repair",
    ),
    (
        FULL_PAGE_WRITES,
        "a crash in the middle of a page write leaves torn pages that WAL replay cannot repair: data loss and corruption",
    ),
];

impl Rule for CrashSafety {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let env = cx.plan.environment;
        for (param, consequence) in CORRUPTING {
            if cx.settings.get(param) != Some(false) {
                continue;
            }
            let name = param.name();
            let (severity, help) = if env == Environment::Development {
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
                cx.path_of(param),
                format!("{name} is off in {env}: {consequence}"),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_000_dev_plan_turns_off_fsync_and_full_page_writes() {
        let d = run(&CrashSafety, &seed_000_plan());
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|d| d.id() == "PGP020"));
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
    }

    #[test]
    fn production_and_staging_turn_them_into_errors() {
        for env in [Environment::Production, Environment::Staging] {
            let mut plan = seed_000_plan();
            plan.environment = env;
            let d = run(&CrashSafety, &plan);
            assert_eq!(d.len(), 2, "{d:?}");
            assert!(d.iter().all(|d| d.severity == Severity::Error), "{d:?}");
            assert!(
                d[0].message.contains(&format!("fsync is off in {env}")),
                "{}",
                d[0].message
            );
            assert!(d[0].help.contains("remove `fsync: off`"), "{}", d[0].help);
        }
    }

    #[test]
    fn defaults_and_explicit_on_pass() {
        let mut plan = kubernetes_plan();
        plan.environment = Environment::Production;
        assert!(run(&CrashSafety, &plan).is_empty());
        set_parameters(&mut plan, &[("fsync", "on"), ("full_page_writes", "true")]);
        assert!(run(&CrashSafety, &plan).is_empty());
    }
}
