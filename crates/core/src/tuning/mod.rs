//! Tuning derivation: every parameter the plan does not set explicitly is
//! derived from sizing, workload and storage with PGTune's formulas, and every
//! value records where it came from.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

pub mod params;

use crate::azure_facts;
use crate::catalog::{Catalog, ParamSpec, TypedValue, VarType, parse_bool};
use crate::model::databases::preload_library_for;
use crate::model::plan::Plan;
use crate::model::platform::Platform;
use crate::model::tuning::{StorageKind, Workload};
use crate::model::units::{Bytes, Duration};
pub use params::{OrUnset, Param, ParamType};

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Written in the plan (`tuning.parameters`).
    Explicit,
    /// Computed by pgplan.
    Derived {
        /// The formula, e.g. `25% of RAM`.
        formula: String,
        /// The inputs with their values, e.g. `RAM = 16GB`.
        inputs: Vec<(String, String)>,
    },
    /// The server's (or the platform's) default.
    Default {
        /// Whose default (`PostgreSQL 17`, `Azure Flexible Server`).
        source: String,
    },
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Explicit => f.write_str("explicit in the plan"),
            Provenance::Derived { formula, inputs } => {
                write!(f, "derived: {formula}")?;
                if !inputs.is_empty() {
                    let parts: Vec<String> =
                        inputs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    write!(f, " ({})", parts.join(", "))?;
                }
                Ok(())
            }
            Provenance::Default { source } => write!(f, "default of {source}"),
        }
    }
}

/// One resolved parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Lowercase parameter name.
    pub name: String,
    /// Value as PostgreSQL reads it (`4GB`, `200`, `on`).
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
}

/// The resolved configuration of a plan: explicit values, derived values and
/// the defaults rules depend on, with their provenance.
#[derive(Debug, Clone)]
pub struct Settings {
    catalog: &'static Catalog,
    platform_defaults: BTreeMap<String, (String, String)>,
    map: BTreeMap<String, Setting>,
}

