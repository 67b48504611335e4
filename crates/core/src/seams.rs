//! What one backend hands another. A backend never depends on another
//! backend; when one's output is another's input (the SQL a Kubernetes Job
//! runs), the type of that hand-over lives here and the producer offers a
//! function that returns it.

use std::collections::BTreeMap;

use crate::model::names::RoleName;

/// The SQL a deployment job runs with `psql --file` (ordered, idempotent,
/// `ON_ERROR_STOP`), and the roles whose passwords the job sets afterwards
/// from its own secrets — the script creates them without one, so no
/// password, verifier or psql variable has to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitScript {
    /// The psql script.
    pub sql: String,
    /// Roles that log in with a password the job sets after the script, in
    /// name order.
    pub passwords_to_set: Vec<RoleName>,
}

/// What runs a plan's migration scripts where `pgplan apply` does not (the
/// Kubernetes schema Job): a psql script and the scripts it includes.
///
/// The SQL backend writes it, so its history table and rows are the ones
/// `pgplan apply --target sql` reads and writes. A job runs
/// [`runner`](Self::runner) with `psql --no-psqlrc --set=ON_ERROR_STOP=1
/// --file` after the [`InitScript`], connected as a role that may `SET ROLE`
/// to each migration role (the superuser), from a directory that holds
/// [`files`](Self::files) beside it (the runner includes them with `\ir`).
/// It checks every database's history before running anything (a changed
/// applied script stops it, naming the file), then runs each pending script
/// as its migration role: in one transaction with its history row, or, when
/// marked `-- pgplan:no-transaction`, statement by statement. psql reads
/// the scripts (`\ir`), as it would by hand: a line that starts with `\` is
/// a psql command, and `:name` of a variable psql has is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationRunner {
    /// The psql script.
    pub runner: String,
    /// The migration scripts by file name (`<database>.<script file>`), as
    /// the runner includes them.
    pub files: BTreeMap<String, String>,
}

/// The SQL that turns a plan's Entra-identity roles into Microsoft Entra
/// principals on Azure Database for PostgreSQL, and how to run it.
///
/// The SQL backend writes it; the Azure backend's script runs it with
/// plain `psql` connected to [`database`](Self::database) as a Microsoft
/// Entra administrator of the server, an Entra access token as the
/// password, and each principal's object id in a psql variable
/// (`psql -v <object_id_variable>=<objectId>`). It must run before
/// `init.sql`, whose grants name these roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraPrincipalScript {
    /// The psql script (`ON_ERROR_STOP`, idempotent: a principal that
    /// exists is left alone, one mapped to another object id stops it).
    pub sql: String,
    /// The database it must run in: `postgres`, the only one that has
    /// Azure's `pgaadauth_*` functions.
    pub database: String,
    /// The principals it creates, in role name order.
    pub principals: Vec<EntraPrincipal>,
}

/// One role that logs in as a Microsoft Entra identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraPrincipal {
    /// The database role.
    pub role: RoleName,
    /// The managed identity it logs in as, as the plan names it
    /// (`platform.azure.managed_identities`).
    pub identity: String,
    /// The psql variable that must hold the identity's object id (for a
    /// managed identity, its `principalId`).
    pub object_id_variable: String,
}
