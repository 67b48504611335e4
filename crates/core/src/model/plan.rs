//! The plan: one PostgreSQL deployment of one service in one environment.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use typed_builder::TypedBuilder;

use super::backups::Backups;
use super::clients::{Client, Pooler};
use super::databases::Database;
use super::monitoring::Monitoring;
use super::names::{Labels, NameError, RoleName, ServiceName};
use super::platform::Platform;
use super::roles::Role;
use super::security::Security;
use super::sizing::Sizing;
use super::topology::Topology;
use super::tuning::Tuning;
use super::units::{Bytes, Interval, Millicores, Percent};

/// The environment a deployment serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Development: data loss is acceptable.
    #[serde(alias = "dev")]
    Development,
    /// Staging.
    #[serde(alias = "stage")]
    Staging,
    /// Production.
    #[serde(alias = "prod")]
    Production,
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        })
    }
}

/// A PostgreSQL major version that pgplan supports (14–18).
///
/// ```
/// use pgplan_core::MajorVersion;
/// assert_eq!(MajorVersion::new(17).unwrap().get(), 17);
/// assert!(MajorVersion::new(13).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MajorVersion(u16);

impl MajorVersion {
    /// Oldest supported major version.
    pub const MIN: u16 = 14;
    /// Newest supported major version.
    pub const MAX: u16 = 18;

    /// Checks and wraps a major version.
    pub fn new(v: u16) -> Result<Self, NameError> {
        if (Self::MIN..=Self::MAX).contains(&v) {
            Ok(MajorVersion(v))
        } else {
            Err(NameError {
                kind: "PostgreSQL major version",
                input: v.to_string(),
                reason: format!("pgplan supports {}–{}", Self::MIN, Self::MAX),
            })
        }
    }
    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
    /// The newest supported version.
    pub fn newest() -> Self {
        MajorVersion(Self::MAX)
    }
}

impl crate::model::input::Input<MajorVersion> for MajorVersion {
    fn into_value(self) -> Result<MajorVersion, String> {
        Ok(self)
    }
}

impl crate::model::input::Input<MajorVersion> for i32 {
    fn into_value(self) -> Result<MajorVersion, String> {
        u16::try_from(self)
            .ok()
            .and_then(|v| MajorVersion::new(v).ok())
            .ok_or_else(|| {
                format!("PostgreSQL {self} is not a major version pgplan supports (14–18)")
            })
    }
}

impl crate::model::input::Input<MajorVersion> for u16 {
    fn into_value(self) -> Result<MajorVersion, String> {
        MajorVersion::new(self).map_err(|e| e.to_string())
    }
}

impl fmt::Display for MajorVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for MajorVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

impl<'de> Deserialize<'de> for MajorVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = super::units::scalar_text(d, "a PostgreSQL major version, such as 17")?;
        let v: u16 = text.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "PostgreSQL major version `{text}` is not a number (14–18)"
            ))
        })?;
        MajorVersion::new(v).map_err(serde::de::Error::custom)
    }
}

/// Targets declared in another document (an architecture document that
/// disagrees with the plan, say); rule `PGP065` reports conflicts.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveDeclaration {
    /// Where the declaration comes from.
    #[builder(setter(into))]
    pub source: String,
    /// Availability declared there.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Percent>,
    /// RPO declared there.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<Interval>,
    /// RTO declared there.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto: Option<Interval>,
}

/// Availability and recovery targets.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Objectives {
    /// Availability target.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Percent>,
    /// Recovery point objective: data that may be lost.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<Interval>,
    /// Recovery time objective: time to restore service.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto: Option<Interval>,
    /// The same targets as other documents state them.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_elsewhere: Vec<ObjectiveDeclaration>,
}