impl Settings {
    /// The catalog of the plan's major version.
    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }
    /// Every explicit or derived setting, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Setting> {
        self.map.values()
    }
    /// Explicit and derived settings (what a renderer writes).
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when nothing is explicit or derived.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// A parameter's value, read as its type: explicit or derived, else the
    /// platform's or the server's default. `None` when the major version has
    /// no such parameter or the plan's value is not a valid one (which rule
    /// `PGP015` reports).
    pub fn get<T: ParamType>(&self, param: Param<T>) -> Option<T> {
        let spec = self.catalog.get(param.name())?;
        T::read(spec, self.value(param.name())?)
    }
    /// A parameter's value with its provenance.
    pub fn setting<T>(&self, param: Param<T>) -> Option<Setting> {
        self.lookup(param.name())
    }
    /// True when the plan sets the parameter itself.
    pub fn is_set<T>(&self, param: Param<T>) -> bool {
        self.is_explicit(param.name())
    }
    /// A setting by name — for names that come from the plan or the
    /// catalog; pgplan's own code reads settings with [`Settings::get`].
    pub fn lookup(&self, name: &str) -> Option<Setting> {
        let name = lowercase(name);
        if let Some(s) = self.map.get(name.as_ref()) {
            return Some(s.clone());
        }
        if let Some((value, source)) = self.platform_defaults.get(name.as_ref()) {
            return Some(Setting {
                name: name.into_owned(),
                value: value.clone(),
                provenance: Provenance::Default {
                    source: source.clone(),
                },
            });
        }
        let spec = self.catalog.get(&name)?;
        // boot_val is in the parameter's unit, which is how the accessors read it.
        let value = spec.boot_val.clone();
        Some(Setting {
            name: name.into_owned(),
            value,
            provenance: Provenance::Default {
                source: format!("PostgreSQL {}", self.catalog.major()),
            },
        })
    }
    /// The spec of a parameter.
    pub fn spec(&self, name: &str) -> Option<&'static ParamSpec> {
        self.catalog.get(name)
    }
    /// The value [`Settings::get`] would return, without copying it: rules
    /// read settings many times per plan.
    fn value(&self, name: &str) -> Option<&str> {
        let name = lowercase(name);
        if let Some(s) = self.map.get(name.as_ref()) {
            return Some(&s.value);
        }
        if let Some((value, _)) = self.platform_defaults.get(name.as_ref()) {
            return Some(value);
        }
        self.catalog.get(&name).map(|spec| spec.boot_val.as_str())
    }
    /// A memory parameter in bytes.
    pub fn bytes(&self, name: &str) -> Option<Bytes> {
        let value = self.value(name)?;
        self.spec(name)?.value_bytes(value)
    }
    /// A time parameter.
    pub fn duration(&self, name: &str) -> Option<Duration> {
        let value = self.value(name)?;
        self.spec(name)?.value_duration(value)
    }
    /// A numeric parameter in its own unit.
    pub fn number(&self, name: &str) -> Option<f64> {
        let value = self.value(name)?;
        match self.spec(name)?.parse_value(value).ok()? {
            TypedValue::Number(n) => Some(n),
            _ => None,
        }
    }
    /// An integer parameter (counts such as max_connections).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.number(name).map(|n| n as i64)
    }
    /// A boolean parameter.
    pub fn bool(&self, name: &str) -> Option<bool> {
        parse_bool(self.value(name)?)
    }
    /// A text or enum parameter, lowercase for enums.
    pub fn text(&self, name: &str) -> Option<String> {
        let s = self.lookup(name)?;
        match self.spec(name).map(|sp| sp.parse_value(&s.value)) {
            Some(Ok(TypedValue::Text(t))) => Some(t),
            _ => Some(s.value.trim_matches('\'').to_owned()),
        }
    }
    /// True when the plan sets the parameter explicitly.
    pub fn is_explicit(&self, name: &str) -> bool {
        matches!(
            self.map.get(lowercase(name).as_ref()),
            Some(Setting {
                provenance: Provenance::Explicit,
                ..
            })
        )
    }
    /// The entries in `shared_preload_libraries`.
    pub fn preload_libraries(&self) -> Vec<String> {
        self.text("shared_preload_libraries")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
    /// Connection slots held back from ordinary roles.
    pub fn reserved_connections(&self) -> u32 {
        // Read the values directly: a managed platform reserves slots through
        // parameters an older server's catalog does not have.
        let read = |name: &str| {
            self.lookup(name)
                .and_then(|s| s.value.trim().parse::<u32>().ok())
                .unwrap_or(0)
        };
        read("superuser_reserved_connections") + read("reserved_connections")
    }
}

/// A parameter name as the maps key it: lowercase, copied only when it is not.
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Sessions that are not clients but still take connection slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionDemand {
    /// Σ pool size × max replicas over clients connecting directly.
    pub clients: u64,
    /// Server connections of the pooler.
    pub pooler: u64,
    /// Monitoring sessions (exporter).
    pub monitoring: u64,
    /// Backup sessions (pg_dump jobs).
    pub backup: u64,
}

impl ConnectionDemand {
    /// Everything but reserved slots.
    pub fn total(&self) -> u64 {
        // Saturating: pool sizes and replica counts come from the plan as
        // written, and absurd ones must be reported, not overflow.
        self.clients
            .saturating_add(self.pooler)
            .saturating_add(self.monitoring)
            .saturating_add(self.backup)
    }
}

