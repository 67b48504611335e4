//! Target platforms: Kubernetes, Azure Database for PostgreSQL Flexible Server,
//! and this machine.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use typed_builder::TypedBuilder;

use super::azure_names::{
    AvailabilityZone, AzureResourceRef, AzureServerName, FirewallRuleName, Guid, PerformanceTier,
    PrivateDnsZone, Region, ResourceGroupName, SkuName,
};
use super::locale::{Encoding, Locale};
use super::names::{DnsLabel, DnsSubdomain, NameError, RoleName};
use super::net::CidrRange;
use super::secrets::SecretSource;
use super::units::{Bytes, Interval};

/// Where the server runs. In a plan file, a one-key mapping:
/// `platform: { kubernetes: {...} }`, `{ azure: {...} }` or `{ local: {...} }`
/// (`platform: local` alone is the same as `{ local: {} }`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// A StatefulSet in a Kubernetes cluster.
    Kubernetes(Kubernetes),
    /// Azure Database for PostgreSQL Flexible Server.
    Azure(Box<Azure>),
    /// A server on this machine (development, tests, the HA runner).
    Local(Local),
}

/// The platform as a plan file spells it: serde's own reading of the
/// one-key mapping, behind [`Platform`]'s `Deserialize`, which adds the
/// plain `local` and says what shape is expected.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum PlatformFile {
    Kubernetes(Kubernetes),
    Azure(Box<Azure>),
    Local(Local),
}

const PLATFORM_SHAPES: &str = "a platform: `platform: { local: {} }`, `platform: { kubernetes: { namespace: …, image: … } }` or `platform: { azure: { resource_group: …, server_name: …, region: …, sku: { name: … }, storage: { size: … }, administrator_login: … } }`";

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = Platform;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(PLATFORM_SHAPES)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Platform, E> {
                match v {
                    "local" => Ok(Platform::Local(Local::default())),
                    "kubernetes" | "azure" => Err(E::custom(format!(
                        "platform `{v}` needs its settings; expected {PLATFORM_SHAPES}"
                    ))),
                    other => Err(E::custom(format!(
                        "unknown platform `{other}`; expected {PLATFORM_SHAPES}"
                    ))),
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Platform, A::Error> {
                let file =
                    PlatformFile::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(match file {
                    PlatformFile::Kubernetes(k) => Platform::Kubernetes(k),
                    PlatformFile::Azure(a) => Platform::Azure(a),
                    PlatformFile::Local(l) => Platform::Local(l),
                })
            }
        }
        d.deserialize_any(Shape)
    }
}

impl Platform {
    /// A short name for messages: `kubernetes`, `azure`, `local`.
    pub fn kind(&self) -> &'static str {
        match self {
            Platform::Kubernetes(_) => "kubernetes",
            Platform::Azure(_) => "azure",
            Platform::Local(_) => "local",
        }
    }
    /// The Azure settings, when the platform is Azure.
    pub fn azure(&self) -> Option<&Azure> {
        match self {
            Platform::Azure(a) => Some(a),
            _ => None,
        }
    }
    /// The Kubernetes settings, when the platform is Kubernetes.
    pub fn kubernetes(&self) -> Option<&Kubernetes> {
        match self {
            Platform::Kubernetes(k) => Some(k),
            _ => None,
        }
    }
    /// Whether pgplan's initdb gives the cluster page checksums
    /// (`platform.local.data_checksums`, `platform.kubernetes.data_checksums`);
    /// `None` on a managed service, whose provider runs initdb.
    pub fn data_checksums(&self) -> Option<bool> {
        match self {
            Platform::Kubernetes(k) => Some(k.data_checksums),
            Platform::Local(l) => Some(l.data_checksums),
            Platform::Azure(_) => None,
        }
    }
    /// True for a managed service, where server parameters go through the
    /// provider's API and ALTER SYSTEM is not available.
    pub fn is_managed(&self) -> bool {
        matches!(self, Platform::Azure(_))
    }
}

/// A container image reference: `repository[:tag][@sha256:digest]`.
///
/// ```
/// use pgplan_core::ContainerImage;
/// let i: ContainerImage = "bitnami/postgresql:14.18.0".parse().unwrap();
/// assert_eq!(i.tag(), Some("14.18.0"));
/// assert!(!i.is_pinned_by_digest());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerImage {
    raw: String,
    repository_end: usize,
    tag: Option<(usize, usize)>,
    digest: Option<usize>,
}

