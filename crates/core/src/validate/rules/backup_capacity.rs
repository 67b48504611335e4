//! PGP013 backup-capacity: logical dumps must fit where they are written, and
//! their schedule, retention and format must make sense.
//!
//! A dump job written to the backup volume keeps `retention ÷ interval` dumps
//! plus the one being written; each is counted as large as the databases'
//! `estimated_size` (an upper bound: the custom and directory formats
//! compress). Every job on the volume shares it.

use std::collections::BTreeSet;

use crate::model::backups::{BackupDestination, DumpFormat, LogicalBackup};
use crate::model::databases::Database;
use crate::model::units::{Bytes, Duration};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP013.
pub struct BackupCapacity;

const ID: &str = "PGP013";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "backup-capacity",
    summary: "retained dumps must fit the backup volume; dump schedules, retention and formats must make sense",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for BackupCapacity {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let mut on_volume: Vec<(usize, &LogicalBackup)> = Vec::new();
        for (i, backup) in cx.plan.backups.logical.iter().enumerate() {
            check_job(cx, i, backup, out);
            if backup.destination == BackupDestination::Volume {
                on_volume.push((i, backup));
            }
        }
        if !on_volume.is_empty() {
            check_volume(cx, &on_volume, out);
        }
    }
}

/// A duration for people: hours up to two days (`24h` rather than `1d`).
fn span(d: Duration) -> String {
    let hour = Duration::hours(1).as_millis();
    if d > Duration::ZERO && d <= Duration::days(2) && d.as_millis().is_multiple_of(hour) {
        format!("{}h", d.as_millis() / hour)
    } else {
        d.to_string()
    }
}

