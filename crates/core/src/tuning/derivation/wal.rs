//! WAL sizes by workload, capped by the volume that holds WAL.

use super::Derivation;
use crate::model::tuning::Workload;
use crate::model::units::Bytes;
use crate::tuning::params::{MAX_WAL_SIZE, MIN_WAL_SIZE};

/// max_wal_size and min_wal_size by workload, capped to a quarter of the
/// volume that holds WAL so that a checkpoint backlog cannot fill it, and
/// min_wal_size to a quarter of max_wal_size as resolved (the plan's own, if
/// it sets one).
pub(super) fn derive(d: &mut Derivation<'_>) {
    let workload = d.plan.tuning.workload;
    let (min_wal, max_wal) = match workload {
        Workload::Web | Workload::Mixed => (Bytes::gib(1), Bytes::gib(4)),
        Workload::Oltp => (Bytes::gib(2), Bytes::gib(8)),
        Workload::Dw => (Bytes::gib(4), Bytes::gib(16)),
        Workload::Desktop => (Bytes::mib(100), Bytes::gib(2)),
    };
    let (max_wal, mut inputs) = match d.plan.wal_volume() {
        Some((volume, source)) => {
            let cap = Bytes::new(volume.as_u64() / 4)
                .round_down_to(1024 * 1024)
                .max(Bytes::mib(64));
            (max_wal.min(cap), vec![(source, volume.to_postgres())])
        }
        None => (max_wal, vec![]),
    };
    inputs.push(("tuning.workload", workload.to_string()));
    d.set(
        MAX_WAL_SIZE,
        max_wal.to_postgres(),
        "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB), at most 1/4 of the WAL volume",
        &inputs,
    );
    let max_wal = d.get(MAX_WAL_SIZE).unwrap_or(max_wal);
    let min_wal = min_wal
        .min(Bytes::new(max_wal.as_u64() / 4).round_down_to(1024 * 1024))
        .max(Bytes::mib(32));
    d.set(
        MIN_WAL_SIZE,
        min_wal.to_postgres(),
        "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB), at most 1/4 of max_wal_size",
        &inputs,
    );
}
