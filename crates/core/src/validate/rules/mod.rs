//! The rules, one file each, grouped by topic. Ids are stable: never
//! renumbered, never reused. A rule that split into several retired its id;
//! [`retired`] says what it became.

use super::{Rule, RuleInfo};
use crate::catalog::edit_distance;

mod azure;
mod backups;
mod common;
mod durability;
mod extensions;
pub mod ha;
mod kubernetes;
mod lifecycle;
mod migrations;
mod monitoring;
mod parameters;
mod patroni;
mod recovery;
mod replication;
mod roles;
mod secrets;
mod sizing;
pub mod sql;
mod wal;

pub use azure::{
    AzureAdminLogin, AzureAdminPassword, AzureAuthentication, AzureBackupRetention,
    AzureBurstableLimits, AzureDatabaseCollation, AzureDatabaseNames, AzureDelegatedSubnet,
    AzureEntraAdministrators, AzureExtensionAllowList, AzureExtensionsParameter,
    AzureFirewallPrivateAccess, AzureFirewallRules, AzureGeoBackup, AzureHaRegion, AzureHaZones,
    AzureManagedParameters, AzureMaxConnections, AzurePerformanceTier, AzurePgStatStatements,
    AzurePreloadLibraries, AzurePremiumSsdV2Limits, AzurePrivateDnsZone, AzureReplicaCompute,
    AzureReplicaCount, AzureReplicaNames, AzureReplicaNetwork, AzureReplicaStorage,
    AzureServerProperties, AzureSettingsMethod, AzureSkuCapacity, AzureSkuTier, AzureStorageIops,
    AzureStorageSize, AzureVersion,
};
pub use azure::{
    AzureAlertMetrics, AzureEntraRoles, AzureLogicalBackups, AzureMetricAlerts, AzureRoleAttributes,
};
pub use backups::{
    BackupVolumeCapacity, DumpDatabases, DumpDestination, DumpFrequency, DumpRetention,
    ParallelDumpFormat,
};
pub use durability::{AsynchronousCommit, CrashSafety};
pub use extensions::{DuplicateExtension, ExtensionPreload, ExtensionSchema};
pub use ha::{
    LocalLoopbackHosts, LocalPortClashes, LocalReadReplicas, PatroniComponentNames,
    PatroniExporterLogin, PatroniPlatform, PatroniReplicationLogin, PatroniReplicationRoleHba,
    RunnerOwnedParameters, RunnerReservedLogins,
};
pub use kubernetes::{
    KubernetesBackupDatabases, KubernetesBackupDestination, KubernetesBackupLogin,
    KubernetesContainerParameters, KubernetesCpuRequest, KubernetesCronWeekday,
    KubernetesDataVolume, KubernetesDisruptionBlocksDrain, KubernetesDisruptionMissing,
    KubernetesDisruptionUnsatisfiable, KubernetesDisruptionWithoutReplicas,
    KubernetesEntraIdentity, KubernetesHugePages, KubernetesIoUring, KubernetesNonRootUid,
    KubernetesObjectNameLength, KubernetesPatroni, KubernetesPinnedImage,
    KubernetesReplicaAzureSettings, KubernetesReplicationLoginName, KubernetesReplicationRoleHba,
    KubernetesReservedLabels, KubernetesScramOnly, KubernetesSharedSecret,
    KubernetesUniformReplicas, KubernetesWalKeepSize,
};
pub use lifecycle::EndOfLife;
pub use migrations::{
    MigrationFileNames, MigrationRunAs, MigrationScriptsPresent, MigrationTransactionControl,
    MigrationUniqueVersions, MigrationVersionGaps,
};
pub use monitoring::{ConnectionAlert, ReplicationLagAlert, ResourceAlerts, SlowQueryLogging};
pub use parameters::{
    DerivedValue, FileLocationParameters, InternalParameter, ParameterValue, PlaceholderParameter,
    PreloadLibrary, TimezoneName, UnknownParameter,
};
pub use patroni::{
    EtcdQuorum, PatroniLeaderTtl, PatroniMemberNames, PatroniMembers, PatroniPorts,
    PatroniRewindOff, PatroniRewindPossible, PatroniTimingValues, StrictSynchronousMode,
    SynchronousNodeCount,
};
pub use recovery::{
    ObjectiveDeclarations, ProductionBackups, ProductionObjectives, RpoReachable,
    RtoBelowPatroniTtl, RtoWithoutHa,
};
pub use replication::{
    ArchiveMode, ReplicaParameters, ReplicationSlots, SlotWalLimit, WalLevel, WalSenders,
};
pub use roles::{
    AllPrivileges, ApplicationRoleDdl, ApplicationRoleOwnership, BackupRole, ClientReferences,
    DefaultPrivilegesOwner, DuplicateRole, ExistingRoles, ForOwnerIgnored, GrantDatabase,
    GrantPrivileges, GrantSchema, MembershipCycle, OwnerReferences, PermissionBypassAttributes,
    ReplicationAttribute, ReservedRoleName, RoleManagementAttributes, RoleMembership,
};
pub use secrets::{
    EntraAuthentication, GeneratedPasswordLength, LiteralPassword, LoginPasswordSource,
    PasswordInParameter, StatementLogging, UnusedPasswordSource,
};
pub use sizing::{
    AzureSkuSizing, ClientEndpoint, ConnectionBudget, EffectiveCacheSize, KubernetesMemoryLimit,
    MemoryBudget, PodRangeOrder, PoolSize, PoolerClientLimit, ReplicaConnectionBudget,
    RequestWithinLimit, ResourceAmounts, SharedBuffersSize, VolumeSize,
};
pub use sql::{ReservedSchemaNames, SchemaUsage, UniqueDatabaseNames};
pub use wal::{WalSizeOrder, WalVolume};