impl ContainerImage {
    /// Parses an image reference.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let raw: String = s.into();
        let err = |reason: &str| NameError {
            kind: "container image",
            input: raw.clone(),
            reason: reason.into(),
        };
        if raw.is_empty() || raw.chars().any(char::is_whitespace) {
            return Err(err(
                "an image is `repository[:tag][@sha256:digest]` without spaces",
            ));
        }
        let (name_part, digest) = match raw.split_once('@') {
            Some((n, d)) => {
                let hex = d
                    .strip_prefix("sha256:")
                    .ok_or_else(|| err("a digest is `@sha256:` followed by 64 hex digits"))?;
                if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(err("a digest is `@sha256:` followed by 64 hex digits"));
                }
                (n, Some(n.len() + 1))
            }
            None => (raw.as_str(), None),
        };
        // A tag is the part after the last ':' that follows the last '/'
        // (a ':' before a '/' is a registry port).
        let last_slash = name_part.rfind('/').map_or(0, |i| i + 1);
        let tag = name_part[last_slash..]
            .rfind(':')
            .map(|i| (last_slash + i + 1, name_part.len()));
        let repository_end = tag.map_or(name_part.len(), |(s, _)| s - 1);
        if repository_end == 0 {
            return Err(err("the repository part is empty"));
        }
        if let Some((s, e)) = tag
            && s == e
        {
            return Err(err("the tag after `:` is empty"));
        }
        Ok(ContainerImage {
            raw: raw.clone(),
            repository_end,
            tag,
            digest,
        })
    }
    /// An empty reference that is never valid, kept by a builder whose input
    /// did not parse (the builder reports it and returns no plan).
    pub(crate) fn placeholder() -> Self {
        ContainerImage {
            raw: String::new(),
            repository_end: 0,
            tag: None,
            digest: None,
        }
    }
    /// The repository (`bitnami/postgresql`).
    pub fn repository(&self) -> &str {
        &self.raw[..self.repository_end]
    }
    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.map(|(s, e)| &self.raw[s..e])
    }
    /// The digest (`sha256:…`), if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.map(|s| &self.raw[s..])
    }
    /// True when the image is pinned by digest (the only immutable reference).
    pub fn is_pinned_by_digest(&self) -> bool {
        self.digest.is_some()
    }
    /// The full reference.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Display for ContainerImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for ContainerImage {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for ContainerImage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ContainerImage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A Kubernetes target.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    /// The cluster (a kubeconfig context name), for documents and apply.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Namespace of every object.
    pub namespace: DnsLabel,
    /// StorageClass of the data, WAL and backup volumes; the cluster default when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<DnsSubdomain>,
    /// PostgreSQL server image.
    pub image: ContainerImage,
    /// Image with `psql`/`pg_dump` for the schema Job and backup CronJob; the
    /// server image when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_image: Option<ContainerImage>,
    /// UID the server runs as (the image's postgres user).
    #[builder(default = 1001)]
    #[serde(default = "default_uid")]
    pub run_as_user: i64,
    /// Azure resource group of the cluster, for documents.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<ResourceGroupName>,
    /// Page checksums of the new cluster (the image's initdb arguments:
    /// `--data-checksums`): on unless the plan turns them off.
    #[builder(default = true)]
    #[serde(default = "checksums_on", skip_serializing_if = "is_true")]
    pub data_checksums: bool,
    /// How many server pods a voluntary disruption (node drain, cluster
    /// upgrade) may take: the PodDisruptionBudgets pgplan renders.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "DisruptionPolicy::is_default")]
    pub disruption: DisruptionPolicy,
}

fn default_uid() -> i64 {
    1001
}

/// A PodDisruptionBudget of one group of server pods. In a plan file
/// `{ max_unavailable: 1 }`, `{ min_available: 1 }`, or `none` for no budget
/// at all.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisruptionBudget {
    /// At least this many pods stay up during a voluntary disruption.
    MinAvailable(u32),
    /// At most this many pods are down at once during a voluntary disruption.
    MaxUnavailable(u32),
    /// No PodDisruptionBudget: a drain evicts these pods without waiting.
    #[serde(rename = "none")]
    NoBudget,
}

impl DisruptionBudget {
    /// How many of `pods` healthy pods a drain may evict, as the disruption
    /// controller computes it; `None` without a budget (no limit).
    ///
    /// ```
    /// use pgplan_core::DisruptionBudget;
    /// assert_eq!(DisruptionBudget::MinAvailable(2).evictions_allowed(3), Some(1));
    /// assert_eq!(DisruptionBudget::MinAvailable(4).evictions_allowed(3), Some(0));
    /// assert_eq!(DisruptionBudget::MaxUnavailable(1).evictions_allowed(3), Some(1));
    /// assert_eq!(DisruptionBudget::NoBudget.evictions_allowed(3), None);
    /// ```
    pub fn evictions_allowed(self, pods: u32) -> Option<u32> {
        match self {
            DisruptionBudget::MinAvailable(n) => Some(pods.saturating_sub(n)),
            DisruptionBudget::MaxUnavailable(n) => Some(n.min(pods)),
            DisruptionBudget::NoBudget => None,
        }
    }
}

