//! Tuning: workload, storage, and explicit parameters. Parameter names and
//! values come from the [`Catalog`] of every supported major version, the
//! typed keys in [`params`] and the Azure facts; the strategies keep no list
//! of parameters of their own.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::units::{MINUTE, SECOND, bytes, duration};
use super::{Profile, parsed};
use crate::azure_facts;
use crate::catalog::{Catalog, Context as GucContext, ParamSpec, Unit, VarType, format_number};
use crate::model::names::GucName;
use crate::model::plan::MajorVersion;
use crate::model::tuning::{ParamValue, SettingsMethod, StorageKind, Tuning, Workload};
use crate::model::units::{Bytes, Interval};
use crate::tuning::params;

/// Azure's extension allow-list parameter, which PGP009 reads. The facts
/// hold the allowed values ([`azure_facts::ALLOWED_EXTENSIONS`]) but no
/// constant for the name.
const AZURE_EXTENSIONS: &str = "azure.extensions";

/// Text that is no value of any parameter, or that carries a password
/// (PGP010): adversarial input, not a table of facts.
const MALFORMED_VALUES: &[&str] = &[
    "",
    " ",
    "banana",
    "NaN",
    "1e309",
    "-5GB",
    "4 GB",
    "'quoted'",
    "99999999999999999999",
    "host=db password=hunter2",
    "postgresql://app:hunter2@db/app",
];

/// The catalog of every supported major version, oldest first.
fn catalogs() -> Vec<&'static Catalog> {
    (MajorVersion::MIN..=MajorVersion::MAX)
        .filter_map(|v| MajorVersion::new(v).ok())
        .map(Catalog::of)
        .collect()
}

/// A parameter's spec in the newest catalog that has it.
fn spec_of(name: &str) -> Option<&'static ParamSpec> {
    catalogs().into_iter().rev().find_map(|c| c.get(name))
}

/// Every name some supported version knows (so names only newer or only
/// older versions have, for plans of the others), sorted.
fn catalog_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = catalogs()
        .into_iter()
        .flat_map(|c| c.iter().map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The parameters pgplan reasons about: the typed keys.
fn typed_names() -> Vec<&'static str> {
    params::ALL.iter().map(|(name, _)| *name).collect()
}

/// Names that mean something on Azure only: its own parameters, read-only
/// ones, server properties written as parameters, and the allow-list.
fn azure_names() -> Vec<&'static str> {
    azure_facts::AZURE_ONLY_PARAMETERS
        .iter()
        .copied()
        .chain(azure_facts::managed_parameter_names())
        .chain(azure_facts::server_property_names())
        .chain([AZURE_EXTENSIONS])
        .collect()
}

/// A known name misspelt: a letter short, a letter long, an underscore
/// missing (`shared_buffer`, `max_connectionss`, `workmem`).
fn near_miss(name: &str, how: u8) -> String {
    match how {
        0 => name
            .chars()
            .take(name.chars().count().saturating_sub(1))
            .collect(),
        1 => format!("{name}s"),
        _ => name.replacen('_', "", 1),
    }
}

/// Parameter names: the typed keys, anything in any version's catalog,
/// Azure's names, extension parameters (defined by a library or not), near
/// misses and made-up names.
fn parameter_name() -> BoxedStrategy<GucName> {
    let known = catalog_names();
    let typed = typed_names();
    let custom = prop_oneof![
        (
            select(azure_facts::ALLOWED_PRELOAD_LIBRARIES),
            "[a-z_][a-z0-9_]{0,10}"
        )
            .prop_map(|(library, name)| format!("{library}.{name}")),
        "[a-z_][a-z0-9_]{0,10}\\.[a-z_][a-z0-9_]{0,10}",
    ];
    let misspelt = (
        prop_oneof![select(typed.clone()), select(known.clone())],
        0u8..3,
    )
        .prop_map(|(name, how)| near_miss(name, how));
    parsed(prop_oneof![
        4 => select(typed).prop_map(str::to_owned),
        3 => select(known).prop_map(str::to_owned),
        1 => select(azure_names()).prop_map(str::to_owned),
        1 => custom,
        1 => misspelt,
        1 => "[a-z_][a-z0-9_]{0,20}",
    ])
}