/// Every rule, in id order.
pub static ALL: &[&dyn Rule] = &[
    &ConnectionBudget,
    &MemoryBudget,
    &SharedBuffersSize,
    &EffectiveCacheSize,
    &CrashSafety,
    &AsynchronousCommit,
    &RequestWithinLimit,
    &KubernetesMemoryLimit,
    &AzureSkuSizing,
    &WalSizeOrder,
    &WalVolume,
    &WalLevel,
    &WalSenders,
    &ReplicationSlots,
    &ArchiveMode,
    &ReplicaParameters,
    &PatroniTimingValues,
    &PatroniLeaderTtl,
    &PatroniMembers,
    &PatroniMemberNames,
    &EtcdQuorum,
    &SynchronousNodeCount,
    &StrictSynchronousMode,
    &PatroniPorts,
    &LiteralPassword,
    &PasswordInParameter,
    &StatementLogging,
    &LoginPasswordSource,
    &EntraAuthentication,
    &DuplicateRole,
    &ReservedRoleName,
    &RoleMembership,
    &MembershipCycle,
    &GrantDatabase,
    &GrantSchema,
    &GrantPrivileges,
    &AllPrivileges,
    &DefaultPrivilegesOwner,
    &ForOwnerIgnored,
    &ApplicationRoleOwnership,
    &ApplicationRoleDdl,
    &OwnerReferences,
    &ClientReferences,
    &BackupRole,
    &ProductionBackups,
    &RpoReachable,
    &RtoWithoutHa,
    &RtoBelowPatroniTtl,
    &ObjectiveDeclarations,
    &ProductionObjectives,
    &DumpFrequency,
    &ParallelDumpFormat,
    &DumpRetention,
    &DumpDatabases,
    &DumpDestination,
    &BackupVolumeCapacity,
    &ConnectionAlert,
    &ResourceAlerts,
    &SlowQueryLogging,
    &ReplicationLagAlert,
    &UnknownParameter,
    &PlaceholderParameter,
    &ParameterValue,
    &InternalParameter,
    &DerivedValue,
    &ExtensionPreload,
    &ExtensionSchema,
    &DuplicateExtension,
    // Operations: replication slots' WAL, the pooler's clients (PGP085–PGP099).
    &SlotWalLimit,
    &PoolerClientLimit,
    // Role attributes in production (PGP087–PGP089), passwords no one can
    // use (PGP090).
    &PermissionBypassAttributes,
    &RoleManagementAttributes,
    &ReplicationAttribute,
    &UnusedPasswordSource,
    // Endpoints, end of life, value domains (PGP091–PGP095).
    &ClientEndpoint,
    &ReplicaConnectionBudget,
    &EndOfLife,
    &TimezoneName,
    &PreloadLibrary,
    // Kubernetes, PGP100–PGP139.
    &KubernetesPatroni,
    &KubernetesNonRootUid,
    &KubernetesPinnedImage,
    &KubernetesCpuRequest,
    &KubernetesDataVolume,
    &KubernetesReplicaAzureSettings,
    &KubernetesUniformReplicas,
    &KubernetesObjectNameLength,
    &KubernetesReservedLabels,
    &KubernetesScramOnly,
    &KubernetesEntraIdentity,
    &KubernetesSharedSecret,
    &KubernetesReplicationLoginName,
    &KubernetesReplicationRoleHba,
    &KubernetesContainerParameters,
    &KubernetesCronWeekday,
    &KubernetesBackupDestination,
    &KubernetesBackupDatabases,
    &KubernetesBackupLogin,
    &KubernetesHugePages,
    &KubernetesDisruptionUnsatisfiable,
    &KubernetesDisruptionBlocksDrain,
    &KubernetesDisruptionMissing,
    &KubernetesDisruptionWithoutReplicas,
    &KubernetesIoUring,
    &KubernetesWalKeepSize,
    // Azure, PGP140–PGP179.
    &AzureVersion,
    &AzureSkuTier,
    &AzureSkuCapacity,
    &AzureBurstableLimits,
    &AzureHaRegion,
    &AzureHaZones,
    &AzureAuthentication,
    &AzureEntraAdministrators,
    &AzureAdminPassword,
    &AzureAdminLogin,
    &AzureStorageSize,
    &AzurePerformanceTier,
    &AzureStorageIops,
    &AzurePremiumSsdV2Limits,
    &AzureBackupRetention,
    &AzureGeoBackup,
    &AzureReplicaCount,
    &AzureReplicaNames,
    &AzureReplicaNetwork,
    &AzureReplicaCompute,
    &AzureReplicaStorage,
    &AzureSettingsMethod,
    &AzureServerProperties,
    &AzureManagedParameters,
    &AzureMaxConnections,
    &AzureExtensionAllowList,
    &AzureExtensionsParameter,
    &AzurePgStatStatements,
    &AzurePreloadLibraries,
    &AzureDelegatedSubnet,
    &AzurePrivateDnsZone,
    &AzureFirewallPrivateAccess,
    &AzureFirewallRules,
    &AzureDatabaseNames,
    &AzureDatabaseCollation,
    &AzureEntraRoles,
    &AzureMetricAlerts,
    &AzureAlertMetrics,
    &AzureLogicalBackups,
    &AzureRoleAttributes,
    // SQL objects, PGP180–PGP199.
    &UniqueDatabaseNames,
    &ReservedSchemaNames,
    &SchemaUsage,
    // HA and the local runner, PGP200–PGP239.
    &PatroniPlatform,
    &LocalLoopbackHosts,
    &LocalPortClashes,
    &RunnerOwnedParameters,
    &PatroniExporterLogin,
    &RunnerReservedLogins,
    &PatroniReplicationLogin,
    &LocalReadReplicas,
    &PatroniComponentNames,
    &PatroniRewindPossible,
    &PatroniRewindOff,
    // Safety, PGP300–PGP329.
    &PodRangeOrder,
    &VolumeSize,
    &ResourceAmounts,
    &PoolSize,
    &GeneratedPasswordLength,
    &FileLocationParameters,
    &ExistingRoles,
    &PatroniReplicationRoleHba,
    // Migrations, PGP330–PGP349.
    &MigrationFileNames,
    &MigrationUniqueVersions,
    &MigrationVersionGaps,
    &MigrationRunAs,
    &MigrationScriptsPresent,
    &MigrationTransactionControl,
];

