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

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use pgplan_core::{RoleName, ValidPlan};
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::catalog::{
    self, AclEntry, ActualDatabase, ActualExtension, ActualRole, ActualSchema, ActualSetting,
    DatabaseContents, DefaultAclEntry, ObjectClass, SchemaObject, ServerState,
};
use crate::desired::DesiredState;
use crate::diff::{self, ChangeSet, DiffInputs, Phase, Scope};
use crate::error::Error;
use crate::render::literal;
use crate::secrets::{NoSecrets, Password, SecretResolver};
use crate::statement::{DefaultObjects, Statement};
use crate::tls::{self, SslMode, TlsFailure, TlsSettings};

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
    /// Destructive changes skipped because they were not allowed.
    pub skipped_destructive: usize,
    /// Settings that need a server restart to take effect.
    pub restart_needed: Vec<String>,
    /// Notes from the diff.
    pub notes: Vec<String>,
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
        report.statements += roles.len();
    }
    // 2. Databases.
    for change in of_phase(Phase::CreateDatabases) {
        let client = session.client(&maintenance).await?;
        for s in &change.statements {
            run_single(&client, &session.server, "databases", s).await?;
            report.statements += 1;
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
        report.statements += statements.len();
    }
    // 4. Dropped roles.
    let drops: Vec<&Statement> = of_phase(Phase::DropRoles)
        .flat_map(|c| c.statements.iter())
        .collect();
    if !drops.is_empty() {
        let client = session.client(&maintenance).await?;
        run_transaction(&client, &session.server, "dropped roles", &drops).await?;
        report.statements += drops.len();
    }
    // 5. Settings.
    for change in of_phase(Phase::Settings) {
        let client = session.client(&maintenance).await?;
        for s in &change.statements {
            run_single(&client, &session.server, "settings", s).await?;
            report.statements += 1;
        }
    }
    report.changes = runnable.len();
    Ok(report)
}

/// Connections to one server, one per database, opened on demand.
struct Session {
    config: Config,
    tls: TlsSettings,
    connector: MakeRustlsConnect,
    host: String,
    server: String,
    user: String,
    maintenance: String,
    clients: BTreeMap<String, Arc<Client>>,
}