/// Numbers for a numeric parameter: its bounds and default, values between,
/// and one past either bound; bare (in the parameter's unit) or, now and
/// then, with a unit when the parameter has one.
fn number(spec: &'static ParamSpec) -> BoxedStrategy<ParamValue> {
    let min = spec.min.unwrap_or(0.0);
    let max = spec.max.unwrap_or(f64::from(i32::MAX));
    let default = spec.boot_val.trim().parse::<f64>().unwrap_or(min);
    // Between the bounds, biased to the low end: catalogs allow up to 1e308.
    let span = (max - min).min(1e6);
    let inside = prop_oneof![
        Just(min),
        Just(max),
        Just(default),
        (0.0f64..=1.0).prop_map(move |f| min + span * f * f),
    ];
    let outside = prop_oneof![Just(min - 1.0), Just(max + 1.0)];
    let integer = spec.vartype == VarType::Integer;
    (prop_oneof![5 => inside, 1 => outside], any::<bool>())
        .prop_map(move |(n, with_unit)| {
            let n = if integer { n.round() } else { n };
            let whole = n >= 0.0 && n.fract() == 0.0 && n < 1e15;
            let text = match spec.unit {
                Some(Unit::Memory(per)) if with_unit && whole => {
                    Bytes::new((n as u64).saturating_mul(per)).to_postgres()
                }
                Some(Unit::Time(per)) if with_unit && whole => {
                    Interval::millis((n as u64).saturating_mul(per)).to_postgres()
                }
                _ => format_number(n),
            };
            ParamValue::new(text)
        })
        .boxed()
}

/// Values of the parameter's own type: on/off, an enum value (in either
/// case), numbers in and just out of range, the default text.
fn typed_value(spec: &'static ParamSpec) -> BoxedStrategy<ParamValue> {
    match spec.vartype {
        VarType::Bool => any::<bool>().prop_map(ParamValue::from).boxed(),
        VarType::Enum if !spec.enumvals.is_empty() => {
            (select(spec.enumvals.to_vec()), any::<bool>())
                .prop_map(|(v, upper)| {
                    ParamValue::new(if upper {
                        v.to_ascii_uppercase()
                    } else {
                        v.to_owned()
                    })
                })
                .boxed()
        }
        VarType::Integer | VarType::Real => number(spec),
        VarType::String | VarType::Enum => prop_oneof![
            Just(ParamValue::new(spec.boot_val)),
            "[ -~]{0,12}".prop_map(ParamValue::new),
        ]
        .boxed(),
    }
}

/// A comma-separated list drawn from `allowed` and made-up names.
fn list_of(allowed: &'static [&'static str]) -> BoxedStrategy<ParamValue> {
    vec(
        prop_oneof![
            3 => select(allowed).prop_map(str::to_owned),
            1 => "[a-z_]{3,10}",
        ],
        0..=3,
    )
    .prop_map(|items| ParamValue::new(items.join(",")))
    .boxed()
}

/// Values of no particular parameter: any number, size or duration,
/// printable text, malformed text.
fn loose_value() -> BoxedStrategy<ParamValue> {
    prop_oneof![
        3 => select(MALFORMED_VALUES).prop_map(ParamValue::from),
        1 => any::<i64>().prop_map(ParamValue::from),
        1 => (0u32..=10_000).prop_map(ParamValue::from),
        1 => bytes().prop_map(|b| ParamValue::new(b.to_postgres())),
        1 => duration().prop_map(|d| ParamValue::new(d.to_postgres())),
        1 => (0.0f64..100.0).prop_map(ParamValue::from),
        1 => any::<bool>().prop_map(ParamValue::from),
        1 => "[ -~]{0,12}".prop_map(ParamValue::new),
    ]
    .boxed()
}

/// Values for a parameter: mostly of its own type (as the newest catalog
/// that has it describes it; libraries and extensions for the lists), now
/// and then anything.
fn value_for(name: &GucName) -> BoxedStrategy<ParamValue> {
    let name = name.as_str();
    let own = if name == params::SHARED_PRELOAD_LIBRARIES.name() {
        list_of(azure_facts::ALLOWED_PRELOAD_LIBRARIES)
    } else if name == AZURE_EXTENSIONS {
        list_of(azure_facts::ALLOWED_EXTENSIONS)
    } else if azure_facts::AZURE_ONLY_PARAMETERS.contains(&name) {
        any::<bool>().prop_map(ParamValue::from).boxed()
    } else {
        match spec_of(name) {
            Some(spec) => typed_value(spec),
            None => loose_value(),
        }
    };
    prop_oneof![5 => own, 1 => loose_value()].boxed()
}

/// A parameter and a value for it.
fn parameter() -> BoxedStrategy<(GucName, ParamValue)> {
    parameter_name()
        .prop_flat_map(|name| {
            let value = value_for(&name);
            (Just(name), value)
        })
        .boxed()
}

