//! PGP027 wal-volume: max_wal_size at or above the volume that holds WAL
//! ([`Plan::wal_volume`]: the WAL volume, else the data volume, else the
//! Azure storage) is an error: WAL can fill the volume and the server stops.
//! Above half of it is a warning: max_wal_size is a soft limit, and a slow
//! checkpoint, a failing archive_command or a lagging replication slot backs
//! WAL up past it.
//!
//! [`Plan::wal_volume`]: crate::Plan::wal_volume

use super::wal_size_path;
use crate::Bytes;
use crate::catalog::format_number;
use crate::tuning::params::MAX_WAL_SIZE;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP027.
pub struct WalVolume;

/// Above this share of its volume max_wal_size draws a warning.
const WARN_PERCENT: u64 = 50;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP027",
    name: "wal-volume",
    summary: "max_wal_size stays well below the volume that holds WAL (at most half of it)",
    rationale: "`max_wal_size` is a soft limit: between checkpoints, and whenever archiving fails or a replication slot lags, WAL grows past it. When WAL fills its volume PostgreSQL cannot write a commit record and shuts down (PANIC: could not write to file pg_wal/…), and it starts again only once space is freed.",
    examples: crate::rule_examples!("PGP027-wal-volume"),
    replaces: &["PGP006"],
};

impl Rule for WalVolume {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(max) = cx.settings.get(MAX_WAL_SIZE) else {
            return;
        };
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
        let path = wal_size_path(cx, MAX_WAL_SIZE);
        if max >= volume {
            out.error(
                path,
                format!(
                    "max_wal_size {} is {pct} % of the {} volume that holds WAL ({volume_path}){shared}: WAL can fill it and the server stops",
                    max.to_postgres(),
                    volume.human()
                ),
                help,
            );
        } else if max.as_u64().saturating_mul(100) > volume.as_u64().saturating_mul(WARN_PERCENT) {
            out.warning(
                path,
                format!(
                    "max_wal_size {} is {pct} % of the {} volume that holds WAL ({volume_path}){shared}: above {WARN_PERCENT} %, a slow checkpoint, a failing archive or a lagging replication slot backs WAL up past max_wal_size and can fill the volume",
                    max.to_postgres(),
                    volume.human()
                ),
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
    fn derived_sizes_pass() {
        assert!(run(&WalVolume, &kubernetes_plan()).is_empty());
        let mut plan = azure_plan_with_clients(200, 10, 10);
        assert!(run(&WalVolume, &plan).is_empty());
        set_parameters(&mut plan, &[("max_wal_size", "4GB")]);
        assert!(run(&WalVolume, &plan).is_empty());
    }

    #[test]
    fn max_wal_size_filling_the_data_volume_is_an_error() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("max_wal_size", "20GB")]);
        let d = run(&WalVolume, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP027");
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
        let d = run(&WalVolume, &plan);
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
        let d = run(&WalVolume, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("platform.azure.storage.size"),
            "{}",
            d[0].message
        );
    }
}
