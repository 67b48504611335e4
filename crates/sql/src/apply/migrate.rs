//! Migration scripts on a live server: reading each database's history
//! before anything changes, and running the pending scripts as the
//! migration role after everything else (see [`crate::migrations`]).

use std::time::Instant;

use pgplan_core::model::migrations::ScriptStatement;
use pgplan_core::{Database, ValidPlan};
use tokio_postgres::Client;
use tokio_postgres::error::ErrorPosition;

use super::session::{Session, error_text};
use crate::catalog::ServerState;
use crate::diff::{Change, Phase, Scope};
use crate::error::Error;
use crate::migrations::{
    self, AppliedMigration, HISTORY_SCHEMA, HISTORY_TABLE, PendingMigration, history_ddl,
    history_insert, line_of,
};
use crate::render::{ident, literal};

impl Session {
    /// The scripts that will run, per database in plan order. Reads the
    /// history of every database that exists; a history that does not fit
    /// the plan, or a migration role the connected role cannot `SET ROLE`
    /// to, is an error before anything changes.
    pub(super) async fn pending_migrations(
        &mut self,
        plan: &ValidPlan,
        actual: &ServerState,
    ) -> Result<Vec<PendingMigration>, Error> {
        let mut out = Vec::new();
        for db in migrations::databases_with_migrations(plan) {
            let applied = if actual.databases.contains_key(db.name.as_str()) {
                let client = self.client(db.name.as_str()).await?;
                self.check_set_role(&client, db, actual).await?;
                read_history(&client, &self.server, db).await?
            } else {
                Vec::new()
            };
            let pending = migrations::pending(db, &applied).map_err(|m| Error::Migration {
                database: db.name.to_string(),
                script: m.script,
                server: self.server.clone(),
                message: format!("{}; nothing was changed", m.message),
            })?;
            out.extend(pending.into_iter().map(|s| PendingMigration {
                database: db.name.clone(),
                run_as: db.migration_role().clone(),
                script: s.clone(),
            }));
        }
        Ok(out)
    }

    async fn check_set_role(
        &self,
        client: &Client,
        db: &Database,
        actual: &ServerState,
    ) -> Result<(), Error> {
        let role = db.migration_role().as_str();
        if actual.is_superuser || !actual.roles.contains_key(role) {
            return Ok(());
        }
        // PostgreSQL 16 split membership into INHERIT and SET options.
        let option = if actual.version_num >= 160_000 {
            "SET"
        } else {
            "MEMBER"
        };
        let can: bool = client
            .query_one(
                &format!(
                    "SELECT pg_catalog.pg_has_role(current_user, {}, {})",
                    literal(role),
                    literal(option)
                ),
                &[],
            )
            .await
            .map_err(self.inspect_error("role memberships"))?
            .get(0);
        if can {
            return Ok(());
        }
        Err(Error::Migration {
            database: db.name.to_string(),
            script: "(all)".into(),
            server: self.server.clone(),
            message: format!(
                "the scripts run as {role} (SET ROLE), but the connected role {} may not set that role; nothing was changed (GRANT {} TO {}{}, or connect as a superuser)",
                actual.current_user,
                ident(role),
                ident(&actual.current_user),
                if option == "SET" {
                    " WITH SET TRUE"
                } else {
                    ""
                }
            ),
        })
    }

    /// Runs the pending scripts; returns the statements executed.
    pub(super) async fn run_migrations(
        &mut self,
        plan: &ValidPlan,
        pending: &[PendingMigration],
    ) -> Result<usize, Error> {
        let mut statements = 0;
        let mut prepared: Vec<&str> = Vec::new();
        for m in pending {
            let client = self.client(m.database.as_str()).await?;
            if !prepared.contains(&m.database.as_str()) {
                let readers = plan
                    .databases
                    .iter()
                    .find(|d| d.name == m.database)
                    .map(|d| migrations::history_readers(plan, d))
                    .unwrap_or_default();
                client
                    .batch_execute(&history_ddl(&readers))
                    .await
                    .map_err(|e| {
                        fail(
                            &self.server,
                            m,
                            None,
                            &format!("creating the history table failed: {}", error_text(&e)),
                        )
                    })?;
                prepared.push(m.database.as_str());
            }
            statements += run_one(&client, &self.server, m).await?;
        }
        Ok(statements)
    }
}

