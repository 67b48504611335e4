//! Names with constraints, valid once built.
//!
//! PostgreSQL identifiers (`RoleName`, `DatabaseName`, `SchemaName`,
//! `ExtensionName`) may hold any character except NUL, but the server silently
//! truncates anything longer than 63 bytes (NAMEDATALEN − 1) — two different
//! names in a plan could become the same role on the server. These types reject
//! such names up front instead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest identifier PostgreSQL keeps without truncating it, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// An invalid name; the message says which rule it broke and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} `{input}`: {reason}")]
pub struct NameError {
    /// What kind of name (`role name`, `database name`, …).
    pub kind: &'static str,
    /// The rejected text.
    pub input: String,
    /// Why it was rejected and what to do instead.
    pub reason: String,
}

fn check_identifier(kind: &'static str, s: &str) -> Result<(), NameError> {
    let err = |reason: String| NameError {
        kind,
        input: s.to_owned(),
        reason,
    };
    if s.is_empty() {
        return Err(err("a name cannot be empty".into()));
    }
    if s.contains('\0') {
        return Err(err("a name cannot contain a NUL character".into()));
    }
    if s.len() > MAX_IDENTIFIER_BYTES {
        return Err(err(format!(
            "it is {} bytes long; PostgreSQL truncates identifiers to {MAX_IDENTIFIER_BYTES} bytes, so shorten it",
            s.len()
        )));
    }
    Ok(())
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps a name.
            pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
                let s = s.into();
                check_identifier($kind, &s)?;
                Ok(Self(s))
            }
            /// The name as written (not quoted).
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// An empty name that is never valid: what a builder keeps in a
            /// required field whose input did not parse (the builder reports
            /// it and never returns a plan holding one), or the mark of a
            /// default-privilege owner still to be resolved.
            #[allow(dead_code)]
            pub(crate) fn placeholder() -> Self {
                Self(String::new())
            }
            /// True for [`Self::placeholder`].
            #[allow(dead_code)]
            pub(crate) fn is_placeholder(&self) -> bool {
                self.0.is_empty()
            }
            /// True when the name needs double quotes in SQL (anything but a
            /// lowercase ASCII identifier).
            pub fn needs_quoting(&self) -> bool {
                needs_quoting(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = NameError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = NameError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        crate::model::input::text_input!($name);
    };
}

identifier!(
    /// A PostgreSQL role name (users and groups).
    ///
    /// ```
    /// use pgplan_core::RoleName;
    /// assert!(RoleName::new("bill_app_user").is_ok());
    /// assert!(RoleName::new("x".repeat(64)).is_err());
    /// ```
    RoleName,
    "role name"
);
identifier!(
    /// A PostgreSQL database name.
    DatabaseName,
    "database name"
);
identifier!(
    /// A PostgreSQL schema name.
    SchemaName,
    "schema name"
);
identifier!(
    /// A PostgreSQL extension name (`uuid-ossp`, `pg_trgm`).
    ExtensionName,
    "extension name"
);

/// True when an identifier must be double-quoted to keep its spelling:
/// anything but `[a-z_][a-z0-9_$]*`. (Reserved words are quoted by the SQL
/// renderer, which knows the keyword list.)
pub fn needs_quoting(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() || c == '_' => {}
        _ => return true,
    }
    !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
}

/// A PostgreSQL configuration parameter name (`shared_buffers`,
/// `pg_stat_statements.track`), stored lowercase as the server treats it.
///
/// ```
/// use pgplan_core::GucName;
/// assert_eq!(GucName::new("Shared_Buffers").unwrap().as_str(), "shared_buffers");
/// assert!(GucName::new("pg_stat_statements.track").is_ok());
/// assert!(GucName::new("max connections").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GucName(String);

impl GucName {
    /// Checks, lowercases and wraps a parameter name.
    pub fn new(s: impl AsRef<str>) -> Result<Self, NameError> {
        let raw = s.as_ref();
        let lower = raw.to_ascii_lowercase();
        let part_ok = |p: &str| {
            let mut cs = p.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
                && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        };
        let parts: Vec<&str> = lower.split('.').collect();
        if parts.len() > 2 || !parts.iter().all(|p| part_ok(p)) || lower.len() > 200 {
            return Err(NameError {
                kind: "parameter name",
                input: raw.to_owned(),
                reason: "a parameter name is letters, digits and underscores, optionally `extension.name`"
                    .into(),
            });
        }
        Ok(GucName(lower))
    }
    /// The lowercase name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// True for extension parameters (`pg_stat_statements.track`).
    pub fn is_custom(&self) -> bool {
        self.0.contains('.')
    }
}

