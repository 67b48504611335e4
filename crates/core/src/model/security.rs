//! Security: TLS, password hashing, statement logging and network access.

use std::fmt;

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::net::CidrRange;

/// Minimum TLS protocol version.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[default]
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        })
    }
}

/// TLS settings.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// Refuse unencrypted connections.
    #[builder(default = true)]
    #[serde(default = "yes")]
    pub required: bool,
    /// Minimum protocol version.
    #[builder(default)]
    #[serde(default)]
    pub min_version: TlsVersion,
}

impl Default for Tls {
    fn default() -> Self {
        Tls::builder().build()
    }
}

fn yes() -> bool {
    true
}

/// How passwords are hashed on the server.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PasswordEncryption {
    /// SCRAM-SHA-256.
    #[default]
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    /// MD5 (deprecated).
    #[serde(rename = "md5")]
    Md5,
}

impl fmt::Display for PasswordEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PasswordEncryption::ScramSha256 => "scram-sha-256",
            PasswordEncryption::Md5 => "md5",
        })
    }
}

/// Which statements the server logs (`log_statement`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementLogging {
    /// None.
    #[default]
    None,
    /// DDL.
    Ddl,
    /// DDL and data-modifying statements.
    Mod,
    /// Every statement.
    All,
}

impl StatementLogging {
    /// The `log_statement` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementLogging::None => "none",
            StatementLogging::Ddl => "ddl",
            StatementLogging::Mod => "mod",
            StatementLogging::All => "all",
        }
    }
}

/// Security settings.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TypedBuilder)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// TLS.
    #[builder(default)]
    #[serde(default)]
    pub tls: Tls,
    /// Password hashing.
    #[builder(default)]
    #[serde(default)]
    pub password_encryption: PasswordEncryption,
    /// Statement logging (sets `log_statement`).
    #[builder(default)]
    #[serde(default)]
    pub statement_logging: StatementLogging,
    /// Network ranges (CIDR) allowed to connect besides the planned clients
    /// (pg_hba entries; firewall rules on Azure are under the platform).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_cidrs: Vec<CidrRange>,
}
