//! The Kubernetes rules, PGP100–PGP139: what a plan for Kubernetes needs so
//! that the Kubernetes backend renders it and the cluster accepts and runs
//! what it renders. One file per rule; the facts they share with the backend
//! (derived object names and their limits, logins and their Secrets, image
//! families) are in [`crate::kubernetes_facts`]. They replace PGP017, which
//! checked several of these under one id.

mod common;

mod backup_databases;
mod backup_destination;
mod backup_login;
mod container_parameters;
mod cpu_request;
mod cron_weekday;
mod data_volume;
mod disruption_blocks_drain;
mod disruption_missing;
mod disruption_unsatisfiable;
mod disruption_without_replicas;
mod entra_identity;
mod huge_pages;
mod io_uring;
mod non_root_uid;
mod object_name_length;
mod patroni;
mod pinned_image;
mod replica_azure_settings;
mod replication_login_name;
mod replication_role_hba;
mod reserved_labels;
mod scram_only;
mod shared_secret;
mod uniform_replicas;
mod wal_keep_size;

pub use backup_databases::KubernetesBackupDatabases;
pub use backup_destination::KubernetesBackupDestination;
pub use backup_login::KubernetesBackupLogin;
pub use container_parameters::KubernetesContainerParameters;
pub use cpu_request::KubernetesCpuRequest;
pub use cron_weekday::KubernetesCronWeekday;
pub use data_volume::KubernetesDataVolume;
pub use disruption_blocks_drain::KubernetesDisruptionBlocksDrain;
pub use disruption_missing::KubernetesDisruptionMissing;
pub use disruption_unsatisfiable::KubernetesDisruptionUnsatisfiable;
pub use disruption_without_replicas::KubernetesDisruptionWithoutReplicas;
pub use entra_identity::KubernetesEntraIdentity;
pub use huge_pages::KubernetesHugePages;
pub use io_uring::KubernetesIoUring;
pub use non_root_uid::KubernetesNonRootUid;
pub use object_name_length::KubernetesObjectNameLength;
pub use patroni::KubernetesPatroni;
pub use pinned_image::KubernetesPinnedImage;
pub use replica_azure_settings::KubernetesReplicaAzureSettings;
pub use replication_login_name::KubernetesReplicationLoginName;
pub use replication_role_hba::KubernetesReplicationRoleHba;
pub use reserved_labels::KubernetesReservedLabels;
pub use scram_only::KubernetesScramOnly;
pub use shared_secret::KubernetesSharedSecret;
pub use uniform_replicas::KubernetesUniformReplicas;
pub use wal_keep_size::KubernetesWalKeepSize;
