//! Rules about plans the local runner (`pgplan up`) and the HA backend
//! (`pgplan render --target ha`) start or render: Patroni clusters, their
//! addresses and ports, and what the runner owns on this machine (ids
//! PGP200–PGP239, and PGP307 for the replication role's name in
//! pg_hba.conf). Each rule is a check the renderer or the runner would
//! otherwise have to refuse at run time: what validates renders, and runs.
//!
//! The facts they check against (default ports, the runner's own logins and
//! parameters) live in [`crate::runner`], which the HA backend reads too.

mod component_names;
mod exporter_login;
mod local_read_replicas;
mod loopback_hosts;
mod patroni_platform;
mod port_clashes;
mod replication_login;
mod replication_role_hba;
mod reserved_logins;
mod runner_parameters;

pub use component_names::PatroniComponentNames;
pub use exporter_login::PatroniExporterLogin;
pub use local_read_replicas::LocalReadReplicas;
pub use loopback_hosts::LocalLoopbackHosts;
pub use patroni_platform::PatroniPlatform;
pub use port_clashes::LocalPortClashes;
pub use replication_login::PatroniReplicationLogin;
pub use replication_role_hba::PatroniReplicationRoleHba;
pub use reserved_logins::RunnerReservedLogins;
pub use runner_parameters::RunnerOwnedParameters;