/// `PGP000 invalid-value`: a value that cannot be read — a name, size,
/// duration, schedule or address that does not parse. The plan file reader
/// and the plan builders report it with the field's path; no rule runs on a
/// plan that has one. Its failing example is a plan file that does not read.
pub static INVALID_VALUE: RuleInfo = RuleInfo {
    id: "PGP000",
    name: "invalid-value",
    summary: "every value parses: names, sizes, durations, schedules, addresses and versions are well-formed",
    rationale: "A value pgplan cannot read cannot be checked or rendered — and a role name PostgreSQL would truncate, a size with an unknown unit or a schedule cron rejects would fail later, on the server. The plan is refused when it is read, and the message names the line, the column, the field and what the value must look like.",
    examples: crate::rule_examples!("PGP000-invalid-value"),
    replaces: &[],
};

/// A rule whose id was retired when it split into several rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetiredRule {
    /// The retired id, never to be used again.
    pub id: &'static str,
    /// The name it had.
    pub name: &'static str,
    /// The ids of the rules it became.
    pub became: &'static [&'static str],
}

const fn retired_rule(
    id: &'static str,
    name: &'static str,
    became: &'static [&'static str],
) -> RetiredRule {
    RetiredRule { id, name, became }
}

/// Ids that were split, in id order.
static RETIRED: &[RetiredRule] = &[
    retired_rule("PGP003", "shared-buffers", &["PGP018", "PGP019"]),
    retired_rule("PGP004", "durability", &["PGP020", "PGP021"]),
    retired_rule(
        "PGP005",
        "resources",
        &["PGP022", "PGP023", "PGP025", "PGP103"],
    ),
    retired_rule("PGP006", "wal-sizes", &["PGP026", "PGP027"]),
    retired_rule(
        "PGP007",
        "replication",
        &["PGP028", "PGP029", "PGP030", "PGP031", "PGP032"],
    ),
    retired_rule(
        "PGP008",
        "patroni-timing",
        &[
            "PGP033", "PGP034", "PGP035", "PGP036", "PGP037", "PGP038", "PGP039", "PGP040",
        ],
    ),
    retired_rule(
        "PGP009",
        "azure",
        &[
            "PGP140", "PGP141", "PGP142", "PGP143", "PGP144", "PGP145", "PGP146", "PGP147",
            "PGP148", "PGP149", "PGP150", "PGP151", "PGP152", "PGP153", "PGP154", "PGP155",
            "PGP156", "PGP157", "PGP158", "PGP159", "PGP160", "PGP161", "PGP162", "PGP163",
            "PGP164", "PGP165", "PGP166", "PGP167", "PGP168", "PGP169", "PGP170", "PGP171",
            "PGP172", "PGP173", "PGP174",
        ],
    ),
    retired_rule(
        "PGP010",
        "secrets",
        &["PGP041", "PGP042", "PGP043", "PGP044", "PGP045"],
    ),
    retired_rule(
        "PGP011",
        "roles-privileges",
        &[
            "PGP046", "PGP047", "PGP048", "PGP049", "PGP050", "PGP051", "PGP052", "PGP053",
            "PGP054", "PGP055", "PGP056", "PGP057", "PGP058", "PGP059", "PGP060",
        ],
    ),
    retired_rule(
        "PGP012",
        "recovery-objectives",
        &["PGP061", "PGP062", "PGP063", "PGP064", "PGP065", "PGP066"],
    ),
    retired_rule(
        "PGP013",
        "backup-capacity",
        &["PGP067", "PGP068", "PGP069", "PGP070", "PGP071", "PGP072"],
    ),
    retired_rule(
        "PGP014",
        "monitoring-thresholds",
        &["PGP073", "PGP074", "PGP075", "PGP076"],
    ),
    retired_rule(
        "PGP015",
        "parameters",
        &["PGP077", "PGP078", "PGP079", "PGP080", "PGP081"],
    ),
    retired_rule(
        "PGP016",
        "extension-prerequisites",
        &["PGP082", "PGP083", "PGP084"],
    ),
    retired_rule(
        "PGP017",
        "kubernetes",
        &["PGP101", "PGP102", "PGP107", "PGP115"],
    ),
];

