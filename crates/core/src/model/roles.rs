//! Roles, memberships and privileges.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use typed_builder::TypedBuilder;

use super::locale::ValidUntil;
use super::names::{DatabaseName, RoleName, SchemaName};
use super::secrets::SecretSource;

/// What a role is for; rules use it (an application role in production owns
/// nothing and runs no DDL) and documents explain it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolePurpose {
    /// An application service's login.
    Application,
    /// Read-only access (reporting, analytics).
    ReadOnly,
    /// Owns schema objects and runs migrations.
    Owner,
    /// Administers the database.
    Admin,
    /// Takes logical backups.
    Backup,
    /// Monitoring (postgres_exporter).
    Monitoring,
    /// Developers' access.
    Developer,
    /// Auditors' access.
    Auditor,
    /// Streaming replication.
    Replication,
}

impl fmt::Display for RolePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RolePurpose::Application => "application",
            RolePurpose::ReadOnly => "read-only",
            RolePurpose::Owner => "owner",
            RolePurpose::Admin => "admin",
            RolePurpose::Backup => "backup",
            RolePurpose::Monitoring => "monitoring",
            RolePurpose::Developer => "developer",
            RolePurpose::Auditor => "auditor",
            RolePurpose::Replication => "replication",
        })
    }
}

/// A privilege.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// SELECT.
    Select,
    /// INSERT.
    Insert,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
    /// TRUNCATE.
    Truncate,
    /// REFERENCES.
    References,
    /// TRIGGER.
    Trigger,
    /// MAINTAIN (PostgreSQL 17+).
    Maintain,
    /// USAGE.
    Usage,
    /// CREATE.
    Create,
    /// CONNECT.
    Connect,
    /// TEMPORARY.
    Temporary,
    /// EXECUTE.
    Execute,
    /// ALL PRIVILEGES; expanded to the explicit list for the object kind.
    All,
}

impl Privilege {
    /// The SQL keyword.
    pub fn as_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Maintain => "MAINTAIN",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Connect => "CONNECT",
            Privilege::Temporary => "TEMPORARY",
            Privilege::Execute => "EXECUTE",
            Privilege::All => "ALL",
        }
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// An unknown privilege keyword.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown privilege `{0}`: use SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN, USAGE, CREATE, CONNECT, TEMPORARY, EXECUTE or ALL"
)]
pub struct PrivilegeError(pub String);

impl FromStr for Privilege {
    type Err = PrivilegeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "SELECT" => Privilege::Select,
            "INSERT" => Privilege::Insert,
            "UPDATE" => Privilege::Update,
            "DELETE" => Privilege::Delete,
            "TRUNCATE" => Privilege::Truncate,
            "REFERENCES" => Privilege::References,
            "TRIGGER" => Privilege::Trigger,
            "MAINTAIN" => Privilege::Maintain,
            "USAGE" => Privilege::Usage,
            "CREATE" => Privilege::Create,
            "CONNECT" => Privilege::Connect,
            "TEMPORARY" | "TEMP" => Privilege::Temporary,
            "EXECUTE" => Privilege::Execute,
            "ALL" | "ALL PRIVILEGES" => Privilege::All,
            _ => return Err(PrivilegeError(s.to_owned())),
        })
    }
}

impl Serialize for Privilege {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_sql())
    }
}

impl<'de> Deserialize<'de> for Privilege {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The kind of object a grant is on.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// The database itself.
    Database,
    /// A schema.
    Schema,
    /// All tables (and views) in a schema, now.
    Tables,
    /// All sequences in a schema, now.
    Sequences,
    /// All functions in a schema, now.
    Functions,
    /// Tables the owner role creates later (ALTER DEFAULT PRIVILEGES).
    DefaultTables,
    /// Sequences the owner role creates later.
    DefaultSequences,
    /// Functions the owner role creates later.
    DefaultFunctions,
    /// Types the owner role creates later.
    DefaultTypes,
}

