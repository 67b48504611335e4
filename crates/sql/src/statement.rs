//! The one SQL statement model. Every statement pgplan sends or writes is a
//! [`Statement`]; [`crate::render`] turns it into text, quoting identifiers
//! and literals in one place.

use std::collections::BTreeMap;

use pgplan_core::{DatabaseName, ExtensionName, Privilege, RoleAttribute, RoleName, SchemaName};

/// How a role's password is set.
#[derive(Clone, PartialEq, Eq)]
pub enum PasswordSpec {
    /// A SCRAM-SHA-256 verifier computed on the client
    /// (`SCRAM-SHA-256$4096:salt$StoredKey:ServerKey`); the server stores it
    /// as it is and never sees the password.
    Verifier(String),
    /// A psql variable (`:'name'`) holding a SCRAM-SHA-256 verifier, for
    /// scripts run with `psql -v name=…`.
    PsqlVariable(String),
    /// `PASSWORD NULL`: no password (password login impossible).
    Null,
}

impl std::fmt::Debug for PasswordSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A verifier is not a password, but it still is a secret of sorts
            // (it allows offline guessing): keep it out of debug output.
            PasswordSpec::Verifier(_) => f.write_str("Verifier(<redacted>)"),
            PasswordSpec::PsqlVariable(v) => write!(f, "PsqlVariable({v:?})"),
            PasswordSpec::Null => f.write_str("Null"),
        }
    }
}

/// Role attributes; `None` leaves an attribute as it is (ALTER) or at the
/// server's default (CREATE).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleOptions {
    /// LOGIN / NOLOGIN.
    pub login: Option<bool>,
    /// SUPERUSER / NOSUPERUSER, CREATEDB / NOCREATEDB, …: the attributes
    /// to set (`true`) or clear (`false`); the others are left as they are.
    pub attributes: BTreeMap<RoleAttribute, bool>,
    /// CONNECTION LIMIT (`-1`: none).
    pub connection_limit: Option<i32>,
    /// VALID UNTIL (a timestamp or `infinity`).
    pub valid_until: Option<String>,
    /// PASSWORD.
    pub password: Option<PasswordSpec>,
}

impl RoleOptions {
    /// True when no attribute is set.
    pub fn is_empty(&self) -> bool {
        self == &RoleOptions::default()
    }
}

/// A table, view or sequence in a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationRef {
    /// Schema.
    pub schema: SchemaName,
    /// Relation name as stored in `pg_class.relname`.
    pub name: String,
}

/// A function in a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunctionRef {
    /// Schema.
    pub schema: SchemaName,
    /// Function name as stored in `pg_proc.proname`.
    pub name: String,
    /// The argument list as the server prints it
    /// (`pg_get_function_identity_arguments`), already valid SQL. It comes
    /// from the server's catalog, never from a plan.
    pub identity_arguments: String,
}

/// What a GRANT or REVOKE is on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GrantObject {
    /// `ON DATABASE d`.
    Database(DatabaseName),
    /// `ON SCHEMA s`.
    Schema(SchemaName),
    /// `ON ALL TABLES IN SCHEMA s` (tables, views, materialized views,
    /// foreign and partitioned tables).
    AllTablesInSchema(SchemaName),
    /// `ON ALL SEQUENCES IN SCHEMA s`.
    AllSequencesInSchema(SchemaName),
    /// `ON ALL FUNCTIONS IN SCHEMA s`.
    AllFunctionsInSchema(SchemaName),
    /// `ON TABLE s.t, …`.
    Tables(Vec<RelationRef>),
    /// `ON SEQUENCE s.q, …`.
    Sequences(Vec<RelationRef>),
    /// `ON FUNCTION s.f(args), …`.
    Functions(Vec<FunctionRef>),
}

/// The kinds of objects `ALTER DEFAULT PRIVILEGES` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefaultObjects {
    /// `ON TABLES` (`pg_default_acl.defaclobjtype = 'r'`).
    Tables,
    /// `ON SEQUENCES` (`'S'`).
    Sequences,
    /// `ON FUNCTIONS` (`'f'`).
    Functions,
    /// `ON TYPES` (`'T'`).
    Types,
}

