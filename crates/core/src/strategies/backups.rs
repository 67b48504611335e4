//! Backups: logical dumps, WAL archiving, managed backups and snapshots.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::azure_names::{blob_container, region, storage_account};
use super::names::service_name;
use super::units::duration;
use super::{Profile, count, parsed};
use crate::azure_facts;
use crate::model::backups::{
    BackupDestination, CronSchedule, DumpFormat, LogicalBackup, ManagedBackups, Snapshots,
    WalArchiving,
};
use crate::model::names::{DatabaseName, RoleName, ServiceName};
use crate::model::units::Interval;

/// One cron field from `lo` to `hi`: `*`, a value, a range, a step, a list.
fn cron_field(lo: u32, hi: u32) -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("*".to_owned()),
        3 => (lo..=hi).prop_map(|n| n.to_string()),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
        1 => (1..=hi.max(1)).prop_map(|s| format!("*/{s}")),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| format!("{a},{b}")),
    ]
    .boxed()
}

/// Valid cron schedules: five checked fields or an `@` shorthand.
pub(super) fn cron_schedule() -> BoxedStrategy<CronSchedule> {
    parsed(prop_oneof![
        4 => (cron_field(0, 59), cron_field(0, 23), cron_field(1, 31), cron_field(1, 12), cron_field(0, 7))
            .prop_map(|(m, h, dom, mon, dow)| format!("{m} {h} {dom} {mon} {dow}")),
        2 => select(&["0 2 * * *", "0 3 * * 0", "*/15 * * * *", "30 1 1 * *", "0 0 * * MON-FRI"][..])
            .prop_map(str::to_owned),
        1 => select(&["@hourly", "@daily", "@weekly", "@monthly", "@yearly"][..]).prop_map(str::to_owned),
    ])
}

/// A pg_dump job with any schedule, retention, format and parallelism, of
/// databases drawn from `database`, run as a role drawn from `role`, to the
/// backup volume or to blob storage.
pub(super) fn any_logical_backup(
    database: BoxedStrategy<DatabaseName>,
    role: BoxedStrategy<RoleName>,
) -> BoxedStrategy<LogicalBackup> {
    (
        service_name(),
        cron_schedule(),
        duration(),
        vec(database, 0..=2),
        select(&[DumpFormat::Custom, DumpFormat::Directory, DumpFormat::Plain][..]),
        count(0..=8),
        prop_oneof![
            Just(BackupDestination::Volume),
            (storage_account(), blob_container()).prop_map(|(account, container)| {
                BackupDestination::BlobStorage { account, container }
            }),
        ],
        option::of(role),
    )
        .prop_map(
            |(name, schedule, retention, databases, format, jobs, destination, role)| {
                LogicalBackup {
                    name,
                    schedule,
                    retention,
                    databases,
                    format,
                    jobs,
                    destination,
                    role,
                }
            },
        )
        .boxed()
}

/// A daily dump of every database to the backup volume, kept a week.
pub(super) fn daily_dump() -> Option<LogicalBackup> {
    let name = ServiceName::new("daily").ok()?;
    let schedule = CronSchedule::new("0 2 * * *").ok()?;
    Some(LogicalBackup {
        name,
        schedule,
        retention: Interval::days(7),
        databases: Vec::new(),
        format: DumpFormat::default(),
        jobs: 1,
        destination: BackupDestination::default(),
        role: None,
    })
}

/// WAL archiving to a path, a bucket or a storage account.
pub(super) fn wal_archiving(profile: Profile) -> BoxedStrategy<WalArchiving> {
    let (retention, timeout) = match profile {
        Profile::Reasonable => (
            select(&[7u64, 14, 30][..]).prop_map(Interval::days).boxed(),
            option::of(select(&[60u64, 300][..]).prop_map(Interval::seconds)).boxed(),
        ),
        Profile::Any => (duration(), option::of(duration()).boxed()),
    };
    (
        retention,
        select(&["/archive", "s3://backups/wal", "azure://account/wal"][..]),
        timeout,
    )
        .prop_map(|(retention, destination, archive_timeout)| WalArchiving {
            retention,
            destination: destination.to_owned(),
            archive_timeout,
        })
        .boxed()
}

/// A week of WAL archived to `/archive`.
pub(super) fn default_wal_archiving() -> WalArchiving {
    WalArchiving {
        retention: Interval::days(7),
        destination: "/archive".to_owned(),
        archive_timeout: None,
    }
}

/// Managed backups. `Reasonable` keeps them within Azure's retention range
/// ([`azure_facts::BACKUP_RETENTION_DAYS`]); `Any` draws retentions in and
/// out of it, geo-redundancy to regions that may not be the pair, and point
/// in time restore off.
pub(super) fn managed_backups(profile: Profile) -> BoxedStrategy<ManagedBackups> {
    let (min_days, max_days) = azure_facts::BACKUP_RETENTION_DAYS;
    match profile {
        Profile::Reasonable => (min_days..=max_days)
            .prop_map(|retention_days| ManagedBackups {
                retention_days,
                geo_redundant: false,
                geo_region: None,
                point_in_time: true,
                window: None,
            })
            .boxed(),
        // Regions were drawn as text (`atlantis`, …); see `region` for what
        // a `Region` can no longer hold.
        Profile::Any => (
            prop_oneof![0u16..=max_days.saturating_mul(2), any::<u16>()],
            any::<bool>(),
            option::of(region(Profile::Any)),
            any::<bool>(),
            option::of(Just("02:00 KST".to_owned())),
        )
            .prop_map(
                |(retention_days, geo_redundant, geo_region, point_in_time, window)| {
                    ManagedBackups {
                        retention_days,
                        geo_redundant,
                        geo_region,
                        point_in_time,
                        window,
                    }
                },
            )
            .boxed(),
    }
}

/// Volume snapshots, scheduled or taken by hand, kept any time.
pub(super) fn snapshots() -> BoxedStrategy<Snapshots> {
    (option::of(cron_schedule()), option::of(duration()))
        .prop_map(|(schedule, retention)| Snapshots {
            schedule,
            retention,
            ..Snapshots::default()
        })
        .boxed()
}

/// The recovery point a plan's backups reach: minutes with managed backups
/// or WAL archiving, a day with dumps alone.
pub(super) fn reachable_rpo(managed_or_wal: bool, dumps: bool) -> Option<Interval> {
    if managed_or_wal {
        Some(Interval::minutes(15))
    } else if dumps {
        Some(Interval::days(1))
    } else {
        None
    }
}
