//! Derivation: every parameter the plan leaves out is computed from sizing,
//! workload, storage, topology and the plan's other sections, one topic per
//! module, in the order the formulas depend on each other (connections before
//! memory, memory before `work_mem`).

mod connections;
mod libraries;
mod logging;
mod memory;
mod parallelism;
mod planner;
mod replication;
mod security;
mod wal;

use std::collections::BTreeMap;

use super::params::{self, Param, ParamType};
use super::settings::{Provenance, Setting, Settings};
use crate::azure_facts;
use crate::catalog::{Catalog, ParamSpec, VarType};
use crate::model::plan::Plan;
use crate::model::platform::Platform;

/// Resolves a plan's settings: explicit values first, then derived ones.
pub fn derive(plan: &Plan) -> Settings {
    let mut d = Derivation::new(plan);
    connections::derive(&mut d);
    parallelism::derive(&mut d);
    memory::derive(&mut d);
    planner::derive(&mut d);
    wal::derive(&mut d);
    replication::derive(&mut d);
    libraries::derive(&mut d);
    security::derive(&mut d);
    logging::derive(&mut d);
    d.settings
}

/// A derivation under way: the plan, and its settings so far.
struct Derivation<'a> {
    plan: &'a Plan,
    settings: Settings,
}

impl<'a> Derivation<'a> {
    /// The plan's explicit values over its platform's defaults.
    fn new(plan: &'a Plan) -> Self {
        let mut explicit: BTreeMap<String, Setting> = BTreeMap::new();
        for (name, value) in &plan.tuning.parameters {
            explicit.insert(
                name.as_str().to_owned(),
                Setting {
                    name: name.as_str().to_owned(),
                    value: value.as_str().to_owned(),
                    provenance: Provenance::Explicit,
                },
            );
        }
        Derivation {
            plan,
            settings: Settings::new(Catalog::of(plan.version), platform_defaults(plan), explicit),
        }
    }

    /// A setting as resolved so far.
    fn get<T: ParamType>(&self, param: Param<T>) -> Option<T> {
        self.settings.get(param)
    }

    /// Derives a parameter: `value` by `formula` from `inputs`, unless the plan
    /// sets it.
    fn set<T>(
        &mut self,
        param: Param<T>,
        value: impl Into<String>,
        formula: &str,
        inputs: &[(&str, String)],
    ) {
        self.add(param.name(), value.into(), formula, inputs);
    }

    /// Derives a parameter the server's catalog does not have: one of the
    /// managed platform's own (`azure.extensions`, `require_secure_transport`).
    fn set_platform(
        &mut self,
        name: &'static str,
        value: impl Into<String>,
        formula: &str,
        inputs: &[(&str, String)],
    ) {
        self.add(name, value.into(), formula, inputs);
    }

    fn add(&mut self, name: &str, value: String, formula: &str, inputs: &[(&str, String)]) {
        // Only parameters this major version (or the managed platform) knows.
        let spec = self.settings.catalog().get(name);
        let known = spec.is_some()
            || name.contains('.')
            || (self.plan.platform.is_managed()
                && azure_facts::AZURE_ONLY_PARAMETERS.contains(&name));
        if !known {
            return;
        }
        let setting = Setting {
            name: name.to_owned(),
            value,
            provenance: Provenance::Derived {
                formula: formula.to_owned(),
                inputs: inputs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            },
        };
        let setting = match spec {
            Some(spec) => within_range(spec, setting),
            None => setting,
        };
        let setting = match (spec, &self.plan.platform) {
            (Some(spec), Platform::Azure(_)) => within_azure_range(spec, setting),
            _ => setting,
        };
        self.settings.insert_missing(setting);
    }

    /// The input naming the plan's memory: `(sizing.memory.limit, 2GB)`.
    fn memory_input(&self, ram: crate::Bytes) -> (&'static str, String) {
        (self.plan.memory_source(), ram.to_postgres())
    }
}

/// The data's size against the server's memory (PGTune's "total data
/// size"): from the databases' estimated sizes, 1–3 × RAM when any is
/// unknown (PGTune's default too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataSize {
    /// Everything fits in RAM: reads come from the page cache.
    FitsInRam,
    /// One to three times RAM.
    UpToThreeTimes,
    /// More than three times RAM: the cache is under pressure.
    MoreThanThreeTimes,
}

fn data_size(plan: &Plan, ram: crate::Bytes) -> DataSize {
    let sizes: Option<Vec<crate::Bytes>> =
        plan.databases.iter().map(|d| d.estimated_size).collect();
    match sizes {
        Some(sizes) if !sizes.is_empty() => {
            let total = sizes
                .into_iter()
                .fold(crate::Bytes::ZERO, crate::Bytes::saturating_add);
            if total < ram {
                DataSize::FitsInRam
            } else if total <= ram.saturating_mul(3) {
                DataSize::UpToThreeTimes
            } else {
                DataSize::MoreThanThreeTimes
            }
        }
        _ => DataSize::UpToThreeTimes,
    }
}

/// Defaults a managed platform sets differently from PostgreSQL.
fn platform_defaults(plan: &Plan) -> BTreeMap<String, (String, String)> {
    let mut defaults = BTreeMap::new();
    let Platform::Azure(az) = &plan.platform else {
        return defaults;
    };
    let src = "Azure Flexible Server".to_owned();
    if let Some((_, mem)) = az.sku.capacity() {
        defaults.insert(
            params::MAX_CONNECTIONS.name().into(),
            (
                azure_facts::default_max_connections(mem).to_string(),
                format!("{src} for {}", mem.human()),
            ),
        );
    }
    for (name, value) in [
        (params::SUPERUSER_RESERVED_CONNECTIONS.name(), "10"),
        (params::RESERVED_CONNECTIONS.name(), "5"),
        (params::PG_STAT_STATEMENTS_TRACK.name(), "none"),
        (security::REQUIRE_SECURE_TRANSPORT, "on"),
        (
            params::SHARED_PRELOAD_LIBRARIES.name(),
            azure_facts::DEFAULT_PRELOAD_LIBRARIES,
        ),
    ] {
        defaults.insert(name.into(), (value.into(), src.clone()));
    }
    defaults
}

/// Keeps a derived number inside the narrower range Azure accepts for some
/// parameters (work_mem from 4MB, maintenance_work_mem up to 2097151kB): the
/// configurations API refuses anything else.
fn within_azure_range(spec: &ParamSpec, setting: Setting) -> Setting {
    let Some((min, max)) = azure_facts::parameter_range(spec.name) else {
        return setting;
    };
    let Ok(n) = spec.parse_number(&setting.value) else {
        return setting;
    };
    let fitted = n.clamp(min, max);
    if fitted == n {
        return setting;
    }
    let limit = if fitted > n {
        format!(
            "at least Azure's minimum {} (PGTune: {})",
            spec.describe_amount(min),
            setting.value
        )
    } else {
        format!(
            "at most Azure's maximum {} (PGTune: {})",
            spec.describe_amount(max),
            setting.value
        )
    };
    let provenance = match setting.provenance {
        Provenance::Derived { formula, inputs } => Provenance::Derived {
            formula: format!("{formula}; {limit}"),
            inputs,
        },
        provenance => provenance,
    };
    Setting {
        value: spec.describe_amount(fitted),
        provenance,
        ..setting
    }
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
