//! PGP026 wal-size-order: min_wal_size above max_wal_size is an error: WAL is
//! recycled up to a size that checkpoints are meant to keep it under. Equal
//! sizes are legal but leave no room between the two, so they draw a
//! warning.

use super::wal_size_path;
use crate::Bytes;
use crate::tuning::params::{MAX_WAL_SIZE, MIN_WAL_SIZE};
use crate::validate::{Context, Findings, Rule, RuleInfo, Severity};

/// PGP026.
pub struct WalSizeOrder;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP026",
    name: "wal-size-order",
    summary: "min_wal_size is below max_wal_size",
    rationale: "Checkpoints keep WAL under max_wal_size, and min_wal_size is how much of it they recycle instead of removing. With min_wal_size at or above max_wal_size, WAL never shrinks back after a burst and the pg_wal directory stays as large as the biggest burst on a volume sized for less.",
    examples: crate::rule_examples!("PGP026-wal-size-order"),
    replaces: &["PGP006"],
};

impl Rule for WalSizeOrder {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let s = cx.settings;
        let (Some(min), Some(max)) = (s.get(MIN_WAL_SIZE), s.get(MAX_WAL_SIZE)) else {
            return;
        };
        if min < max {
            return;
        }
        let path = if s.is_set(MIN_WAL_SIZE) {
            cx.path_of(MIN_WAL_SIZE)
        } else {
            wal_size_path(cx, MAX_WAL_SIZE)
        };
        let quarter = Bytes::new(max.as_u64() / 4).round_down_to(1024 * 1024);
        let (severity, what) = if min > max {
            (Severity::Error, "above")
        } else {
            (Severity::Warning, "equal to")
        };
        out.report(
            severity,
            path,
            format!(
                "min_wal_size {} is {what} max_wal_size {}: WAL is kept up to a size checkpoints are meant to hold it under",
                min.to_postgres(),
                max.to_postgres()
            ),
            format!(
                "lower min_wal_size to {} (a quarter of max_wal_size) or raise max_wal_size above {}",
                quarter.max(Bytes::mib(32)).to_postgres(),
                min.to_postgres()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn derived_and_seed_001_sizes_pass() {
        assert!(run(&WalSizeOrder, &kubernetes_plan()).is_empty());
        let mut plan = azure_plan_with_clients(200, 10, 10);
        assert!(run(&WalSizeOrder, &plan).is_empty());
        set_parameters(
            &mut plan,
            &[("max_wal_size", "4GB"), ("min_wal_size", "1GB")],
        );
        assert!(run(&WalSizeOrder, &plan).is_empty());
    }

    #[test]
    fn min_above_max_is_an_error() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("max_wal_size", "1GB"), ("min_wal_size", "2GB")],
        );
        let d = run(&WalSizeOrder, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP026");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.min_wal_size");
        assert!(
            d[0].message
                .contains("min_wal_size 2GB is above max_wal_size 1GB"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower min_wal_size to 256MB"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn equal_sizes_warn() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("max_wal_size", "1GB"), ("min_wal_size", "1GB")],
        );
        let d = run(&WalSizeOrder, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("equal to max_wal_size 1GB"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_derived_min_follows_an_explicit_max() {
        // min_wal_size was derived as 1GB for the web workload even when the
        // plan set max_wal_size to 512MB, and this rule then blamed the
        // plan's max_wal_size for a value pgplan had chosen.
        let mut plan = kubernetes_plan();
        plan.sizing.data_volume = None;
        set_parameters(&mut plan, &[("max_wal_size", "512MB")]);
        assert!(run(&WalSizeOrder, &plan).is_empty());
    }
}
