//! PGP125 kubernetes-wal-keep-size: the WAL `wal_keep_size` keeps at all
//! times fits the PersistentVolumeClaim that holds WAL.
//!
//! PGP027 compares max_wal_size with the volume and PGP085 the replication
//! slots' limit; wal_keep_size is kept whatever the checkpoints and slots
//! do, so it gets its own check.

use super::common::kubernetes;
use crate::Bytes;
use crate::catalog::format_number;
use crate::tuning::params::WAL_KEEP_SIZE;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP125.
pub struct KubernetesWalKeepSize;

/// Above this share of its volume wal_keep_size draws a warning.
const WARN_PERCENT: u64 = 50;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP125",
    name: "kubernetes-wal-keep-size",
    summary: "wal_keep_size stays well below the PersistentVolumeClaim that holds WAL on Kubernetes (at most half of it)",
    rationale: "With wal_keep_size set, the server keeps at least that much of the newest WAL in pg_wal for standbys that reconnect, whatever the checkpoints and replication slots allow it to remove. A PersistentVolumeClaim does not grow by itself: once the server has written wal_keep_size of WAL, pg_wal holds it for good, and if that is the whole volume the next WAL segment cannot be created — PANIC: could not write to file pg_wal/…, and the pod restarts into the same full volume. Above half of the volume, the WAL that max_wal_size lets accumulate between checkpoints, plus the data when WAL shares its volume, leave too little room.",
    examples: crate::rule_examples!("PGP125-kubernetes-wal-keep-size"),
    replaces: &[],
};

impl Rule for KubernetesWalKeepSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let Some(keep) = cx.settings.get(WAL_KEEP_SIZE) else {
            return;
        };
        let Some((volume, volume_path)) = cx.plan.wal_volume() else {
            return;
        };
        if volume == Bytes::ZERO || keep == Bytes::ZERO {
            return;
        }
        let pct = keep.as_u64() as f64 * 100.0 / volume.as_u64() as f64;
        let pct = format_number((pct * 10.0).round() / 10.0);
        let fit = Bytes::new(volume.as_u64() / 4).round_down_to(1024 * 1024);
        let help = format!(
            "lower wal_keep_size to {} (a quarter of the volume) or less — standbys of a longer absence are better served by WAL archiving or a slot with max_slot_wal_keep_size — or give WAL a volume of at least {} ({volume_path})",
            fit.to_postgres(),
            Bytes::new(keep.as_u64().saturating_mul(100 / WARN_PERCENT)).human()
        );
        let path = cx.param_path(WAL_KEEP_SIZE.name());
        let message = |what: &str| {
            format!(
                "wal_keep_size {} is {pct} % of the {} PersistentVolumeClaim that holds WAL ({volume_path}): {what}",
                keep.to_postgres(),
                volume.human()
            )
        };
        if keep >= volume {
            out.error(
                path,
                message("once that much WAL is written the volume is full for good, and the server stops with PANIC: could not write to file pg_wal"),
                help,
            );
        } else if keep.as_u64().saturating_mul(100) > volume.as_u64().saturating_mul(WARN_PERCENT) {
            out.warning(
                path,
                message("above 50 %, the WAL max_wal_size lets accumulate between checkpoints can fill the rest"),
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
    fn wal_keep_size_against_the_wal_volume() {
        let mut plan = kubernetes_plan();
        assert!(run(&KubernetesWalKeepSize, &plan).is_empty());
        set_parameters(&mut plan, &[("wal_keep_size", "20GB")]);
        let d = run(&KubernetesWalKeepSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.wal_keep_size");
        assert!(
            d[0].message
                .contains("wal_keep_size 20GB is 100 % of the 20 GiB PersistentVolumeClaim that holds WAL (sizing.data_volume)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower wal_keep_size to 5GB"),
            "{}",
            d[0].help
        );
        set_parameters(&mut plan, &[("wal_keep_size", "12GB")]);
        let d = run(&KubernetesWalKeepSize, &plan);
        assert_eq!(d[0].severity, Severity::Warning, "{d:?}");
        set_parameters(&mut plan, &[("wal_keep_size", "2GB")]);
        assert!(run(&KubernetesWalKeepSize, &plan).is_empty());
    }
}
