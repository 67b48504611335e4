//! PGTune's calculator (le0pard/pgtune, `configurationSlice.js`) as a
//! reference: what it prints for a hardware and workload case, written from
//! its formulas, and pgplan's settings for the same case compared with it the
//! way the server reads both.
//!
//! Shared by `tests/pgtune_parity.rs` and `examples/pgtune_parity.rs`.

#![allow(dead_code)]

use std::collections::BTreeMap;

use pgplan_core::tuning::Provenance;
use pgplan_core::{Catalog, Plan};

/// PGTune's "Total Data Size" against RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSize {
    /// Less than RAM.
    Less,
    /// 1–3 × RAM (PGTune's default).
    Mid,
    /// More than 3 × RAM.
    Greater,
}

/// One input of the calculator (Linux, memory in GB).
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub version: u16,
    /// `web`, `oltp`, `dw`, `desktop` or `mixed`.
    pub workload: &'static str,
    pub ram_gb: u64,
    pub cpus: u32,
    pub connections: u32,
    /// `ssd`, `hdd`, `san` or `nvme`.
    pub storage: &'static str,
    pub data: DataSize,
}

const KB_PER_MB: u64 = 1024;
const KB_PER_GB: u64 = 1024 * 1024;

/// PGTune's `formatValue`: GB or MB when the kB figure divides exactly.
fn format_kb(kb: u64) -> String {
    if kb.is_multiple_of(KB_PER_GB) {
        format!("{}GB", kb / KB_PER_GB)
    } else if kb.is_multiple_of(KB_PER_MB) {
        format!("{}MB", kb / KB_PER_MB)
    } else {
        format!("{kb}kB")
    }
}

/// What PGTune prints for a case: parameter → value, as in its
/// postgresql.conf output (Linux).
pub fn pgtune(c: &Case) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let total_kb = c.ram_gb * KB_PER_GB;
    let (web, oltp, dw, desktop, mixed) = (
        c.workload == "web",
        c.workload == "oltp",
        c.workload == "dw",
        c.workload == "desktop",
        c.workload == "mixed",
    );
    out.insert("max_connections", c.connections.to_string());
    let sb = if desktop { total_kb / 16 } else { total_kb / 4 };
    out.insert("shared_buffers", format_kb(sb));
    let ecs = if desktop {
        total_kb / 4
    } else {
        total_kb * 3 / 4
    };
    out.insert("effective_cache_size", format_kb(ecs));
    let mut mwm = if dw { total_kb / 8 } else { total_kb / 16 };
    mwm = mwm.min(8 * KB_PER_GB);
    out.insert("maintenance_work_mem", format_kb(mwm));
    out.insert("checkpoint_completion_target", "0.9".into());
    let mut wal_buffers = 3 * sb / 100;
    wal_buffers = wal_buffers.min(16 * KB_PER_MB);
    if wal_buffers > 14 * KB_PER_MB && wal_buffers < 16 * KB_PER_MB {
        wal_buffers = 16 * KB_PER_MB;
    }
    wal_buffers = wal_buffers.max(32);
    out.insert("wal_buffers", format_kb(wal_buffers));
    out.insert(
        "default_statistics_target",
        if dw { "500" } else { "100" }.into(),
    );
    let random_page_cost = if c.data == DataSize::Less {
        "1.1"
    } else if c.storage == "hdd" || dw {
        "4"
    } else {
        "1.1"
    };
    out.insert("random_page_cost", random_page_cost.into());
    let eic = match c.storage {
        "hdd" => 2,
        "ssd" => 200,
        "san" => 300,
        _ => 1000,
    };
    out.insert("effective_io_concurrency", eic.to_string());
    // Parallel settings from 4 CPUs.
    let parallel = c.cpus >= 4;
    let workers_for_work_mem = if parallel { u64::from(c.cpus) } else { 8 };
    let wm_value =
        (total_kb - sb) as f64 / ((u64::from(c.connections) + workers_for_work_mem) * 3) as f64;
    let mut wm = if dw || mixed {
        (wm_value / 2.0).floor()
    } else if desktop {
        (wm_value / 6.0).floor()
    } else {
        wm_value.floor()
    } as u64;
    match c.data {
        DataSize::Less => wm = (wm as f64 * 1.3).floor() as u64,
        DataSize::Greater => wm = (wm as f64 * 0.9).floor() as u64,
        DataSize::Mid => {}
    }
    wm = wm.max(4 * KB_PER_MB);
    out.insert("work_mem", format_kb(wm));
    out.insert(
        "huge_pages",
        if sb >= 2 * KB_PER_GB { "try" } else { "off" }.into(),
    );
    if web || oltp || mixed {
        out.insert("jit", "off".into());
    }
    out.insert(
        "wal_compression",
        if c.version >= 15 { "lz4" } else { "on" }.into(),
    );
    if c.cpus >= 32 {
        out.insert("autovacuum_max_workers", "5".into());
    } else if c.cpus >= 16 {
        out.insert("autovacuum_max_workers", "4".into());
    }
    if mwm >= 2 * KB_PER_GB {
        out.insert("autovacuum_work_mem", format_kb(2 * KB_PER_GB));
    }
    if c.version >= 18 {
        // io_uring on Linux, so no io_workers.
        out.insert("io_method", "io_uring".into());
    }
    let (min_wal, max_wal) = match c.workload {
        "web" | "mixed" => (1024, 4096),
        "oltp" => (2048, 8192),
        "dw" => (4096, 16384),
        _ => (100, 2048),
    };
    out.insert("min_wal_size", format_kb(min_wal * KB_PER_MB));
    out.insert("max_wal_size", format_kb(max_wal * KB_PER_MB));
    if parallel {
        let mut per_gather = c.cpus.div_ceil(2);
        if !dw {
            per_gather = per_gather.min(4);
        }
        out.insert("max_worker_processes", c.cpus.to_string());
        out.insert("max_parallel_workers_per_gather", per_gather.to_string());
        out.insert("max_parallel_workers", c.cpus.to_string());
        out.insert(
            "max_parallel_maintenance_workers",
            c.cpus.div_ceil(2).min(4).to_string(),
        );
    }
    if desktop {
        out.insert("wal_level", "minimal".into());
        out.insert("max_wal_senders", "0".into());
    }
    out
}

