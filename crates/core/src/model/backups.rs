//! Backups: logical dumps, WAL archiving, managed backups and snapshots.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use typed_builder::TypedBuilder;

use super::azure_names::{BlobContainerName, Region, StorageAccountName};
use super::names::{DatabaseName, RoleName, ServiceName};
use super::units::Interval;

/// A five-field cron schedule (`0 2 * * *`), checked field by field, or one of
/// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
///
/// ```
/// use pgplan_core::CronSchedule;
/// assert!("0 2 * * *".parse::<CronSchedule>().is_ok());
/// assert!("0 3 * * SUN".parse::<CronSchedule>().is_ok());
/// let e = "0 25 * * *".parse::<CronSchedule>().unwrap_err();
/// assert!(e.to_string().contains("hour"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CronSchedule(String);

/// An invalid cron schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron schedule `{input}`: {reason}")]
pub struct CronError {
    /// The schedule.
    pub input: String,
    /// What is wrong.
    pub reason: String,
}

const CRON_FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ),
];

impl CronSchedule {
    /// Checks and wraps a schedule.
    pub fn new(s: impl Into<String>) -> Result<Self, CronError> {
        let s: String = s.into();
        let err = |reason: String| CronError {
            input: s.clone(),
            reason,
        };
        let trimmed = s.trim();
        if trimmed.starts_with('@') {
            return match trimmed {
                "@hourly" | "@daily" | "@midnight" | "@weekly" | "@monthly" | "@yearly"
                | "@annually" => Ok(CronSchedule(trimmed.to_owned())),
                _ => Err(err(
                    "use @hourly, @daily, @weekly, @monthly or @yearly".into()
                )),
            };
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            )));
        }
        for (field, (name, lo, hi, names)) in fields.iter().zip(CRON_FIELDS) {
            check_cron_field(field, name, lo, hi, names).map_err(err)?;
        }
        Ok(CronSchedule(fields.join(" ")))
    }
    /// The schedule text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// How often the schedule fires, roughly: the interval used for RPO
    /// estimates (daily for `0 2 * * *`, weekly for `0 3 * * 0`).
    pub fn approximate_interval(&self) -> Interval {
        match self.0.as_str() {
            "@hourly" => return Interval::hours(1),
            "@daily" | "@midnight" => return Interval::days(1),
            "@weekly" => return Interval::days(7),
            "@monthly" => return Interval::days(31),
            "@yearly" | "@annually" => return Interval::days(366),
            _ => {}
        }
        let f: Vec<&str> = self.0.split_whitespace().collect();
        let count = |field: &str, lo: u32, hi: u32| -> u64 {
            if field == "*" {
                return u64::from(hi - lo + 1);
            }
            field
                .split(',')
                .map(|part| {
                    let (range, step) = part.split_once('/').unwrap_or((part, "1"));
                    let step: u64 = step.parse().unwrap_or(1).max(1);
                    let span = if range == "*" {
                        u64::from(hi - lo + 1)
                    } else if let Some((a, b)) = range.split_once('-') {
                        let a: u64 = a.parse().unwrap_or(0);
                        let b: u64 = b.parse().unwrap_or(a);
                        b.saturating_sub(a) + 1
                    } else {
                        1
                    };
                    span.div_ceil(step)
                })
                .sum::<u64>()
                .max(1)
        };
        if f[4] != "*" || f[2] != "*" || f[3] != "*" {
            if f[3] != "*" {
                return Interval::days(366 / count(f[3], 1, 12).max(1));
            }
            if f[2] != "*" {
                return Interval::days(31 / count(f[2], 1, 31).max(1));
            }
            return Interval::days(7 / count(f[4], 0, 6).clamp(1, 7));
        }
        let per_day = count(f[1], 0, 23) * count(f[0], 0, 59);
        Interval::millis(86_400_000 / per_day.max(1))
    }
}

fn check_cron_field(
    field: &str,
    name: &str,
    lo: u32,
    hi: u32,
    names: &[&str],
) -> Result<(), String> {
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            // Month names start at 1, weekday names at 0.
            return Ok(i as u32 + lo);
        }
        let n: u32 = v
            .parse()
            .map_err(|_| format!("{name} `{v}` is not a number"))?;
        if n < lo || n > hi {
            return Err(format!("{name} {n} is outside {lo}–{hi}"));
        }
        Ok(n)
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = step {
            let n: u32 = s
                .parse()
                .map_err(|_| format!("{name} step `{s}` is not a number"))?;
            if n == 0 {
                return Err(format!("{name} step cannot be 0"));
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a)?, value(b)?);
                if a > b {
                    return Err(format!("{name} range {a}-{b} runs backwards"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for CronSchedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CronSchedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

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

super::input::text_input!(CronSchedule);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_fields_are_checked() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 JAN-JUN *",
            "30 3 * * MON-FRI",
            "@weekly",
            "0 3 * * 7",
        ] {
            assert!(CronSchedule::new(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("0 2 * *", "expected 5 fields"),
            ("60 * * * *", "minute 60"),
            ("0 2 32 * *", "day of month 32"),
            ("0 2 * * FUNDAY", "not a number"),
            ("*/0 * * * *", "step cannot be 0"),
            ("0 5-2 * * *", "backwards"),
            ("@sometimes", "@hourly"),
        ] {
            let e = CronSchedule::new(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn cron_intervals() {
        assert_eq!(
            CronSchedule::new("0 2 * * *")
                .unwrap()
                .approximate_interval(),
            Interval::days(1)
        );
        assert_eq!(
            CronSchedule::new("0 3 * * 0")
                .unwrap()
                .approximate_interval(),
            Interval::days(7)
        );
        assert_eq!(
            CronSchedule::new("*/15 * * * *")
                .unwrap()
                .approximate_interval(),
            Interval::minutes(15)
        );
        assert_eq!(
            CronSchedule::new("0 * * * *")
                .unwrap()
                .approximate_interval(),
            Interval::hours(1)
        );
    }
}
