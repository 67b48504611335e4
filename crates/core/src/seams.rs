//! What one backend hands another. A backend never depends on another
//! backend; when one's output is another's input (the SQL a Kubernetes Job
//! runs), the type of that hand-over lives here and the producer offers a
//! function that returns it.

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
