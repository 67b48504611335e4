//! Logical backups: dump schedules, retention and formats, what they dump,
//! and where the retained dumps are written.
//!
//! A dump job written to the backup volume keeps `retention ÷ interval` dumps
//! plus the one being written; each is counted as large as the databases'
//! `estimated_size` (an upper bound: the custom and directory formats
//! compress). Every job on the volume shares it.

mod backup_volume_capacity;
mod dump_databases;
mod dump_destination;
mod dump_frequency;
mod dump_retention;
mod parallel_dump_format;

pub use backup_volume_capacity::BackupVolumeCapacity;
pub use dump_databases::DumpDatabases;
pub use dump_destination::DumpDestination;
pub use dump_frequency::DumpFrequency;
pub use dump_retention::DumpRetention;
pub use parallel_dump_format::ParallelDumpFormat;

use crate::model::backups::{BackupDestination, LogicalBackup};
use crate::validate::{Context, FieldPath};

/// Every logical backup with its path (`backups.logical[0]`).
fn dumps<'a>(cx: &'a Context<'_>) -> impl Iterator<Item = (FieldPath, &'a LogicalBackup)> + 'a {
    cx.plan.backups.logical.iter().enumerate().map(|(i, b)| {
        (
            FieldPath::root().field("backups").field("logical").index(i),
            b,
        )
    })
}

/// The logical backups written to the backup volume, with their index.
fn on_volume<'a>(cx: &'a Context<'_>) -> Vec<(usize, &'a LogicalBackup)> {
    cx.plan
        .backups
        .logical
        .iter()
        .enumerate()
        .filter(|(_, b)| b.destination == BackupDestination::Volume)
        .collect()
}

#[cfg(test)]
fn nightly(plan: &mut crate::Plan) -> &mut LogicalBackup {
    &mut plan.backups.logical[0]
}
