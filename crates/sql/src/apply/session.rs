//! A session: one connection per database to one server, opened on demand,
//! with the checks that run before anything changes.

use std::collections::BTreeMap;
use std::str::FromStr as _;
use std::sync::Arc;

use pgplan_core::{RoleAttribute, RoleName, ValidPlan};
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::ApplyOptions;
use crate::catalog::ServerState;
use crate::desired::DesiredState;
use crate::diff::{self, Change, ChangeSet, DiffInputs, Phase, Scope};
use crate::error::Error;
use crate::render::literal;
use crate::secrets::Password;
use crate::statement::Statement;
use crate::tls::{self, SslMode, TlsFailure, TlsSettings};

/// How to connect to the server: a [`Session`]'s settings, to open
/// connections on other tasks.
#[derive(Clone)]
pub(super) struct Endpoint {
    config: Config,
    tls: TlsSettings,
    connector: MakeRustlsConnect,
    host: String,
    pub(super) server: String,
    user: String,
}

impl Endpoint {
    /// A new connection to `database`.
    pub(super) async fn connect(&self, database: &str) -> Result<Arc<Client>, Error> {
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
        Ok(Arc::new(client))
    }
}

/// Connections to one server, one per database, opened on demand.
pub(super) struct Session {
    pub(super) config: Config,
    pub(super) tls: TlsSettings,
    pub(super) connector: MakeRustlsConnect,
    pub(super) host: String,
    pub(super) server: String,
    pub(super) user: String,
    pub(super) maintenance: String,
    pub(super) clients: BTreeMap<String, Arc<Client>>,
}

