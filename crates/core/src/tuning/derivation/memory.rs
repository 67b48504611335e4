//! Memory from the server's RAM: shared_buffers, effective_cache_size,
//! maintenance_work_mem, autovacuum_work_mem, wal_buffers, work_mem and
//! huge_pages — PGTune's formulas, with the deviations `super::pgtune`
//! lists.

use super::{DataSize, Derivation, data_size};
use crate::azure_facts;
use crate::model::platform::Platform;
use crate::model::tuning::Workload;
use crate::model::units::Bytes;
use crate::tuning::OrUnset;
use crate::tuning::params::{
    AUTOVACUUM_MAX_WORKERS, AUTOVACUUM_WORK_MEM, EFFECTIVE_CACHE_SIZE, HUGE_PAGES,
    MAINTENANCE_WORK_MEM, MAX_CONNECTIONS, MAX_PARALLEL_WORKERS, SHARED_BUFFERS, WAL_BUFFERS,
    WORK_MEM,
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
    huge_pages(d, sb);
    work_mem(d, ram, sb);
    autovacuum(d, ram, sb);
}

/// shared_buffers, effective_cache_size and maintenance_work_mem, each a
/// share of RAM; returns the derived shared_buffers.
fn caches(d: &mut Derivation<'_>, ram: Bytes) -> Bytes {
    let workload = d.plan.tuning.workload;
    let desktop = workload == Workload::Desktop;
    let memory = [d.memory_input(ram)];
    let mut sb = Bytes::new(ram.as_u64() / if desktop { 16 } else { 4 })
        .round_down_to(PAGE)
        .max(Bytes::kib(128));
    let mut formula = if desktop {
        "1/16 of RAM (desktop), in 8kB pages".to_owned()
    } else {
        "25% of RAM, in 8kB pages".to_owned()
    };
    if let Platform::Azure(_) = d.plan.platform {
        // Azure refuses shared_buffers outside 10–75 % of the SKU's memory:
        // the desktop share (6.25 %) is raised to the lowest it accepts.
        let (lo, _) = azure_facts::SHARED_BUFFERS_PERCENT_RANGE;
        let floor = Bytes::new((u128::from(ram.as_u64()) * u128::from(lo)).div_ceil(100) as u64)
            .as_u64()
            .div_ceil(PAGE)
            * PAGE;
        if sb.as_u64() < floor {
            sb = Bytes::new(floor);
            formula = format!("{formula}; at least Azure's {lo} % of memory (PGTune: 1/16)");
        }
    }
    d.set(SHARED_BUFFERS, sb.to_postgres(), &formula, &memory);
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
        .min(Bytes::gib(8))
        .round_down_to(1024)
        .max(Bytes::mib(1));
    d.set(
        MAINTENANCE_WORK_MEM,
        mwm.to_postgres(),
        if dw {
            "RAM / 8, at most 8GB"
        } else {
            "RAM / 16, at most 8GB"
        },
        &memory,
    );
    sb
}

/// PGTune: 3 % of shared_buffers in kB, at least 32kB, 16MB from 14MB up.
/// The kB figure is written as is; the server rounds it to its 8kB pages.
fn wal_buffers(d: &mut Derivation<'_>, sb: Bytes) {
    let three_pct_kb = sb.as_kib() * 3 / 100;
    let value = if three_pct_kb > 14 * 1024 {
        Bytes::mib(16)
    } else {
        Bytes::kib(three_pct_kb.max(32))
    };
    d.set(
        WAL_BUFFERS,
        value.to_postgres(),
        "3% of shared_buffers, at least 32kB, 16MB from 14MB up",
        &[("shared_buffers", sb.to_postgres())],
    );
}

/// `try` from 2GB of shared_buffers up, else `off` (PGTune) — but not where
/// the platform decides: a Kubernetes pod gets huge pages only by requesting
/// `hugepages-2Mi`, which pgplan's pods do not, and Azure allocates them
/// itself.
fn huge_pages(d: &mut Derivation<'_>, sb: Bytes) {
    let inputs = [("shared_buffers", sb.to_postgres())];
    match d.plan.platform {
        Platform::Azure(_) => {}
        Platform::Kubernetes(_) => d.set(
            HUGE_PAGES,
            "off",
            "off: the pod requests no hugepages-2Mi, and with `try` PostgreSQL can still map huge pages the node has and be killed (SIGBUS) when the pod's hugetlb limit of 0 is hit (PGTune: try from 2GB of shared_buffers)",
            &inputs,
        ),
        Platform::Local(_) => d.set(
            HUGE_PAGES,
            if sb >= Bytes::gib(2) { "try" } else { "off" },
            "try from 2GB of shared_buffers up, else off",
            &inputs,
        ),
    }
}

