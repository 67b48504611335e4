//! The planner's costs by storage, checkpoint spreading and statistics by
//! workload.

use super::Derivation;
use crate::model::tuning::{StorageKind, Workload};
use crate::tuning::params::{
    CHECKPOINT_COMPLETION_TARGET, DEFAULT_STATISTICS_TARGET, EFFECTIVE_IO_CONCURRENCY,
    RANDOM_PAGE_COST,
};

pub(super) fn derive(d: &mut Derivation<'_>) {
    let storage = d.plan.tuning.storage;
    let workload = d.plan.tuning.workload;
    let storage_input = [("tuning.storage", storage.to_string())];
    d.set(
        RANDOM_PAGE_COST,
        if storage == StorageKind::Hdd {
            "4"
        } else {
            "1.1"
        },
        "4 on spinning disks, 1.1 on SSD, NVMe and SAN",
        &storage_input,
    );
    let eic = match storage {
        StorageKind::Hdd => 2,
        StorageKind::Ssd | StorageKind::Nvme => 200,
        StorageKind::San => 300,
    };
    d.set(
        EFFECTIVE_IO_CONCURRENCY,
        eic.to_string(),
        "hdd 2, ssd/nvme 200, san 300",
        &storage_input,
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
}
