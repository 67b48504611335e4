//! A database's migration scripts on a server: which ones are pending, the
//! history table that records them, and the psql runner the Kubernetes
//! schema Job runs (on Azure, `pgplan apply --target sql` runs them).
//!
//! Every database with migrations gets `pgplan.schema_history` (created by
//! the connected role, readable only by the roles that dump the database,
//! [`history_readers`]): one row per applied
//! version with its file, SHA-256 checksum, whether it ran in a
//! transaction, the role it ran as, the session user that ran it, when, and
//! how long it took. Each script runs as the plan's migration role
//! (`SET ROLE`), so the objects it creates are owned by that role and the
//! plan's `ALTER DEFAULT PRIVILEGES FOR ROLE <owner>` reaches them. A
//! transactional script runs in one transaction together with its history
//! row: a failure leaves nothing behind. A script whose first line is
//! `-- pgplan:no-transaction` runs statement by statement (for `CREATE
//! INDEX CONCURRENTLY`); its history row is written after its last
//! statement.
//!
//! An applied script whose text changed, an applied version the plan no
//! longer has, and a new script older than the newest applied one are
//! errors before anything runs ([`pending`]).
//!
//! Where pgplan itself does not run (the Kubernetes schema Job), psql does:
//! [`migration_runner_for_job`] writes the runner, with the same table, rows
//! and checks.

use pgplan_core::model::migrations::MigrationScript;
use pgplan_core::{Database, DatabaseName, RoleName, ValidPlan};

use crate::render::{ident, literal};

mod job;
pub use job::migration_runner_for_job;

/// Schema of the history table.
pub const HISTORY_SCHEMA: &str = "pgplan";
/// Name of the history table.
pub const HISTORY_TABLE: &str = "schema_history";

/// The statements that create the history table when it is missing, and
/// let `readers` read it.
pub fn history_ddl(readers: &[&RoleName]) -> String {
    let mut ddl = format!(
        "CREATE SCHEMA IF NOT EXISTS {s};\n\
         REVOKE ALL ON SCHEMA {s} FROM PUBLIC;\n\
         CREATE TABLE IF NOT EXISTS {s}.{t} (\n\
         \x20 version integer PRIMARY KEY,\n\
         \x20 script text NOT NULL,\n\
         \x20 description text NOT NULL,\n\
         \x20 checksum text NOT NULL,\n\
         \x20 transactional boolean NOT NULL,\n\
         \x20 run_as text NOT NULL,\n\
         \x20 applied_by text NOT NULL DEFAULT session_user,\n\
         \x20 applied_at timestamptz NOT NULL DEFAULT now(),\n\
         \x20 duration_ms bigint NOT NULL\n\
         );\n",
        s = ident(HISTORY_SCHEMA),
        t = ident(HISTORY_TABLE),
    );
    for r in readers {
        ddl.push_str(&format!(
            "GRANT USAGE ON SCHEMA {s} TO {r};\nGRANT SELECT ON {s}.{t} TO {r};\n",
            s = ident(HISTORY_SCHEMA),
            t = ident(HISTORY_TABLE),
            r = ident(r.as_str()),
        ));
    }
    ddl
}

/// The roles the plan's logical backups dump `db` with: they must read the
/// history (`pg_dump` locks every table it dumps, and stops at one it may
/// not read), and a dump with it restores a database that knows which
/// scripts it has, instead of one that runs them again.
pub fn history_readers<'a>(plan: &'a ValidPlan, db: &Database) -> Vec<&'a RoleName> {
    let mut readers: Vec<&RoleName> = plan
        .backups
        .logical
        .iter()
        .filter(|b| b.databases.is_empty() || b.databases.contains(&db.name))
        .filter_map(|b| b.role.as_ref())
        .collect();
    readers.sort();
    readers.dedup();
    readers
}

