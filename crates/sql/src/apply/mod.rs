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
//! 5. `ALTER SYSTEM`, one statement at a time, then `pg_reload_conf()`;
//! 6. pending migration scripts, per database in version order, as the
//!    migration role (see [`crate::migrations`]).
//!
//! Before step 1 everything that can be checked is: login, the connected
//! role's privileges, extensions (`pg_available_extension_versions`),
//! locales, roles the plan refers to. A failure there changes nothing.

mod import;
mod inspect;
mod lock;
mod migrate;
mod run;
mod session;
mod settings_check;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pgplan_core::ValidPlan;

use std::collections::BTreeMap;

use crate::catalog::{DatabaseContents, ServerState};
use crate::diff::{self, ChangeSet, Phase, Scope};
use crate::error::Error;
use crate::secrets::{NoSecrets, Password, SecretResolver};
use crate::statement::Statement;
use run::{run_single, run_transaction};
use session::Session;

pub use import::{ImportOptions, Imported, import};

/// What `apply` calls with a message when it has to wait for another apply.
pub type WaitNotice = Arc<dyn Fn(&str) + Send + Sync>;

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
    /// Manage roles, databases and schemas that exist without pgplan's
    /// marker (created by hand or another tool). Off by default: they are
    /// conflicts, listed and left alone. Changing an adopted role's
    /// password is destructive besides.
    pub adopt: bool,
    /// The login password when the DSN has none (from `PGPASSWORD`,
    /// `PGPASSFILE` or standard input).
    pub login_password: Option<Password>,
    /// How long `apply` waits for another apply to the same server to
    /// finish (they take turns on an advisory lock).
    pub lock_timeout: Duration,
    /// Told once, with who holds the lock, when `apply` has to wait.
    pub on_wait: Option<WaitNotice>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            allow_destructive: false,
            secrets: Arc::new(NoSecrets),
            include_settings: true,
            application_name: "pgplan".into(),
            connect_timeout: Duration::from_secs(10),
            adopt: false,
            login_password: None,
            lock_timeout: Duration::from_secs(120),
            on_wait: None,
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
            .field("adopt", &self.adopt)
            .field(
                "login_password",
                &self.login_password.as_ref().map(|_| "<redacted>"),
            )
            .field("lock_timeout", &self.lock_timeout)
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
    /// Adopts unmarked roles, databases and schemas the plan names.
    #[must_use]
    pub fn adopt(mut self, adopt: bool) -> Self {
        self.adopt = adopt;
        self
    }
    /// The login password when the DSN has none.
    #[must_use]
    pub fn login_password(mut self, password: Password) -> Self {
        self.login_password = Some(password);
        self
    }
    /// How long to wait for another apply to the same server.
    #[must_use]
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
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
    /// The statements executed, in order, as SQL with passwords redacted;
    /// a migration script as one comment naming it.
    pub executed: Vec<String>,
    /// Destructive changes skipped because they were not allowed.
    pub skipped_destructive: usize,
    /// Settings that need a server restart to take effect.
    pub restart_needed: Vec<String>,
    /// Notes from the diff.
    pub notes: Vec<String>,
    /// Roles, databases and schemas left alone because pgplan does not
    /// manage them (see [`ApplyOptions::adopt`]).
    pub conflicts: Vec<String>,
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
        if !self.conflicts.is_empty() {
            writeln!(
                f,
                "left alone (pgplan does not manage them; pass --adopt to take them over):"
            )?;
            for c in &self.conflicts {
                writeln!(f, "  ! {c}")?;
            }
        }
        if !self.restart_needed.is_empty() {
            writeln!(
                f,
                "pending until the server restarts (the running server keeps the old values): {}",
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
    prepare(dsn, opts, Purpose::Diff)
        .await?
        .diff(plan, opts)
        .await
}

/// Makes the server match the plan. `dsn` as for [`diff()`].
///
/// # Errors
///
/// Connection, inspection and pre-flight errors change nothing; a failing
/// statement rolls its transaction back and is reported with the scope it
/// was in ([`Error::Apply`]).
pub async fn apply(plan: &ValidPlan, dsn: &str, opts: &ApplyOptions) -> Result<ApplyReport, Error> {
    prepare(dsn, opts, Purpose::Apply)
        .await?
        .apply(plan, opts)
        .await
}

/// What a [`Prepared`] server is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A [`Prepared::diff`]: reads only.
    Diff,
    /// A [`Prepared::apply`]: takes turns with other applies to the server
    /// (an advisory lock, taken before anything is read, so that an apply
    /// finds the work of the one before it).
    Apply,
}

