//! Memory from the server's RAM: shared_buffers, effective_cache_size,
//! maintenance_work_mem, wal_buffers and work_mem.

use super::Derivation;
use crate::model::tuning::Workload;
use crate::model::units::Bytes;
use crate::tuning::params::{
    EFFECTIVE_CACHE_SIZE, MAINTENANCE_WORK_MEM, MAX_CONNECTIONS, MAX_PARALLEL_WORKERS_PER_GATHER,
    SHARED_BUFFERS, WAL_BUFFERS, WORK_MEM,
};

/// PostgreSQL's page.
const PAGE: u64 = 8192;

pub(super) fn derive(d: &mut Derivation<'_>) {
    let Some(ram) = d.plan.memory() else {
        return;
    };
    let sb = caches(d, ram);
    // shared_buffers as resolved (explicit or derived) drives the rest.
    let sb = d.get(SHARED_BUFFERS).unwrap_or(sb);
    wal_buffers(d, sb);
    work_mem(d, ram, sb);
}

/// shared_buffers, effective_cache_size and maintenance_work_mem, each a
/// share of RAM; returns the derived shared_buffers.
fn caches(d: &mut Derivation<'_>, ram: Bytes) -> Bytes {
    let workload = d.plan.tuning.workload;
    let desktop = workload == Workload::Desktop;
    let memory = [d.memory_input(ram)];
    let sb = Bytes::new(ram.as_u64() / if desktop { 16 } else { 4 })
        .round_down_to(PAGE)
        .max(Bytes::kib(128));
    d.set(
        SHARED_BUFFERS,
        sb.to_postgres(),
        if desktop {
            "1/16 of RAM (desktop), in 8kB pages"
        } else {
            "25% of RAM, in 8kB pages"
        },
        &memory,
    );
    let ecs = Bytes::new(ram.as_u64() / 4 * if desktop { 1 } else { 3 }).round_down_to(PAGE);
    d.set(
        EFFECTIVE_CACHE_SIZE,
        ecs.to_postgres(),
        if desktop {
            "25% of RAM (desktop)"
        } else {
            "75% of RAM"
        },
        &memory,
    );
    let dw = workload == Workload::Dw;
    let mwm = Bytes::new(ram.as_u64() / if dw { 8 } else { 16 })
        .min(Bytes::gib(2))
        .round_down_to(1024)
        .max(Bytes::mib(1));
    d.set(
        MAINTENANCE_WORK_MEM,
        mwm.to_postgres(),
        if dw {
            "RAM / 8, at most 2GB"
        } else {
            "RAM / 16, at most 2GB"
        },
        &memory,
    );
    sb
}

fn wal_buffers(d: &mut Derivation<'_>, sb: Bytes) {
    let three_pct = Bytes::new(sb.as_u64() * 3 / 100).round_down_to(PAGE);
    let value = if three_pct > Bytes::mib(14) {
        Bytes::mib(16)
    } else {
        three_pct.max(Bytes::kib(64))
    };
    d.set(
        WAL_BUFFERS,
        value.to_postgres(),
        "3% of shared_buffers, at least 64kB, 16MB from 14MB up",
        &[("shared_buffers", sb.to_postgres())],
    );
}

/// What is left of RAM after shared_buffers, shared among connections (three
/// sort or hash operations each), parallel workers and the workload's factor.
fn work_mem(d: &mut Derivation<'_>, ram: Bytes, sb: Bytes) {
    let workload = d.plan.tuning.workload;
    let max_connections = u64::from(d.get(MAX_CONNECTIONS).unwrap_or(100).max(1));
    let per_gather = u64::from(d.get(MAX_PARALLEL_WORKERS_PER_GATHER).unwrap_or(2).max(1));
    let parallel_factor = per_gather.div_ceil(2).max(1);
    let divisor = match workload {
        Workload::Web | Workload::Oltp => 1,
        Workload::Dw | Workload::Mixed => 2,
        Workload::Desktop => 6,
    };
    let wm = Bytes::new(
        ram.saturating_sub(sb).as_u64() / (max_connections * 3) / parallel_factor / divisor,
    )
    .round_down_to(1024)
    .max(Bytes::kib(64));
    let memory = d.memory_input(ram);
    d.set(
        WORK_MEM,
        wm.to_postgres(),
        "(RAM − shared_buffers) / (max_connections × 3) / ceil(parallel workers per gather / 2) / workload factor, at least 64kB",
        &[
            memory,
            ("shared_buffers", sb.to_postgres()),
            ("max_connections", max_connections.to_string()),
            ("max_parallel_workers_per_gather", per_gather.to_string()),
            ("workload", format!("{workload} (÷{divisor})")),
        ],
    );
}
