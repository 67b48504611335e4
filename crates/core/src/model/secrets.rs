//! Where secrets come from. A plan never holds a password; it names a source.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a password or key comes from.
///
/// In a plan file this is a one-key mapping:
///
/// ```yaml
/// password: { generated: {} }
/// password: { kubernetes_secret: { name: pg-app, key: password } }
/// password: { env: { var: BILL_APP_PASSWORD } }
/// password: { key_vault: { vault: phonebill-kv, secret: bill-app-password } }
/// password: { entra_identity: { principal: bill-inquiry-service-identity } }
/// ```
///
/// A plain string is read as [`SecretSource::Literal`] only so that validation
/// can reject it with the line that holds it (rule `PGP010`); no renderer will
/// ever emit one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Generated at apply time and stored next to the deployment (a Kubernetes
    /// Secret named `secret_name`, or the platform's secret store).
    Generated {
        /// Where the generated value is stored; derived from the role when unset.
        secret_name: Option<String>,
        /// Length of the generated password.
        length: u16,
    },
    /// An existing Kubernetes Secret.
    KubernetesSecret {
        /// Secret name.
        name: String,
        /// Key within the Secret.
        key: String,
    },
    /// An environment variable of the process that applies the plan.
    Env {
        /// Variable name.
        var: String,
    },
    /// An Azure Key Vault secret.
    KeyVault {
        /// Vault name.
        vault: String,
        /// Secret name.
        secret: String,
    },
    /// No password: the role authenticates as a Microsoft Entra identity.
    EntraIdentity {
        /// The identity's display name (managed identity or principal).
        principal: String,
    },
    /// A password written into the plan itself. Always rejected by validation.
    Literal(LiteralSecret),
}

impl SecretSource {
    /// A generated password of the default length (32) stored under a derived name.
    pub fn generated() -> Self {
        SecretSource::Generated {
            secret_name: None,
            length: 32,
        }
    }
    /// An environment variable.
    pub fn env(var: impl Into<String>) -> Self {
        SecretSource::Env { var: var.into() }
    }
    /// A Key Vault secret.
    pub fn key_vault(vault: impl Into<String>, secret: impl Into<String>) -> Self {
        SecretSource::KeyVault {
            vault: vault.into(),
            secret: secret.into(),
        }
    }
    /// An existing Kubernetes Secret.
    pub fn kubernetes_secret(name: impl Into<String>, key: impl Into<String>) -> Self {
        SecretSource::KubernetesSecret {
            name: name.into(),
            key: key.into(),
        }
    }
    /// True for the literal form that validation rejects.
    pub fn is_literal(&self) -> bool {
        matches!(self, SecretSource::Literal(_))
    }
    /// A one-line description that never includes a secret value.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Generated {
                secret_name,
                length,
            } => match secret_name {
                Some(n) => format!("generated ({length} characters, stored in `{n}`)"),
                None => format!("generated ({length} characters)"),
            },
            SecretSource::KubernetesSecret { name, key } => {
                format!("Kubernetes Secret `{name}`, key `{key}`")
            }
            SecretSource::Env { var } => format!("environment variable `{var}`"),
            SecretSource::KeyVault { vault, secret } => {
                format!("Key Vault `{vault}`, secret `{secret}`")
            }
            SecretSource::EntraIdentity { principal } => {
                format!("Microsoft Entra identity `{principal}` (no password)")
            }
            SecretSource::Literal(_) => "a literal password written in the plan".into(),
        }
    }
}

/// A password written into a plan. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct LiteralSecret(String);

impl LiteralSecret {
    /// Wraps a literal (for modelling hand-written plans that contain one).
    pub fn new(s: impl Into<String>) -> Self {
        LiteralSecret(s.into())
    }
    /// Length in characters (safe to report).
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for LiteralSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LiteralSecret(<{} characters redacted>)", self.len())
    }
}

/// A password value resolved at apply time (never part of a plan). Its
/// `Debug` never shows it.
///
/// ```
/// let p = pgplan_core::Password::new("s3cret");
/// assert_eq!(p.expose(), "s3cret");
/// assert!(!format!("{p:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Password(value.into())
    }
    /// The password itself, for hashing or writing into a Secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A name as an environment variable fragment: upper case, every character
/// other than `A-Z0-9` replaced by `_` (`bill_app-user` → `BILL_APP_USER`).
pub fn env_var_fragment(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum TaggedSource {
    Generated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret_name: Option<String>,
        #[serde(default = "default_length")]
        length: u16,
    },
    KubernetesSecret {
        name: String,
        key: String,
    },
    Env {
        var: String,
    },
    KeyVault {
        vault: String,
        secret: String,
    },
    EntraIdentity {
        principal: String,
    },
}

fn default_length() -> u16 {
    32
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnySource {
    Literal(String),
    Tagged(TaggedSource),
}

impl Serialize for SecretSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tagged = match self.clone() {
            SecretSource::Generated {
                secret_name,
                length,
            } => TaggedSource::Generated {
                secret_name,
                length,
            },
            SecretSource::KubernetesSecret { name, key } => {
                TaggedSource::KubernetesSecret { name, key }
            }
            SecretSource::Env { var } => TaggedSource::Env { var },
            SecretSource::KeyVault { vault, secret } => TaggedSource::KeyVault { vault, secret },
            SecretSource::EntraIdentity { principal } => TaggedSource::EntraIdentity { principal },
            // Written back as it was read, so a round trip loses nothing; the
            // validator rejects it either way.
            SecretSource::Literal(l) => return s.serialize_str(&l.0),
        };
        tagged.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SecretSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let any = AnySource::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "a secret source is one of: { generated: {} }, { kubernetes_secret: { name, key } }, { env: { var } }, { key_vault: { vault, secret } }, { entra_identity: { principal } }",
            )
        })?;
        Ok(match any {
            AnySource::Literal(s) => SecretSource::Literal(LiteralSecret(s)),
            AnySource::Tagged(TaggedSource::Generated {
                secret_name,
                length,
            }) => SecretSource::Generated {
                secret_name,
                length,
            },
            AnySource::Tagged(TaggedSource::KubernetesSecret { name, key }) => {
                SecretSource::KubernetesSecret { name, key }
            }
            AnySource::Tagged(TaggedSource::Env { var }) => SecretSource::Env { var },
            AnySource::Tagged(TaggedSource::KeyVault { vault, secret }) => {
                SecretSource::KeyVault { vault, secret }
            }
            AnySource::Tagged(TaggedSource::EntraIdentity { principal }) => {
                SecretSource::EntraIdentity { principal }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_debug_is_redacted() {
        let s = SecretSource::Literal(LiteralSecret::new("Complex#Password#2025!"));
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("Complex"), "{dbg}");
        assert!(!s.describe().contains("Complex"));
    }
}