/// PGTune: more autovacuum workers on many CPUs, and each worker's memory
/// capped at 2GB once maintenance_work_mem reaches it — and lower, when
/// the workers' memory would not fit what shared_buffers, the connections'
/// work_mem and maintenance_work_mem leave (PGP002's budget): a value pgplan
/// derives must not fail pgplan's own check.
fn autovacuum(d: &mut Derivation<'_>, ram: Bytes, sb: Bytes) {
    if let Some(cpus) = d.plan.cpus() {
        let workers = match cpus {
            32.. => Some(5),
            16.. => Some(4),
            _ => None,
        };
        if let Some(workers) = workers {
            d.set(
                AUTOVACUUM_MAX_WORKERS,
                workers.to_string(),
                "4 from 16 CPUs, 5 from 32 (PostgreSQL's 3 below)",
                &[("CPUs", cpus.to_string())],
            );
        }
    }
    let Some(mwm) = d.get(MAINTENANCE_WORK_MEM) else {
        return;
    };
    let pgtune = (mwm >= Bytes::gib(2)).then(|| Bytes::gib(2));
    // What each worker may have once everything else has its share.
    let workers = u64::from(d.get(AUTOVACUUM_MAX_WORKERS).unwrap_or(3).max(1));
    let connections = u64::from(d.get(MAX_CONNECTIONS).unwrap_or(100));
    let work_mem = d.get(WORK_MEM).unwrap_or(Bytes::mib(4));
    let wal_buffers = match d.get(WAL_BUFFERS) {
        Some(OrUnset::Value(b)) => b,
        _ => Bytes::mib(16),
    };
    let used = sb
        .saturating_add(work_mem.saturating_mul(connections))
        .saturating_add(mwm)
        .saturating_add(wal_buffers);
    let room = Bytes::new(ram.saturating_sub(used).as_u64() / workers).round_down_to(1024 * 1024);
    let wanted = pgtune.unwrap_or(mwm);
    let inputs = [
        ("maintenance_work_mem", mwm.to_postgres()),
        ("autovacuum_max_workers", workers.to_string()),
    ];
    if wanted > room && room >= Bytes::mib(1) {
        d.set(
            AUTOVACUUM_WORK_MEM,
            room.to_postgres(),
            &format!(
                "what is left of RAM per autovacuum worker after shared_buffers, max_connections × work_mem and maintenance_work_mem, so that the memory budget fits (PGTune: {})",
                pgtune.map_or_else(|| "maintenance_work_mem".to_owned(), Bytes::to_postgres)
            ),
            &inputs,
        );
    } else if let Some(value) = pgtune {
        d.set(
            AUTOVACUUM_WORK_MEM,
            value.to_postgres(),
            "2GB once maintenance_work_mem reaches it: each autovacuum worker would otherwise take maintenance_work_mem",
            &inputs,
        );
    }
}

/// PGTune: what is left of RAM after shared_buffers, shared among the
/// connections and parallel workers (three sort or hash operations each),
/// divided by the workload's factor and scaled by the data's size against
/// RAM, at least 4MB.
fn work_mem(d: &mut Derivation<'_>, ram: Bytes, sb: Bytes) {
    let workload = d.plan.tuning.workload;
    let max_connections = u64::from(d.get(MAX_CONNECTIONS).unwrap_or(100).max(1));
    // Parallel workers allocate work_mem too: PGTune counts its
    // max_worker_processes, which it sets to the CPUs (from 4 CPUs up) and
    // otherwise leaves at 8 — the same number as max_parallel_workers here.
    let workers = u64::from(d.get(MAX_PARALLEL_WORKERS).unwrap_or(8));
    let divisor = match workload {
        Workload::Web | Workload::Oltp => 1,
        Workload::Dw | Workload::Mixed => 2,
        Workload::Desktop => 6,
    };
    let left = ram.saturating_sub(sb);
    let per_operation =
        left.as_kib() as f64 / ((max_connections + workers) * 3) as f64 / divisor as f64;
    let per_operation = per_operation.floor();
    let (data, factor, factor_text) = match data_size(d.plan, ram) {
        DataSize::FitsInRam => ("less than RAM", 1.3, " × 1.3"),
        DataSize::UpToThreeTimes => ("1–3 × RAM", 1.0, ""),
        DataSize::MoreThanThreeTimes => ("more than 3 × RAM", 0.9, " × 0.9"),
    };
    let mut kb = (per_operation * factor).floor() as u64;
    let mut formula = format!(
        "(RAM − shared_buffers) / ((max_connections + max_parallel_workers) × 3) / workload factor{factor_text}, at least 4MB"
    );
    let floor = Bytes::mib(4);
    if Bytes::kib(kb) < floor {
        // PGTune's 4MB floor, unless every connection using it at once
        // would not fit the memory shared_buffers leaves.
        if floor.saturating_mul(max_connections) <= left || d.plan.platform.is_managed() {
            kb = floor.as_kib();
        } else {
            kb = kb.max(64);
            formula = format!(
                "{formula} — unless max_connections × 4MB exceeds RAM − shared_buffers, as here (PGTune: 4MB regardless)"
            );
        }
    }
    let memory = d.memory_input(ram);
    d.set(
        WORK_MEM,
        Bytes::kib(kb).to_postgres(),
        &formula,
        &[
            memory,
            ("shared_buffers", sb.to_postgres()),
            ("max_connections", max_connections.to_string()),
            ("max_parallel_workers", workers.to_string()),
            ("workload", format!("{workload} (÷{divisor})")),
            ("data size", data.to_owned()),
        ],
    );
}