impl fmt::Display for DisruptionBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisruptionBudget::MinAvailable(n) => write!(f, "min_available: {n}"),
            DisruptionBudget::MaxUnavailable(n) => write!(f, "max_unavailable: {n}"),
            DisruptionBudget::NoBudget => f.write_str("none"),
        }
    }
}

/// The PodDisruptionBudgets of the server pods. Unset budgets are pgplan's:
/// the primary (one pod, no failover on Kubernetes) `max_unavailable: 0` in
/// production, so a drain waits for an operator, and `max_unavailable: 1`
/// elsewhere; the read replicas `max_unavailable: 1`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct DisruptionPolicy {
    /// The primary's pod.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<DisruptionBudget>,
    /// The read replicas' pods (one StatefulSet).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_replicas: Option<DisruptionBudget>,
}

impl DisruptionPolicy {
    /// True when nothing is set (pgplan's budgets).
    pub fn is_default(&self) -> bool {
        *self == DisruptionPolicy::default()
    }
    /// The primary's budget: the plan's, else pgplan's for `environment`.
    pub fn primary_or_default(&self, environment: super::plan::Environment) -> DisruptionBudget {
        self.primary
            .unwrap_or(if environment == super::plan::Environment::Production {
                DisruptionBudget::MaxUnavailable(0)
            } else {
                DisruptionBudget::MaxUnavailable(1)
            })
    }
    /// The read replicas' budget: the plan's, else `max_unavailable: 1`.
    pub fn read_replicas_or_default(&self) -> DisruptionBudget {
        self.read_replicas
            .unwrap_or(DisruptionBudget::MaxUnavailable(1))
    }
}

/// Azure Flexible Server compute tier, spelt as Azure does
/// (`GeneralPurpose`) or in pgplan's snake case (`general_purpose`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SkuTier {
    /// Burstable (B-series): no HA, no read replicas.
    #[serde(alias = "burstable")]
    Burstable,
    /// General Purpose (D-series).
    #[serde(alias = "general_purpose")]
    GeneralPurpose,
    /// Memory Optimized (E-series).
    #[serde(alias = "memory_optimized")]
    MemoryOptimized,
}

impl fmt::Display for SkuTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkuTier::Burstable => "Burstable",
            SkuTier::GeneralPurpose => "GeneralPurpose",
            SkuTier::MemoryOptimized => "MemoryOptimized",
        })
    }
}

/// An Azure compute SKU. The tier follows from the SKU's series (B, D, E)
/// when unset. `vcores` and `memory` are filled in from pgplan's SKU table
/// when unset; set them for SKUs the table does not know.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureSku {
    /// SKU name, e.g. `Standard_D4s_v3`.
    pub name: SkuName,
    /// Tier; the SKU series' own when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<SkuTier>,
    /// vCores, when the SKU is not in pgplan's table.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcores: Option<u32>,
    /// Memory, when the SKU is not in pgplan's table.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
}

impl AzureSku {
    /// A SKU of the series' own tier.
    pub fn new(name: SkuName) -> Self {
        AzureSku {
            name,
            tier: None,
            vcores: None,
            memory: None,
        }
    }
    /// The tier: the plan's, else the series' (`None` for an unknown series
    /// without a tier, which rule validation reports).
    pub fn tier(&self) -> Option<SkuTier> {
        self.tier.or_else(|| self.name.tier())
    }
    /// vCores and memory: explicit values first, then the SKU table.
    pub fn capacity(&self) -> Option<(u32, Bytes)> {
        let known = crate::azure_facts::sku_capacity(self.name.as_str());
        let vcores = self.vcores.or(known.map(|k| k.0))?;
        let memory = self.memory.or(known.map(|k| k.1))?;
        Some((vcores, memory))
    }
}

/// Azure storage type.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AzureStorageType {
    /// Premium SSD (fixed size tiers, auto-grow available).
    #[default]
    #[serde(rename = "Premium_LRS")]
    PremiumLrs,
    /// Premium SSD v2 (any size in GiB, IOPS and throughput set explicitly).
    #[serde(rename = "PremiumV2_LRS")]
    PremiumV2Lrs,
}

