//! The rules, one file each. Ids are stable: never renumber, only add.

use super::{Rule, RuleInfo};

mod azure_backups;
mod azure_network;
mod azure_parameters;
mod azure_replicas;
mod azure_server;
mod azure_storage;
mod backup_capacity;
mod connection_budget;
mod durability;
mod extension_prerequisites;
pub mod ha;
mod kubernetes;
mod memory_budget;
mod monitoring_thresholds;
mod parameters;
mod patroni_timing;
mod recovery_objectives;
mod replication;
mod resources;
mod roles_privileges;
mod secrets;
mod shared_buffers;
pub mod sql;
mod wal_sizes;

pub use azure_backups::AzureBackupPolicy;
pub use azure_network::AzureNetworkAccess;
pub use azure_parameters::AzureParameters;
pub use azure_replicas::AzureReadReplicas;
pub use azure_server::AzureServer;
pub use azure_storage::AzureStorageLimits;
pub use backup_capacity::BackupCapacity;
pub use connection_budget::ConnectionBudget;
pub use durability::Durability;
pub use extension_prerequisites::ExtensionPrerequisites;
pub use ha::{
    LocalLoopbackHosts, LocalPortClashes, LocalReadReplicas, PatroniComponentNames,
    PatroniExporterLogin, PatroniPlatform, PatroniReplicationLogin, RunnerOwnedParameters,
    RunnerReservedLogins,
};
pub use kubernetes::KubernetesNames;
pub use memory_budget::MemoryBudget;
pub use monitoring_thresholds::MonitoringThresholds;
pub use parameters::Parameters;
pub use patroni_timing::PatroniTiming;
pub use recovery_objectives::RecoveryObjectives;
pub use replication::Replication;
pub use resources::ResourceRequests;
pub use roles_privileges::RolesPrivileges;
pub use secrets::Secrets;
pub use shared_buffers::SharedBuffers;
pub use sql::{ReservedSchemaNames, UniqueDatabaseNames};
pub use wal_sizes::WalSizes;

/// Every rule, in id order.
pub static ALL: &[&dyn Rule] = &[
    &ConnectionBudget,
    &MemoryBudget,
    &SharedBuffers,
    &Durability,
    &ResourceRequests,
    &WalSizes,
    &Replication,
    &PatroniTiming,
    &AzureServer,
    &AzureStorageLimits,
    &AzureBackupPolicy,
    &AzureReadReplicas,
    &AzureParameters,
    &AzureNetworkAccess,
    &Secrets,
    &RolesPrivileges,
    &RecoveryObjectives,
    &BackupCapacity,
    &MonitoringThresholds,
    &Parameters,
    &ExtensionPrerequisites,
    &KubernetesNames,
    &UniqueDatabaseNames,
    &ReservedSchemaNames,
    &PatroniPlatform,
    &LocalLoopbackHosts,
    &LocalPortClashes,
    &RunnerOwnedParameters,
    &PatroniExporterLogin,
    &RunnerReservedLogins,
    &PatroniReplicationLogin,
    &LocalReadReplicas,
    &PatroniComponentNames,
];

/// `PGP000 invalid-value`: a value that cannot be read — a name, size,
/// duration, schedule or address that does not parse. The plan file reader
/// and the plan builders report it with the field's path; no rule runs on a
/// plan that has one.
pub static INVALID_VALUE: RuleInfo = RuleInfo {
    id: "PGP000",
    name: "invalid-value",
    summary: "every value parses: names, sizes, durations, schedules, addresses and versions are well-formed",
    rationale: "a value pgplan cannot read cannot be checked or rendered; the message says what the value must look like",
    examples: None,
    replaces: &[],
};

/// The rule with this id (`PGP001`), including `PGP000`.
pub fn by_id(id: &str) -> Option<&'static RuleInfo> {
    if id.eq_ignore_ascii_case(INVALID_VALUE.id) {
        return Some(&INVALID_VALUE);
    }
    ALL.iter()
        .map(|r| r.info())
        .find(|info| info.id.eq_ignore_ascii_case(id))
}

/// Every rule's metadata, `PGP000` first, in id order.
pub fn infos() -> impl Iterator<Item = &'static RuleInfo> {
    std::iter::once(&INVALID_VALUE).chain(ALL.iter().map(|r| r.info()))
}

#[cfg(test)]
pub(crate) mod test_support;
