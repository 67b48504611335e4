//! The plan file's JSON Schema (feature `schema`): editors such as VS Code
//! with yaml-language-server complete and check plan files with it.
//!
//! The model's structs and enums derive their schemas (schemars follows
//! their serde attributes: field names, defaults, unknown fields refused);
//! the values that read themselves — names, sizes, durations, percentages,
//! schedules, secret sources — are described here, each as the plan file
//! writes it. The schema accepts less than the parser in one place on
//! purpose: a password written into the plan (rule PGP041) is not a secret
//! source, so the editor flags it as it is typed.
//!
//! ```
//! let schema = pgplan_core::schema::plan_schema();
//! assert_eq!(schema["title"], "pgplan plan file");
//! assert!(schema["properties"]["service"].is_object());
//! ```

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::model::azure_names::*;
use crate::model::backups::CronSchedule;
use crate::model::clients::Surge;
use crate::model::locale::{Encoding, Locale, TimeZoneName, ValidUntil};
use crate::model::names::*;
use crate::model::net::CidrRange;
use crate::model::plan::{Environment, MajorVersion, Plan};
use crate::model::platform::ContainerImage;
use crate::model::roles::{Privilege, RoleAttribute};
use crate::model::secrets::SecretSource;
use crate::model::tuning::ParamValue;
use crate::model::units::{Bytes, Interval, Millicores, Percent};

/// Where the schema is published, for `# yaml-language-server: $schema=…`.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/pgplan/pgplan/main/schema/plan.schema.json";

/// The plan file's JSON Schema (draft 2020-12).
pub fn plan_schema() -> Value {
    let mut schema = schemars::schema_for!(Plan).to_value();
    if let Some(root) = schema.as_object_mut() {
        root.insert("$id".into(), Value::String(SCHEMA_ID.into()));
        root.insert("title".into(), Value::String("pgplan plan file".into()));
        root.insert(
            "description".into(),
            Value::String(
                "A PostgreSQL deployment plan: one database server of one service in one environment. `pgplan validate` checks what a schema cannot (budgets, references, platform limits)."
                    .into(),
            ),
        );
    }
    schema
}

/// A string with rules the schema states in words (the parser checks them).
macro_rules! string_schema {
    ($($t:ty => $desc:literal),* $(,)?) => {$(
        impl JsonSchema for $t {
            fn schema_name() -> Cow<'static, str> {
                stringify!($t).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "minLength": 1, "description": $desc })
            }
        }
    )*};
}

string_schema! {
    RoleName => "a role name (at most 63 bytes)",
    DatabaseName => "a database name (at most 63 bytes)",
    SchemaName => "a schema name (at most 63 bytes)",
    ExtensionName => "an extension name, e.g. pg_stat_statements",
    ServiceName => "a service name: lowercase letters, digits and `-` (a DNS label)",
    DnsLabel => "a DNS label: lowercase letters, digits and `-`, at most 63 characters",
    DnsSubdomain => "a DNS subdomain: lowercase DNS labels joined by dots",
    EnvVarName => "an environment variable name: letters, digits and `_`, not starting with a digit",
    SecretKey => "a key within a Kubernetes Secret",
    LabelKey => "a Kubernetes label key ([prefix/]name)",
    Host => "a host name or an IP address",
    GucName => "a server parameter name, e.g. work_mem or pg_stat_statements.track",
    Region => "an Azure region, e.g. koreacentral",
    AzureServerName => "an Azure Flexible Server name: lowercase letters, digits and `-`",
    ResourceGroupName => "an Azure resource group name",
    AvailabilityZone => "an availability zone: 1, 2 or 3",
    Guid => "a GUID, e.g. 00000000-0000-0000-0000-000000000000",
    PrivateDnsZone => "a private DNS zone ending in .postgres.database.azure.com",
    SkuName => "an Azure compute SKU, e.g. Standard_D4s_v3",
    PerformanceTier => "a Premium SSD performance tier, e.g. P30",
    StorageAccountName => "an Azure storage account name: 3–24 lowercase letters and digits",
    BlobContainerName => "a blob container name: 3–63 lowercase letters, digits and `-`",
    KeyVaultName => "an Azure Key Vault name: 3–24 letters, digits and `-`",
    KeyVaultSecretName => "a Key Vault secret name: letters, digits and `-`",
    FirewallRuleName => "a firewall rule name",
    AzureResourceRef => "a resource's name, or its full ARM id (/subscriptions/…)",
    Encoding => "a server encoding, e.g. UTF8",
    Locale => "a locale, e.g. C.UTF-8 or en_US.UTF-8",
    TimeZoneName => "a time zone, e.g. UTC or Asia/Seoul",
    ValidUntil => "infinity, or an ISO 8601 timestamp such as 2026-12-31T00:00:00Z",
    CronSchedule => "a cron schedule (minute hour day month weekday, or @daily, @weekly, …)",
    CidrRange => "an IPv4 CIDR range, e.g. 10.0.2.0/24",
    ContainerImage => "a container image: repository[:tag][@sha256:digest]",
}

impl JsonSchema for Interval {
    fn schema_name() -> Cow<'static, str> {
        "Interval".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": r"^\s*[0-9]+\s*(ms|s|sec|m|min|h|d|w)\s*$",
            "description": "a duration with a unit: 500ms, 30s, 5min (or 5m), 24h, 7d, 1w"
        })
    }
}

impl JsonSchema for LabelValue {
    fn schema_name() -> Cow<'static, str> {
        "LabelValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "maxLength": 63, "description": "a Kubernetes label value (at most 63 characters, may be empty)" })
    }
}

