//! Rules about a database's migration scripts that can be checked on the
//! plan alone (ids PGP330–PGP349). What needs the server — an applied
//! script whose text changed, a failing statement — is an apply error.

mod file_names;
mod run_as;
mod scripts_present;
mod transaction_control;
mod unique_versions;
mod version_gaps;

pub use file_names::MigrationFileNames;
pub use run_as::MigrationRunAs;
pub use scripts_present::MigrationScriptsPresent;
pub use transaction_control::MigrationTransactionControl;
pub use unique_versions::MigrationUniqueVersions;
pub use version_gaps::MigrationVersionGaps;

use crate::model::databases::Database;
use crate::validate::Context;

/// Databases with migrations, with their index.
fn with_migrations<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<
    Item = (
        usize,
        &'a Database,
        &'a crate::model::migrations::Migrations,
    ),
> {
    cx.plan
        .databases
        .iter()
        .enumerate()
        .filter_map(|(d, db)| db.migrations.as_ref().map(|m| (d, db, m)))
}
