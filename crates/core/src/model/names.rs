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

/// A service or object name usable as a Kubernetes object name and DNS label:
/// lowercase letters, digits and `-`, starting and ending with a letter or
/// digit, at most 63 characters.
///
/// ```
/// use pgplan_core::ServiceName;
/// assert!(ServiceName::new("bill-inquiry").is_ok());
/// assert!(ServiceName::new("Bill_Inquiry").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceName(String);

impl ServiceName {
    /// Checks and wraps a DNS-label name.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            return Err(NameError {
                kind: "service name",
                input: s,
                reason: "use 1–63 lowercase letters, digits and `-`, starting and ending with a letter or digit (a DNS label)".into(),
            });
        }
        Ok(ServiceName(s))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ServiceName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for ServiceName {
    type Error = NameError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl Serialize for ServiceName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ServiceName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
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
