//! PGP072 backup-volume-capacity: the dumps retained on the backup volume
//! fit it; a database without `estimated_size` makes that unknowable
//! (warning).

use std::collections::BTreeSet;

use super::on_volume;
use crate::model::backups::LogicalBackup;
use crate::model::databases::Database;
use crate::model::units::{Bytes, Interval};
use crate::validate::rules::common::span;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP072.
pub struct BackupVolumeCapacity;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP072",
    name: "backup-volume-capacity",
    summary: "the dumps retained on the backup volume (retention ÷ interval + 1, each as large as its databases) fit it",
    rationale: "A dump job keeps every dump within its retention plus the one being written. When they outgrow the volume the next dump fails half-written for lack of space — and with cleanup usually running after a successful dump, every later one fails too, while the newest good dump grows older each night.",
    examples: crate::rule_examples!("PGP072-backup-volume-capacity"),
    replaces: &["PGP013"],
};

impl Rule for BackupVolumeCapacity {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        // Dumps with no volume to go to are PGP071's.
        if cx.plan.platform.azure().is_some() {
            return;
        }
        let Some(volume) = cx.plan.sizing.backup_volume else {
            return;
        };
        let jobs = on_volume(cx);
        if jobs.is_empty() {
            return;
        }
        check_volume(cx, volume, &jobs, out);
    }
}

/// The databases a job dumps: its list, or every planned database.
fn dumped<'a>(cx: &'a Context<'_>, backup: &LogicalBackup) -> Vec<(usize, &'a Database)> {
    cx.plan
        .databases
        .iter()
        .enumerate()
        .filter(|(_, d)| backup.databases.is_empty() || backup.databases.contains(&d.name))
        .collect()
}

/// Dumps a job keeps at once: the most runs of its schedule within one
/// retention, both ends counted — the newest is being written while the
/// oldest is not yet deleted.
fn dumps_kept(backup: &LogicalBackup) -> u64 {
    backup.schedule.most_runs_within(backup.retention)
}

fn check_volume(
    cx: &Context<'_>,
    volume: Bytes,
    jobs: &[(usize, &LogicalBackup)],
    out: &mut Findings<'_>,
) {
    let mut unknown: BTreeSet<usize> = BTreeSet::new();
    let mut parts: Vec<String> = Vec::new();
    let mut total = Bytes::ZERO;
    // The smallest retention change that would fit, for a single job.
    let mut single: Option<(u64, Bytes, &LogicalBackup)> = None;
    for (_, backup) in jobs {
        let databases = dumped(cx, backup);
        let mut size = Bytes::ZERO;
        let mut sized: Vec<String> = Vec::new();
        for (d, db) in &databases {
            match db.estimated_size {
                Some(s) => {
                    size = size.saturating_add(s);
                    sized.push(format!("{} {}", db.name, s.human()));
                }
                None => {
                    unknown.insert(*d);
                }
            }
        }
        let kept = dumps_kept(backup);
        let need = size.saturating_mul(kept);
        total = total.saturating_add(need);
        if !sized.is_empty() {
            parts.push(format!(
                "{} keeps {kept} dumps (runs of `{}` within {} retention, the newest being written) × {} ({}) = {}",
                backup.name,
                backup.schedule,
                span(backup.retention),
                size.human(),
                sized.join(", "),
                need.human()
            ));
        }
        single = if jobs.len() == 1 {
            Some((kept, size, backup))
        } else {
            None
        };
    }
    for d in &unknown {
        let db = &cx.plan.databases[*d];
        out.warning(            format!("databases[{d}].estimated_size"),
            format!(
                "database {} has no estimated_size: whether its dumps fit the {} backup volume is unknown",
                db.name,
                volume.to_kubernetes()
            ),
            "set estimated_size (the size of one dump is at most the database's size)");
    }
    if total <= volume {
        return;
    }
    let suggested = Bytes::gib((total.as_u64() as f64 * 1.2 / (1u64 << 30) as f64).ceil() as u64);
    let mut fixes = vec![format!(
        "raise sizing.backup_volume to at least {} (with 20 % headroom)",
        suggested.to_kubernetes()
    )];
    if let Some((_, size, backup)) = single
        && size > Bytes::ZERO
    {
        let fit = volume.as_u64() / size.as_u64();
        if fit >= 2 {
            let keep = fit - 1;
            let interval = backup.schedule.shortest_gap();
            fixes.push(format!(
                "keep {keep} dump(s): retention: {}",
                span(Interval::millis(interval.as_millis().saturating_mul(keep)))
            ));
        }
    }
    fixes.push(
        "send the dumps to blob storage (destination: { blob_storage: { account, container } })"
            .to_owned(),
    );
    out.error(        "sizing.backup_volume",
        format!(
            "the {} backup volume cannot hold the retained dumps: {}; {} in all, counting each dump as large as its database",
            volume.to_kubernetes(),
            parts.join("; "),
            total.human()
        ),
        fixes.join("; or "));
}

