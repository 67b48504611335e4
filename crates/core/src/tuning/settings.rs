//! A plan's resolved settings: explicit values, derived values and the
//! defaults rules depend on, each with where it came from.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use super::params::{self, Param, ParamType};
use crate::catalog::{Catalog, ParamSpec};

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
    /// Settings of a plan: its explicit values (`map`) over the platform's
    /// defaults (name → value and whose default it is) over the catalog's.
    pub(super) fn new(
        catalog: &'static Catalog,
        platform_defaults: BTreeMap<String, (String, String)>,
        map: BTreeMap<String, Setting>,
    ) -> Self {
        Settings {
            catalog,
            platform_defaults,
            map,
        }
    }
    /// Adds a setting unless one of that name is already explicit or derived.
    pub(super) fn insert_missing(&mut self, setting: Setting) {
        if !self.map.contains_key(&setting.name) {
            self.map.insert(setting.name.clone(), setting);
        }
    }
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
    /// no such parameter or the plan's value is not a valid one (which the
    /// parameter rules report).
    pub fn get<T: ParamType>(&self, param: Param<T>) -> Option<T> {
        let spec = self.catalog.get(param.name())?;
        T::read(spec, self.value(param.name())?)
    }
    /// A parameter's value with its provenance — also where the major
    /// version's catalog lacks the parameter but the platform sets it (Azure
    /// reserves `reserved_connections` on PostgreSQL 14 and 15).
    pub fn setting<T>(&self, param: Param<T>) -> Option<Setting> {
        self.lookup(param.name())
    }
    /// True when the plan sets the parameter itself.
    pub fn is_set<T>(&self, param: Param<T>) -> bool {
        self.explicit(param.name())
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
        let value = spec.boot_val.to_owned();
        Some(Setting {
            name: name.into_owned(),
            value,
            provenance: Provenance::Default {
                source: format!("PostgreSQL {}", self.catalog.major()),
            },
        })
    }
    /// The catalog's spec of a parameter.
    pub fn param_spec<T>(&self, param: Param<T>) -> Option<&'static ParamSpec> {
        self.catalog.get(param.name())
    }
    /// The spec of a parameter by name — for names from the plan or the
    /// catalog; pgplan's own code uses [`Settings::param_spec`].
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
        self.catalog.get(&name).map(|spec| spec.boot_val)
    }
    /// True when the plan sets the parameter explicitly.
    fn explicit(&self, name: &str) -> bool {
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
        self.get(params::SHARED_PRELOAD_LIBRARIES)
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
    /// Connection slots held back from ordinary roles.
    pub fn reserved_connections(&self) -> u32 {
        // Read the values as set: a managed platform reserves slots through
        // parameters an older server's catalog does not have.
        let read = |p: Param<u32>| {
            self.setting(p)
                .and_then(|s| s.value.trim().parse::<u32>().ok())
                .unwrap_or(0)
        };
        read(params::SUPERUSER_RESERVED_CONNECTIONS) + read(params::RESERVED_CONNECTIONS)
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