/// A server connected to, with what it holds independently of any plan
/// already read: the first half of [`diff()`] and [`apply()`], for callers
/// that read their plan meanwhile (the server's answers and the plan's
/// parsing then overlap instead of adding up). Dropping it disconnects,
/// which also gives up an apply's turn.
///
/// ```no_run
/// # async fn example(plan: &pgplan_core::ValidPlan) -> Result<(), pgplan_sql::Error> {
/// use pgplan_sql::{ApplyOptions, Purpose, prepare};
/// let opts = ApplyOptions::default();
/// let server = prepare("postgresql://postgres@127.0.0.1:5432/postgres", &opts, Purpose::Diff);
/// // … read and validate the plan while the server answers …
/// let changes = server.await?.diff(plan, &opts).await?;
/// println!("{changes}");
/// # Ok(())
/// # }
/// ```
pub struct Prepared {
    session: Session,
    state: ServerState,
    /// Databases read before the plan was known, with their connections
    /// (none for the maintenance database's, which the session has).
    prefetched: BTreeMap<String, (Option<Arc<tokio_postgres::Client>>, DatabaseContents)>,
    /// The connection holding an apply's advisory lock.
    lock: Option<Arc<tokio_postgres::Client>>,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("server", &self.session.server)
            .field("locked", &self.lock.is_some())
            .finish_non_exhaustive()
    }
}

/// Connects to the server at `dsn` (as for [`diff()`]) and reads what does
/// not depend on a plan; for [`Purpose::Apply`], first waits for its turn.
/// Of `opts`, the connection's fields are used here (login password,
/// application name, connect and lock timeouts, `on_wait`); the
/// application name given to [`Prepared::diff`] or [`Prepared::apply`]
/// replaces this one.
///
/// # Errors
///
/// Connection and inspection errors, and [`Error::Locked`] when another
/// apply holds the server longer than `opts.lock_timeout`.
pub async fn prepare(dsn: &str, opts: &ApplyOptions, purpose: Purpose) -> Result<Prepared, Error> {
    let mut session = Session::open(dsn, opts).await?;
    let maintenance = session.maintenance.clone();
    let client = session.client(&maintenance).await?;
    let lock = match purpose {
        Purpose::Diff => None,
        Purpose::Apply => {
            lock::acquire(
                &client,
                &session.server,
                opts.lock_timeout,
                opts.on_wait.as_deref(),
            )
            .await?;
            Some(client.clone())
        }
    };
    // The plan's databases are not known yet: on a server with a few, read
    // each on its own connection while the server-wide state is read here.
    // One the plan does not name costs a few catalog queries for nothing
    // (its connection is closed once the plan is known); one that cannot be
    // read now is read again once the plan needs it (and its error told
    // then). The reads stop when `prepare` is dropped (a JoinSet aborts its
    // tasks).
    let candidates = client
        .query(
            "SELECT datname FROM pg_catalog.pg_database \
             WHERE datallowconn AND NOT datistemplate \
               AND pg_catalog.has_database_privilege(oid, 'CONNECT') IS TRUE \
             ORDER BY datname",
            &[],
        )
        .await
        .map_err(session.inspect_error("databases"))?;
    let endpoint = session.endpoint();
    let mut reads = tokio::task::JoinSet::new();
    if candidates.len() <= PREFETCHED_DATABASES {
        for row in &candidates {
            let database: String = row.get(0);
            let endpoint = endpoint.clone();
            reads.spawn(async move {
                let client = endpoint.connect(&database).await.ok()?;
                let contents = inspect::read_database(&client, &endpoint.server, &database)
                    .await
                    .ok()?;
                Some((database, client, contents))
            });
        }
    }
    let state = inspect::read_server(&client, &session.server).await?;
    let mut prefetched = BTreeMap::new();
    while let Some(read) = reads.join_next().await {
        if let Ok(Some((database, client, contents))) = read {
            // The maintenance database keeps its own connection (it holds
            // an apply's turn).
            let client = (database != maintenance).then_some(client);
            prefetched.insert(database, (client, contents));
        }
    }
    Ok(Prepared {
        session,
        state,
        prefetched,
        lock,
    })
}

/// At most this many databases are read before the plan says which it
/// needs (see [`prepare`]): a server with more is read after.
const PREFETCHED_DATABASES: usize = 4;