/// Server storage on Azure.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureStorage {
    /// Provisioned size (Premium SSD: one of 32 GiB … 32 TiB).
    pub size: Bytes,
    /// Storage type.
    #[builder(default)]
    #[serde(default, rename = "type")]
    pub kind: AzureStorageType,
    /// Grow automatically near full (Premium SSD only).
    #[builder(default)]
    #[serde(default)]
    pub auto_grow: bool,
    /// Performance tier (`P15` …); the size's default tier when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance_tier: Option<PerformanceTier>,
    /// Provisioned IOPS (Premium SSD v2).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<u32>,
    /// Provisioned throughput in MB/s (Premium SSD v2).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput_mbps: Option<u32>,
}

/// High-availability mode of a Flexible Server, in pgplan's snake case
/// (`zone_redundant`) or as Azure's documentation and CLI spell it
/// (`ZoneRedundant`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AzureHaMode {
    /// No standby.
    #[default]
    #[serde(alias = "Disabled")]
    Disabled,
    /// Standby in another availability zone.
    #[serde(alias = "ZoneRedundant")]
    ZoneRedundant,
    /// Standby in the same zone.
    #[serde(alias = "SameZone")]
    SameZone,
}

/// High availability on Azure.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureHighAvailability {
    /// Mode.
    #[builder(default)]
    #[serde(default)]
    pub mode: AzureHaMode,
    /// Standby availability zone.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standby_zone: Option<AvailabilityZone>,
}

/// Private access (VNet integration).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct PrivateAccess {
    /// Virtual network name or resource id.
    pub vnet: AzureResourceRef,
    /// Subnet name or resource id.
    pub subnet: AzureResourceRef,
    /// Subnet address range, for documents and checks.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_cidr: Option<CidrRange>,
    /// The subnet is delegated to `Microsoft.DBforPostgreSQL/flexibleServers`.
    #[builder(default)]
    #[serde(default)]
    pub subnet_delegated: bool,
    /// Private DNS zone name or resource id.
    pub private_dns_zone: PrivateDnsZone,
}

/// A public-access firewall rule.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    /// Rule name.
    pub name: FirewallRuleName,
    /// First IPv4 address.
    #[serde(with = "super::net::ipv4_serde")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::Ipv4Text"))]
    pub start_ip: std::net::Ipv4Addr,
    /// Last IPv4 address.
    #[serde(with = "super::net::ipv4_serde")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::Ipv4Text"))]
    pub end_ip: std::net::Ipv4Addr,
}

/// Network access of a Flexible Server: private (VNet-injected) when `private`
/// is set, public otherwise.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureNetwork {
    /// VNet integration.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<PrivateAccess>,
    /// Firewall rules (public access only).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub firewall_rules: Vec<FirewallRule>,
}

/// A Microsoft Entra principal type.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PrincipalType {
    /// A user.
    #[default]
    User,
    /// A group.
    Group,
    /// A service principal or managed identity.
    ServicePrincipal,
}

/// A Microsoft Entra administrator of the server.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct EntraAdmin {
    /// Display name.
    #[builder(setter(into))]
    pub principal_name: String,
    /// Object id; supplied at apply time when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<Guid>,
    /// Principal type.
    #[builder(default)]
    #[serde(default)]
    pub principal_type: PrincipalType,
}

/// Authentication on Azure.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureAuth {
    /// PostgreSQL password authentication.
    #[builder(default = true)]
    #[serde(default = "yes")]
    pub password: bool,
    /// Microsoft Entra authentication.
    #[builder(default)]
    #[serde(default)]
    pub entra: bool,
    /// Entra tenant id.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<Guid>,
    /// Entra administrators.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administrators: Vec<EntraAdmin>,
}

impl Default for AzureAuth {
    fn default() -> Self {
        AzureAuth::builder().build()
    }
}

fn yes() -> bool {
    true
}

/// Azure Monitor metric alerts: what every alert pgplan renders from
/// `monitoring.thresholds` shares. Each threshold's `for` becomes the
/// alert's window (rule PGP176 keeps it to the windows Azure takes).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct AzureAlerts {
    /// Severity, 0 (critical) to 4 (verbose).
    #[builder(default = 2)]
    #[serde(default = "default_severity")]
    pub severity: u8,
    /// How often Azure evaluates each alert; derived from the alert's
    /// window when unset (1 min up to 15 min windows, then coarser).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_frequency: Option<Interval>,
    /// Action groups notified when an alert fires or resolves: a name (in
    /// the server's resource group) or a resource id. Without one the
    /// alerts only show in Azure Monitor.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_groups: Vec<AzureResourceRef>,
}

