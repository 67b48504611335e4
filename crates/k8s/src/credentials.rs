//! Which Secret holds which login's password.
//!
//! A plan never holds a password. Each login with a password source gets a
//! place in a Secret: one pgplan renders (the value generated at apply time or
//! read from the applying process's environment, or passed in by the caller),
//! one the External Secrets Operator syncs from Azure Key Vault, or one that
//! already exists in the cluster. Pods read passwords as files from those
//! Secrets, never from environment variables.

use std::collections::BTreeMap;
use std::fmt;

use pgplan_core::kubernetes_facts::{
    DEFAULT_REPLICATION_USER, ReplicationLogin, SUPERUSER, backup_login, monitoring_login,
    replication_login, role_secret,
};
use pgplan_core::{Role, SecretSource, ValidPlan};

use crate::labels::Names;

/// Length of the passwords pgplan generates for its own logins.
pub(crate) const GENERATED_LENGTH: u16 = 32;

pub use pgplan_core::Password;

/// How the value of a rendered Secret's password is obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordFill {
    /// Generated: random characters of this length.
    Generate {
        /// Number of characters.
        length: u16,
    },
    /// Read from an environment variable of the process that applies the plan.
    Env {
        /// The variable.
        var: String,
    },
}

impl fmt::Display for PasswordFill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordFill::Generate { length } => {
                write!(f, "generated at apply time ({length} characters)")
            }
            PasswordFill::Env { var } => {
                write!(f, "read from the environment variable {var} at apply time")
            }
        }
    }
}

/// A Secret pgplan renders whose `password` key the caller fills (see
/// [`crate::RenderOptions::passwords`]); without a value the Secret is
/// rendered with its `username` only, for `apply` or a secret generator to
/// complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordSlot {
    /// Secret name.
    pub secret: String,
    /// The login whose password it is.
    pub username: String,
    /// How the value is obtained.
    pub fill: PasswordFill,
    /// The plan field the password source comes from.
    pub field: String,
}

/// Where a credential's Secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Store {
    /// pgplan renders the Secret.
    Rendered(PasswordFill),
    /// pgplan renders an ExternalSecret that syncs it from Azure Key Vault.
    KeyVault { vault: String, secret: String },
    /// The Secret exists already.
    Existing,
}

/// One login's password, as a key of a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    /// Login name.
    pub username: String,
    /// Secret name.
    pub secret: String,
    /// Key of the password in the Secret.
    pub key: String,
    /// Where the Secret comes from.
    pub store: Store,
    /// The plan field (for messages and annotations).
    pub field: String,
}

/// Every credential the rendered objects use.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    /// The superuser: the server image sets it on first boot; the schema-init
    /// Job logs in with it.
    pub superuser: Credential,
    /// The plan's login roles with a password, in plan order; the schema-init
    /// Job sets their passwords from these Secrets.
    pub roles: Vec<Credential>,
    /// The replication login (only with read replicas).
    pub replication: Option<Credential>,
    /// The exporter's login.
    pub monitoring: Credential,
    /// The login of each logical backup, by index.
    pub backups: Vec<Credential>,
}

fn generated(username: &str, secret: &str, field: &str) -> Credential {
    Credential {
        username: username.to_owned(),
        secret: secret.to_owned(),
        key: "password".into(),
        store: Store::Rendered(PasswordFill::Generate {
            length: GENERATED_LENGTH,
        }),
        field: field.to_owned(),
    }
}

