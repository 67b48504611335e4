//! Worker processes and parallel query from the CPU count (PGTune: only from
//! 4 cores up).

use super::Derivation;
use crate::model::tuning::Workload;
use crate::tuning::params::{
    MAX_PARALLEL_MAINTENANCE_WORKERS, MAX_PARALLEL_WORKERS, MAX_PARALLEL_WORKERS_PER_GATHER,
    MAX_WORKER_PROCESSES,
};

pub(super) fn derive(d: &mut Derivation<'_>) {
    let Some(cpus) = d.plan.cpus().filter(|c| *c >= 4) else {
        return;
    };
    let dw = d.plan.tuning.workload == Workload::Dw;
    let cpus = u64::from(cpus);
    let inputs = [("CPUs", cpus.to_string())];
    d.set(
        MAX_WORKER_PROCESSES,
        cpus.max(8).to_string(),
        "max(CPUs, 8)",
        &inputs,
    );
    d.set(MAX_PARALLEL_WORKERS, cpus.to_string(), "CPUs", &inputs);
    let (per_gather, formula) = if dw {
        (cpus.div_ceil(2), "CPUs / 2")
    } else {
        (cpus.div_ceil(2).min(4), "min(CPUs / 2, 4)")
    };
    d.set(
        MAX_PARALLEL_WORKERS_PER_GATHER,
        per_gather.to_string(),
        formula,
        &inputs,
    );
    d.set(
        MAX_PARALLEL_MAINTENANCE_WORKERS,
        cpus.div_ceil(2).min(4).to_string(),
        "min(CPUs / 2, 4)",
        &inputs,
    );
}
