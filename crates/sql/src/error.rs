//! The crate's one error type.

/// Everything that can go wrong while rendering a plan or converging a server.
///
/// Every message names what failed and where (the role, database, setting or
/// server) and, where there is one, the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The live server does not accept the plan as it is: it runs another
    /// major version, or it reads a value differently than the plan's rules
    /// (a timestamp its time zone database refuses).
    #[error("{field}: {message}")]
    ServerRefusesPlan {
        /// The field path, e.g. `version`.
        field: String,
        /// What the server said and the fix.
        message: String,
    },
    /// A password could not be resolved.
    #[error("password of role `{role}` ({source_description}): {message}")]
    Secret {
        /// The role.
        role: String,
        /// Where the password was to come from (never the value).
        source_description: String,
        /// What went wrong and the fix.
        message: String,
    },
    /// The server could not be reached or refused the login.
    #[error("cannot connect to {target}: {message}")]
    Connect {
        /// Host, port, database and user (never the password).
        target: String,
        /// The client's or server's message.
        message: String,
    },
    /// TLS to the server failed (`sslmode`, `sslrootcert` and certificate
    /// checks). Nothing was changed.
    #[error("cannot connect to {target} over TLS: {message}")]
    Tls {
        /// Host, port, database and user (never the password).
        target: String,
        /// What failed and the fix, e.g. `certificate verify failed: …`.
        message: String,
    },
    /// The DSN could not be parsed.
    #[error(
        "invalid connection string: {message} (use postgresql://user:password@host:port/dbname)"
    )]
    Dsn {
        /// What is wrong with it.
        message: String,
    },
    /// The connected role lacks a privilege the changes need. Nothing was changed.
    #[error(
        "role `{user}` on {server} lacks {privilege}, needed to {needed_for}; nothing was changed (connect as a superuser or grant {privilege})"
    )]
    MissingPrivilege {
        /// The connected role.
        user: String,
        /// The server (host:port).
        server: String,
        /// The missing privilege or attribute, e.g. `CREATEROLE`.
        privilege: String,
        /// The change that needs it.
        needed_for: String,
    },
    /// An extension the plan needs is not installed on the server. Nothing was changed.
    #[error(
        "extension `{extension}` (database `{database}`) is not available on {server}: {detail}; nothing was changed (install the extension's package on the server or remove it from the plan)"
    )]
    ExtensionUnavailable {
        /// The extension.
        extension: String,
        /// The database that wants it.
        database: String,
        /// The server (host:port).
        server: String,
        /// Which versions are available, if any.
        detail: String,
    },
    /// A locale the plan asks for does not exist on the server. Nothing was changed.
    #[error(
        "locale `{locale}` of database `{database}` is not available on {server}: {message}; nothing was changed (install the locale on the server or change databases[{database}].locale)"
    )]
    LocaleUnavailable {
        /// The locale.
        locale: String,
        /// The database.
        database: String,
        /// The server (host:port).
        server: String,
        /// The server's message.
        message: String,
    },
    /// A role the plan refers to is neither in the plan nor on the server.
    #[error(
        "role `{role}` (referenced by {referenced_by}) is neither in the plan nor on {server}; add it to roles or create it first"
    )]
    UnknownRole {
        /// The role.
        role: String,
        /// Where the plan refers to it.
        referenced_by: String,
        /// The server (host:port).
        server: String,
    },
    /// A role that logs in as a Microsoft Entra identity does not exist
    /// yet: only an Entra administrator can create it. Nothing was changed.
    #[error(
        "role `{role}` logs in as Microsoft Entra identity `{identity}` and does not exist on {server}: an Entra administrator creates it (the Azure deploy script's Entra step, or pgplan_sql::entra_principal_script run with psql in the postgres database); nothing was changed"
    )]
    MissingEntraPrincipal {
        /// The role.
        role: String,
        /// The identity it logs in as.
        identity: String,
        /// The server (host:port).
        server: String,
    },
    /// Reading the server's catalog failed.
    #[error("inspecting {what} on {server}: {message}")]
    Inspect {
        /// What was being read, e.g. `privileges in database bill_inquiry_db`.
        what: String,
        /// The server (host:port).
        server: String,
        /// The server's message.
        message: String,
    },
    /// Another apply to the same server held the lock for longer than the
    /// timeout. Nothing was changed.
    #[error(
        "another pgplan apply to {server} is still running after {waited_secs}s, held by {holder}; nothing was changed (wait for it, or raise --lock-timeout)"
    )]
    Locked {
        /// The server (host:port).
        server: String,
        /// Who holds the lock.
        holder: String,
        /// Seconds waited.
        waited_secs: u64,
    },
    /// A setting would stop the server from starting, or the server did
    /// not take it. With `applied: false` nothing was changed.
    #[error("{setting} on {server}: {message}")]
    Setting {
        /// The parameter.
        setting: String,
        /// The server (host:port).
        server: String,
        /// What is wrong and the fix.
        message: String,
        /// True when the setting was already written (ALTER SYSTEM) when
        /// the problem showed.
        applied: bool,
    },
    /// A change failed; its transaction was rolled back.
    #[error("applying {scope} on {server} failed at `{statement}`: {message}; {rolled_back}")]
    Apply {
        /// `roles`, `database bill_inquiry_db`, `settings`, ….
        scope: String,
        /// The server (host:port).
        server: String,
        /// The statement that failed (passwords redacted).
        statement: String,
        /// The server's message.
        message: String,
        /// What state the scope was left in.
        rolled_back: String,
    },
    /// A migration script failed, or the server's migration history does
    /// not fit the plan's scripts (a changed or missing applied script).
    #[error("migration {script} of database `{database}` on {server}: {message}")]
    Migration {
        /// The database.
        database: String,
        /// The script's file name (with the line, when a statement failed).
        script: String,
        /// The server (host:port).
        server: String,
        /// What went wrong, what state the database was left in and the fix.
        message: String,
    },
}
