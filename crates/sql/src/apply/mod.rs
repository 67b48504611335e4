//! Converging a live server (feature `apply`): inspect, diff, check, run.
//!
//! Order of execution, each step only when it has changes:
//! 1. roles, attributes, passwords and memberships: one transaction in the
//!    database the DSN names;
//! 2. `CREATE DATABASE`, one statement at a time (PostgreSQL refuses it in a
//!    transaction);
//! 3. per database, one transaction with everything inside it: owner,
//!    settings and privileges of the database, schemas, extensions,
//!    public-schema hardening, privileges, default privileges (and, for
//!    roles being dropped, `REASSIGN OWNED`/`DROP OWNED`);
//! 4. `DROP ROLE`: one transaction;
//! 5. `ALTER SYSTEM`, one statement at a time, then `pg_reload_conf()`.
//!
//! Before step 1 everything that can be checked is: login, the connected
//! role's privileges, extensions (`pg_available_extension_versions`),
//! locales, roles the plan refers to. A failure there changes nothing.

mod inspect;
mod run;
mod session;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pgplan_core::ValidPlan;

use crate::diff::{self, ChangeSet, Phase, Scope};
use crate::error::Error;
use crate::secrets::{NoSecrets, SecretResolver};
use crate::statement::Statement;
use run::{run_single, run_transaction};
use session::Session;