/// The catalog's session timeouts: parameters every supported version has,
/// that any user may set (context `user`), counted in time units, and that
/// no rule reasons about (not a typed key): `statement_timeout`,
/// `lock_timeout`, `idle_in_transaction_session_timeout`, …
fn session_timeouts() -> Vec<&'static str> {
    let all = catalogs();
    let Some(oldest) = all.first() else {
        return Vec::new();
    };
    let typed = typed_names();
    oldest
        .iter()
        .filter(|(name, spec)| {
            spec.context == GucContext::User
                && spec.vartype == VarType::Integer
                && matches!(spec.unit, Some(Unit::Time(_)))
                && !typed.contains(name)
                && all.iter().all(|c| c.get(name).is_some())
        })
        .map(|(name, _)| name)
        .collect()
}

/// A session timeout set to a round duration (half a minute to an hour)
/// that every supported version accepts for it.
fn session_timeout(names: Vec<&'static str>) -> BoxedStrategy<(GucName, ParamValue)> {
    let all = catalogs();
    let round = prop_oneof![
        (30u64..=60).prop_map(|n| n * SECOND),
        (1u64..=60).prop_map(|n| n * MINUTE),
    ];
    (select(names), round)
        .prop_filter_map("a value every version accepts", move |(name, millis)| {
            let value = Interval::millis(millis).to_postgres();
            let accepted = all
                .iter()
                .all(|c| c.get(name).is_some_and(|s| s.parse_value(&value).is_ok()));
            accepted
                .then(|| GucName::new(name).ok())
                .flatten()
                .map(|name| (name, ParamValue::new(value)))
        })
        .boxed()
}

/// Explicit parameters. `Any`: names and values from [`parameter_name`] and
/// [`value_for`], so unknown names, names of other versions, values out of
/// range or of the wrong type. `Reasonable`: session timeouts set to round
/// durations, which fit every supported version and platform.
pub(super) fn parameters(
    profile: Profile,
    size: RangeInclusive<usize>,
) -> BoxedStrategy<BTreeMap<GucName, ParamValue>> {
    let pairs = match profile {
        Profile::Any => vec(parameter(), size).boxed(),
        Profile::Reasonable => {
            let names = session_timeouts();
            if names.is_empty() {
                Just(Vec::new()).boxed()
            } else {
                vec(session_timeout(names), size).boxed()
            }
        }
    };
    pairs.prop_map(|pairs| pairs.into_iter().collect()).boxed()
}

/// Tuning inputs. `Reasonable` now and then also sets max_connections and
/// work_mem by hand, to values a person would pick that may or may not fit
/// (plans near the budgets' edges).
pub(super) fn tuning(profile: Profile) -> BoxedStrategy<Tuning> {
    let workload = select(
        &[
            Workload::Web,
            Workload::Oltp,
            Workload::Dw,
            Workload::Mixed,
            Workload::Desktop,
        ][..],
    );
    let storage = select(
        &[
            StorageKind::Ssd,
            StorageKind::Hdd,
            StorageKind::San,
            StorageKind::Nvme,
        ][..],
    );
    match profile {
        Profile::Reasonable => (
            workload,
            storage,
            parameters(profile, 0..=2),
            option::weighted(
                0.2,
                (
                    select(&[100u32, 200, 300, 500][..]),
                    option::of(select(&[4u64, 16, 64][..])),
                ),
            ),
        )
            .prop_map(|(workload, storage, mut parameters, budget)| {
                if let Some((connections, work_mem_mib)) = budget {
                    let by_hand =
                        std::iter::once((params::MAX_CONNECTIONS.name(), connections.into()))
                            .chain(work_mem_mib.map(|mib| {
                                (
                                    params::WORK_MEM.name(),
                                    Bytes::mib(mib).to_postgres().into(),
                                )
                            }));
                    for (name, value) in by_hand {
                        if let Ok(name) = GucName::new(name) {
                            parameters.insert(name, value);
                        }
                    }
                }
                Tuning {
                    workload,
                    storage,
                    method: None,
                    parameters,
                }
            })
            .boxed(),
        Profile::Any => (
            workload,
            storage,
            option::of(select(
                &[
                    SettingsMethod::AlterSystem,
                    SettingsMethod::ConfigFile,
                    SettingsMethod::ServiceApi,
                ][..],
            )),
            parameters(profile, 0..=6),
        )
            .prop_map(|(workload, storage, method, parameters)| Tuning {
                workload,
                storage,
                method,
                parameters,
            })
            .boxed(),
    }
}
