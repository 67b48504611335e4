//! Where secrets come from. A plan never holds a password; it names a source.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::azure_names::{KeyVaultName, KeyVaultSecretName};
use super::input::Input;
use super::names::{DnsSubdomain, EnvVarName, SecretKey};

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
/// can reject it with the line that holds it (rule `PGP041`); no renderer will
/// ever emit one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Generated at apply time and stored next to the deployment (a Kubernetes
    /// Secret named `secret_name`, or the platform's secret store).
    Generated {
        /// Where the generated value is stored; derived from the role when unset.
        secret_name: Option<DnsSubdomain>,
        /// Length of the generated password.
        length: u16,
    },
    /// An existing Kubernetes Secret.
    KubernetesSecret {
        /// Secret name.
        name: DnsSubdomain,
        /// Key within the Secret.
        key: SecretKey,
    },
    /// An environment variable of the process that applies the plan.
    Env {
        /// Variable name.
        var: EnvVarName,
    },
    /// An Azure Key Vault secret.
    KeyVault {
        /// Vault name.
        vault: KeyVaultName,
        /// Secret name.
        secret: KeyVaultSecretName,
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
    pub fn env(var: EnvVarName) -> Self {
        SecretSource::Env { var }
    }
    /// A Key Vault secret.
    pub fn key_vault(vault: KeyVaultName, secret: KeyVaultSecretName) -> Self {
        SecretSource::KeyVault { vault, secret }
    }
    /// An existing Kubernetes Secret.
    pub fn kubernetes_secret(name: DnsSubdomain, key: SecretKey) -> Self {
        SecretSource::KubernetesSecret { name, key }
    }
    /// True for the literal form that validation rejects.
    pub fn is_literal(&self) -> bool {
        matches!(self, SecretSource::Literal(_))
    }
    /// The source as one the applying process reads by itself — an
    /// environment variable or a Key Vault secret — or `None` for sources
    /// that need a store of their own (generated, Kubernetes Secret), are no
    /// password (Entra identity) or are rejected (literal).
    ///
    /// ```
    /// use pgplan_core::{ReadableSecret, SecretSource, secret, Input};
    /// let s: SecretSource = secret::env("PG_ADMIN_PASSWORD").into_value().unwrap();
    /// assert!(matches!(s.readable(), Some(ReadableSecret::Env(v)) if v.as_str() == "PG_ADMIN_PASSWORD"));
    /// assert!(SecretSource::generated().readable().is_none());
    /// ```
    pub fn readable(&self) -> Option<ReadableSecret<'_>> {
        match self {
            SecretSource::Env { var } => Some(ReadableSecret::Env(var)),
            SecretSource::KeyVault { vault, secret } => {
                Some(ReadableSecret::KeyVault { vault, secret })
            }
            SecretSource::Generated { .. }
            | SecretSource::KubernetesSecret { .. }
            | SecretSource::EntraIdentity { .. }
            | SecretSource::Literal(_) => None,
        }
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

/// A secret source the applying process reads by itself (see
/// [`SecretSource::readable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadableSecret<'a> {
    /// An environment variable of the applying process.
    Env(&'a EnvVarName),
    /// A Key Vault secret.
    KeyVault {
        /// Vault name.
        vault: &'a KeyVaultName,
        /// Secret name.
        secret: &'a KeyVaultSecretName,
    },
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

#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A secret source as written: a bare string (refused by validation), or a
/// one-key mapping. Read by hand rather than as an untagged enum, which
/// would buffer every source before trying each shape.
enum AnySource {
    Literal(String),
    Tagged(TaggedSource),
}

impl<'de> Deserialize<'de> for AnySource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = AnySource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret source")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AnySource, E> {
                Ok(AnySource::Literal(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<AnySource, E> {
                Ok(AnySource::Literal(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<AnySource, A::Error> {
                TaggedSource::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(AnySource::Tagged)
            }
        }
        d.deserialize_any(Shape)
    }
}

impl Serialize for SecretSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tagged = match self.clone() {
            SecretSource::Generated {
                secret_name,
                length,
            } => TaggedSource::Generated {
                secret_name: secret_name.map(|n| n.to_string()),
                length,
            },
            SecretSource::KubernetesSecret { name, key } => TaggedSource::KubernetesSecret {
                name: name.to_string(),
                key: key.to_string(),
            },
            SecretSource::Env { var } => TaggedSource::Env {
                var: var.to_string(),
            },
            SecretSource::KeyVault { vault, secret } => TaggedSource::KeyVault {
                vault: vault.to_string(),
                secret: secret.to_string(),
            },
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
        let typed = match any {
            AnySource::Literal(s) => return Ok(SecretSource::Literal(LiteralSecret(s))),
            AnySource::Tagged(t) => SecretInput(SecretText::Tagged(t)).into_value(),
        };
        typed.map_err(serde::de::Error::custom)
    }
}

/// A secret source written with text, for plan builders: its names are
/// checked when the plan is built.
///
/// ```
/// use pgplan_core::secret;
/// let _ = secret::env("PG_ADMIN_PASSWORD");
/// let _ = secret::key_vault("phonebill-kv", "bill-app-user-password");
/// ```
#[derive(Debug, Clone)]
pub struct SecretInput(SecretText);

#[derive(Clone)]
enum SecretText {
    Tagged(TaggedSource),
    Literal(LiteralSecret),
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretText::Tagged(t) => t.fmt(f),
            SecretText::Literal(l) => l.fmt(f),
        }
    }
}

impl Input<SecretSource> for SecretInput {
    fn into_value(self) -> Result<SecretSource, String> {
        let e = |e: super::names::NameError| e.to_string();
        let tagged = match self.0 {
            SecretText::Literal(l) => return Ok(SecretSource::Literal(l)),
            SecretText::Tagged(t) => t,
        };
        Ok(match tagged {
            TaggedSource::Generated {
                secret_name,
                length,
            } => SecretSource::Generated {
                secret_name: secret_name.map(DnsSubdomain::new).transpose().map_err(e)?,
                length,
            },
            TaggedSource::KubernetesSecret { name, key } => SecretSource::KubernetesSecret {
                name: DnsSubdomain::new(name).map_err(e)?,
                key: SecretKey::new(key).map_err(e)?,
            },
            TaggedSource::Env { var } => SecretSource::Env {
                var: EnvVarName::new(var).map_err(e)?,
            },
            TaggedSource::KeyVault { vault, secret } => SecretSource::KeyVault {
                vault: KeyVaultName::new(vault).map_err(e)?,
                secret: KeyVaultSecretName::new(secret).map_err(e)?,
            },
            TaggedSource::EntraIdentity { principal } => SecretSource::EntraIdentity { principal },
        })
    }
}

impl Input<SecretSource> for SecretSource {
    fn into_value(self) -> Result<SecretSource, String> {
        Ok(self)
    }
}

/// Secret sources for plan builders: `secret::env("VAR")`,
/// `secret::key_vault("vault", "name")`, … Names are checked when the plan
/// is built.
pub mod secret {
    use super::{LiteralSecret, SecretInput, SecretText, TaggedSource};

    fn tagged(t: TaggedSource) -> SecretInput {
        SecretInput(SecretText::Tagged(t))
    }

    /// A password written into the plan: modelled only so that a
    /// hand-written plan can be checked as it was; validation rejects it.
    pub fn literal(text: &str) -> SecretInput {
        SecretInput(SecretText::Literal(LiteralSecret::new(text)))
    }

    /// A password generated at apply time (32 characters).
    pub fn generated() -> SecretInput {
        tagged(TaggedSource::Generated {
            secret_name: None,
            length: super::default_length(),
        })
    }
    /// A password generated at apply time and stored in this Kubernetes Secret.
    pub fn generated_in(secret_name: &str) -> SecretInput {
        tagged(TaggedSource::Generated {
            secret_name: Some(secret_name.to_owned()),
            length: super::default_length(),
        })
    }
    /// An environment variable of the process that applies the plan.
    pub fn env(var: &str) -> SecretInput {
        tagged(TaggedSource::Env {
            var: var.to_owned(),
        })
    }
    /// An Azure Key Vault secret.
    pub fn key_vault(vault: &str, secret: &str) -> SecretInput {
        tagged(TaggedSource::KeyVault {
            vault: vault.to_owned(),
            secret: secret.to_owned(),
        })
    }
    /// A key of an existing Kubernetes Secret.
    pub fn kubernetes_secret(name: &str, key: &str) -> SecretInput {
        tagged(TaggedSource::KubernetesSecret {
            name: name.to_owned(),
            key: key.to_owned(),
        })
    }
    /// No password: the role logs in as this Microsoft Entra identity.
    pub fn entra_identity(principal: &str) -> SecretInput {
        tagged(TaggedSource::EntraIdentity {
            principal: principal.to_owned(),
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
