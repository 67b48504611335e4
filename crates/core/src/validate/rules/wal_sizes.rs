//! PGP006 wal-sizes: min_wal_size, max_wal_size and the volume that holds WAL.
//!
//! - min_wal_size above max_wal_size is an error: WAL is recycled up to a size
//!   that checkpoints are meant to keep it under. Equal sizes are legal but
//!   leave no room between the two, so they draw a warning.
//! - max_wal_size at or above the volume that holds WAL ([`Plan::wal_volume`]:
//!   the WAL volume, else the data volume, else the Azure storage) is an
//!   error: WAL can fill the volume and the server stops. Above half of it is
//!   a warning: max_wal_size is a soft limit, and a slow checkpoint, a failing
//!   archive_command or a lagging replication slot backs WAL up past it.
//!
//! [`Plan::wal_volume`]: crate::Plan::wal_volume

use crate::Bytes;
use crate::catalog::format_number;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo, Severity};

/// PGP006.
pub struct WalSizes;

/// Above this share of its volume max_wal_size draws a warning.
const WARN_PERCENT: u64 = 50;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP006",
    name: "wal-sizes",
    summary: "min_wal_size must be below max_wal_size, and max_wal_size well below the volume that holds WAL",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for WalSizes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let s = cx.settings;
        let (Some(min), Some(max)) = (s.bytes("min_wal_size"), s.bytes("max_wal_size")) else {
            return;
        };
        let max_path = self.path(cx, "max_wal_size");
        if min >= max {
            let min_path = if s.is_explicit("min_wal_size") {
                cx.param_path("min_wal_size")
            } else {
                max_path.clone()
            };
            let quarter = Bytes::new(max.as_u64() / 4).round_down_to(1024 * 1024);
            let (severity, what) = if min > max {
                (Severity::Error, "above")
            } else {
                (Severity::Warning, "equal to")
            };
            out.report(
                severity,
                min_path,
                format!(
                    "min_wal_size {} is {what} max_wal_size {}: WAL is kept up to a size checkpoints are meant to hold it under",
                    min.to_postgres(),
                    max.to_postgres()
                ),
                format!(
                    "lower min_wal_size to {} (a quarter of max_wal_size) or raise max_wal_size above {}",
                    quarter.max(Bytes::mib(32)).to_postgres(),
                    min.to_postgres()
                ));
        }

        let Some((volume, volume_path)) = cx.plan.wal_volume() else {
            return;
        };
        if volume == Bytes::ZERO {
            return;
        }
        let pct = max.as_u64() as f64 * 100.0 / volume.as_u64() as f64;
        let pct = format_number((pct * 10.0).round() / 10.0);
        let shared = if volume_path == "sizing.wal_volume" {
            ""
        } else {
            ", which it shares with the data"
        };
        let fit = Bytes::new(volume.as_u64() / 4).round_down_to(1024 * 1024);
        let roomy = Bytes::new(max.as_u64().saturating_mul(100 / WARN_PERCENT));
        let help = format!(
            "lower max_wal_size to {} (a quarter of the volume) or less, or remove it and let pgplan derive it; or give WAL a volume of at least {} ({volume_path})",
            fit.max(Bytes::mib(64)).to_postgres(),
            roomy.human()
        );
        if max >= volume {
            out.error(                max_path,
                format!(
                    "max_wal_size {} is {pct} % of the {} volume that holds WAL ({volume_path}){shared}: WAL can fill it and the server stops",
                    max.to_postgres(),
                    volume.human()
                ),
                help);
        } else if max.as_u64().saturating_mul(100) > volume.as_u64().saturating_mul(WARN_PERCENT) {
            out.warning(                max_path,
                format!(
                    "max_wal_size {} is {pct} % of the {} volume that holds WAL ({volume_path}){shared}: above {WARN_PERCENT} %, a slow checkpoint, a failing archive or a lagging replication slot backs WAL up past max_wal_size and can fill the volume",
                    max.to_postgres(),
                    volume.human()
                ),
                help);
        }
    }
}

impl WalSizes {
    /// The explicit parameter, else the volume its derivation is capped by,
    /// else the workload it derives from.
    fn path(&self, cx: &Context<'_>, name: &str) -> FieldPath {
        if cx.settings.is_explicit(name) {
            cx.param_path(name)
        } else if let Some((_, volume_path)) = cx.plan.wal_volume() {
            FieldPath::from(volume_path)
        } else {
            FieldPath::from("tuning.workload")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn derived_sizes_pass() {
        assert!(run(&WalSizes, &kubernetes_plan()).is_empty());
        assert!(run(&WalSizes, &azure_plan_with_clients(200, 10, 10)).is_empty());
    }

    #[test]
    fn seed_001_wal_sizes_pass_on_256gb() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(
            &mut plan,
            &[("max_wal_size", "4GB"), ("min_wal_size", "1GB")],
        );
        assert!(run(&WalSizes, &plan).is_empty());
    }

    #[test]
    fn min_above_max_is_an_error() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("max_wal_size", "1GB"), ("min_wal_size", "2GB")],
        );
        let d = run(&WalSizes, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP006");
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
        let d = run(&WalSizes, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("equal to max_wal_size 1GB"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn max_wal_size_filling_the_data_volume_is_an_error() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("max_wal_size", "20GB")]);
        let d = run(&WalSizes, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.max_wal_size");
        assert!(
            d[0].message
                .contains("max_wal_size 20GB is 100 % of the 20 GiB volume that holds WAL (sizing.data_volume), which it shares with the data"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower max_wal_size to 5GB"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("at least 40 GiB"), "{}", d[0].help);
    }

    #[test]
    fn max_wal_size_above_half_the_wal_volume_warns() {
        let mut plan = kubernetes_plan();
        plan.sizing.wal_volume = Some(Bytes::gib(10));
        set_parameters(&mut plan, &[("max_wal_size", "6GB")]);
        let d = run(&WalSizes, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains(
                "max_wal_size 6GB is 60 % of the 10 GiB volume that holds WAL (sizing.wal_volume):"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower max_wal_size to 2560MB"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("at least 12 GiB"), "{}", d[0].help);
    }

    #[test]
    fn azure_storage_holds_wal() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(&mut plan, &[("max_wal_size", "256GB")]);
        let d = run(&WalSizes, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("platform.azure.storage.size"),
            "{}",
            d[0].message
        );
    }
}