impl Prepared {
    /// The prefetched contents of the plan's databases; their connections
    /// join the session, the others are closed (a connection to a database
    /// the plan does not name could stand in the way, e.g. of `CREATE
    /// DATABASE … TEMPLATE` it, or take a slot of the role's connection
    /// limit).
    fn take_prefetched(&mut self, plan: &ValidPlan) -> BTreeMap<String, DatabaseContents> {
        let mut taken = BTreeMap::new();
        for (database, (client, contents)) in std::mem::take(&mut self.prefetched) {
            if !plan.databases.iter().any(|d| d.name.as_str() == database) {
                continue;
            }
            if let Some(client) = client {
                self.session.keep_client(&database, client);
            }
            taken.insert(database, contents);
        }
        taken
    }

    /// The server, as `host:port`.
    pub fn server(&self) -> &str {
        &self.session.server
    }

    /// [`diff()`] from here.
    ///
    /// # Errors
    ///
    /// As [`diff()`].
    pub async fn diff(mut self, plan: &ValidPlan, opts: &ApplyOptions) -> Result<ChangeSet, Error> {
        self.session
            .set_application_name(&opts.application_name)
            .await?;
        let prefetched = self.take_prefetched(plan);
        let (mut changes, actual) = self
            .session
            .plan_changes(plan, opts, self.state, prefetched)
            .await?;
        let migrations = self.session.pending_migrations(plan, &actual).await?;
        changes
            .changes
            .extend(migrations.iter().map(migrate::as_change));
        Ok(changes)
    }

    /// [`apply()`] from here; prepared for [`Purpose::Apply`] (a server
    /// prepared for a diff takes its turn now, and reads its state again).
    ///
    /// # Errors
    ///
    /// As [`apply()`].
    pub async fn apply(
        mut self,
        plan: &ValidPlan,
        opts: &ApplyOptions,
    ) -> Result<ApplyReport, Error> {
        self.session
            .set_application_name(&opts.application_name)
            .await?;
        let (lock_client, state, prefetched) = match self.lock.take() {
            Some(lock_client) => {
                let prefetched = self.take_prefetched(plan);
                (lock_client, self.state, prefetched)
            }
            None => {
                let maintenance = self.session.maintenance.clone();
                let lock_client = self.session.client(&maintenance).await?;
                lock::acquire(
                    &lock_client,
                    &self.session.server,
                    opts.lock_timeout,
                    opts.on_wait.as_deref(),
                )
                .await?;
                // Read before the lock: read again, as another apply may
                // have changed the server meanwhile.
                self.prefetched.clear();
                let state = match self.session.inspect_server().await {
                    Ok(state) => state,
                    Err(e) => {
                        lock::release(&lock_client).await;
                        return Err(e);
                    }
                };
                (lock_client, state, BTreeMap::new())
            }
        };
        let result = apply_locked(plan, &mut self.session, opts, state, prefetched).await;
        lock::release(&lock_client).await;
        result
    }
}

async fn apply_locked(
    plan: &ValidPlan,
    session: &mut Session,
    opts: &ApplyOptions,
    state: ServerState,
    prefetched: BTreeMap<String, DatabaseContents>,
) -> Result<ApplyReport, Error> {
    let (changes, actual) = session.plan_changes(plan, opts, state, prefetched).await?;
    let migrations = session.pending_migrations(plan, &actual).await?;
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
        conflicts: Vec::new(),
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
    // 5. Settings, then what the server made of them.
    let mut settings_changed = false;
    for change in of_phase(Phase::Settings) {
        let client = session.client(&maintenance).await?;
        for s in &change.statements {
            run_single(&client, &session.server, "settings", s).await?;
            report.record(&[s]);
            settings_changed = true;
        }
    }
    if settings_changed {
        let client = session.client(&maintenance).await?;
        let catalog = pgplan_core::Catalog::for_major(plan.version.get());
        let needs_restart = |name: &str| {
            catalog
                .and_then(|c| c.get(name))
                .is_some_and(|p| p.needs_restart())
        };
        report.restart_needed =
            settings_check::check_after(&client, &session.server, needs_restart).await?;
    }
    // 6. Migrations, as the owner role (see crate::migrations).
    report.statements += session.run_migrations(plan, &migrations).await?;
    // A script is listed by name (its text is the application's, in its
    // file): one SQL comment per migration run.
    report.executed.extend(
        migrations
            .iter()
            .map(|m| format!("-- {} in database {}", m.summary(), m.database)),
    );
    report.changes = runnable.len() + migrations.len();
    report.conflicts = changes.conflicts.clone();
    Ok(report)
}