/// A PostgreSQL deployment plan.
///
/// ```
/// use pgplan_core::*;
/// let plan = Plan::builder()
///     .service("orders".parse().unwrap())
///     .environment(Environment::Development)
///     .version(MajorVersion::new(17).unwrap())
///     .platform(Platform::Local(Local::default()))
///     .sizing(
///         Sizing::builder()
///             .memory(Resources::builder().request(Bytes::gib(2)).build())
///             .cpu(Resources::builder().request(Millicores::cores(2)).build())
///             .build(),
///     )
///     .build();
/// let report = plan.report();
/// assert!(!report.has_errors(), "{report}");
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The service the database belongs to.
    pub service: ServiceName,
    /// Environment.
    pub environment: Environment,
    /// Labels copied onto every object pgplan renders.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    /// Availability and recovery targets.
    #[builder(default)]
    #[serde(default)]
    pub objectives: Objectives,
    /// PostgreSQL major version.
    pub version: MajorVersion,
    /// Where it runs.
    pub platform: Platform,
    /// Servers and replication.
    #[builder(default)]
    #[serde(default)]
    pub topology: Topology,
    /// CPU, memory, volumes.
    #[builder(default)]
    #[serde(default)]
    pub sizing: Sizing,
    /// Tuning inputs and explicit parameters.
    #[builder(default)]
    #[serde(default)]
    pub tuning: Tuning,
    /// Databases.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<Database>,
    /// Roles.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// Roles that exist on the server and that the plan refers to without
    /// managing them — `postgres`, `azure_pg_admin`, a team's DBA role — as
    /// owners of its databases and schemas, groups in `member_of` or
    /// `for_owner` of default privileges. `apply` checks they exist and never
    /// creates, alters, marks or drops them.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub existing_roles: Vec<RoleName>,
    /// Application services that connect.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<Client>,
    /// Connection pooler in front of the server.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooler: Option<Pooler>,
    /// Backups.
    #[builder(default)]
    #[serde(default)]
    pub backups: Backups,
    /// Monitoring.
    #[builder(default)]
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Security.
    #[builder(default)]
    #[serde(default)]
    pub security: Security,
}

impl Plan {
    /// The memory the server can use: the SKU's on Azure, the memory limit (or
    /// request) elsewhere. `None` when the plan does not say.
    pub fn memory(&self) -> Option<Bytes> {
        match &self.platform {
            Platform::Azure(a) => a.sku.capacity().map(|c| c.1),
            _ => self.sizing.memory.map(|m| m.ceiling()),
        }
    }
    /// Where [`Plan::memory`] comes from, for messages.
    pub fn memory_source(&self) -> &'static str {
        match &self.platform {
            Platform::Azure(_) => "platform.azure.sku",
            Platform::Kubernetes(_) => "sizing.memory.limit",
            Platform::Local(_) => "sizing.memory",
        }
    }
    /// CPUs the server can use (whole cores, rounded up).
    pub fn cpus(&self) -> Option<u32> {
        match &self.platform {
            Platform::Azure(a) => a.sku.capacity().map(|c| c.0),
            _ => self
                .sizing
                .cpu
                .map(|c| c.ceiling())
                .map(Millicores::whole_cores_ceil),
        }
    }
    /// The volume WAL is written to: the WAL volume, else the data volume (on
    /// Azure, the storage size).
    pub fn wal_volume(&self) -> Option<(Bytes, &'static str)> {
        if let Some(w) = self.sizing.wal_volume {
            return Some((w, "sizing.wal_volume"));
        }
        match &self.platform {
            Platform::Azure(a) => Some((a.storage.size, "platform.azure.storage.size")),
            _ => self.sizing.data_volume.map(|d| (d, "sizing.data_volume")),
        }
    }
    /// A role by name.
    pub fn role(&self, name: &RoleName) -> Option<&Role> {
        self.roles.iter().find(|r| &r.name == name)
    }
    /// Every extension in any database, with the database it is in.
    pub fn extensions(
        &self,
    ) -> impl Iterator<Item = (&super::databases::Database, &super::databases::Extension)> {
        self.databases
            .iter()
            .flat_map(|d| d.extensions.iter().map(move |e| (d, e)))
    }
    /// True when the plan uses an extension anywhere.
    pub fn uses_extension(&self, name: &str) -> bool {
        self.extensions().any(|(_, e)| e.name.as_str() == name)
    }
}
