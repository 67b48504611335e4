//! WAL sizes by workload, capped by the volume that holds WAL.

use super::Derivation;
use crate::model::tuning::Workload;
use crate::model::units::Bytes;
use crate::tuning::params::{MAX_WAL_SIZE, MIN_WAL_SIZE};

/// max_wal_size and min_wal_size by workload, capped to a quarter of the
/// volume that holds WAL so that a checkpoint backlog cannot fill it.
pub(super) fn derive(d: &mut Derivation<'_>) {
    let workload = d.plan.tuning.workload;
    let (min_wal, max_wal) = match workload {
        Workload::Web | Workload::Mixed => (Bytes::gib(1), Bytes::gib(4)),
        Workload::Oltp => (Bytes::gib(2), Bytes::gib(8)),
        Workload::Dw => (Bytes::gib(4), Bytes::gib(16)),
        Workload::Desktop => (Bytes::mib(100), Bytes::gib(2)),
    };
    let (max_wal, min_wal, mut inputs) = match d.plan.wal_volume() {
        Some((volume, source)) => {
            let cap = Bytes::new(volume.as_u64() / 4)
                .round_down_to(1024 * 1024)
                .max(Bytes::mib(64));
            let max = max_wal.min(cap);
            let min = min_wal
                .min(Bytes::new(max.as_u64() / 4).round_down_to(1024 * 1024))
                .max(Bytes::mib(32));
            (max, min, vec![(source, volume.to_postgres())])
        }
        None => (max_wal, min_wal, vec![]),
    };
    inputs.push(("tuning.workload", workload.to_string()));
    d.set(
        MAX_WAL_SIZE,
        max_wal.to_postgres(),
        "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB), at most 1/4 of the WAL volume",
        &inputs,
    );
    d.set(
        MIN_WAL_SIZE,
        min_wal.to_postgres(),
        "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB), at most 1/4 of max_wal_size",
        &inputs,
    );
}
