//! The PostgreSQL parameter catalog, per major version.
//!
//! The data are `pg_settings` rows dumped from real servers of each major
//! version (see `crates/core/catalog/README.md`; regenerate with
//! `scripts/gen-catalog.sh`). The build script turns them into static tables
//! (`build.rs`), so looking a parameter up needs no server and loading a
//! catalog costs nothing: no text is parsed at run time, and a process only
//! touches the version its plan names. The SQL backend's tests compare them
//! with live servers.

mod hidden;
pub mod values;

pub use hidden::build_option;

use std::fmt;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::model::plan::MajorVersion;
use crate::model::units::{Bytes, Interval};

/// The type of a parameter (`pg_settings.vartype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    /// on/off.
    Bool,
    /// Integer, possibly with a unit.
    Integer,
    /// Floating point, possibly with a unit.
    Real,
    /// Free text.
    String,
    /// One of `enumvals`.
    Enum,
}

/// When a change takes effect (`pg_settings.context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    /// Fixed at build or initdb time.
    Internal,
    /// Needs a server restart.
    Postmaster,
    /// Needs a reload (SIGHUP).
    Sighup,
    /// Set at connection start (superuser).
    SuperuserBackend,
    /// Set at connection start.
    Backend,
    /// Settable by superusers per session.
    Superuser,
    /// Settable by anyone per session.
    User,
}

impl Context {
    #[cfg(test)]
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "internal" => Context::Internal,
            "postmaster" => Context::Postmaster,
            "sighup" => Context::Sighup,
            "superuser-backend" => Context::SuperuserBackend,
            "backend" => Context::Backend,
            "superuser" => Context::Superuser,
            "user" => Context::User,
            _ => return None,
        })
    }
    /// True when a change needs a server restart.
    pub fn needs_restart(self) -> bool {
        matches!(self, Context::Postmaster)
    }
    /// The `pg_settings.context` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Internal => "internal",
            Context::Postmaster => "postmaster",
            Context::Sighup => "sighup",
            Context::SuperuserBackend => "superuser-backend",
            Context::Backend => "backend",
            Context::Superuser => "superuser",
            Context::User => "user",
        }
    }
}

/// The unit a parameter's numeric value is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Memory, counted in this many bytes (`8kB` → 8192).
    Memory(u64),
    /// Time, counted in this many milliseconds (`s` → 1000).
    Time(u64),
}

impl Unit {
    #[cfg(test)]
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "B" => Unit::Memory(1),
            "kB" => Unit::Memory(1024),
            "8kB" => Unit::Memory(8192),
            "16kB" => Unit::Memory(16384),
            "MB" => Unit::Memory(1024 * 1024),
            "ms" => Unit::Time(1),
            "s" => Unit::Time(1000),
            "min" => Unit::Time(60_000),
            _ => return None,
        })
    }
}

/// One parameter of one major version (a row of the compiled-in tables).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Name as `pg_settings` spells it (`TimeZone`, `shared_buffers`).
    pub name: &'static str,
    /// Type.
    pub vartype: VarType,
    /// Unit of numeric values, as `pg_settings` spells it.
    pub unit_text: Option<&'static str>,
    /// Unit of numeric values.
    pub unit: Option<Unit>,
    /// Smallest value, in `unit`.
    pub min: Option<f64>,
    /// Largest value, in `unit`.
    pub max: Option<f64>,
    /// Allowed values of an enum.
    pub enumvals: &'static [&'static str],
    /// When a change takes effect.
    pub context: Context,
    /// Compiled-in default, in `unit`.
    pub boot_val: &'static str,
    /// One-line description.
    pub short_desc: &'static str,
}

/// A parameter value checked against its spec and normalised.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    /// A boolean.
    Bool(bool),
    /// A number in the parameter's unit (`shared_buffers = 4GB` → 524288).
    Number(f64),
    /// Text (strings and enum values, lowercase for enums).
    Text(String),
}