impl ObjectKind {
    /// True for default privileges (objects created later).
    pub fn is_default(self) -> bool {
        matches!(
            self,
            ObjectKind::DefaultTables
                | ObjectKind::DefaultSequences
                | ObjectKind::DefaultFunctions
                | ObjectKind::DefaultTypes
        )
    }
    /// True when the grant needs a schema.
    pub fn needs_schema(self) -> bool {
        !matches!(self, ObjectKind::Database)
    }
    /// What `ALL` means for this kind on the given major version, in SQL order.
    pub fn all_privileges(self, major: u16) -> Vec<Privilege> {
        use Privilege::*;
        match self {
            ObjectKind::Database => vec![Create, Connect, Temporary],
            ObjectKind::Schema => vec![Usage, Create],
            ObjectKind::Tables | ObjectKind::DefaultTables => {
                let mut v = vec![
                    Select, Insert, Update, Delete, Truncate, References, Trigger,
                ];
                if major >= 17 {
                    v.push(Maintain);
                }
                v
            }
            ObjectKind::Sequences | ObjectKind::DefaultSequences => vec![Usage, Select, Update],
            ObjectKind::Functions | ObjectKind::DefaultFunctions => vec![Execute],
            ObjectKind::DefaultTypes => vec![Usage],
        }
    }
    /// Whether a privilege applies to this kind.
    pub fn allows(self, p: Privilege, major: u16) -> bool {
        p == Privilege::All || self.all_privileges(major).contains(&p)
    }
    /// The SQL plural used in GRANT … ON ALL … / DEFAULT PRIVILEGES … ON ….
    pub fn sql_noun(self) -> &'static str {
        match self {
            ObjectKind::Database => "DATABASE",
            ObjectKind::Schema => "SCHEMA",
            ObjectKind::Tables | ObjectKind::DefaultTables => "TABLES",
            ObjectKind::Sequences | ObjectKind::DefaultSequences => "SEQUENCES",
            ObjectKind::Functions | ObjectKind::DefaultFunctions => "FUNCTIONS",
            ObjectKind::DefaultTypes => "TYPES",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Database => "database",
            ObjectKind::Schema => "schema",
            ObjectKind::Tables => "tables",
            ObjectKind::Sequences => "sequences",
            ObjectKind::Functions => "functions",
            ObjectKind::DefaultTables => "default_tables",
            ObjectKind::DefaultSequences => "default_sequences",
            ObjectKind::DefaultFunctions => "default_functions",
            ObjectKind::DefaultTypes => "default_types",
        })
    }
}

/// Privileges on one kind of object, granted to the role that holds this grant.
///
/// ```yaml
/// grants:
///   - { database: bill_inquiry_db, objects: database, privileges: [CONNECT] }
///   - { database: bill_inquiry_db, schema: public, objects: tables,
///       privileges: [SELECT, INSERT, UPDATE, DELETE] }
///   - { database: bill_inquiry_db, schema: public, objects: default_tables,
///       for_owner: bill_owner, privileges: [SELECT, INSERT, UPDATE, DELETE] }
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The database.
    pub database: DatabaseName,
    /// The schema (all kinds but `database`).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaName>,
    /// What the privileges are on.
    pub objects: ObjectKind,
    /// For default privileges: the role whose future objects get the grant.
    /// PostgreSQL applies default privileges only to objects created by this
    /// role, so it must be the role that runs the migrations.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_owner: Option<RoleName>,
    /// The privileges.
    pub privileges: Vec<Privilege>,
}