pub(super) fn error_text(e: &tokio_postgres::Error) -> String {
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

/// The login password when the DSN has none, where libpq looks: the
/// caller's (standard input), `PGPASSWORD`, then the password file.
fn login_password(
    opts: &ApplyOptions,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Result<Option<Password>, Error> {
    if let Some(pw) = &opts.login_password {
        return Ok(Some(pw.clone()));
    }
    if let Some(pw) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return Ok(Some(Password::new(pw)));
    }
    match crate::pgpass::read_password_file() {
        Ok(Some((_, text))) => {
            Ok(crate::pgpass::lookup(&text, host, port, database, user).map(Password::new))
        }
        Ok(None) => Ok(None),
        Err(message) => Err(Error::Dsn { message }),
    }
}

impl Session {
    pub(super) async fn open(dsn: &str, opts: &ApplyOptions) -> Result<Session, Error> {
        if dsn.trim().is_empty() {
            return Err(Error::Dsn {
                message: "the connection string is empty".into(),
            });
        }
        let split = tls::split_dsn(dsn)?;
        let mut config = Config::from_str(&split.rest).map_err(|e| Error::Dsn {
            // tokio-postgres says "invalid connection string: …" itself.
            message: error_text(&e)
                .trim_start_matches("invalid connection string: ")
                .to_owned(),
        })?;
        if config.get_hosts().is_empty() {
            return Err(Error::Dsn {
                message: "it names no host (postgresql://user@HOST:port/db, or host=… in a key/value string)".into(),
            });
        }
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
            .unwrap_or_default();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = match config.get_user() {
            Some(u) => u.to_owned(),
            None => std::env::var("PGUSER")
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "postgres".into()),
        };
        config.user(&user);
        let maintenance = config.get_dbname().unwrap_or(user.as_str()).to_owned();
        if config.get_password().is_none()
            && let Some(pw) = login_password(opts, &host, port, &maintenance, &user)?
        {
            config.password(pw.expose());
        }
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

    pub(super) async fn client(&mut self, database: &str) -> Result<Arc<Client>, Error> {
        if let Some(c) = self.clients.get(database)
            && !c.is_closed()
        {
            return Ok(c.clone());
        }
        let client = self.endpoint().connect(database).await?;
        self.clients.insert(database.to_owned(), client.clone());
        Ok(client)
    }

    /// Keeps a connection opened apart (see [`Endpoint`]) for later use.
    pub(super) fn keep_client(&mut self, database: &str, client: Arc<Client>) {
        self.clients.insert(database.to_owned(), client);
    }

    /// What it takes to open more connections to the server, apart from
    /// the session (on other tasks).
    pub(super) fn endpoint(&self) -> Endpoint {
        Endpoint {
            config: self.config.clone(),
            tls: self.tls.clone(),
            connector: self.connector.clone(),
            host: self.host.clone(),
            server: self.server.clone(),
            user: self.user.clone(),
        }
    }

    /// Names pgplan's sessions `name` in `pg_stat_activity` from now on
    /// (the connections open already, and those opened later): a session
    /// opened before the plan was read gets the plan's name once it is.
    pub(super) async fn set_application_name(&mut self, name: &str) -> Result<(), Error> {
        if self.config.get_application_name() == Some(name) {
            return Ok(());
        }
        self.config.application_name(name);
        for client in self.clients.values().filter(|c| !c.is_closed()) {
            client
                .batch_execute(&format!("SET application_name = {}", literal(name)))
                .await
                .map_err(self.inspect_error("the session's application_name"))?;
        }
        Ok(())
    }

    pub(super) fn inspect_error(
        &self,
        what: &str,
    ) -> impl Fn(tokio_postgres::Error) -> Error + use<> {
        super::inspect::inspect_error(&self.server, what)
    }

    /// The changes the plan needs, from the server-wide `state` read before
    /// (see [`Session::inspect_server`]) and what is read here for the plan.
    pub(super) async fn plan_changes(
        &mut self,
        plan: &ValidPlan,
        opts: &ApplyOptions,
        mut actual: ServerState,
        prefetched: BTreeMap<String, crate::catalog::DatabaseContents>,
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
        self.inspect_for_plan(&desired, &mut actual, prefetched)
            .await?;
        self.check_version(&desired, &actual)?;
        let inputs = DiffInputs {
            passwords: &passwords,
            resolver: opts.secrets.as_ref(),
            allow_destructive: opts.allow_destructive,
            include_settings: opts.include_settings,
            adopt: opts.adopt,
        };
        let changes = diff::compute(&desired, &actual, &inputs);
        self.preflight(&desired, &actual, &changes).await?;
        Ok((changes, actual))
    }

    pub(super) fn check_version(
        &self,
        desired: &DesiredState,
        actual: &ServerState,
    ) -> Result<(), Error> {
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

    pub(super) async fn preflight(
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
            if let Some((c, attribute)) = attribute_changes(changes)
                .find(|(_, attribute)| !may_change_attribute(actual, *attribute))
            {
                let privilege = match attribute {
                    RoleAttribute::BypassRls if actual.version_num >= 160_000 => "BYPASSRLS",
                    RoleAttribute::Replication => "REPLICATION",
                    RoleAttribute::CreateDb => "CREATEDB",
                    _ => "SUPERUSER",
                };
                return Err(missing(
                    &format!("{privilege} (to change {attribute})"),
                    c.summary.clone(),
                ));
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
        // Settings that would keep the server from starting.
        if changes.runnable().any(|c| c.phase == Phase::Settings) {
            let maintenance = self.maintenance.clone();
            let client = self.client(&maintenance).await?;
            super::settings_check::check_before(&client, &self.server, changes).await?;
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

/// Every role attribute a runnable change sets or clears, with its change.
fn attribute_changes(changes: &ChangeSet) -> impl Iterator<Item = (&Change, RoleAttribute)> {
    changes
        .runnable()
        .filter(|c| c.phase == Phase::Roles)
        .flat_map(|c| {
            c.statements.iter().flat_map(move |s| match s {
                Statement::CreateRole { options, .. } | Statement::AlterRole { options, .. } => {
                    options.attributes.keys().map(|a| (c, *a)).collect()
                }
                _ => Vec::new(),
            })
        })
}

/// Whether a connected role without SUPERUSER (but with CREATEROLE) may set
/// or clear an attribute. Only superusers touch SUPERUSER. Before
/// PostgreSQL 16 only superusers touch BYPASSRLS (REPLICATION is left to
/// the server: Azure's administrator gives it on 15 and earlier); from 16 on
/// the connected role must hold BYPASSRLS, REPLICATION or CREATEDB itself
/// to give or take it.
fn may_change_attribute(actual: &ServerState, attribute: RoleAttribute) -> bool {
    let me = actual.roles.get(&actual.current_user);
    let holds = |a: RoleAttribute| me.is_some_and(|r| r.has(a));
    let v16 = actual.version_num >= 160_000;
    match attribute {
        RoleAttribute::Superuser => false,
        RoleAttribute::BypassRls => v16 && holds(RoleAttribute::BypassRls),
        RoleAttribute::Replication => !v16 || holds(RoleAttribute::Replication),
        RoleAttribute::CreateDb => !v16 || actual.can_create_db,
        RoleAttribute::CreateRole => true,
    }
}