/// Why a value does not fit a parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ParamSpec {
    /// True when a change needs a restart.
    pub fn needs_restart(&self) -> bool {
        self.context.needs_restart()
    }

    /// Parses a value the way the server would, checking type, unit and range.
    pub fn parse_value(&self, raw: &str) -> Result<TypedValue, ValueError> {
        let v = raw.trim();
        match self.vartype {
            VarType::Bool => parse_bool(v)
                .map(TypedValue::Bool)
                .ok_or_else(|| ValueError(format!("`{v}` is not a boolean; use on or off"))),
            VarType::Enum => {
                let lower = v.to_ascii_lowercase();
                if self.enumvals.iter().any(|e| e.eq_ignore_ascii_case(&lower)) {
                    Ok(TypedValue::Text(lower))
                } else if let Some(value) = hidden::canonical(self, &lower) {
                    Ok(TypedValue::Text(value.to_owned()))
                } else {
                    Err(ValueError(format!(
                        "`{v}` is not one of {}",
                        self.enumvals.join(", ")
                    )))
                }
            }
            VarType::String => Ok(TypedValue::Text(v.trim_matches('\'').to_owned())),
            VarType::Integer | VarType::Real => {
                let n = self.parse_number(v)?;
                // Since PostgreSQL 12 an integer parameter takes a fractional
                // value (after unit conversion) and rounds it.
                let n = if self.vartype == VarType::Integer {
                    n.round()
                } else {
                    n
                };
                if let Some(min) = self.min
                    && n < min
                {
                    return Err(ValueError(format!(
                        "`{v}` is below the minimum {}",
                        self.describe_amount(min)
                    )));
                }
                if let Some(max) = self.max
                    && n > max
                {
                    return Err(ValueError(format!(
                        "`{v}` is above the maximum {}",
                        self.describe_amount(max)
                    )));
                }
                Ok(TypedValue::Number(n))
            }
        }
    }

    /// Reads a number in the parameter's unit (`4GB` → 524288 for
    /// shared_buffers) without checking the range or the type.
    pub fn parse_number(&self, v: &str) -> Result<f64, ValueError> {
        if let Ok(n) = v.parse::<f64>()
            && n.is_finite()
        {
            return Ok(n);
        }
        match self.unit {
            Some(Unit::Memory(per)) => {
                let b: Bytes = v.parse().map_err(|_| {
                    ValueError(format!(
                        "`{v}` is not a size; use a number of {} or a size such as 64MB or 1GB",
                        self.unit_text.unwrap_or("units")
                    ))
                })?;
                Ok(b.as_u64() as f64 / per as f64)
            }
            Some(Unit::Time(per)) => {
                let d: Interval = v.parse().map_err(|_| {
                    ValueError(format!(
                        "`{v}` is not a duration; use a number of {} or a duration such as 500ms, 5s or 1min",
                        self.unit_text.unwrap_or("units")
                    ))
                })?;
                Ok(d.as_millis() as f64 / per as f64)
            }
            None => Err(ValueError(format!("`{v}` is not a number"))),
        }
    }

    /// A number in this parameter's unit, written for people (`524288` of
    /// `8kB` → `4GB`).
    pub fn describe_amount(&self, n: f64) -> String {
        match self.unit {
            Some(Unit::Memory(per)) if n >= 0.0 && n.fract() == 0.0 => {
                let bytes = (n as u128) * (per as u128);
                if bytes <= u64::MAX as u128 {
                    Bytes::new(bytes as u64).to_postgres()
                } else {
                    format!("{n} × {}", self.unit_text.unwrap_or(""))
                }
            }
            Some(Unit::Time(per)) if n >= 0.0 && n.fract() == 0.0 => {
                Interval::millis((n as u64).saturating_mul(per)).to_postgres()
            }
            _ => match self.unit_text {
                Some(u) => format!("{n}{u}"),
                None => format_number(n),
            },
        }
    }

    /// Bytes of a memory parameter's value (`None` for other parameters or -1).
    pub fn value_bytes(&self, raw: &str) -> Option<Bytes> {
        let Unit::Memory(per) = self.unit? else {
            return None;
        };
        match self.parse_value(raw).ok()? {
            TypedValue::Number(n) if n >= 0.0 => Some(Bytes::new((n as u64).saturating_mul(per))),
            _ => None,
        }
    }

    /// Interval of a time parameter's value (`None` for other parameters or -1).
    pub fn value_duration(&self, raw: &str) -> Option<Interval> {
        let Unit::Time(per) = self.unit? else {
            return None;
        };
        match self.parse_value(raw).ok()? {
            TypedValue::Number(n) if n >= 0.0 => {
                Some(Interval::millis((n as u64).saturating_mul(per)))
            }
            _ => None,
        }
    }
}

