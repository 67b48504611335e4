//! The planner's costs by storage and data size, JIT by workload,
//! checkpoint spreading and statistics by workload.

use super::{DataSize, Derivation, data_size};
use crate::model::tuning::{StorageKind, Workload};
use crate::tuning::params::{
    CHECKPOINT_COMPLETION_TARGET, DEFAULT_STATISTICS_TARGET, EFFECTIVE_IO_CONCURRENCY, JIT,
    RANDOM_PAGE_COST,
};

pub(super) fn derive(d: &mut Derivation<'_>) {
    let storage = d.plan.tuning.storage;
    let workload = d.plan.tuning.workload;
    random_page_cost(d, storage, workload);
    let eic = match storage {
        StorageKind::Hdd => 2,
        StorageKind::Ssd => 200,
        StorageKind::San => 300,
        StorageKind::Nvme => 1000,
    };
    d.set(
        EFFECTIVE_IO_CONCURRENCY,
        eic.to_string(),
        "hdd 2, ssd 200, san 300, nvme 1000",
        &[("tuning.storage", storage.to_string())],
    );
    d.set(
        CHECKPOINT_COMPLETION_TARGET,
        "0.9",
        "0.9: spread checkpoint writes over 90% of the interval",
        &[],
    );
    d.set(
        DEFAULT_STATISTICS_TARGET,
        if workload == Workload::Dw {
            "500"
        } else {
            "100"
        },
        "500 for data warehouses, else 100",
        &[("tuning.workload", workload.to_string())],
    );
    if matches!(workload, Workload::Web | Workload::Oltp | Workload::Mixed) {
        d.set(
            JIT,
            "off",
            "off for short queries (web, oltp, mixed): compiling them costs more than it saves",
            &[("tuning.workload", workload.to_string())],
        );
    }
}

/// 1.1 when the data fits in RAM or lies on SSD, NVMe or SAN; 4 (PostgreSQL's
/// default) on spinning disks, and for a data warehouse larger than RAM,
/// where a low cost makes the planner pick index scans over large ranges
/// that sequential scans read faster.
fn random_page_cost(d: &mut Derivation<'_>, storage: StorageKind, workload: Workload) {
    let size = d
        .plan
        .memory()
        .map_or(DataSize::UpToThreeTimes, |ram| data_size(d.plan, ram));
    let (value, why) = if size == DataSize::FitsInRam {
        ("1.1", "1.1: the data fits in RAM")
    } else if storage == StorageKind::Hdd {
        ("4", "4 on spinning disks")
    } else if workload == Workload::Dw {
        (
            "4",
            "4 for a data warehouse larger than RAM: a low cost picks index scans over ranges sequential scans read faster",
        )
    } else {
        ("1.1", "1.1 on SSD, NVMe and SAN")
    };
    let fits = if size == DataSize::FitsInRam {
        "yes"
    } else {
        "no"
    };
    d.set(
        RANDOM_PAGE_COST,
        value,
        why,
        &[
            ("tuning.storage", storage.to_string()),
            ("tuning.workload", workload.to_string()),
            ("data fits in RAM", fits.to_owned()),
        ],
    );
}