impl DefaultObjects {
    /// The SQL noun.
    pub fn sql_noun(self) -> &'static str {
        match self {
            DefaultObjects::Tables => "TABLES",
            DefaultObjects::Sequences => "SEQUENCES",
            DefaultObjects::Functions => "FUNCTIONS",
            DefaultObjects::Types => "TYPES",
        }
    }
    /// `pg_default_acl.defaclobjtype`.
    pub fn catalog_code(self) -> char {
        match self {
            DefaultObjects::Tables => 'r',
            DefaultObjects::Sequences => 'S',
            DefaultObjects::Functions => 'f',
            DefaultObjects::Types => 'T',
        }
    }
    /// From `pg_default_acl.defaclobjtype` (`None` for schemas, `'n'`, which
    /// pgplan does not manage).
    pub fn from_catalog_code(c: char) -> Option<Self> {
        Some(match c {
            'r' => DefaultObjects::Tables,
            'S' => DefaultObjects::Sequences,
            'f' => DefaultObjects::Functions,
            'T' => DefaultObjects::Types,
            _ => return None,
        })
    }
}

/// A setting's value in `ALTER SYSTEM SET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// One literal.
    Single(String),
    /// A list, each element its own literal. Needed for list parameters the
    /// server quotes element by element (`shared_preload_libraries`,
    /// `search_path`): one literal `'a,b'` would become one element `"a,b"`.
    List(Vec<String>),
}