/// Connections the plan needs at peak, by source.
pub fn connection_demand(plan: &Plan) -> ConnectionDemand {
    let clients: u64 = plan
        .clients
        .iter()
        .map(|c| c.peak_connections())
        .fold(0, u64::saturating_add);
    let (clients, pooler) = match &plan.pooler {
        Some(p) => {
            // Through a pooler, the server sees its pools: one pool per
            // database/role pair per instance.
            let pairs: std::collections::BTreeSet<_> = plan
                .clients
                .iter()
                .map(|c| (c.database.clone(), c.role.clone()))
                .collect();
            let pairs = pairs.len().max(1) as u64;
            (
                0,
                u64::from(p.instances).saturating_mul(pairs).saturating_mul(
                    u64::from(p.default_pool_size) + u64::from(p.reserve_pool_size),
                ),
            )
        }
        None => (clients, 0),
    };
    let monitoring = plan
        .monitoring
        .exporter
        .as_ref()
        .map_or(0, |e| u64::from(e.connections));
    let backup = plan
        .backups
        .logical
        .iter()
        .map(|b| u64::from(b.jobs) + u64::from(b.jobs > 1))
        .max()
        .unwrap_or(0);
    ConnectionDemand {
        clients,
        pooler,
        monitoring,
        backup,
    }
}

const PAGE: u64 = 8192;

fn derived(name: &str, value: String, formula: &str, inputs: &[(&str, String)]) -> Setting {
    Setting {
        name: name.to_owned(),
        value,
        provenance: Provenance::Derived {
            formula: formula.to_owned(),
            inputs: inputs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        },
    }
}

/// Rounds up to a multiple of 10.
fn round_up_10(n: u64) -> u64 {
    n.div_ceil(10).saturating_mul(10)
}

/// Keeps a derived number inside its parameter's range. The formulas scale
/// with the plan's sizes, the catalog's limits do not (shared_buffers stops at
/// 8TB, max_parallel_workers at 1024), and a value outside the range would
/// stop the server from starting. Integers with a unit are rounded to whole
/// units as the server would. The formula says when a limit applied.
fn within_range(spec: &ParamSpec, setting: Setting) -> Setting {
    if !matches!(spec.vartype, VarType::Integer | VarType::Real)
        || spec.parse_value(&setting.value).is_ok()
    {
        return setting;
    }
    let Ok(n) = spec.parse_number(&setting.value) else {
        return setting;
    };
    let mut fitted = if spec.vartype == VarType::Integer {
        n.round()
    } else {
        n
    };
    let mut limit = None;
    if let Some(min) = spec.min
        && fitted < min
    {
        fitted = min;
        limit = Some(format!(
            "at least PostgreSQL's minimum {}",
            spec.describe_amount(min)
        ));
    }
    if let Some(max) = spec.max
        && fitted > max
    {
        fitted = max;
        limit = Some(format!(
            "at most PostgreSQL's maximum {}",
            spec.describe_amount(max)
        ));
    }
    let value = spec.describe_amount(fitted);
    if spec.parse_value(&value).is_err() {
        return setting;
    }
    let provenance = match (setting.provenance, limit) {
        (Provenance::Derived { formula, inputs }, Some(limit)) => Provenance::Derived {
            formula: format!("{formula}; {limit}"),
            inputs,
        },
        (provenance, _) => provenance,
    };
    Setting {
        value,
        provenance,
        ..setting
    }
}

