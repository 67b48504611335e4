//! Backups: logical dumps, WAL archiving, managed backups and snapshots.

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::azure_names::{BlobContainerName, Region, StorageAccountName};
use super::names::{DatabaseName, RoleName, ServiceName};
use super::units::Interval;

pub use super::cron::{CronError, CronSchedule};

/// pg_dump output format.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DumpFormat {
    /// Custom format (compressed, restorable selectively, verifiable with pg_restore --list).
    #[default]
    Custom,
    /// Directory format (parallel dumps).
    Directory,
    /// Plain SQL.
    Plain,
}

/// Where dumps go.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupDestination {
    /// The backup volume (`sizing.backup_volume`).
    #[default]
    Volume,
    /// Object storage.
    BlobStorage {
        /// Storage account.
        account: StorageAccountName,
        /// Container.
        container: BlobContainerName,
    },
}

/// A scheduled logical backup (pg_dump).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct LogicalBackup {
    /// Name (the CronJob's suffix).
    pub name: ServiceName,
    /// When it runs.
    pub schedule: CronSchedule,
    /// How long dumps are kept.
    pub retention: Interval,
    /// Databases dumped; every planned database when empty.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<DatabaseName>,
    /// Format.
    #[builder(default)]
    #[serde(default)]
    pub format: DumpFormat,
    /// Parallel jobs (directory format), each one connection.
    #[builder(default = 1)]
    #[serde(default = "one")]
    pub jobs: u32,
    /// Where dumps go.
    #[builder(default)]
    #[serde(default)]
    pub destination: BackupDestination,
    /// Role that runs pg_dump.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
}

fn one() -> u32 {
    1
}

/// Continuous WAL archiving.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct WalArchiving {
    /// How long archived WAL is kept.
    pub retention: Interval,
    /// Where WAL goes (a path, bucket or tool target).
    #[builder(setter(into))]
    pub destination: String,
    /// Force a segment switch at least this often (bounds the RPO when idle).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_timeout: Option<Interval>,
}

/// Backups taken by a managed service (Azure).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct ManagedBackups {
    /// Retention in days (Azure: 7–35).
    pub retention_days: u16,
    /// Geo-redundant backup storage (Azure: only at server creation).
    #[builder(default)]
    #[serde(default)]
    pub geo_redundant: bool,
    /// Region the geo-redundant copy lives in (must be the paired region).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_region: Option<Region>,
    /// Point-in-time restore within the retention.
    #[builder(default = true)]
    #[serde(default = "yes")]
    pub point_in_time: bool,
    /// Preferred backup window, for documents (`02:00 KST`).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
}

fn yes() -> bool {
    true
}

/// Volume snapshots.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Snapshots {
    /// Schedule; taken by hand when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<CronSchedule>,
    /// Retention.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Interval>,
}

/// Every backup method of the plan.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Backups {
    /// Scheduled pg_dump runs.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical: Vec<LogicalBackup>,
    /// WAL archiving.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_archiving: Option<WalArchiving>,
    /// Managed backups.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<ManagedBackups>,
    /// Snapshots.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<Snapshots>,
}
