//! Tuning inputs: workload, storage, how settings reach the server, and
//! explicit parameter values. Derived values live in [`crate::tuning`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use typed_builder::TypedBuilder;

use super::names::GucName;

/// The workload the server is tuned for (PGTune's profiles).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// Web application: many short queries.
    #[default]
    Web,
    /// Online transaction processing.
    Oltp,
    /// Data warehouse: few large queries.
    Dw,
    /// A mix of the above.
    Mixed,
    /// A developer's machine, sharing memory with other programs.
    Desktop,
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::Web => "web",
            Workload::Oltp => "oltp",
            Workload::Dw => "dw",
            Workload::Mixed => "mixed",
            Workload::Desktop => "desktop",
        })
    }
}

/// The kind of storage under the data directory.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// Solid-state disks (cloud premium disks).
    #[default]
    Ssd,
    /// Spinning disks (cloud standard HDD).
    Hdd,
    /// A storage network.
    San,
    /// Local NVMe.
    Nvme,
}

impl fmt::Display for StorageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StorageKind::Ssd => "ssd",
            StorageKind::Hdd => "hdd",
            StorageKind::San => "san",
            StorageKind::Nvme => "nvme",
        })
    }
}

/// How server parameters reach the server.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsMethod {
    /// `ALTER SYSTEM` over SQL (self-managed servers only).
    AlterSystem,
    /// A postgresql.conf file (ConfigMap, Patroni dynamic configuration).
    ConfigFile,
    /// The provider's API (Azure configurations API).
    ServiceApi,
}

impl SettingsMethod {
    /// The method a platform uses when the plan does not say.
    pub fn for_platform(platform: &super::platform::Platform) -> Self {
        match platform {
            super::platform::Platform::Azure(_) => SettingsMethod::ServiceApi,
            super::platform::Platform::Kubernetes(_) => SettingsMethod::ConfigFile,
            super::platform::Platform::Local(_) => SettingsMethod::AlterSystem,
        }
    }
}

/// A parameter value as PostgreSQL would read it (`4GB`, `200`, `off`, `0.9`).
///
/// In a plan file it may be written as a string, number or boolean; it is kept
/// as text and checked against the parameter catalog of the plan's major version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamValue(String);

impl ParamValue {
    /// Wraps a value.
    pub fn new(s: impl Into<String>) -> Self {
        ParamValue(s.into())
    }
    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Why the value cannot be a parameter's, if it cannot: a line break
    /// (`ALTER SYSTEM` refuses one, and it would end a postgresql.conf
    /// line) or a NUL character. The plan reader and the builders refuse
    /// such a value with the parameter's path.
    pub fn problem(&self) -> Option<&'static str> {
        if self.0.contains('\0') {
            Some("a parameter value cannot hold a NUL character; remove it")
        } else if self.0.contains(['\n', '\r']) {
            Some(
                "a parameter value cannot hold a line break: ALTER SYSTEM refuses one, and in postgresql.conf it would end the setting's line; write the value on one line",
            )
        } else {
            None
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ParamValue {
    fn from(s: &str) -> Self {
        ParamValue(s.to_owned())
    }
}
impl From<String> for ParamValue {
    fn from(s: String) -> Self {
        ParamValue(s)
    }
}
impl From<i64> for ParamValue {
    fn from(n: i64) -> Self {
        ParamValue(n.to_string())
    }
}
impl From<u32> for ParamValue {
    fn from(n: u32) -> Self {
        ParamValue(n.to_string())
    }
}
impl From<f64> for ParamValue {
    fn from(n: f64) -> Self {
        ParamValue(n.to_string())
    }
}
impl From<bool> for ParamValue {
    fn from(b: bool) -> Self {
        ParamValue(if b { "on" } else { "off" }.to_owned())
    }
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Value;
        impl serde::de::Visitor<'_> for Value {
            type Value = ParamValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a parameter value: one string, number or boolean, such as 4GB, 200, on or 0.9 (a list is written as one string: 'pg_stat_statements,pg_cron')",
                )
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<ParamValue, E> {
                Ok(b.into())
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<ParamValue, E> {
                Ok(n.into())
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ParamValue, E> {
                Ok(ParamValue(n.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<ParamValue, E> {
                Ok(n.into())
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ParamValue, E> {
                checked(ParamValue(s.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<ParamValue, E> {
                checked(ParamValue(s))
            }
        }
        // A text value no format can hold (a line break: ALTER SYSTEM
        // refuses it) is refused when read, with the field's path.
        fn checked<E: serde::de::Error>(value: ParamValue) -> Result<ParamValue, E> {
            match value.problem() {
                Some(problem) => Err(E::custom(problem)),
                None => Ok(value),
            }
        }
        d.deserialize_any(Value)
    }
}

/// Tuning inputs.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Tuning {
    /// Workload profile.
    #[builder(default)]
    #[serde(default)]
    pub workload: Workload,
    /// Storage kind.
    #[builder(default)]
    #[serde(default)]
    pub storage: StorageKind,
    /// How settings reach the server; the platform's own way when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<SettingsMethod>,
    /// Explicit parameter values; everything else is derived.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<GucName, ParamValue>,
}

impl Tuning {
    /// An explicit value, if the plan sets one.
    pub fn explicit(&self, name: &str) -> Option<&ParamValue> {
        self.parameters
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }
}