/// The rule with this id (`PGP001`, any case), including `PGP000`.
pub fn by_id(id: &str) -> Option<&'static RuleInfo> {
    infos().find(|info| info.id.eq_ignore_ascii_case(id))
}

/// The rule with this name (`connection-budget`, any case).
pub fn by_name(name: &str) -> Option<&'static RuleInfo> {
    infos().find(|info| info.name.eq_ignore_ascii_case(name))
}

/// Every rule's metadata, `PGP000` first, in id order.
pub fn infos() -> impl Iterator<Item = &'static RuleInfo> {
    std::iter::once(&INVALID_VALUE).chain(ALL.iter().map(|r| r.info()))
}

/// For an id that was retired when its rule split (`PGP011`, any case), the
/// ids of the rules it became.
///
/// ```
/// use pgplan_core::validate::rules;
/// let parts = rules::retired("PGP004").unwrap();
/// assert_eq!(parts, ["PGP020", "PGP021"]);
/// assert!(rules::retired("PGP001").is_none());
/// ```
pub fn retired(id: &str) -> Option<&'static [&'static str]> {
    retired_rule_of(id).map(|r| r.became)
}

/// The retired rule with this id or old name (`PGP011`, `roles-privileges`,
/// any case).
pub fn retired_rule_of(id_or_name: &str) -> Option<&'static RetiredRule> {
    RETIRED
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name))
}

/// Every retired id with what it became, in id order.
pub fn retired_rules() -> &'static [RetiredRule] {
    RETIRED
}

/// The rule and retired ids and names closest to a misspelt one (`PGP0011`,
/// `conection-budget`), in order.
///
/// ```
/// use pgplan_core::validate::rules;
/// assert_eq!(rules::close_to("PGP11")[0], "PGP011");
/// assert_eq!(rules::close_to("conection-budget"), ["connection-budget"]);
/// ```
pub fn close_to(query: &str) -> Vec<&'static str> {
    let query = query.to_ascii_lowercase();
    let names = infos()
        .flat_map(|i| [i.id, i.name])
        .chain(RETIRED.iter().flat_map(|r| [r.id, r.name]));
    let mut close: Vec<(usize, &'static str)> = names
        .map(|n| (edit_distance(&query, &n.to_ascii_lowercase()), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 5))
        .collect();
    close.sort();
    close.dedup_by_key(|(_, n)| *n);
    // The closest only: `PGP0011` is as close to PGP001 as to PGP011.
    let best = close.first().map_or(0, |(d, _)| *d);
    close
        .into_iter()
        .take_while(|(d, _)| *d == best)
        .map(|(_, n)| n)
        .collect()
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests;
