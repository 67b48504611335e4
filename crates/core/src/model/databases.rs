//! Databases, schemas and extensions.

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::locale::{Encoding, Locale, TimeZoneName};
use super::migrations::Migrations;
use super::names::{DatabaseName, ExtensionName, RoleName, SchemaName};
use super::units::Bytes;

/// A schema in a database.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Schema name.
    pub name: SchemaName,
    /// Owner; the database owner when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RoleName>,
}

/// An extension installed in a database.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// Extension name.
    pub name: ExtensionName,
    /// Schema it is created in; the server's default when unset.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaName>,
    /// Version; the default version when unset.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A database.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// Database name.
    pub name: DatabaseName,
    /// Owning role (creates the schema objects).
    pub owner: RoleName,
    /// Encoding.
    #[builder(default)]
    #[serde(default)]
    pub encoding: Encoding,
    /// Locale (collation and character classification), e.g. `en_US.UTF-8`.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Template database; `template0` is required when the locale or encoding
    /// differ from template1's.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<DatabaseName>,
    /// Default time zone of sessions in this database.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<TimeZoneName>,
    /// Schemas (besides `public`).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<Schema>,
    /// Extensions.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Expected size, for backup capacity.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_size: Option<Bytes>,
    /// Connection limit of the database.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_limit: Option<i32>,
    /// The application schema's migrations, run as the owner role.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<Migrations>,
}

impl Database {
    /// The owner of a schema: its own, else the database owner.
    pub fn schema_owner(&self, schema: &SchemaName) -> &RoleName {
        self.schemas
            .iter()
            .find(|s| &s.name == schema)
            .and_then(|s| s.owner.as_ref())
            .unwrap_or(&self.owner)
    }
    /// The role migrations run as: `migrations.run_as`, else the owner.
    pub fn migration_role(&self) -> &RoleName {
        self.migrations
            .as_ref()
            .and_then(|m| m.run_as.as_ref())
            .unwrap_or(&self.owner)
    }
}

/// Libraries an extension needs in `shared_preload_libraries` before
/// `CREATE EXTENSION` works (or before it collects anything).
pub fn preload_library_for(extension: &str) -> Option<&'static str> {
    match extension {
        "pg_stat_statements" => Some("pg_stat_statements"),
        "pg_cron" => Some("pg_cron"),
        "timescaledb" => Some("timescaledb"),
        "pgaudit" => Some("pgaudit"),
        "pg_squeeze" => Some("pg_squeeze"),
        "pg_partman_bgw" => Some("pg_partman_bgw"),
        "pg_hint_plan" => Some("pg_hint_plan"),
        "pglogical" => Some("pglogical"),
        "anon" => Some("anon"),
        "credcheck" => Some("credcheck"),
        "age" => Some("age"),
        _ => None,
    }
}