impl Grant {
    /// The privileges with `ALL` expanded for the object kind, sorted and unique.
    pub fn effective_privileges(&self, major: u16) -> Vec<Privilege> {
        let mut out: Vec<Privilege> = Vec::new();
        for p in &self.privileges {
            if *p == Privilege::All {
                out.extend(self.objects.all_privileges(major));
            } else {
                out.push(*p);
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A role attribute beyond LOGIN, as `CREATE ROLE … WITH` spells it.
/// Written in a plan as PostgreSQL spells it (`SUPERUSER`, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleAttribute {
    /// SUPERUSER: every permission check is skipped.
    Superuser,
    /// CREATEDB: creates databases.
    CreateDb,
    /// CREATEROLE: creates, alters and drops other roles, and (before
    /// PostgreSQL 16) grants itself membership in any role but a superuser.
    CreateRole,
    /// REPLICATION: streams WAL and creates replication slots.
    Replication,
    /// BYPASSRLS: every row-level security policy is ignored.
    BypassRls,
}

impl RoleAttribute {
    /// Every attribute, in the order `CREATE ROLE` documents them.
    pub const ALL: [RoleAttribute; 5] = [
        RoleAttribute::Superuser,
        RoleAttribute::CreateDb,
        RoleAttribute::CreateRole,
        RoleAttribute::Replication,
        RoleAttribute::BypassRls,
    ];
    /// The SQL keyword that sets it.
    pub fn as_sql(self) -> &'static str {
        match self {
            RoleAttribute::Superuser => "SUPERUSER",
            RoleAttribute::CreateRole => "CREATEROLE",
            RoleAttribute::CreateDb => "CREATEDB",
            RoleAttribute::BypassRls => "BYPASSRLS",
            RoleAttribute::Replication => "REPLICATION",
        }
    }
    /// The SQL keyword that clears it (`NOSUPERUSER`).
    pub fn negated_sql(self) -> &'static str {
        match self {
            RoleAttribute::Superuser => "NOSUPERUSER",
            RoleAttribute::CreateRole => "NOCREATEROLE",
            RoleAttribute::CreateDb => "NOCREATEDB",
            RoleAttribute::BypassRls => "NOBYPASSRLS",
            RoleAttribute::Replication => "NOREPLICATION",
        }
    }
    /// The `pg_roles` column that holds it (`rolsuper`).
    pub fn catalog_column(self) -> &'static str {
        match self {
            RoleAttribute::Superuser => "rolsuper",
            RoleAttribute::CreateRole => "rolcreaterole",
            RoleAttribute::CreateDb => "rolcreatedb",
            RoleAttribute::BypassRls => "rolbypassrls",
            RoleAttribute::Replication => "rolreplication",
        }
    }
}

impl fmt::Display for RoleAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// An unknown role attribute keyword.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role attribute `{0}`: use SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS (LOGIN is `login: true`, a connection limit is `connection_limit`)"
)]
pub struct RoleAttributeError(pub String);

impl FromStr for RoleAttribute {
    type Err = RoleAttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoleAttribute::ALL
            .into_iter()
            .find(|a| a.as_sql().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| RoleAttributeError(s.to_owned()))
    }
}

impl Serialize for RoleAttribute {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_sql())
    }
}

impl<'de> Deserialize<'de> for RoleAttribute {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A role: a login user or a group.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role name.
    pub name: RoleName,
    /// What the role is for.
    pub purpose: RolePurpose,
    /// Whether the role can log in (a user) or not (a group).
    #[builder(default)]
    #[serde(default)]
    pub login: bool,
    /// Where the password comes from (login roles with password auth).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretSource>,
    /// Connection limit (`-1` or unset: no limit).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_limit: Option<i32>,
    /// Attributes beyond LOGIN: `[CREATEDB]`, `[REPLICATION]`. Every
    /// attribute not listed is off, and converging the server removes it.
    /// A `replication` role has REPLICATION without listing it.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub attributes: BTreeSet<RoleAttribute>,
    /// Groups this role is a member of.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_of: Vec<RoleName>,
    /// Password expiry, an ISO 8601 timestamp (`2026-12-31T00:00:00Z`) or `infinity`.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<ValidUntil>,
    /// Privileges granted to this role.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

impl Role {
    /// True when the role has the attribute: listed in `attributes`, or
    /// REPLICATION for a role whose purpose is replication.
    pub fn has(&self, attribute: RoleAttribute) -> bool {
        self.attributes.contains(&attribute)
            || (attribute == RoleAttribute::Replication && self.purpose == RolePurpose::Replication)
    }
}