/// One SQL statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `CREATE ROLE r WITH …`.
    CreateRole {
        /// The role.
        name: RoleName,
        /// Attributes.
        options: RoleOptions,
    },
    /// `ALTER ROLE r WITH …`.
    AlterRole {
        /// The role.
        name: RoleName,
        /// Attributes to change.
        options: RoleOptions,
    },
    /// `COMMENT ON ROLE r IS '…'` (pgplan marks the roles it manages).
    CommentOnRole {
        /// The role.
        name: RoleName,
        /// The comment.
        comment: String,
    },
    /// `COMMENT ON DATABASE d IS '…'` (pgplan marks the databases it
    /// manages).
    CommentOnDatabase {
        /// The database.
        name: DatabaseName,
        /// The comment.
        comment: String,
    },
    /// `COMMENT ON SCHEMA s IS '…'` (in the current database; pgplan marks
    /// the schemas it manages).
    CommentOnSchema {
        /// The schema.
        name: SchemaName,
        /// The comment.
        comment: String,
    },
    /// `DROP ROLE r`.
    DropRole {
        /// The role.
        name: RoleName,
    },
    /// `REASSIGN OWNED BY r TO owner` (in the current database).
    ReassignOwned {
        /// The role whose objects move.
        from: RoleName,
        /// The new owner.
        to: RoleName,
    },
    /// `DROP OWNED BY r` (its privileges in the current database).
    DropOwned {
        /// The role.
        role: RoleName,
    },
    /// `GRANT group TO member`.
    GrantMembership {
        /// The group role.
        group: RoleName,
        /// The member.
        member: RoleName,
    },
    /// `REVOKE group FROM member`.
    RevokeMembership {
        /// The group role.
        group: RoleName,
        /// The member.
        member: RoleName,
    },
    /// `CREATE DATABASE d …` (cannot run inside a transaction block).
    CreateDatabase {
        /// The database.
        name: DatabaseName,
        /// Owner.
        owner: RoleName,
        /// Encoding.
        encoding: String,
        /// Locale (LC_COLLATE and LC_CTYPE).
        locale: Option<String>,
        /// Template database.
        template: Option<String>,
        /// Connection limit.
        connection_limit: Option<i32>,
    },
    /// `ALTER DATABASE d OWNER TO r`.
    AlterDatabaseOwner {
        /// The database.
        name: DatabaseName,
        /// The new owner.
        owner: RoleName,
    },
    /// `ALTER DATABASE d CONNECTION LIMIT n`.
    AlterDatabaseConnectionLimit {
        /// The database.
        name: DatabaseName,
        /// The limit (`-1`: none).
        limit: i32,
    },
    /// `ALTER DATABASE d SET parameter TO 'value'`.
    AlterDatabaseSet {
        /// The database.
        name: DatabaseName,
        /// Parameter.
        parameter: String,
        /// Value.
        value: String,
    },
    /// `ALTER DATABASE d RESET parameter`.
    AlterDatabaseReset {
        /// The database.
        name: DatabaseName,
        /// Parameter.
        parameter: String,
    },
    /// `CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION r`.
    CreateSchema {
        /// The schema.
        name: SchemaName,
        /// Owner.
        owner: RoleName,
    },
    /// `ALTER SCHEMA s OWNER TO r`.
    AlterSchemaOwner {
        /// The schema.
        name: SchemaName,
        /// The new owner.
        owner: RoleName,
    },
    /// `CREATE EXTENSION IF NOT EXISTS e [SCHEMA s] [VERSION v]`.
    CreateExtension {
        /// The extension.
        name: ExtensionName,
        /// Schema.
        schema: Option<SchemaName>,
        /// Version.
        version: Option<String>,
    },
    /// `ALTER EXTENSION e SET SCHEMA s`.
    AlterExtensionSchema {
        /// The extension.
        name: ExtensionName,
        /// The schema.
        schema: SchemaName,
    },
    /// `ALTER EXTENSION e UPDATE TO 'v'`.
    AlterExtensionUpdate {
        /// The extension.
        name: ExtensionName,
        /// The version.
        version: String,
    },
    /// `REVOKE CREATE ON SCHEMA public FROM PUBLIC`: the hardening PostgreSQL
    /// 15 made the default.
    RevokeCreateOnPublicSchema,
    /// `GRANT privileges ON object TO roles`.
    Grant {
        /// Privileges (never empty).
        privileges: Vec<Privilege>,
        /// What on.
        on: GrantObject,
        /// Grantees (never empty).
        to: Vec<RoleName>,
    },
    /// `REVOKE privileges ON object FROM roles`.
    Revoke {
        /// Privileges (never empty).
        privileges: Vec<Privilege>,
        /// What on.
        on: GrantObject,
        /// Roles (never empty).
        from: Vec<RoleName>,
    },
    /// `ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA s GRANT … ON kind TO …`.
    GrantDefault {
        /// The role whose future objects get the privileges.
        for_role: RoleName,
        /// Schema.
        schema: SchemaName,
        /// Object kind.
        objects: DefaultObjects,
        /// Privileges.
        privileges: Vec<Privilege>,
        /// Grantees.
        to: Vec<RoleName>,
    },
    /// `ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA s REVOKE … ON kind FROM …`.
    RevokeDefault {
        /// The role whose future objects the default applied to.
        for_role: RoleName,
        /// Schema.
        schema: SchemaName,
        /// Object kind.
        objects: DefaultObjects,
        /// Privileges.
        privileges: Vec<Privilege>,
        /// Roles.
        from: Vec<RoleName>,
    },
    /// `ALTER SYSTEM SET name = value` (cannot run inside a transaction block).
    AlterSystemSet {
        /// Parameter.
        name: String,
        /// Value.
        value: SettingValue,
    },
    /// `ALTER SYSTEM RESET name` (cannot run inside a transaction block).
    AlterSystemReset {
        /// Parameter.
        name: String,
    },
    /// `SELECT pg_reload_conf()`.
    ReloadConfiguration,
    /// Makes `role` a Microsoft Entra principal of a managed identity
    /// (Azure Database for PostgreSQL only, in its `postgres` database, run
    /// by an Entra administrator), unless a role of that name exists:
    /// `SELECT pg_catalog.pgaadauth_create_principal_with_oid(role,
    /// :'object_id_variable', 'service', false, false) WHERE NOT EXISTS (…)`.
    /// The object id comes from a psql variable, which psql substitutes as a
    /// quoted literal.
    CreateEntraPrincipal {
        /// The role.
        role: RoleName,
        /// The psql variable holding the identity's object id
        /// (`[a-z0-9_]+`).
        object_id_variable: String,
    },
}

impl Statement {
    /// False for statements PostgreSQL refuses inside a transaction block.
    pub fn is_transactional(&self) -> bool {
        !matches!(
            self,
            Statement::CreateDatabase { .. }
                | Statement::AlterSystemSet { .. }
                | Statement::AlterSystemReset { .. }
        )
    }
    /// True for statements that take something away (drop, revoke, reset).
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Statement::DropRole { .. }
                | Statement::DropOwned { .. }
                | Statement::ReassignOwned { .. }
                | Statement::RevokeMembership { .. }
                | Statement::Revoke { .. }
                | Statement::RevokeDefault { .. }
                | Statement::AlterSystemReset { .. }
                | Statement::AlterDatabaseReset { .. }
        )
    }
}
