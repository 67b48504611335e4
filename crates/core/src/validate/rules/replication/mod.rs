//! Replication: what the primary's settings must give its standbys and WAL
//! archiving, and what a replica needs from its own settings.

mod archive_mode;
mod replica_parameters;
mod replication_slots;
mod slot_wal_limit;
mod wal_level;
mod wal_senders;

pub use archive_mode::ArchiveMode;
pub use replica_parameters::ReplicaParameters;
pub use replication_slots::ReplicationSlots;
pub use slot_wal_limit::SlotWalLimit;
pub use wal_level::WalLevel;
pub use wal_senders::WalSenders;

use crate::tuning::Param;
use crate::validate::{Context, FieldPath};

/// What streams or archives the primary's WAL, for messages (`2 standby(s)
/// and WAL archiving`); `None` when nothing does.
fn wal_consumers(cx: &Context<'_>) -> Option<String> {
    let standbys = cx.plan.topology.standby_count();
    let archiving = cx.plan.backups.wal_archiving.is_some();
    if !cx.plan.topology.replicates() && !archiving {
        return None;
    }
    Some(match (standbys, archiving) {
        (0, _) => "WAL archiving (backups.wal_archiving)".to_owned(),
        (n, false) => format!("{n} standby(s)"),
        (n, true) => format!("{n} standby(s) and WAL archiving"),
    })
}

/// The explicit parameter, else the topology it is derived from.
fn primary_path<T>(cx: &Context<'_>, param: Param<T>) -> FieldPath {
    if cx.settings.is_set(param) {
        cx.path_of(param)
    } else {
        FieldPath::from("topology")
    }
}