/// A pending migration as a change `diff` lists.
pub(super) fn as_change(m: &PendingMigration) -> Change {
    Change {
        scope: Scope::Database(m.database.clone()),
        phase: Phase::Migrations,
        summary: m.summary(),
        destructive: false,
        statements: Vec::new(),
    }
}

async fn read_history(
    client: &Client,
    server: &str,
    db: &Database,
) -> Result<Vec<AppliedMigration>, Error> {
    let inspect = |e: tokio_postgres::Error| Error::Inspect {
        what: format!("the migration history of database {}", db.name),
        server: server.to_owned(),
        message: error_text(&e),
    };
    let table = format!("{}.{}", ident(HISTORY_SCHEMA), ident(HISTORY_TABLE));
    let exists: bool = client
        .query_one(
            &format!(
                "SELECT pg_catalog.to_regclass({}) IS NOT NULL",
                literal(&table)
            ),
            &[],
        )
        .await
        .map_err(inspect)?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            &format!(
                "SELECT version, script, checksum, applied_at::text FROM {table} ORDER BY version"
            ),
            &[],
        )
        .await
        .map_err(inspect)?;
    Ok(rows
        .iter()
        .map(|r| AppliedMigration {
            version: r.get::<_, i32>(0).unsigned_abs(),
            script: r.get(1),
            checksum: r.get(2),
            applied_at: r.get(3),
        })
        .collect())
}

fn fail(server: &str, m: &PendingMigration, line: Option<usize>, message: &str) -> Error {
    Error::Migration {
        database: m.database.to_string(),
        script: match line {
            Some(l) => format!("{}:{l}", m.script.file),
            None => m.script.file.clone(),
        },
        server: server.to_owned(),
        message: message.to_owned(),
    }
}

/// The line of the script where `e` happened inside `statement`.
fn failing_line(statement: &ScriptStatement, e: &tokio_postgres::Error) -> usize {
    match e.as_db_error().and_then(|d| d.position()) {
        Some(ErrorPosition::Original(p)) => statement.line + line_of(&statement.sql, *p as usize),
        _ => statement.line,
    }
}

async fn run_one(client: &Client, server: &str, m: &PendingMigration) -> Result<usize, Error> {
    let started = Instant::now();
    let set_role = format!("SET ROLE {}", ident(m.run_as.as_str()));
    let statements = m.script.statements();
    let transactional = m.script.transactional();
    let begin = if transactional {
        format!("BEGIN; {set_role}")
    } else {
        set_role
    };
    client.batch_execute(&begin).await.map_err(|e| {
        fail(
            server,
            m,
            None,
            &format!(
                "cannot run as {}: {}; nothing was changed",
                m.run_as,
                error_text(&e)
            ),
        )
    })?;
    for st in &statements {
        if let Err(e) = client.batch_execute(&st.sql).await {
            let line = failing_line(st, &e);
            let state = if transactional {
                let _ = client.batch_execute("ROLLBACK").await;
                format!(
                    "the script's transaction was rolled back: nothing of {} was applied",
                    m.script.file
                )
            } else {
                let _ = client.batch_execute("RESET ROLE").await;
                format!(
                    "the statements before line {line} were applied (this script runs outside a transaction) and the script is not recorded: make the rest safe to run again (IF NOT EXISTS) before the next apply"
                )
            };
            return Err(fail(
                server,
                m,
                Some(line),
                &format!("{}; {state}", error_text(&e)),
            ));
        }
    }
    let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let record = format!(
        "RESET ROLE; {}{}",
        history_insert(m.run_as.as_str(), &m.script, &elapsed.to_string()),
        if transactional { "; COMMIT" } else { "" }
    );
    client.batch_execute(&record).await.map_err(|e| {
        if transactional {
            fail(
                server,
                m,
                None,
                &format!(
                    "recording it in the history failed: {}; the transaction was rolled back",
                    error_text(&e)
                ),
            )
        } else {
            fail(
                server,
                m,
                None,
                &format!(
                    "its statements were applied but recording it in the history failed: {}",
                    error_text(&e)
                ),
            )
        }
    })?;
    Ok(statements.len())
}