/// The same case as a pgplan plan on this machine: the memory, CPUs,
/// workload, storage and connections PGTune is given, and a database of a
/// size that puts the data in the same class.
pub fn plan(c: &Case) -> Plan {
    let database = match c.data {
        DataSize::Less => format!(
            "databases: [{{ name: app, owner: app_owner, estimated_size: {}Mi }}]\n",
            c.ram_gb * 512
        ),
        DataSize::Greater => format!(
            "databases: [{{ name: app, owner: app_owner, estimated_size: {}Gi }}]\n",
            c.ram_gb * 4
        ),
        DataSize::Mid => String::new(),
    };
    let yaml = format!(
        "service: parity
environment: production
version: {}
platform: {{ local: {{}} }}
sizing: {{ memory: {{ request: {}Gi }}, cpu: {{ request: {} }} }}
tuning: {{ workload: {}, storage: {}, parameters: {{ max_connections: {} }} }}
{database}",
        c.version, c.ram_gb, c.cpus, c.workload, c.storage, c.connections
    );
    Plan::from_yaml(&yaml).unwrap_or_else(|e| panic!("{yaml}\n{e}"))
}

/// How pgplan's value of one parameter compares with PGTune's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The server reads both the same.
    Equal,
    /// Different, and pgplan says why: the derivation's formula names
    /// PGTune's value, or the parameter is in pgplan's list of deliberate
    /// deviations.
    Explained(String),
    /// Different without a stated reason.
    Unexplained,
}

/// One parameter of one case.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub parameter: &'static str,
    pub pgtune: String,
    pub pgplan: String,
    pub verdict: Verdict,
}

/// Two values as the server reads them (`4096kB` = `4MB`, `on` = `true`).
fn same_value(catalog: &Catalog, name: &str, a: &str, b: &str) -> bool {
    match catalog.get(name) {
        Some(spec) => match (spec.parse_value(a), spec.parse_value(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        },
        None => a == b,
    }
}

/// pgplan's settings against PGTune's for a plan, parameter by parameter.
/// `explained` says whether pgplan documents a deviation for a parameter.
pub fn compare(
    plan: &Plan,
    expected: &BTreeMap<&'static str, String>,
    explained: impl Fn(&str) -> Option<String>,
) -> Vec<Comparison> {
    let settings = plan.settings();
    let catalog = Catalog::for_major(plan.version.get()).unwrap();
    expected
        .iter()
        .map(|(name, pgtune)| {
            let setting = settings.lookup(name);
            let pgplan = setting
                .as_ref()
                .map_or_else(|| "(unknown)".to_owned(), |s| s.value.clone());
            let verdict = if same_value(catalog, name, pgtune, &pgplan) {
                Verdict::Equal
            } else {
                // A derived value says why in its formula; a value pgplan
                // leaves at the server's default is in the list of deviations.
                let why = match setting.map(|s| s.provenance) {
                    Some(Provenance::Derived { formula, .. }) => {
                        formula.contains("PGTune").then_some(formula)
                    }
                    _ => explained(name),
                };
                match why {
                    Some(why) => Verdict::Explained(why),
                    None => Verdict::Unexplained,
                }
            };
            Comparison {
                parameter: name,
                pgtune: pgtune.clone(),
                pgplan,
                verdict,
            }
        })
        .collect()
}

/// The matrix: 5 workloads × 4 storage kinds × 8 memory sizes (1–128 GB) ×
/// 6 CPU counts (1–32) = 960 cases; the version (14–18), the connections
/// (20–1000) and the data size turn with the case number.
pub fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    for workload in ["web", "oltp", "dw", "desktop", "mixed"] {
        for storage in ["ssd", "hdd", "san", "nvme"] {
            for ram_gb in [1, 2, 4, 8, 16, 32, 64, 128] {
                for cpus in [1, 2, 4, 8, 16, 32] {
                    let i = cases.len();
                    cases.push(Case {
                        version: [14, 15, 16, 17, 18][(i * 7 + i / 5) % 5],
                        workload,
                        ram_gb,
                        cpus,
                        connections: [20, 100, 200, 500, 1000][(i * 3 + i / 7) % 5],
                        storage,
                        data: [DataSize::Mid, DataSize::Less, DataSize::Greater][(i + i / 11) % 3],
                    });
                }
            }
        }
    }
    cases
}