/// Formats a float without a trailing `.0` for whole numbers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Parses a PostgreSQL boolean (`on`, `off`, `true`, `false`, `yes`, `no`, `1`, `0`).
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().trim_matches('\'').to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Some(true),
        "off" | "false" | "no" | "0" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// Every parameter of one major version: static tables generated at build
/// time from `catalog/pgNN.tsv`, sorted by lowercase name.
#[derive(Debug)]
pub struct Catalog {
    major: u16,
    /// Lowercase names, sorted: the lookup keys of `params`.
    keys: &'static [&'static str],
    params: &'static [ParamSpec],
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PostgreSQL {} parameter catalog ({} parameters)",
            self.major,
            self.params.len()
        )
    }
}

// PG14_KEYS/PG14_PARAMS … and CATALOGS, one per catalog/pgNN.tsv.
include!(concat!(env!("OUT_DIR"), "/catalog_tables.rs"));

impl Catalog {
    /// The catalog of a major version (14–18).
    ///
    /// ```
    /// let c = pgplan_core::Catalog::for_major(17).unwrap();
    /// let sb = c.get("shared_buffers").unwrap();
    /// assert!(sb.needs_restart());
    /// assert_eq!(sb.value_bytes("4GB"), Some(pgplan_core::Bytes::gib(4)));
    /// ```
    pub fn for_major(major: u16) -> Option<&'static Catalog> {
        CATALOGS.iter().find(|c| c.major == major)
    }

    /// The catalog of a supported major version. Every version a
    /// [`MajorVersion`] can hold has one, so this cannot fail.
    ///
    /// ```
    /// use pgplan_core::{Catalog, MajorVersion};
    /// let v = MajorVersion::new(15).unwrap();
    /// assert_eq!(Catalog::of(v).major(), 15);
    /// ```
    pub fn of(version: MajorVersion) -> &'static Catalog {
        // MajorVersion holds MIN..=MAX only, and CATALOGS has one catalog per
        // version in that order (checked by `every_supported_version_has_a_catalog`).
        &CATALOGS[usize::from(version.get() - MajorVersion::MIN)]
    }

    /// The major version.
    pub fn major(&self) -> u16 {
        self.major
    }
    /// A parameter by (case-insensitive) name.
    pub fn get(&self, name: &str) -> Option<&'static ParamSpec> {
        // Validation looks names up hundreds of times per plan, nearly always
        // already lowercase: only allocate when there is something to lower.
        // A hash lookup, not a binary search over the sorted names: it was
        // a third of validating a plan.
        let index = self.index();
        let found = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            index.get(name.to_ascii_lowercase().as_str())
        } else {
            index.get(name)
        };
        found.map(|&i| &self.params[i])
    }

    /// Name → position in `params`, built on first use.
    fn index(&self) -> &'static FxHashMap<&'static str, usize> {
        static INDEXES: [OnceLock<FxHashMap<&'static str, usize>>; CATALOGS.len()] =
            [const { OnceLock::new() }; CATALOGS.len()];
        // Every catalog is one of CATALOGS (the type cannot be built or
        // cloned elsewhere), one per major version: its place there is its
        // index's.
        let at = CATALOGS
            .iter()
            .position(|c| c.major == self.major)
            .unwrap_or_default();
        let keys = self.keys;
        INDEXES[at].get_or_init(|| keys.iter().enumerate().map(|(i, &k)| (k, i)).collect())
    }
    /// Every parameter, by lowercase name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static ParamSpec)> {
        self.keys.iter().copied().zip(self.params.iter())
    }
    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }
    /// True when empty (never, for a shipped version).
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
    /// The closest known names to an unknown one, for "did you mean".
    pub fn suggest(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        let bound = 3.max(name.len() / 4);
        let name_chars: Vec<char> = name.chars().collect();
        let mut distance = EditDistance::default();
        let mut scored: Vec<(usize, &str)> = self
            .keys
            .iter()
            .copied()
            .filter_map(|k| {
                if k.contains(name.as_str()) {
                    return Some((distance.between(&name_chars, k, usize::MAX), k));
                }
                // The distance is at least the difference in length: most
                // names are ruled out without computing it.
                let key_chars = if k.is_ascii() {
                    k.len()
                } else {
                    k.chars().count()
                };
                if key_chars.abs_diff(name_chars.len()) > bound {
                    return None;
                }
                let d = distance.between(&name_chars, k, bound);
                (d <= bound).then_some((d, k))
            })
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, k)| k).collect()
    }
}