#[cfg(test)]
mod tests {
    use super::super::nightly;
    use super::*;
    use crate::Database;
    use crate::validate::rules::test_support::*;

    #[test]
    fn dumps_kept_counts_the_one_being_written() {
        let mut plan = kubernetes_reference_plan();
        assert_eq!(dumps_kept(nightly(&mut plan)), 8);
        nightly(&mut plan).schedule = "*/15 * * * *".parse().unwrap();
        nightly(&mut plan).retention = Interval::hours(2);
        assert_eq!(dumps_kept(nightly(&mut plan)), 9);
    }

    #[test]
    fn seed_000_backup_fits() {
        // 8 dumps (7 days + 1 being written) × 1 GiB = 8 GiB ≤ 10Gi.
        let d = run(&BackupVolumeCapacity, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        assert!(run(&BackupVolumeCapacity, &azure_reference_plan()).is_empty());
    }

    #[test]
    fn retained_dumps_exceed_the_volume() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].estimated_size = Some(Bytes::gib(2));
        let d = run(&BackupVolumeCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "sizing.backup_volume");
        assert!(
            d.message.contains(
                "the 10Gi backup volume cannot hold the retained dumps: nightly keeps 8 dumps (runs of `0 2 * * *` within 7d retention, the newest being written) × 2 GiB (product_change_db 2 GiB) = 16 GiB; 16 GiB in all"
            ),
            "{}",
            d.message
        );
        assert!(
            d.help
                .contains("raise sizing.backup_volume to at least 20Gi"),
            "{}",
            d.help
        );
        assert!(
            d.help.contains("keep 4 dump(s): retention: 4d"),
            "{}",
            d.help
        );
        assert!(d.help.contains("blob_storage"), "{}", d.help);
    }

    #[test]
    fn every_job_on_the_volume_counts() {
        let mut plan = kubernetes_reference_plan();
        let mut weekly = plan.backups.logical[0].clone();
        weekly.name = "weekly".parse().unwrap();
        weekly.schedule = "0 3 * * 0".parse().unwrap();
        weekly.retention = Interval::days(28);
        plan.backups.logical.push(weekly);
        let d = run(&BackupVolumeCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message.contains("weekly keeps 5 dumps"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("13 GiB in all"), "{}", d[0].message);
        assert!(!d[0].help.contains("keep "), "{}", d[0].help);
    }

    #[test]
    fn unknown_sizes_warn() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].estimated_size = None;
        let d = run(&BackupVolumeCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "databases[0].estimated_size");
        assert!(
            d[0].message
                .contains("fit the 10Gi backup volume is unknown"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn only_the_listed_databases_count() {
        let mut plan = kubernetes_reference_plan();
        plan.databases.push(
            Database::builder()
                .name("archive_db".parse().unwrap())
                .owner("product_change_owner".parse().unwrap())
                .estimated_size(Bytes::gib(100))
                .build(),
        );
        nightly(&mut plan).databases = vec!["product_change_db".parse().unwrap()];
        assert!(run(&BackupVolumeCapacity, &plan).is_empty());
        // Without the list, archive_db's 8 × 100 GiB counts too.
        nightly(&mut plan).databases.clear();
        let d = run(&BackupVolumeCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "sizing.backup_volume");
        assert!(
            d[0].message.contains("archive_db 100 GiB"),
            "{}",
            d[0].message
        );
    }
}