impl fmt::Display for GucName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for GucName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for GucName {
    type Error = NameError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl Serialize for GucName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GucName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

crate::model::input::text_input!(GucName);

use super::text::text_newtype;
use crate::kubernetes_facts;

fn dns_label(s: &str) -> Result<String, String> {
    if kubernetes_facts::is_dns_label(s) {
        Ok(s.to_owned())
    } else {
        Err("use 1–63 lowercase letters, digits and `-`, starting and ending with a letter or digit (a DNS label)".into())
    }
}

fn dns_subdomain(s: &str) -> Result<String, String> {
    if kubernetes_facts::is_dns_subdomain(s) {
        Ok(s.to_owned())
    } else {
        Err("use lowercase letters, digits, `-` and `.`, at most 253 characters, each dot-separated part starting and ending with a letter or digit (a DNS subdomain)".into())
    }
}

text_newtype!(
    /// A service or object name usable as a Kubernetes object name and DNS label:
    /// lowercase letters, digits and `-`, starting and ending with a letter or
    /// digit, at most 63 characters.
    ///
    /// ```
    /// use pgplan_core::ServiceName;
    /// assert!(ServiceName::new("bill-inquiry").is_ok());
    /// assert!(ServiceName::new("Bill_Inquiry").is_err());
    /// ```
    ServiceName,
    "service name",
    dns_label
);

text_newtype!(
    /// A DNS label (RFC 1123): 1–63 lowercase letters, digits and `-`,
    /// starting and ending with a letter or digit. Kubernetes namespaces,
    /// Patroni member and scope names, etcd member names and read replica
    /// names are DNS labels.
    ///
    /// ```
    /// use pgplan_core::DnsLabel;
    /// assert!(DnsLabel::new("pg-0").is_ok());
    /// assert!(DnsLabel::new("pg_0").is_err());
    /// ```
    DnsLabel,
    "name",
    dns_label
);

text_newtype!(
    /// A DNS subdomain (RFC 1123): dot-separated DNS labels, at most 253
    /// characters. Most Kubernetes object names (Secrets, StorageClasses).
    DnsSubdomain,
    "name",
    dns_subdomain
);

fn label_key(s: &str) -> Result<String, String> {
    kubernetes_facts::check_label_key(s).map(|()| s.to_owned())
}

fn label_value(s: &str) -> Result<String, String> {
    kubernetes_facts::check_label_value(s).map(|()| s.to_owned())
}

text_newtype!(
    /// A Kubernetes label key: `[prefix/]name`, the prefix a DNS subdomain,
    /// the name 1–63 letters, digits, `-`, `_` or `.`.
    ///
    /// ```
    /// use pgplan_core::LabelKey;
    /// assert!(LabelKey::new("app.kubernetes.io/name").is_ok());
    /// assert!(LabelKey::new("-bad").is_err());
    /// ```
    LabelKey,
    "label key",
    label_key
);

text_newtype!(
    /// A Kubernetes label value: empty, or 1–63 letters, digits, `-`, `_` or
    /// `.`, starting and ending with a letter or digit.
    LabelValue,
    "label value",
    label_value
);

/// Labels as a plan writes them: keys and values checked.
pub type Labels = std::collections::BTreeMap<LabelKey, LabelValue>;

/// Labels as plain strings, the form object metadata takes.
pub fn label_strings(labels: &Labels) -> std::collections::BTreeMap<String, String> {
    labels
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
        .collect()
}

fn secret_key(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= kubernetes_facts::MAX_DNS_SUBDOMAIN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok && s != "." && s != ".." {
        Ok(s.to_owned())
    } else {
        Err("use 1–253 letters, digits, `-`, `_` and `.` (a Secret key)".into())
    }
}

text_newtype!(
    /// A key in a Kubernetes Secret or ConfigMap: letters, digits, `-`, `_`
    /// and `.`.
    SecretKey,
    "Secret key",
    secret_key
);

fn env_var_name(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use letters, digits and `_`, not starting with a digit (a shell variable name)".into())
    }
}

text_newtype!(
    /// An environment variable name: letters, digits and `_`, not starting
    /// with a digit — a name every shell and container runtime accepts.
    ///
    /// ```
    /// use pgplan_core::EnvVarName;
    /// assert!(EnvVarName::new("PG_ADMIN_PASSWORD").is_ok());
    /// assert!(EnvVarName::new("PG-ADMIN").is_err());
    /// ```
    EnvVarName,
    "environment variable name",
    env_var_name
);

fn host(s: &str) -> Result<String, String> {
    if s.parse::<std::net::IpAddr>().is_ok() {
        return Ok(s.to_owned());
    }
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(
            "use an IP address (127.0.0.11, ::1) or a host name (letters, digits, `-` and `.`)"
                .into(),
        )
    }
}

text_newtype!(
    /// A host: an IP address or a DNS host name.
    ///
    /// ```
    /// use pgplan_core::Host;
    /// let h = Host::new("127.0.0.11").unwrap();
    /// assert_eq!(h.ip(), Some("127.0.0.11".parse().unwrap()));
    /// assert!(Host::new("etcd 1").is_err());
    /// ```
    Host,
    "host",
    host
);

impl Host {
    /// The address, when the host is written as one.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        self.0.parse().ok()
    }
    /// True for a loopback address or `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.ip()
            .map_or(self.0 == "localhost", |ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_accept_anything_postgres_keeps() {
        for ok in [
            "a",
            "Mixed Case",
            "with \"quote\"",
            "한글_이름",
            "select",
            &"x".repeat(63),
        ] {
            assert!(RoleName::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn identifiers_reject_what_postgres_would_truncate() {
        let e = RoleName::new("é".repeat(32)).unwrap_err();
        assert!(e.reason.contains("64 bytes"), "{e}");
        assert!(DatabaseName::new("").is_err());
        assert!(SchemaName::new("a\0b").is_err());
    }

    #[test]
    fn quoting_detection() {
        assert!(!needs_quoting("bill_app_user"));
        assert!(needs_quoting("Bill"));
        assert!(needs_quoting("1abc"));
        assert!(needs_quoting("uuid-ossp"));
    }
}