/// Levenshtein distance between two names, for "did you mean" suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    EditDistance::default().between(&a, b, usize::MAX)
}

/// Levenshtein distance with its rows kept between calls, so that comparing
/// one name with every parameter of a catalog does not allocate per name.
#[derive(Default)]
struct EditDistance {
    b: Vec<char>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl EditDistance {
    /// The distance between `a` and `b`, or some value above `bound` as soon
    /// as it is certain to exceed it.
    fn between(&mut self, a: &[char], b: &str, bound: usize) -> usize {
        self.b.clear();
        self.b.extend(b.chars());
        let n = self.b.len();
        self.prev.clear();
        self.prev.extend(0..=n);
        self.cur.clear();
        self.cur.resize(n + 1, 0);
        for (i, ca) in a.iter().enumerate() {
            self.cur[0] = i + 1;
            let mut row_min = self.cur[0];
            for (j, cb) in self.b.iter().enumerate() {
                let d = (self.prev[j] + usize::from(ca != cb))
                    .min(self.prev[j + 1] + 1)
                    .min(self.cur[j] + 1);
                self.cur[j + 1] = d;
                row_min = row_min.min(d);
            }
            // Every later row is at least this row's minimum.
            if row_min > bound {
                return row_min;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        self.prev[n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_version_has_a_catalog() {
        for v in MajorVersion::MIN..=MajorVersion::MAX {
            let version = MajorVersion::new(v).unwrap();
            assert_eq!(Catalog::of(version).major(), v);
            assert!(!Catalog::of(version).is_empty());
        }
    }

    /// The build script's tables hold exactly what the TSV files say, read
    /// the straightforward way.
    #[test]
    fn generated_tables_match_the_tsv_files() {
        let files = [
            (14, include_str!("../../catalog/pg14.tsv")),
            (15, include_str!("../../catalog/pg15.tsv")),
            (16, include_str!("../../catalog/pg16.tsv")),
            (17, include_str!("../../catalog/pg17.tsv")),
            (18, include_str!("../../catalog/pg18.tsv")),
        ];
        assert_eq!(CATALOGS.len(), files.len());
        for (major, text) in files {
            let catalog = Catalog::for_major(major).unwrap();
            let mut expected = std::collections::BTreeMap::new();
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split('\t').collect();
                assert_eq!(f.len(), 9, "{line}");
                let vartype = match f[1] {
                    "bool" => VarType::Bool,
                    "integer" => VarType::Integer,
                    "real" => VarType::Real,
                    "enum" => VarType::Enum,
                    _ => VarType::String,
                };
                let enumvals: Vec<&str> = if f[5].is_empty() {
                    Vec::new()
                } else {
                    f[5].split(',').collect()
                };
                let row = (
                    f[0],
                    vartype,
                    (!f[2].is_empty()).then_some(f[2]),
                    Unit::parse(f[2]),
                    f[3].parse::<f64>().ok(),
                    f[4].parse::<f64>().ok(),
                    enumvals,
                    Context::parse(f[6]).unwrap_or(Context::Internal),
                    f[7],
                    f[8],
                );
                expected.insert(f[0].to_ascii_lowercase(), row);
            }
            assert_eq!(catalog.len(), expected.len(), "{catalog}");
            for ((key, spec), (want_key, want)) in catalog.iter().zip(&expected) {
                assert_eq!(key, want_key);
                let got = (
                    spec.name,
                    spec.vartype,
                    spec.unit_text,
                    spec.unit,
                    spec.min,
                    spec.max,
                    spec.enumvals.to_vec(),
                    spec.context,
                    spec.boot_val,
                    spec.short_desc,
                );
                assert_eq!(&got, want, "PostgreSQL {major}: {key}");
            }
        }
    }

    #[test]
    fn every_version_is_loaded() {
        for m in 14..=18 {
            let c = Catalog::for_major(m).unwrap();
            assert!(c.len() > 300, "{c}");
            assert!(c.get("max_connections").unwrap().needs_restart());
            assert!(!c.get("work_mem").unwrap().needs_restart());
        }
        assert!(Catalog::for_major(13).is_none());
    }

    #[test]
    fn values_are_checked_like_the_server() {
        let c = Catalog::for_major(14).unwrap();
        let wm = c.get("work_mem").unwrap();
        assert_eq!(wm.parse_value("64MB").unwrap(), TypedValue::Number(65536.0));
        assert!(
            wm.parse_value("1kB")
                .unwrap_err()
                .0
                .contains("below the minimum 64kB")
        );
        assert!(c.get("fsync").unwrap().parse_value("maybe").is_err());
        assert!(c.get("wal_level").unwrap().parse_value("full").is_err());
        assert_eq!(
            c.get("log_min_duration_statement")
                .unwrap()
                .value_duration("1s"),
            Some(Interval::seconds(1))
        );
        assert_eq!(c.suggest("shared_buffer"), vec!["shared_buffers"]);
    }

    #[test]
    fn suggestions_skip_no_name_a_full_scan_would_find() {
        // `suggest` rules names out by length and stops computing a distance
        // once it exceeds the bound; the result must be the full scan's.
        let c = Catalog::for_major(17).unwrap();
        for name in [
            "shared_buffer",
            "Shared_Buffers",
            "work_mem",
            "wal",
            "max_conections",
            "x",
            "effective_cache",
            "log_statment",
            "archive",
            "pg_stat_statements.track",
            "a_very_long_name_that_matches_nothing_at_all",
            "",
        ] {
            let lower = name.to_ascii_lowercase();
            let mut full: Vec<(usize, &str)> = c
                .iter()
                .map(|(k, _)| (edit_distance(&lower, k), k))
                .filter(|(d, k)| *d <= 3.max(lower.len() / 4) || k.contains(lower.as_str()))
                .collect();
            full.sort();
            let full: Vec<&str> = full.into_iter().take(3).map(|(_, k)| k).collect();
            assert_eq!(c.suggest(name), full, "{name}");
        }
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("한글", "한"), 1);
    }

    #[test]
    fn version_differences_are_visible() {
        assert!(
            Catalog::for_major(14)
                .unwrap()
                .get("reserved_connections")
                .is_none()
        );
        assert!(
            Catalog::for_major(16)
                .unwrap()
                .get("reserved_connections")
                .is_some()
        );
    }
}
