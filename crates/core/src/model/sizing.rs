//! Compute and storage sizes.

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::units::{Bytes, Millicores};

/// A request and an optional limit, as Kubernetes spells resources.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Resources<T> {
    /// Guaranteed amount.
    pub request: T,
    /// Hard cap.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<T>,
}

impl<T: Copy> Resources<T> {
    /// The amount the server can count on using: the limit when set, else the request.
    pub fn ceiling(&self) -> T {
        self.limit.unwrap_or(self.request)
    }
}

/// CPU, memory and volumes of the server. On Azure the SKU gives CPU and memory,
/// and the storage size the data volume.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Sizing {
    /// CPU request and limit.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Resources<Millicores>>,
    /// Memory request and limit.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Resources<Bytes>>,
    /// Data volume.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_volume: Option<Bytes>,
    /// Separate WAL volume; WAL lives on the data volume when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_volume: Option<Bytes>,
    /// Volume for logical dumps.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_volume: Option<Bytes>,
}