/// Options of [`diff()`] and [`apply()`].
#[derive(Clone)]
pub struct ApplyOptions {
    /// Run destructive changes (drop roles this service created that left
    /// the plan, revoke privileges the plan does not give). Off by default:
    /// they are listed but skipped.
    pub allow_destructive: bool,
    /// Where passwords come from. Roles whose password it does not know keep
    /// the one they have.
    pub secrets: Arc<dyn SecretResolver>,
    /// Converge server settings with ALTER SYSTEM on self-managed targets
    /// (never on Azure). On by default.
    pub include_settings: bool,
    /// `application_name` of pgplan's sessions (shows in pg_stat_activity).
    pub application_name: String,
    /// Connect timeout.
    pub connect_timeout: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            allow_destructive: false,
            secrets: Arc::new(NoSecrets),
            include_settings: true,
            application_name: "pgplan".into(),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("allow_destructive", &self.allow_destructive)
            .field("include_settings", &self.include_settings)
            .field("application_name", &self.application_name)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl ApplyOptions {
    /// Allows or forbids destructive changes.
    #[must_use]
    pub fn allow_destructive(mut self, allow: bool) -> Self {
        self.allow_destructive = allow;
        self
    }
    /// Sets the secret resolver.
    #[must_use]
    pub fn secrets(mut self, resolver: impl SecretResolver + 'static) -> Self {
        self.secrets = Arc::new(resolver);
        self
    }
    /// Includes or leaves out server settings.
    #[must_use]
    pub fn include_settings(mut self, include: bool) -> Self {
        self.include_settings = include;
        self
    }
    /// Sets `application_name`.
    #[must_use]
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = name.into();
        self
    }
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyReport {
    /// `host:port`.
    pub server: String,
    /// Changes applied.
    pub changes: usize,
    /// Statements executed.
    pub statements: usize,
    /// The statements executed, in order, as SQL with passwords redacted.
    pub executed: Vec<String>,
    /// Destructive changes skipped because they were not allowed.
    pub skipped_destructive: usize,
    /// Settings that need a server restart to take effect.
    pub restart_needed: Vec<String>,
    /// Notes from the diff.
    pub notes: Vec<String>,
}

impl ApplyReport {
    fn record(&mut self, statements: &[&Statement]) {
        self.statements += statements.len();
        self.executed
            .extend(statements.iter().map(|s| s.to_redacted_sql()));
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.statements == 0 {
            writeln!(
                f,
                "{}: 0 statements: the server already matches the plan",
                self.server
            )?;
        } else {
            writeln!(
                f,
                "{}: applied {} change{} in {} statement{}",
                self.server,
                self.changes,
                if self.changes == 1 { "" } else { "s" },
                self.statements,
                if self.statements == 1 { "" } else { "s" }
            )?;
        }
        if self.skipped_destructive > 0 {
            writeln!(
                f,
                "skipped {} destructive change{} (allow them with --allow-destructive)",
                self.skipped_destructive,
                if self.skipped_destructive == 1 {
                    ""
                } else {
                    "s"
                }
            )?;
        }
        if !self.restart_needed.is_empty() {
            writeln!(
                f,
                "restart the server for: {}",
                self.restart_needed.join(", ")
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

/// The changes `apply` would make (a dry run). Runs every check `apply`
/// runs before changing anything.
///
/// `dsn` is a `postgresql://` URL or a libpq key/value string; its
/// `sslmode` and `sslrootcert` choose TLS as in libpq (see the crate docs,
/// "TLS").
///
/// # Errors
///
/// Connection, inspection and pre-flight errors; see [`Error`].
pub async fn diff(plan: &ValidPlan, dsn: &str, opts: &ApplyOptions) -> Result<ChangeSet, Error> {
    let mut session = Session::open(dsn, opts).await?;
    let (changes, _) = session.plan_changes(plan, opts).await?;
    Ok(changes)
}

/// Makes the server match the plan. `dsn` as for [`diff()`].
///
/// # Errors
///
/// Connection, inspection and pre-flight errors change nothing; a failing
/// statement rolls its transaction back and is reported with the scope it
/// was in ([`Error::Apply`]).
pub async fn apply(plan: &ValidPlan, dsn: &str, opts: &ApplyOptions) -> Result<ApplyReport, Error> {
    let mut session = Session::open(dsn, opts).await?;
    let (changes, _) = session.plan_changes(plan, opts).await?;
    let mut report = ApplyReport {
        server: session.server.clone(),
        changes: 0,
        statements: 0,
        executed: Vec::new(),
        skipped_destructive: changes
            .destructive()
            .filter(|_| !changes.allow_destructive)
            .count(),
        restart_needed: changes.restart_needed.clone(),
        notes: changes.notes.clone(),
    };
    let runnable: Vec<&diff::Change> = changes.runnable().collect();
    let of_phase = |p: Phase| runnable.iter().filter(move |c| c.phase == p).copied();

    // 1. Roles and memberships.
    let roles: Vec<&Statement> = of_phase(Phase::Roles)
        .flat_map(|c| c.statements.iter())
        .collect();
    let maintenance = session.maintenance.clone();
    if !roles.is_empty() {
        let client = session.client(&maintenance).await?;
        run_transaction(&client, &session.server, "roles", &roles).await?;
        report.record(&roles);
    }
    // 2. Databases.
    for change in of_phase(Phase::CreateDatabases) {
        let client = session.client(&maintenance).await?;
        for s in &change.statements {
            run_single(&client, &session.server, "databases", s).await?;
            report.record(&[s]);
        }
    }
    // 3. Inside each database.
    let mut by_db: Vec<(String, Vec<&Statement>)> = Vec::new();
    for change in of_phase(Phase::Databases) {
        let Scope::Database(db) = &change.scope else {
            continue;
        };
        match by_db.iter_mut().find(|(d, _)| d == db.as_str()) {
            Some((_, v)) => v.extend(change.statements.iter()),
            None => by_db.push((db.to_string(), change.statements.iter().collect())),
        }
    }
    for (db, statements) in &by_db {
        let client = session.client(db).await?;
        run_transaction(
            &client,
            &session.server,
            &format!("database {db}"),
            statements,
        )
        .await?;
        report.record(statements);
    }
    // 4. Dropped roles.
    let drops: Vec<&Statement> = of_phase(Phase::DropRoles)
        .flat_map(|c| c.statements.iter())
        .collect();
    if !drops.is_empty() {
        let client = session.client(&maintenance).await?;
        run_transaction(&client, &session.server, "dropped roles", &drops).await?;
        report.record(&drops);
    }
    // 5. Settings.
    for change in of_phase(Phase::Settings) {
        let client = session.client(&maintenance).await?;
        for s in &change.statements {
            run_single(&client, &session.server, "settings", s).await?;
            report.record(&[s]);
        }
    }
    report.changes = runnable.len();
    Ok(report)
}