fn error_text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} ({})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            s.push_str(": ");
            s.push_str(d);
        }
        if let Some(h) = db.hint() {
            s.push_str(" (hint: ");
            s.push_str(h);
            s.push(')');
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

impl Session {
    async fn open(dsn: &str, opts: &ApplyOptions) -> Result<Session, Error> {
        let split = tls::split_dsn(dsn)?;
        let mut config = Config::from_str(&split.rest).map_err(|e| Error::Dsn {
            message: error_text(&e),
        })?;
        config.ssl_mode(tls::wire_mode(split.tls.mode, config.get_hosts()));
        config.application_name(&opts.application_name);
        config.connect_timeout(opts.connect_timeout);
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(h) => h.clone(),
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres").to_owned();
        let maintenance = config.get_dbname().unwrap_or(user.as_str()).to_owned();
        let server = format!("{host}:{port}");
        let connector = tls::connector(&split.tls, &server)?;
        let mut session = Session {
            config,
            tls: split.tls,
            connector,
            host,
            server,
            user,
            maintenance: maintenance.clone(),
            clients: BTreeMap::new(),
        };
        session.client(&maintenance).await?;
        Ok(session)
    }

    async fn client(&mut self, database: &str) -> Result<Arc<Client>, Error> {
        if let Some(c) = self.clients.get(database)
            && !c.is_closed()
        {
            return Ok(c.clone());
        }
        let mut config = self.config.clone();
        config.dbname(database);
        let target = format!("{}/{} as {}", self.server, database, self.user);
        let connected = match config.connect(self.connector.clone()).await {
            // As libpq's `prefer`: when the TLS handshake fails, try again
            // without TLS.
            Err(e)
                if self.tls.mode == SslMode::Prefer
                    && matches!(tls::tls_failure(&e), Some(TlsFailure::Handshake(_))) =>
            {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                config.connect(self.connector.clone()).await
            }
            other => other,
        };
        let (client, connection) = connected.map_err(|e| match tls::tls_failure(&e) {
            Some(failure) => Error::Tls {
                message: tls::failure_message(&failure, &self.tls, &self.host),
                target: target.clone(),
            },
            None => Error::Connect {
                target: target.clone(),
                message: error_text(&e),
            },
        })?;
        tokio::spawn(async move {
            // The connection ends with an error when the server goes away;
            // the next query reports it.
            let _ = connection.await;
        });
        let client = Arc::new(client);
        self.clients.insert(database.to_owned(), client.clone());
        Ok(client)
    }

    fn inspect_error(&self, what: &str) -> impl Fn(tokio_postgres::Error) -> Error + use<> {
        let what = what.to_owned();
        let server = self.server.clone();
        move |e| Error::Inspect {
            what: what.clone(),
            server: server.clone(),
            message: error_text(&e),
        }
    }

    async fn plan_changes(
        &mut self,
        plan: &ValidPlan,
        opts: &ApplyOptions,
    ) -> Result<(ChangeSet, ServerState), Error> {
        let desired = DesiredState::from_plan(plan);
        let mut passwords: BTreeMap<RoleName, Password> = BTreeMap::new();
        for role in desired.roles.values() {
            if let Some(src) = &role.password
                && let Some(pw) = opts.secrets.password(&role.name, src)?
            {
                passwords.insert(role.name.clone(), pw);
            }
        }
        let actual = self.inspect(&desired).await?;
        self.check_version(&desired, &actual)?;
        let inputs = DiffInputs {
            passwords: &passwords,
            resolver: opts.secrets.as_ref(),
            allow_destructive: opts.allow_destructive,
            include_settings: opts.include_settings,
        };
        let changes = diff::compute(&desired, &actual, &inputs);
        self.preflight(&desired, &actual, &changes).await?;
        Ok((changes, actual))
    }

    fn check_version(&self, desired: &DesiredState, actual: &ServerState) -> Result<(), Error> {
        let server_major = (actual.version_num / 10000) as u16;
        if server_major != desired.major {
            return Err(Error::ServerRefusesPlan {
                field: "version".into(),
                message: format!(
                    "the plan is for PostgreSQL {}, but {} runs PostgreSQL {server_major}; fix version or the DSN",
                    desired.major, self.server
                ),
            });
        }
        Ok(())
    }

    async fn inspect(&mut self, desired: &DesiredState) -> Result<ServerState, Error> {
        let maintenance = self.maintenance.clone();
        let client = self.client(&maintenance).await?;
        let mut state = ServerState {
            server: self.server.clone(),
            ..ServerState::default()
        };
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int4, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb \
                 FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user",
                &[],
            )
            .await
            .map_err(self.inspect_error("the connected role"))?;
        state.version_num = row.get::<_, i32>(0) as u32;
        state.current_user = row.get(1);
        state.is_superuser = row.get(2);
        state.can_create_role = row.get(3);
        state.can_create_db = row.get(4);

        for row in client
            .query(&catalog::roles_query(), &[])
            .await
            .map_err(self.inspect_error("roles"))?
        {
            state.role_names.insert(row.get(7), row.get(0));
            state.roles.insert(
                row.get(0),
                ActualRole {
                    login: row.get(1),
                    replication: row.get(2),
                    superuser: row.get(3),
                    connection_limit: row.get(4),
                    valid_until_epoch: row.get(5),
                    comment: row.get(6),
                },
            );
        }
        state.passwords = match client.query(&catalog::passwords_query(), &[]).await {
            Ok(rows) => Some(rows.iter().map(|r| (r.get(0), r.get(1))).collect()),
            Err(_) => None,
        };
        for row in client
            .query(&catalog::memberships_query(), &[])
            .await
            .map_err(self.inspect_error("role memberships"))?
        {
            state.memberships.insert((row.get(0), row.get(1)));
        }
        let mut oids: BTreeMap<u32, String> = BTreeMap::new();
        for row in client
            .query(&catalog::databases_query(), &[])
            .await
            .map_err(self.inspect_error("databases"))?
        {
            let name: String = row.get(1);
            oids.insert(row.get(0), name.clone());
            state.databases.insert(
                name,
                ActualDatabase {
                    owner: row.get(2),
                    encoding: row.get(3),
                    collate: row.get(4),
                    ctype: row.get(5),
                    connection_limit: row.get(6),
                    settings: BTreeMap::new(),
                    acl: Vec::new(),
                    contents: None,
                },
            );
        }
        for row in client
            .query(&catalog::database_settings_query(), &[])
            .await
            .map_err(self.inspect_error("database settings"))?
        {
            let oid: u32 = row.get(0);
            let config: Vec<String> = row.get::<_, Option<Vec<String>>>(1).unwrap_or_default();
            if let Some(db) = oids.get(&oid).and_then(|n| state.databases.get_mut(n)) {
                for item in config {
                    if let Some((k, v)) = item.split_once('=') {
                        db.settings.insert(k.to_ascii_lowercase(), v.to_owned());
                    }
                }
            }
        }
        for row in client
            .query(catalog::DATABASE_ACL_QUERY, &[])
            .await
            .map_err(self.inspect_error("database privileges"))?
        {
            let name: String = row.get(0);
            let privilege: String = row.get(2);
            if let (Some(db), Some(p)) = (
                state.databases.get_mut(&name),
                catalog::parse_privilege(&privilege),
            ) {
                db.acl.push(AclEntry {
                    grantee: row.get(1),
                    privilege: p,
                });
            }
        }
        for row in client
            .query(&catalog::available_extensions_query(), &[])
            .await
            .map_err(self.inspect_error("available extensions"))?
        {
            state
                .available_extensions
                .entry(row.get(0))
                .or_default()
                .insert(row.get(1));
        }
        for row in client
            .query(&catalog::settings_query(), &[])
            .await
            .map_err(self.inspect_error("settings"))?
        {
            let name: String = row.get(0);
            state.settings.insert(
                name.to_ascii_lowercase(),
                ActualSetting {
                    setting: row.get::<_, Option<String>>(1).unwrap_or_default(),
                    source: row.get::<_, Option<String>>(2).unwrap_or_default(),
                    pending_restart: row.get::<_, Option<bool>>(3).unwrap_or(false),
                },
            );
        }
        state.auto_conf = match client.query(&catalog::auto_conf_query(), &[]).await {
            Ok(rows) => {
                let mut m = BTreeMap::new();
                for r in rows {
                    let name: String = r.get(0);
                    m.insert(
                        name.to_ascii_lowercase(),
                        r.get::<_, Option<String>>(1).unwrap_or_default(),
                    );
                }
                Some(m)
            }
            Err(_) => None,
        };
        let valid_until: Vec<String> = desired
            .roles
            .values()
            .filter_map(|r| r.valid_until.clone())
            .collect();
        for v in &valid_until {
            let epoch = client
                .query_one(
                    "SELECT date_part('epoch', $1::text::timestamptz)::float8",
                    &[v],
                )
                .await
                .map_err(|e| {
                    let role = desired
                        .roles
                        .values()
                        .find(|r| r.valid_until.as_ref() == Some(v))
                        .map(|r| r.name.to_string())
                        .unwrap_or_default();
                    Error::ServerRefusesPlan {
                        field: format!("roles[{role}].valid_until"),
                        message: format!(
                            "`{v}` is not a timestamp the server reads: {} (write e.g. 2026-12-31T00:00:00Z)",
                            error_text(&e)
                        ),
                    }
                })?;
            state.valid_until_epochs.insert(v.clone(), epoch.get(0));
        }

        for name in desired.databases.keys() {
            if !state.databases.contains_key(name.as_str()) {
                continue;
            }
            let contents = self
                .inspect_database(name.as_str(), &state.role_names)
                .await?;
            if let Some(db) = state.databases.get_mut(name.as_str()) {
                db.contents = Some(contents);
            }
        }
        Ok(state)
    }

    async fn inspect_database(
        &mut self,
        database: &str,
        role_names: &BTreeMap<u32, String>,
    ) -> Result<DatabaseContents, Error> {
        let name_of = |oid: u32| {
            role_names
                .get(&oid)
                .cloned()
                .unwrap_or_else(|| oid.to_string())
        };
        let client = self.client(database).await?;
        let mut c = DatabaseContents::default();
        let err = |what: &str| self.inspect_error(&format!("{what} in database {database}"));
        for row in client
            .query(catalog::SCHEMAS_QUERY, &[])
            .await
            .map_err(err("schemas"))?
        {
            let name: String = row.get(0);
            let schema = c.schemas.entry(name).or_insert_with(|| ActualSchema {
                owner: row.get(1),
                acl: Vec::new(),
            });
            let privilege: Option<String> = row.get(3);
            if let Some(p) = privilege.as_deref().and_then(catalog::parse_privilege) {
                schema.acl.push(AclEntry {
                    grantee: row.get(2),
                    privilege: p,
                });
            }
        }
        for row in client
            .query(&catalog::installed_extensions_query(), &[])
            .await
            .map_err(err("extensions"))?
        {
            c.extensions.insert(
                row.get(0),
                ActualExtension {
                    version: row.get(1),
                    schema: row.get(2),
                },
            );
        }
        for row in client
            .query(catalog::OBJECTS_QUERY, &[])
            .await
            .map_err(err("privileges on tables, sequences and functions"))?
        {
            let class: String = row.get(0);
            let object = SchemaObject {
                class: match class.as_str() {
                    "S" => ObjectClass::Sequence,
                    "f" => ObjectClass::Function,
                    _ => ObjectClass::Table,
                },
                schema: row.get(1),
                name: row.get(2),
                identity_arguments: row.get(3),
                owner: name_of(row.get(4)),
            };
            let acl: Option<String> = row.get(5);
            let items = match acl.as_deref() {
                None => Vec::new(),
                Some(text) => catalog::parse_acl_array(text).ok_or_else(|| Error::Inspect {
                    what: format!(
                        "privileges of {}.{} in database {database}",
                        object.schema, object.name
                    ),
                    server: self.server.clone(),
                    message: format!("unreadable ACL `{text}`"),
                })?,
            };
            let mut entries = Vec::new();
            for (grantee, privileges) in items {
                if grantee.as_deref() == Some(object.owner.as_str()) {
                    continue; // the owner's own privileges are implicit
                }
                for p in privileges {
                    entries.push(AclEntry {
                        grantee: grantee.clone(),
                        privilege: p,
                    });
                }
            }
            c.object_acl.entry(object).or_default().extend(entries);
        }
        c.objects = c.object_acl.keys().cloned().collect();
        for row in client
            .query(catalog::DEFAULT_ACL_QUERY, &[])
            .await
            .map_err(err("default privileges"))?
        {
            let objtype: String = row.get(2);
            let privilege: String = row.get(4);
            let (Some(objects), Some(p)) = (
                objtype
                    .chars()
                    .next()
                    .and_then(DefaultObjects::from_catalog_code),
                catalog::parse_privilege(&privilege),
            ) else {
                continue;
            };
            c.default_acl.push(DefaultAclEntry {
                for_role: row.get(0),
                schema: row.get(1),
                objects,
                grantee: row.get(3),
                privilege: p,
            });
        }
        Ok(c)
    }

    async fn preflight(
        &mut self,
        desired: &DesiredState,
        actual: &ServerState,
        changes: &ChangeSet,
    ) -> Result<(), Error> {
        for role in desired.roles.values() {
            if let Some(identity) = &role.entra_identity
                && !actual.has_role(&role.name)
            {
                return Err(Error::MissingEntraPrincipal {
                    role: role.name.to_string(),
                    identity: identity.clone(),
                    server: self.server.clone(),
                });
            }
        }
        for (role, referenced_by) in desired.external_roles() {
            if !actual.has_role(&role) {
                return Err(Error::UnknownRole {
                    role: role.to_string(),
                    referenced_by,
                    server: self.server.clone(),
                });
            }
        }
        for db in desired.databases.values() {
            for ext in db.extensions.values() {
                let installed = actual
                    .database(&db.name)
                    .and_then(|d| d.contents.as_ref())
                    .is_some_and(|c| c.extensions.contains_key(ext.name.as_str()));
                if installed && ext.version.is_none() {
                    continue;
                }
                let versions = actual.available_extensions.get(ext.name.as_str());
                let ok = match (&ext.version, versions) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(v), Some(vs)) => vs.contains(v),
                };
                if !ok {
                    let detail = match versions {
                        None => "it is not in pg_available_extensions".to_owned(),
                        Some(vs) => format!(
                            "version {} is not installable (available: {})",
                            ext.version.as_deref().unwrap_or("?"),
                            vs.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    return Err(Error::ExtensionUnavailable {
                        extension: ext.name.to_string(),
                        database: db.name.to_string(),
                        server: self.server.clone(),
                        detail,
                    });
                }
            }
        }
        if !actual.is_superuser {
            let needs = |p: Phase| changes.runnable().find(|c| c.phase == p);
            let missing = |privilege: &str, needed_for: String| Error::MissingPrivilege {
                user: actual.current_user.clone(),
                server: self.server.clone(),
                privilege: privilege.into(),
                needed_for,
            };
            if let Some(c) = needs(Phase::Roles).or(needs(Phase::DropRoles))
                && !actual.can_create_role
            {
                return Err(missing("CREATEROLE", c.summary.clone()));
            }
            if let Some(c) = needs(Phase::CreateDatabases)
                && !actual.can_create_db
            {
                return Err(missing("CREATEDB", c.summary.clone()));
            }
            if let Some(c) = needs(Phase::Settings) {
                return Err(missing("SUPERUSER", c.summary.clone()));
            }
            if let Some(c) = needs(Phase::Databases) {
                // Changing a database's objects and privileges needs to own
                // them; without superuser, the connected role must own the
                // database.
                if let Scope::Database(db) = &c.scope
                    && actual
                        .database(db)
                        .is_some_and(|d| d.owner != actual.current_user)
                {
                    return Err(missing(
                        &format!("ownership of database {db} (or SUPERUSER)"),
                        c.summary.clone(),
                    ));
                }
            }
        }
        // Locales of new databases: CREATE COLLATION checks a locale the way
        // CREATE DATABASE does; the transaction is rolled back.
        for change in changes
            .runnable()
            .filter(|c| c.phase == Phase::CreateDatabases)
        {
            for s in &change.statements {
                let Statement::CreateDatabase {
                    name,
                    locale: Some(locale),
                    ..
                } = s
                else {
                    continue;
                };
                let maintenance = self.maintenance.clone();
                let client = self.client(&maintenance).await?;
                let check = format!(
                    "BEGIN; CREATE COLLATION pg_temp.pgplan_locale_check (provider = libc, locale = {}); ROLLBACK",
                    literal(locale)
                );
                if let Err(e) = client.batch_execute(&check).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(Error::LocaleUnavailable {
                        locale: locale.clone(),
                        database: name.to_string(),
                        server: self.server.clone(),
                        message: error_text(&e),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Statements per round trip inside a transaction.
const BATCH: usize = 200;

async fn run_transaction(
    client: &Client,
    server: &str,
    scope: &str,
    statements: &[&Statement],
) -> Result<(), Error> {
    let fail = |statement: String, e: &tokio_postgres::Error, rolled_back: String| Error::Apply {
        scope: scope.to_owned(),
        server: server.to_owned(),
        statement,
        message: error_text(e),
        rolled_back,
    };
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| fail("BEGIN".into(), &e, "nothing was changed".into()))?;
    for chunk in statements.chunks(BATCH) {
        let sql = chunk
            .iter()
            .map(|s| s.to_sql())
            .collect::<Vec<_>>()
            .join(";\n");
        if let Err(e) = client.batch_execute(&sql).await {
            let fatal = e
                .as_db_error()
                .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"));
            if client.is_closed() || e.is_closed() || fatal {
                return Err(fail(
                    chunk
                        .first()
                        .map(|s| s.to_redacted_sql())
                        .unwrap_or_default(),
                    &e,
                    format!(
                        "the connection was lost inside the transaction, so the server rolled it back: nothing in {scope} changed"
                    ),
                ));
            }
            let _ = client.batch_execute("ROLLBACK").await;
            // Find the statement that failed: replay one at a time in a
            // transaction that is rolled back again.
            let mut culprit = (
                chunk
                    .first()
                    .map(|s| s.to_redacted_sql())
                    .unwrap_or_default(),
                e,
            );
            if client.batch_execute("BEGIN").await.is_ok() {
                'replay: for done in statements {
                    if let Err(e) = client.batch_execute(&done.to_sql()).await {
                        culprit = (done.to_redacted_sql(), e);
                        break 'replay;
                    }
                }
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(fail(
                culprit.0,
                &culprit.1,
                format!("the transaction was rolled back: nothing in {scope} changed"),
            ));
        }
    }
    client.batch_execute("COMMIT").await.map_err(|e| {
        fail(
            "COMMIT".into(),
            &e,
            format!("the outcome of COMMIT is unknown: run diff to see whether {scope} changed"),
        )
    })
}

async fn run_single(
    client: &Client,
    server: &str,
    scope: &str,
    statement: &Statement,
) -> Result<(), Error> {
    client
        .batch_execute(&statement.to_sql())
        .await
        .map_err(|e| Error::Apply {
            scope: scope.to_owned(),
            server: server.to_owned(),
            statement: statement.to_redacted_sql(),
            message: error_text(&e),
            rolled_back: "this statement had no effect; the ones before it in this step were applied (run diff to see what is left)".into(),
        })
}