/// The credential of a plan role with a password the cluster can hold; the
/// Secret's name and key are core's ([`role_secret`]), so validation checks
/// the names rendered here.
fn role_credential(names: &Names, i: usize, role: &Role) -> Option<Credential> {
    let secret = role_secret(names, role)?;
    let store = match role.password.as_ref()? {
        SecretSource::Generated { length, .. } => {
            Store::Rendered(PasswordFill::Generate { length: *length })
        }
        SecretSource::Env { var } => Store::Rendered(PasswordFill::Env {
            var: var.to_string(),
        }),
        SecretSource::KeyVault { vault, secret } => Store::KeyVault {
            vault: vault.to_string(),
            secret: secret.to_string(),
        },
        SecretSource::KubernetesSecret { .. } => Store::Existing,
        // role_secret gives none for these.
        SecretSource::Literal(_) | SecretSource::EntraIdentity { .. } => return None,
    };
    Some(Credential {
        username: role.name.as_str().to_owned(),
        secret: secret.name,
        key: secret.key,
        store,
        field: format!("roles[{i}].password"),
    })
}

impl Credentials {
    /// Resolves every credential of the plan. Validation has refused what
    /// would not work on Kubernetes (PGP110 Entra logins, PGP111 shared
    /// Secrets, PGP112 the `replicator` name, PGP118 backup roles without a
    /// password, and PGP041's literal passwords), so every login here has a
    /// Secret of its own.
    pub fn new(plan: &ValidPlan, names: &Names) -> Self {
        let superuser = generated(
            SUPERUSER,
            &names.superuser_secret,
            "the superuser's password",
        );
        let roles: Vec<Credential> = plan
            .roles
            .iter()
            .enumerate()
            .filter_map(|(i, role)| role_credential(names, i, role))
            .collect();
        let of_role = |role: &Role| {
            roles
                .iter()
                .find(|c| c.username == role.name.as_str())
                .cloned()
        };
        let default_replication = || {
            generated(
                DEFAULT_REPLICATION_USER,
                &names.replication_secret,
                "the replication login's password",
            )
        };
        let replication = replication_login(plan).map(|login| match login {
            ReplicationLogin::Planned(_, role) => of_role(role).unwrap_or_else(default_replication),
            ReplicationLogin::Default => default_replication(),
        });
        let monitoring = monitoring_login(plan)
            .and_then(of_role)
            .unwrap_or_else(|| superuser.clone());
        let backups = plan
            .backups
            .logical
            .iter()
            .map(|b| {
                backup_login(plan, b)
                    .and_then(of_role)
                    .unwrap_or_else(|| superuser.clone())
            })
            .collect();
        Credentials {
            superuser,
            roles,
            replication,
            monitoring,
            backups,
        }
    }

    /// Every credential pgplan renders a Secret (or ExternalSecret) for,
    /// once per Secret name, in a stable order.
    pub fn rendered(&self) -> Vec<&Credential> {
        let mut by_name: BTreeMap<&str, &Credential> = BTreeMap::new();
        let all = std::iter::once(&self.superuser)
            .chain(self.replication.iter())
            .chain(self.roles.iter());
        for c in all {
            if !matches!(c.store, Store::Existing) {
                by_name.entry(c.secret.as_str()).or_insert(c);
            }
        }
        by_name.into_values().collect()
    }

    /// The Secrets the plan names as existing, once per Secret and key:
    /// `apply` and the bootstrap script check they hold the key.
    #[cfg_attr(not(feature = "apply"), allow(dead_code))]
    pub fn existing(&self) -> Vec<&Credential> {
        let mut by_key: BTreeMap<(&str, &str), &Credential> = BTreeMap::new();
        for c in &self.roles {
            if matches!(c.store, Store::Existing) {
                by_key
                    .entry((c.secret.as_str(), c.key.as_str()))
                    .or_insert(c);
            }
        }
        by_key.into_values().collect()
    }

    /// The Secrets whose password the caller fills.
    pub fn slots(&self) -> Vec<PasswordSlot> {
        self.rendered()
            .into_iter()
            .filter_map(|c| match &c.store {
                Store::Rendered(fill) => Some(PasswordSlot {
                    secret: c.secret.clone(),
                    username: c.username.clone(),
                    fill: fill.clone(),
                    field: c.field.clone(),
                }),
                _ => None,
            })
            .collect()
    }
}