/// The INSERT of one history row; `duration_ms` as SQL (a literal, or an
/// expression psql computes).
pub(crate) fn history_insert(run_as: &str, script: &MigrationScript, duration_ms: &str) -> String {
    format!(
        "INSERT INTO {}.{} (version, script, description, checksum, transactional, run_as, duration_ms) VALUES ({}, {}, {}, {}, {}, {}, {duration_ms})",
        ident(HISTORY_SCHEMA),
        ident(HISTORY_TABLE),
        script.version().unwrap_or_default(),
        literal(&script.file),
        literal(&script.description().unwrap_or_default()),
        literal(&script.checksum()),
        script.transactional(),
        literal(run_as),
    )
}

/// A row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Version.
    pub version: u32,
    /// File name it had.
    pub script: String,
    /// Its SHA-256 then.
    pub checksum: String,
    /// When, as the server printed it.
    pub applied_at: String,
}

/// A script that will run, for `diff` and `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMigration {
    /// The database.
    pub database: DatabaseName,
    /// The role it runs as.
    pub run_as: RoleName,
    /// The script.
    pub script: MigrationScript,
}

impl PendingMigration {
    /// One line for people: `run migration V2__add_index.sql as app_owner`.
    pub fn summary(&self) -> String {
        format!(
            "run migration {} as {}{}",
            self.script.file,
            self.run_as,
            if self.script.transactional() {
                String::new()
            } else {
                " (outside a transaction)".to_owned()
            }
        )
    }
}

/// Why the history and the plan's scripts do not fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryMismatch {
    /// The file concerned.
    pub script: String,
    /// What is wrong and the fix.
    pub message: String,
}

/// The scripts of `db` that `applied` lacks, in version order.
///
/// # Errors
///
/// An applied script whose checksum differs from the plan's, an applied
/// version the plan does not have, a pending version older than the newest
/// applied one.
pub fn pending<'a>(
    db: &'a Database,
    applied: &[AppliedMigration],
) -> Result<Vec<&'a MigrationScript>, HistoryMismatch> {
    let Some(m) = &db.migrations else {
        return Ok(Vec::new());
    };
    let scripts = m.in_order();
    for row in applied {
        let Some(script) = scripts.iter().find(|s| s.version() == Some(row.version)) else {
            return Err(HistoryMismatch {
                script: row.script.clone(),
                message: format!(
                    "version {} ({}) was applied on {} but is not among the plan's migrations: restore the file (it cannot be undone by removing it)",
                    row.version, row.script, row.applied_at
                ),
            });
        };
        if script.checksum() != row.checksum {
            return Err(HistoryMismatch {
                script: script.file.clone(),
                message: format!(
                    "{} changed after it was applied on {} (checksum {} in the history, {} now): restore the applied text and put the change in a new script V{}__….sql",
                    script.file,
                    row.applied_at,
                    short(&row.checksum),
                    short(&script.checksum()),
                    scripts
                        .iter()
                        .filter_map(|s| s.version())
                        .max()
                        .unwrap_or(0)
                        + 1
                ),
            });
        }
    }
    let newest = applied.iter().map(|r| r.version).max();
    let pending: Vec<&MigrationScript> = scripts
        .into_iter()
        .filter(|s| !applied.iter().any(|r| Some(r.version) == s.version()))
        .collect();
    if let (Some(newest), Some(first)) = (newest, pending.first())
        && first.version().is_some_and(|v| v < newest)
    {
        return Err(HistoryMismatch {
            script: first.file.clone(),
            message: format!(
                "{} is older than V{newest}, which is already applied: scripts run in version order, so give it the next version (V{})",
                first.file,
                newest + 1
            ),
        });
    }
    Ok(pending)
}

fn short(checksum: &str) -> &str {
    &checksum[..checksum.len().min(12)]
}

/// The databases of a plan that have migration scripts.
pub fn databases_with_migrations(plan: &ValidPlan) -> impl Iterator<Item = &Database> {
    plan.databases
        .iter()
        .filter(|d| d.migrations.as_ref().is_some_and(|m| !m.scripts.is_empty()))
}

/// How many lines into `text` the 1-based character `position` is (0 on
/// the first line).
#[cfg(any(test, feature = "apply"))]
pub(crate) fn line_of(text: &str, position: usize) -> usize {
    text.chars()
        .take(position.saturating_sub(1))
        .filter(|c| *c == '\n')
        .count()
}

#[cfg(test)]
mod tests;