fn check_job(cx: &Context<'_>, i: usize, backup: &LogicalBackup, out: &mut Findings<'_>) {
    let base = format!("backups.logical[{i}]");
    let interval = backup.schedule.approximate_interval();
    if interval < Duration::hours(1) {
        out.warning(            format!("{base}.schedule"),
            format!(
                "pg_dump {} runs every {} (`{}`): each run reads every table and holds one snapshot open while it does, which holds back vacuum",
                backup.name,
                span(interval),
                backup.schedule
            ),
            "dump at most hourly; for a finer recovery point use backups.wal_archiving");
    }
    if backup.jobs > 1 && backup.format != DumpFormat::Directory {
        let format = match backup.format {
            DumpFormat::Custom => "custom",
            DumpFormat::Plain => "plain",
            DumpFormat::Directory => "directory",
        };
        out.error(            format!("{base}.jobs"),
            format!(
                "jobs: {} with the {format} format: pg_dump runs parallel jobs only with the directory format",
                backup.jobs
            ),
            "set format: directory, or jobs: 1");
    }
    if backup.retention < interval {
        out.error(            format!("{base}.retention"),
            format!(
                "retention {} is shorter than the {} between dumps of {}: each dump is deleted before the next is written, so for part of every interval no dump survives",
                span(backup.retention),
                span(interval),
                backup.name
            ),
            format!(
                "keep dumps at least one interval, e.g. retention: {} (two dumps)",
                span(Duration::millis(interval.as_millis().saturating_mul(2)))
            ));
    }
    for (k, name) in backup.databases.iter().enumerate() {
        if !cx.plan.databases.iter().any(|d| &d.name == name) {
            out.error(
                format!("{base}.databases[{k}]"),
                format!(
                    "pg_dump {} dumps database {name}, which the plan does not create",
                    backup.name
                ),
                "fix the name, or leave databases empty to dump every planned database",
            );
        }
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

/// Dumps a job keeps at once: retention ÷ interval, rounded up, plus the one
/// being written.
fn dumps_kept(backup: &LogicalBackup) -> u64 {
    let interval = backup.schedule.approximate_interval().as_millis().max(1);
    backup.retention.as_millis().div_ceil(interval).max(1) + 1
}

fn check_volume(cx: &Context<'_>, jobs: &[(usize, &LogicalBackup)], out: &mut Findings<'_>) {
    let names: Vec<String> = jobs.iter().map(|(_, b)| b.name.to_string()).collect();
    if cx.plan.platform.azure().is_some() {
        for (i, backup) in jobs {
            out.error(
                format!("backups.logical[{i}].destination"),
                format!(
                    "pg_dump {} writes to the backup volume, but an Azure Flexible Server has none",
                    backup.name
                ),
                "set destination: { blob_storage: { account, container } }",
            );
        }
        return;
    }
    let Some(volume) = cx.plan.sizing.backup_volume else {
        out.error(            "sizing.backup_volume",
            format!(
                "pg_dump {} write(s) to the backup volume, but sizing.backup_volume is not set",
                names.join(", ")
            ),
            "set sizing.backup_volume (retained dumps × database size, with headroom), or set destination: { blob_storage: { account, container } }");
        return;
    };
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
                "{} keeps {kept} dumps ({} retention ÷ {} interval, + 1 being written) × {} ({}) = {}",
                backup.name,
                span(backup.retention),
                span(backup.schedule.approximate_interval()),
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
            let interval = backup.schedule.approximate_interval();
            fixes.push(format!(
                "keep {keep} dump(s): retention: {}",
                span(Duration::millis(interval.as_millis().saturating_mul(keep)))
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
    use super::super::test_support::*;
    use super::*;
    use crate::{Database, LogicalBackup};

    fn nightly(plan: &mut crate::Plan) -> &mut LogicalBackup {
        &mut plan.backups.logical[0]
    }

    #[test]
    fn seed_000_backup_fits() {
        // 8 dumps (7 days + 1 being written) × 1 GiB = 8 GiB ≤ 10Gi.
        let d = run(&BackupCapacity, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        assert!(run(&BackupCapacity, &azure_reference_plan()).is_empty());
    }

    #[test]
    fn retained_dumps_exceed_the_volume() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].estimated_size = Some(Bytes::gib(2));
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "sizing.backup_volume");
        assert!(
            d.message.contains(
                "the 10Gi backup volume cannot hold the retained dumps: nightly keeps 8 dumps (7d retention ÷ 24h interval, + 1 being written) × 2 GiB (product_change_db 2 GiB) = 16 GiB; 16 GiB in all"
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
        weekly.retention = Duration::days(28);
        plan.backups.logical.push(weekly);
        let d = run(&BackupCapacity, &plan);
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
        let d = run(&BackupCapacity, &plan);
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
        assert!(run(&BackupCapacity, &plan).is_empty());
        nightly(&mut plan)
            .databases
            .push("reports_db".parse().unwrap());
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "backups.logical[0].databases[1]");
        assert!(
            d[0].message
                .contains("reports_db, which the plan does not create")
        );
    }

    #[test]
    fn volume_destination_needs_a_volume() {
        let mut plan = kubernetes_reference_plan();
        plan.sizing.backup_volume = None;
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.backup_volume");
        assert!(
            d[0].message
                .contains("pg_dump nightly write(s) to the backup volume")
        );
        nightly(&mut plan).destination = BackupDestination::BlobStorage {
            account: v("phonebillbackups"),
            container: v("dumps"),
        };
        assert!(run(&BackupCapacity, &plan).is_empty());

        let mut plan = azure_reference_plan();
        plan.backups.logical = kubernetes_reference_plan().backups.logical;
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "backups.logical[0].destination");
    }

    #[test]
    fn parallel_jobs_need_the_directory_format() {
        let mut plan = kubernetes_reference_plan();
        nightly(&mut plan).jobs = 4;
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "backups.logical[0].jobs");
        assert!(d[0].message.contains("jobs: 4 with the custom format"));
        nightly(&mut plan).format = DumpFormat::Directory;
        assert!(run(&BackupCapacity, &plan).is_empty());
    }

    #[test]
    fn retention_shorter_than_the_interval() {
        let mut plan = kubernetes_reference_plan();
        nightly(&mut plan).retention = Duration::hours(12);
        let d = run(&BackupCapacity, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "backups.logical[0].retention");
        assert!(
            d[0].message
                .contains("retention 12h is shorter than the 24h between dumps")
        );
        assert!(d[0].help.contains("retention: 48h"), "{}", d[0].help);
    }

    #[test]
    fn dumps_more_often_than_hourly_warn() {
        let mut plan = kubernetes_reference_plan();
        nightly(&mut plan).schedule = "*/15 * * * *".parse().unwrap();
        nightly(&mut plan).retention = Duration::hours(2);
        let d = run(&BackupCapacity, &plan);
        let w = diagnostic_at(&d, "backups.logical[0].schedule");
        assert_eq!(w.severity, Severity::Warning);
        assert!(
            w.message.contains("every 15min (`*/15 * * * *`)"),
            "{}",
            w.message
        );
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(dumps_kept(nightly(&mut plan)), 9);
    }
}
