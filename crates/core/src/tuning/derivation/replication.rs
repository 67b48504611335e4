//! What standbys and WAL archiving need on the primary.

use super::Derivation;
use crate::model::tuning::Workload;
use crate::model::units::Interval;
use crate::tuning::params::{
    ARCHIVE_MODE, ARCHIVE_TIMEOUT, HOT_STANDBY, MAX_REPLICATION_SLOTS, MAX_WAL_SENDERS, WAL_LEVEL,
};

/// Enough senders and slots for every standby plus two spare (for a backup
/// and a rebuilt replica); archiving when the plan archives WAL.
pub(super) fn derive(d: &mut Derivation<'_>) {
    let standbys = u64::from(d.plan.topology.standby_count());
    let archiving = d.plan.backups.wal_archiving.as_ref();
    if standbys > 0 || archiving.is_some() {
        d.set(
            WAL_LEVEL,
            "replica",
            if d.plan.tuning.workload == Workload::Desktop {
                "replica: standbys and archiving need it (PGTune's desktop profile: minimal)"
            } else {
                "replica: standbys and archiving need it"
            },
            &[],
        );
    } else if d.plan.tuning.workload == Workload::Desktop && !d.plan.platform.is_managed() {
        // PGTune's desktop profile: the least WAL, no senders (a server with
        // wal_level minimal refuses to start with any).
        let inputs = [("tuning.workload", Workload::Desktop.to_string())];
        d.set(
            WAL_LEVEL,
            "minimal",
            "minimal on a desktop without standbys or archiving: the least WAL",
            &inputs,
        );
        d.set(
            MAX_WAL_SENDERS,
            "0",
            "0: wal_level minimal allows no WAL senders",
            &inputs,
        );
    }
    if standbys > 0 {
        let n = (standbys + 2).max(10);
        let inputs = [("standbys", standbys.to_string())];
        d.set(
            MAX_WAL_SENDERS,
            n.to_string(),
            "max(standbys + 2, 10)",
            &inputs,
        );
        d.set(
            MAX_REPLICATION_SLOTS,
            n.to_string(),
            "max(standbys + 2, 10)",
            &inputs,
        );
        d.set(HOT_STANDBY, "on", "on: replicas serve reads", &inputs);
    }
    if let Some(archiving) = archiving {
        d.set(
            ARCHIVE_MODE,
            "on",
            "on: backups.wal_archiving is planned",
            &[],
        );
        if let Some(t) = archiving.archive_timeout {
            d.set(
                ARCHIVE_TIMEOUT,
                // archive_timeout counts whole seconds; round up.
                Interval::seconds(t.as_millis().div_ceil(1000)).to_postgres(),
                "backups.wal_archiving.archive_timeout",
                &[],
            );
        }
    }
}