impl Default for AzureAlerts {
    fn default() -> Self {
        AzureAlerts::builder().build()
    }
}

impl AzureAlerts {
    /// True when every field has its default (nothing to write in a plan file).
    pub fn is_default(&self) -> bool {
        *self == AzureAlerts::default()
    }
}

fn default_severity() -> u8 {
    2
}

/// An Azure Flexible Server target.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Azure {
    /// Subscription id; taken from the environment at apply time when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<Guid>,
    /// Resource group.
    pub resource_group: ResourceGroupName,
    /// Server name (3–63 lowercase letters, digits and hyphens).
    pub server_name: AzureServerName,
    /// Region, e.g. `koreacentral` (display names such as `Korea Central` read the same).
    pub region: Region,
    /// Compute SKU.
    pub sku: AzureSku,
    /// Storage.
    pub storage: AzureStorage,
    /// Availability zone of the primary.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<AvailabilityZone>,
    /// High availability.
    #[builder(default)]
    #[serde(default)]
    pub high_availability: AzureHighAvailability,
    /// Network access.
    #[builder(default)]
    #[serde(default)]
    pub network: AzureNetwork,
    /// Authentication.
    #[builder(default)]
    #[serde(default)]
    pub auth: AzureAuth,
    /// Administrator login (create-only).
    pub administrator_login: RoleName,
    /// Where the administrator password comes from (password auth only).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrator_password: Option<SecretSource>,
    /// Managed identities that connect as database roles (for documents and the
    /// Entra role mapping).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_identities: Vec<String>,
    /// Azure Monitor metric alerts (severity, evaluation frequency, action
    /// groups) for the thresholds under `monitoring`.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "AzureAlerts::is_default")]
    pub alerts: AzureAlerts,
}

/// A server on this machine.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Local {
    /// Data directory; a throwaway directory when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<std::path::PathBuf>,
    /// Port on the loopback interface; a free one when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// How long the runner waits for the server to accept connections.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timeout: Option<Interval>,
    /// Encoding of the cluster (`initdb --encoding`); UTF8 when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// Locale of the cluster (`initdb --locale`); `C.UTF-8` when unset, the
    /// UTF-8 locale every Debian system has.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Page checksums (`initdb --data-checksums`): on unless the plan turns
    /// them off.
    #[builder(default = true)]
    #[serde(default = "checksums_on", skip_serializing_if = "is_true")]
    pub data_checksums: bool,
}

impl Default for Local {
    fn default() -> Self {
        Local::builder().build()
    }
}

impl Local {
    /// The cluster's encoding: the plan's, else UTF8.
    pub fn encoding_or_default(&self) -> Encoding {
        self.encoding.clone().unwrap_or_default()
    }
    /// The cluster's locale: the plan's, else `C.UTF-8`.
    pub fn locale_or_default(&self) -> Locale {
        self.locale.clone().unwrap_or_else(Locale::c_utf8)
    }
}

/// The initdb option that gives a new cluster of `version` page checksums
/// (`on`) or none: `--data-checksums`, or `--no-data-checksums` from
/// PostgreSQL 18, whose initdb turns checksums on by default (before 18 no
/// option is off).
///
/// ```
/// use pgplan_core::{MajorVersion, initdb_checksums_option};
/// let v = |n| MajorVersion::new(n).unwrap();
/// assert_eq!(initdb_checksums_option(true, v(15)), Some("--data-checksums"));
/// assert_eq!(initdb_checksums_option(false, v(17)), None);
/// assert_eq!(initdb_checksums_option(false, v(18)), Some("--no-data-checksums"));
/// ```
pub fn initdb_checksums_option(
    on: bool,
    version: super::plan::MajorVersion,
) -> Option<&'static str> {
    match (on, version.get() >= 18) {
        (true, _) => Some("--data-checksums"),
        (false, true) => Some("--no-data-checksums"),
        (false, false) => None,
    }
}

fn checksums_on() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

super::input::text_input!(ContainerImage);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_parts() {
        let i = ContainerImage::new(
            "registry:5000/pg/postgres:17.2@sha256:".to_owned() + &"a".repeat(64),
        )
        .unwrap();
        assert_eq!(i.repository(), "registry:5000/pg/postgres");
        assert_eq!(i.tag(), Some("17.2"));
        assert!(i.digest().unwrap().starts_with("sha256:aaa"));
        let j = ContainerImage::new("registry:5000/postgres").unwrap();
        assert_eq!(j.tag(), None);
        assert!(ContainerImage::new("pg@sha256:abc").is_err());
        assert!(ContainerImage::new("pg:").is_err());
    }
}
