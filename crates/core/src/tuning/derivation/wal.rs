//! WAL sizes by workload, capped by the volume that holds WAL, and WAL
//! compression by what the server's build has.

use super::Derivation;
use crate::kubernetes_facts;
use crate::model::platform::Platform;
use crate::model::tuning::Workload;
use crate::model::units::Bytes;
use crate::tuning::params::{MAX_WAL_SIZE, MIN_WAL_SIZE, WAL_COMPRESSION};

/// max_wal_size and min_wal_size by workload, capped to a quarter of the
/// volume that holds WAL so that a checkpoint backlog cannot fill it, and
/// min_wal_size to a quarter of max_wal_size as resolved (the plan's own, if
/// it sets one).
pub(super) fn derive(d: &mut Derivation<'_>) {
    sizes(d);
    compression(d);
}

fn sizes(d: &mut Derivation<'_>) {
    let workload = d.plan.tuning.workload;
    let (min_wal, max_wal) = match workload {
        Workload::Web | Workload::Mixed => (Bytes::gib(1), Bytes::gib(4)),
        Workload::Oltp => (Bytes::gib(2), Bytes::gib(8)),
        Workload::Dw => (Bytes::gib(4), Bytes::gib(16)),
        Workload::Desktop => (Bytes::mib(100), Bytes::gib(2)),
    };
    let by_workload = max_wal;
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
    let capped = max_wal < by_workload;
    let max_formula = if capped {
        format!(
            "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB), at most 1/4 of the WAL volume: WAL can outgrow max_wal_size, and a full volume stops the server (PGTune: {})",
            by_workload.to_postgres()
        )
    } else {
        "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB), at most 1/4 of the WAL volume"
            .to_owned()
    };
    d.set(MAX_WAL_SIZE, max_wal.to_postgres(), &max_formula, &inputs);
    let max_wal = d.get(MAX_WAL_SIZE).unwrap_or(max_wal);
    let capped_min = min_wal
        .min(Bytes::new(max_wal.as_u64() / 4).round_down_to(1024 * 1024))
        .max(Bytes::mib(32));
    let min_formula = if capped_min != min_wal {
        format!(
            "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB), at most 1/4 of max_wal_size, which it must stay below (PGTune: {})",
            min_wal.to_postgres()
        )
    } else {
        "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB), at most 1/4 of max_wal_size"
            .to_owned()
    };
    d.set(
        MIN_WAL_SIZE,
        capped_min.to_postgres(),
        &min_formula,
        &inputs,
    );
}

/// Full-page images compressed: `on` (pglz) in 14; from 15 lz4, which is
/// much cheaper on CPU — but only where the server is known to be built
/// `--with-lz4` (the official image), since a server built without it
/// refuses the value. Elsewhere pglz, which every build has.
fn compression(d: &mut Derivation<'_>) {
    // Azure documents no wal_compression values to rely on: the service's
    // setting stays.
    if d.plan.platform.is_managed() {
        return;
    }
    let major = d.plan.version.get();
    if major < 15 {
        d.set(
            WAL_COMPRESSION,
            "on",
            "on (pglz): full-page images take less WAL for a little CPU",
            &[],
        );
        return;
    }
    let lz4 = match &d.plan.platform {
        Platform::Kubernetes(k) => kubernetes_facts::image_has_lz4(&k.image),
        _ => false,
    };
    if lz4 {
        d.set(
            WAL_COMPRESSION,
            "lz4",
            "lz4: full-page images take less WAL, at less CPU than pglz; the official image is built --with-lz4",
            &[("platform.kubernetes.image", d.plan.platform.kubernetes().map(|k| k.image.to_string()).unwrap_or_default())],
        );
    } else {
        d.set(
            WAL_COMPRESSION,
            "pglz",
            "pglz: full-page images take less WAL; lz4 costs less CPU but needs a server built --with-lz4, which this platform's build is not known to be (PGTune: lz4 from 15)",
            &[("platform", d.plan.platform.kind().to_owned())],
        );
    }
}
