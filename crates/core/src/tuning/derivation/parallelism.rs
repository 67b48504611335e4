//! Worker processes and parallel query from the CPU count (PGTune: only from
//! 4 cores up).

use super::Derivation;
use crate::model::tuning::Workload;
use crate::tuning::params::{
    IO_WORKERS, MAX_PARALLEL_MAINTENANCE_WORKERS, MAX_PARALLEL_WORKERS,
    MAX_PARALLEL_WORKERS_PER_GATHER, MAX_WORKER_PROCESSES,
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
        "max(CPUs, 8): parallel workers share these slots with logical replication and extensions' background workers, so PostgreSQL's 8 stays the floor (PGTune: CPUs)",
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
    // PostgreSQL 18's I/O workers, for io_method = worker (its default,
    // which pgplan keeps): a quarter of the CPUs, 3 to 32, only above 3.
    let io_workers = (cpus / 4).clamp(3, 32);
    if io_workers > 3 {
        d.set(
            IO_WORKERS,
            io_workers.to_string(),
            "CPUs / 4, from 3 to 32, for io_method = worker (PGTune picks io_uring, which needs a server built --with-liburing and syscalls container runtimes block, and sets none)",
            &inputs,
        );
    }
}