/// Resolves a plan's settings: explicit values first, then derived ones.
pub fn derive(plan: &Plan) -> Settings {
    let catalog = Catalog::of(plan.version);
    let mut map: BTreeMap<String, Setting> = BTreeMap::new();
    for (name, value) in &plan.tuning.parameters {
        map.insert(
            name.as_str().to_owned(),
            Setting {
                name: name.as_str().to_owned(),
                value: value.as_str().to_owned(),
                provenance: Provenance::Explicit,
            },
        );
    }
    let mut platform_defaults = BTreeMap::new();
    if let Platform::Azure(az) = &plan.platform {
        let src = "Azure Flexible Server".to_owned();
        if let Some((_, mem)) = az.sku.capacity() {
            platform_defaults.insert(
                "max_connections".into(),
                (
                    azure_facts::default_max_connections(mem).to_string(),
                    format!("{src} for {}", mem.human()),
                ),
            );
        }
        for (k, v) in [
            ("superuser_reserved_connections", "10"),
            ("reserved_connections", "5"),
            ("pg_stat_statements.track", "none"),
            ("require_secure_transport", "on"),
            (
                "shared_preload_libraries",
                azure_facts::DEFAULT_PRELOAD_LIBRARIES,
            ),
        ] {
            platform_defaults.insert(k.into(), (v.into(), src.clone()));
        }
    }
    let mut settings = Settings {
        catalog,
        platform_defaults,
        map,
    };
    let is_azure = plan.platform.is_managed();
    let add = |s: &mut Settings, setting: Setting| {
        // Only parameters this major version (or the managed platform) knows,
        // and never over an explicit value.
        let known = s.catalog.get(&setting.name).is_some()
            || setting.name.contains('.')
            || (is_azure && azure_facts::AZURE_ONLY_PARAMETERS.contains(&setting.name.as_str()));
        if known && !s.map.contains_key(&setting.name) {
            let setting = match s.catalog.get(&setting.name) {
                Some(spec) => within_range(spec, setting),
                None => setting,
            };
            s.map.insert(setting.name.clone(), setting);
        }
    };

    let workload = plan.tuning.workload;
    let storage = plan.tuning.storage;
    let memory = plan.memory();
    let cpus = plan.cpus();
    let mem_input = |m: Bytes| (plan.memory_source(), m.to_postgres());

    // Connections: when the plan knows its clients, exactly enough for their
    // peak plus reserved slots and 10 % headroom (at least PostgreSQL's 100).
    // Sizing to the demand rather than to a platform default keeps work_mem,
    // which is divided among connections, as large as the memory allows.
    let demand = connection_demand(plan);
    if demand.total() > 0 {
        let reserved = u64::from(settings.reserved_connections());
        let needed = demand.total().saturating_add(reserved);
        let value = round_up_10(needed.saturating_add(needed.div_ceil(10))).max(100);
        add(
            &mut settings,
            derived(
                "max_connections",
                value.to_string(),
                "peak connections + reserved slots + 10 % headroom, rounded up to 10, at least 100",
                &[
                    ("peak connections", demand.total().to_string()),
                    ("reserved slots", reserved.to_string()),
                ],
            ),
        );
    }
    let max_connections = settings.int("max_connections").unwrap_or(100).max(1) as u64;

    // CPU-based parallelism (PGTune: only from 4 cores up).
    if let Some(cpus) = cpus
        && cpus >= 4
    {
        let cpus = u64::from(cpus);
        let per_gather = if workload == Workload::Dw {
            cpus.div_ceil(2)
        } else {
            cpus.div_ceil(2).min(4)
        };
        let inputs = [("CPUs", cpus.to_string())];
        add(
            &mut settings,
            derived(
                "max_worker_processes",
                cpus.max(8).to_string(),
                "max(CPUs, 8)",
                &inputs,
            ),
        );
        add(
            &mut settings,
            derived("max_parallel_workers", cpus.to_string(), "CPUs", &inputs),
        );
        add(
            &mut settings,
            derived(
                "max_parallel_workers_per_gather",
                per_gather.to_string(),
                if workload == Workload::Dw {
                    "CPUs / 2"
                } else {
                    "min(CPUs / 2, 4)"
                },
                &inputs,
            ),
        );
        add(
            &mut settings,
            derived(
                "max_parallel_maintenance_workers",
                cpus.div_ceil(2).min(4).to_string(),
                "min(CPUs / 2, 4)",
                &inputs,
            ),
        );
    }

    if let Some(ram) = memory {
        let desktop = workload == Workload::Desktop;
        let sb = Bytes::new(ram.as_u64() / if desktop { 16 } else { 4 }).round_down_to(PAGE);
        let sb = sb.max(Bytes::kib(128));
        add(
            &mut settings,
            derived(
                "shared_buffers",
                sb.to_postgres(),
                if desktop {
                    "1/16 of RAM (desktop), in 8kB pages"
                } else {
                    "25% of RAM, in 8kB pages"
                },
                &[mem_input(ram)],
            ),
        );
        let ecs = Bytes::new(ram.as_u64() / 4 * if desktop { 1 } else { 3 }).round_down_to(PAGE);
        add(
            &mut settings,
            derived(
                "effective_cache_size",
                ecs.to_postgres(),
                if desktop {
                    "25% of RAM (desktop)"
                } else {
                    "75% of RAM"
                },
                &[mem_input(ram)],
            ),
        );
        let mwm = Bytes::new(ram.as_u64() / if workload == Workload::Dw { 8 } else { 16 })
            .min(Bytes::gib(2))
            .round_down_to(1024)
            .max(Bytes::mib(1));
        add(
            &mut settings,
            derived(
                "maintenance_work_mem",
                mwm.to_postgres(),
                if workload == Workload::Dw {
                    "RAM / 8, at most 2GB"
                } else {
                    "RAM / 16, at most 2GB"
                },
                &[mem_input(ram)],
            ),
        );
        // shared_buffers as resolved (explicit or derived) drives the rest.
        let sb_now = settings.bytes("shared_buffers").unwrap_or(sb);
        let wal_buffers = {
            let three_pct = Bytes::new(sb_now.as_u64() * 3 / 100).round_down_to(PAGE);
            if three_pct > Bytes::mib(14) {
                Bytes::mib(16)
            } else {
                three_pct.max(Bytes::kib(64))
            }
        };
        add(
            &mut settings,
            derived(
                "wal_buffers",
                wal_buffers.to_postgres(),
                "3% of shared_buffers, at least 64kB, 16MB from 14MB up",
                &[("shared_buffers", sb_now.to_postgres())],
            ),
        );
        let per_gather = settings
            .int("max_parallel_workers_per_gather")
            .unwrap_or(2)
            .max(1) as u64;
        let parallel_factor = per_gather.div_ceil(2).max(1);
        let divisor = match workload {
            Workload::Web | Workload::Oltp => 1,
            Workload::Dw | Workload::Mixed => 2,
            Workload::Desktop => 6,
        };
        let wm = Bytes::new(
            ram.saturating_sub(sb_now).as_u64() / (max_connections * 3) / parallel_factor / divisor,
        )
        .round_down_to(1024)
        .max(Bytes::kib(64));
        add(
            &mut settings,
            derived(
                "work_mem",
                wm.to_postgres(),
                "(RAM − shared_buffers) / (max_connections × 3) / ceil(parallel workers per gather / 2) / workload factor, at least 64kB",
                &[
                    mem_input(ram),
                    ("shared_buffers", sb_now.to_postgres()),
                    ("max_connections", max_connections.to_string()),
                    ("max_parallel_workers_per_gather", per_gather.to_string()),
                    ("workload", format!("{workload} (÷{divisor})")),
                ],
            ),
        );
    }

    let storage_input = [("tuning.storage", storage.to_string())];
    add(
        &mut settings,
        derived(
            "random_page_cost",
            if storage == StorageKind::Hdd {
                "4"
            } else {
                "1.1"
            }
            .into(),
            "4 on spinning disks, 1.1 on SSD, NVMe and SAN",
            &storage_input,
        ),
    );
    let eic = match storage {
        StorageKind::Hdd => 2,
        StorageKind::Ssd | StorageKind::Nvme => 200,
        StorageKind::San => 300,
    };
    add(
        &mut settings,
        derived(
            "effective_io_concurrency",
            eic.to_string(),
            "hdd 2, ssd/nvme 200, san 300",
            &storage_input,
        ),
    );
    add(
        &mut settings,
        derived(
            "checkpoint_completion_target",
            "0.9".into(),
            "0.9: spread checkpoint writes over 90% of the interval",
            &[],
        ),
    );
    add(
        &mut settings,
        derived(
            "default_statistics_target",
            if workload == Workload::Dw {
                "500"
            } else {
                "100"
            }
            .into(),
            "500 for data warehouses, else 100",
            &[("tuning.workload", workload.to_string())],
        ),
    );

    // WAL sizes by workload, capped to a quarter of the volume that holds WAL
    // so that a checkpoint backlog cannot fill it.
    let (min_wal, max_wal) = match workload {
        Workload::Web | Workload::Mixed => (Bytes::gib(1), Bytes::gib(4)),
        Workload::Oltp => (Bytes::gib(2), Bytes::gib(8)),
        Workload::Dw => (Bytes::gib(4), Bytes::gib(16)),
        Workload::Desktop => (Bytes::mib(100), Bytes::gib(2)),
    };
    let (max_wal, min_wal, mut wal_inputs) = match plan.wal_volume() {
        Some((vol, src)) => {
            let cap = Bytes::new(vol.as_u64() / 4)
                .round_down_to(1024 * 1024)
                .max(Bytes::mib(64));
            let mx = max_wal.min(cap);
            (
                mx,
                min_wal
                    .min(Bytes::new(mx.as_u64() / 4).round_down_to(1024 * 1024))
                    .max(Bytes::mib(32)),
                vec![(src, vol.to_postgres())],
            )
        }
        None => (max_wal, min_wal, vec![]),
    };
    wal_inputs.push(("tuning.workload", workload.to_string()));
    add(
        &mut settings,
        derived(
            "max_wal_size",
            max_wal.to_postgres(),
            "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB), at most 1/4 of the WAL volume",
            &wal_inputs,
        ),
    );
    add(
        &mut settings,
        derived(
            "min_wal_size",
            min_wal.to_postgres(),
            "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB), at most 1/4 of max_wal_size",
            &wal_inputs,
        ),
    );

    // Replication: enough senders and slots for every standby plus two spare
    // (for a backup and a rebuilt replica).
    let standbys = u64::from(plan.topology.standby_count());
    if standbys > 0 || plan.backups.wal_archiving.is_some() {
        add(
            &mut settings,
            derived(
                "wal_level",
                "replica".into(),
                "replica: standbys and archiving need it",
                &[],
            ),
        );
    }
    if standbys > 0 {
        let n = (standbys + 2).max(10);
        let inputs = [("standbys", standbys.to_string())];
        add(
            &mut settings,
            derived(
                "max_wal_senders",
                n.to_string(),
                "max(standbys + 2, 10)",
                &inputs,
            ),
        );
        add(
            &mut settings,
            derived(
                "max_replication_slots",
                n.to_string(),
                "max(standbys + 2, 10)",
                &inputs,
            ),
        );
        add(
            &mut settings,
            derived(
                "hot_standby",
                "on".into(),
                "on: replicas serve reads",
                &inputs,
            ),
        );
    }
    if let Some(arch) = &plan.backups.wal_archiving {
        add(
            &mut settings,
            derived(
                "archive_mode",
                "on".into(),
                "on: backups.wal_archiving is planned",
                &[],
            ),
        );
        if let Some(t) = arch.archive_timeout {
            add(
                &mut settings,
                derived(
                    "archive_timeout",
                    // archive_timeout counts whole seconds; round up.
                    Duration::seconds(t.as_millis().div_ceil(1000)).to_postgres(),
                    "backups.wal_archiving.archive_timeout",
                    &[],
                ),
            );
        }
    }

    // Libraries the plan's extensions need.
    let mut needed: Vec<&str> = plan
        .extensions()
        .filter_map(|(_, e)| preload_library_for(e.name.as_str()))
        .collect();
    if !needed.is_empty() {
        let mut libs: Vec<String> = settings.preload_libraries();
        needed.sort();
        needed.dedup();
        for n in &needed {
            if !libs.iter().any(|l| l == n) {
                libs.push((*n).to_owned());
            }
        }
        add(
            &mut settings,
            derived(
                "shared_preload_libraries",
                libs.join(","),
                "the platform default plus libraries the plan's extensions need",
                &[("extensions", needed.join(", "))],
            ),
        );
    }
    if let Platform::Azure(_) = &plan.platform {
        let mut exts: Vec<&str> = plan.extensions().map(|(_, e)| e.name.as_str()).collect();
        exts.sort();
        exts.dedup();
        if !exts.is_empty() {
            add(
                &mut settings,
                derived(
                    "azure.extensions",
                    exts.join(","),
                    "every extension in the plan's databases",
                    &[],
                ),
            );
        }
        add(
            &mut settings,
            derived(
                "require_secure_transport",
                if plan.security.tls.required {
                    "on"
                } else {
                    "off"
                }
                .into(),
                "security.tls.required",
                &[],
            ),
        );
    } else if plan.security.tls.required {
        add(
            &mut settings,
            derived("ssl", "on".into(), "security.tls.required", &[]),
        );
    }
    add(
        &mut settings,
        derived(
            "ssl_min_protocol_version",
            plan.security.tls.min_version.to_string(),
            "security.tls.min_version",
            &[],
        ),
    );
    add(
        &mut settings,
        derived(
            "password_encryption",
            plan.security.password_encryption.to_string(),
            "security.password_encryption",
            &[],
        ),
    );
    add(
        &mut settings,
        derived(
            "log_statement",
            plan.security.statement_logging.as_str().into(),
            "security.statement_logging",
            &[],
        ),
    );
    if let Some(slow) = &plan.monitoring.thresholds.slow_query {
        add(
            &mut settings,
            derived(
                "log_min_duration_statement",
                slow.above.to_postgres(),
                "monitoring.thresholds.slow_query: log what the alert counts",
                &[],
            ),
        );
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::platform::Local;
    use crate::model::sizing::{Resources, Sizing};
    use crate::model::units::Millicores;
    use crate::{Environment, MajorVersion};

    fn plan(ram: Bytes, cpus: u32) -> Plan {
        Plan::builder()
            .service("svc".parse().unwrap())
            .environment(Environment::Production)
            .version(MajorVersion::new(17).unwrap())
            .platform(Platform::Local(Local::default()))
            .sizing(
                Sizing::builder()
                    .memory(Resources::builder().request(ram).build())
                    .cpu(
                        Resources::builder()
                            .request(Millicores::cores(cpus))
                            .build(),
                    )
                    .data_volume(Bytes::gib(100))
                    .build(),
            )
            .build()
    }

    #[test]
    fn pgtune_values_for_16gb_4cpu_web() {
        let s = derive(&plan(Bytes::gib(16), 4));
        assert_eq!(s.bytes("shared_buffers"), Some(Bytes::gib(4)));
        assert_eq!(s.bytes("effective_cache_size"), Some(Bytes::gib(12)));
        assert_eq!(s.bytes("maintenance_work_mem"), Some(Bytes::gib(1)));
        assert_eq!(s.bytes("wal_buffers"), Some(Bytes::mib(16)));
        // (16GB − 4GB) / (100 × 3) / ceil(2/2) = 40.96MB → 41943kB.
        assert_eq!(s.bytes("work_mem"), Some(Bytes::kib(41943)));
        assert_eq!(s.int("max_parallel_workers_per_gather"), Some(2));
        assert_eq!(s.lookup("random_page_cost").unwrap().value, "1.1");
        assert_eq!(s.lookup("max_wal_size").unwrap().value, "4GB");
        assert!(matches!(
            s.lookup("shared_buffers").unwrap().provenance,
            Provenance::Derived { .. }
        ));
        assert!(matches!(
            s.lookup("max_connections").unwrap().provenance,
            Provenance::Default { .. }
        ));
    }

    #[test]
    fn explicit_values_win_and_drive_dependent_ones() {
        let mut p = plan(Bytes::gib(16), 4);
        p.tuning
            .parameters
            .insert("shared_buffers".parse().unwrap(), "2GB".into());
        let s = derive(&p);
        assert_eq!(
            s.lookup("shared_buffers").unwrap().provenance,
            Provenance::Explicit
        );
        assert_eq!(s.bytes("wal_buffers"), Some(Bytes::mib(16)));
        assert_eq!(s.bytes("work_mem"), Some(Bytes::kib(48933)));
    }

    #[test]
    fn small_wal_volume_caps_wal_sizes() {
        let mut p = plan(Bytes::gib(2), 1);
        p.sizing.data_volume = Some(Bytes::gib(2));
        let s = derive(&p);
        assert_eq!(s.bytes("max_wal_size"), Some(Bytes::mib(512)));
        assert_eq!(s.bytes("min_wal_size"), Some(Bytes::mib(128)));
    }

    /// Every derived value must be one the server accepts.
    fn assert_all_derived_values_valid(s: &Settings) {
        for setting in s.iter() {
            if let (Provenance::Derived { .. }, Some(spec)) =
                (&setting.provenance, s.spec(&setting.name))
            {
                assert!(
                    spec.parse_value(&setting.value).is_ok(),
                    "{} = {}: {:?}",
                    setting.name,
                    setting.value,
                    spec.parse_value(&setting.value)
                );
            }
        }
    }

    #[test]
    fn derived_values_beyond_the_catalog_range_are_clamped() {
        // 64 TiB and 2,000 cores: 25 % of RAM is past shared_buffers' 8TB
        // maximum, 75 % past effective_cache_size's 16TB, and the CPU count
        // past max_parallel_workers' 1024; the server would refuse to start.
        let s = derive(&plan(Bytes::tib(64), 2000));
        assert_all_derived_values_valid(&s);
        assert_eq!(
            s.bytes("shared_buffers"),
            Some(Bytes::new(1_073_741_823 * 8192))
        );
        assert_eq!(s.int("max_parallel_workers"), Some(1024));
        let Some(Provenance::Derived { formula, .. }) =
            s.lookup("shared_buffers").map(|s| s.provenance)
        else {
            panic!("shared_buffers is derived");
        };
        assert!(
            formula.contains("at most PostgreSQL's maximum"),
            "{formula}"
        );

        // 16kB of memory: 75 % of it is less than effective_cache_size's one page.
        let s = derive(&plan(Bytes::kib(16), 1));
        assert_all_derived_values_valid(&s);
        assert_eq!(s.bytes("effective_cache_size"), Some(Bytes::kib(8)));
    }

    #[test]
    fn derived_archive_timeout_is_whole_seconds() {
        // archive_timeout counts seconds: `1500ms` was derived as is and is
        // not a whole number of them.
        let mut p = plan(Bytes::gib(2), 1);
        p.backups.wal_archiving = Some(
            crate::WalArchiving::builder()
                .retention(Duration::days(7))
                .destination("/archive")
                .archive_timeout(Duration::millis(1500))
                .build(),
        );
        let s = derive(&p);
        assert_eq!(s.lookup("archive_timeout").unwrap().value, "2s");
        assert_all_derived_values_valid(&s);
    }

    #[test]
    fn huge_pools_do_not_overflow_the_connection_demand() {
        // Two clients with pool_size and replicas.max of 4294967295 overflowed
        // the sum of their peaks (a panic in debug builds), and so did a
        // pooler's default_pool_size + reserve_pool_size.
        let mut p = plan(Bytes::gib(16), 4);
        let huge = |name: &str| {
            crate::Client::builder()
                .name(name.parse().unwrap())
                .pool_size(u32::MAX)
                .replicas(crate::ReplicaRange {
                    min: 1,
                    max: u32::MAX,
                })
                .build()
        };
        p.clients = vec![huge("api"), huge("web")];
        assert_eq!(connection_demand(&p).total(), u64::MAX);
        let s = derive(&p);
        assert_eq!(s.int("max_connections"), Some(262_143));
        assert_all_derived_values_valid(&s);

        p.pooler = Some(
            crate::Pooler::builder()
                .instances(u32::MAX)
                .max_client_connections(u32::MAX)
                .default_pool_size(u32::MAX)
                .reserve_pool_size(u32::MAX)
                .build(),
        );
        assert_eq!(connection_demand(&p).pooler, u64::MAX);
    }
}