/// Text, or a bare YAML number read as text.
macro_rules! string_or_number_schema {
    ($($t:ty, $number:literal, $pattern:literal => $desc:literal),* $(,)?) => {$(
        impl JsonSchema for $t {
            fn schema_name() -> Cow<'static, str> {
                stringify!($t).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "description": $desc,
                    "anyOf": [
                        { "type": "string", "pattern": $pattern },
                        { "type": $number, "minimum": 0 }
                    ]
                })
            }
        }
    )*};
}

string_or_number_schema! {

    Millicores, "number", r"^\s*([0-9]+m|[0-9]+(\.[0-9]{1,3})?)\s*$" => "CPU: millicores such as 500m, or cores such as 1, 1.5, 2",
}

impl JsonSchema for Surge {
    fn schema_name() -> Cow<'static, str> {
        "Surge".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "pods a rolling deploy adds above pods.max: a number of pods (2) or a percentage of them (25%)",
            "anyOf": [
                { "type": "string", "pattern": r"^\s*[0-9]+\s*%?\s*$" },
                { "type": "integer", "minimum": 0 }
            ]
        })
    }
}

impl JsonSchema for Bytes {
    fn schema_name() -> Cow<'static, str> {
        "Bytes".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // A size always has its unit: a bare number was read as bytes where
        // people meant gibibytes, so the reader refuses it.
        json_schema!({
            "description": "a size with its unit: 8kB, 256MB, 4GB (PostgreSQL, powers of 1024), 512Mi, 2Gi (Kubernetes), or 512B for bytes",
            "type": "string",
            "pattern": r"^\s*[0-9]*\.?[0-9]+\s*(B|kB|KB|MB|GB|TB|Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)\s*$"
        })
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a percentage between 0 and 100, e.g. 80% or 99.9%",
            "anyOf": [
                { "type": "string", "pattern": r"^\s*(0*100(\.0{1,2})?|0*[0-9]{1,2}(\.[0-9]{1,2})?)\s*%?\s*$" },
                { "type": "number", "minimum": 0, "maximum": 100 }
            ]
        })
    }
}

impl JsonSchema for MajorVersion {
    fn schema_name() -> Cow<'static, str> {
        "MajorVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "the PostgreSQL major version (14–18)",
            "anyOf": [
                { "type": "integer", "minimum": MajorVersion::MIN, "maximum": MajorVersion::MAX },
                { "type": "string", "enum": ["14", "15", "16", "17", "18"] }
            ]
        })
    }
}

impl JsonSchema for Environment {
    fn schema_name() -> Cow<'static, str> {
        "Environment".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "the environment the deployment serves",
            "type": "string",
            "enum": ["development", "staging", "production", "dev", "stage", "prod"]
        })
    }
}

impl JsonSchema for ParamValue {
    fn schema_name() -> Cow<'static, str> {
        "ParamValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a parameter value as postgresql.conf writes it (on, 4GB, 0.9, 'text')",
            "type": ["string", "number", "boolean"]
        })
    }
}

impl JsonSchema for RoleAttribute {
    fn schema_name() -> Cow<'static, str> {
        "RoleAttribute".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let all: Vec<Value> = RoleAttribute::ALL
            .iter()
            .flat_map(|a| [a.as_sql().to_owned(), a.as_sql().to_ascii_lowercase()])
            .map(Value::String)
            .collect();
        json_schema!({ "description": "a role attribute beyond LOGIN", "type": "string", "enum": all })
    }
}

impl JsonSchema for Privilege {
    fn schema_name() -> Cow<'static, str> {
        "Privilege".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names = [
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
            "MAINTAIN",
            "USAGE",
            "CREATE",
            "CONNECT",
            "TEMPORARY",
            "TEMP",
            "EXECUTE",
            "ALL",
            "ALL PRIVILEGES",
        ];
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let all: Vec<Value> = names
            .iter()
            .map(|n| Value::String((*n).into()))
            .chain(lower.into_iter().map(Value::String))
            .collect();
        json_schema!({ "description": "a privilege", "type": "string", "enum": all })
    }
}

impl JsonSchema for SecretSource {
    fn schema_name() -> Cow<'static, str> {
        "SecretSource".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let name = json_schema!({ "type": "string", "minLength": 1 });
        json_schema!({
            "description": "where a password comes from; a plan never holds one (a literal string is rejected by rule PGP041)",
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["generated"],
                    "properties": { "generated": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "secret_name": name,
                            "length": { "type": "integer", "minimum": 0, "maximum": 65535, "description": "characters; PGP304 asks for 16 to 128" }
                        }
                    } }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["kubernetes_secret"],
                    "properties": { "kubernetes_secret": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["name", "key"],
                        "properties": { "name": name, "key": name }
                    } }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["env"],
                    "properties": { "env": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["var"],
                        "properties": { "var": name }
                    } }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["key_vault"],
                    "properties": { "key_vault": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["vault", "secret"],
                        "properties": { "vault": name, "secret": name }
                    } }
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["entra_identity"],
                    "properties": { "entra_identity": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["principal"],
                        "properties": { "principal": name }
                    } }
                }
            ]
        })
    }
}

/// The schema of an IPv4 address a plan writes as text (`10.0.1.0`), for
/// fields of type `std::net::Ipv4Addr`.
pub struct Ipv4Text;

impl JsonSchema for Ipv4Text {
    fn schema_name() -> Cow<'static, str> {
        "Ipv4Address".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$",
            "description": "an IPv4 address: four numbers from 0 to 255 separated by dots, such as 10.0.1.0"
        })
    }
}
