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

use pgplan_core::ValidPlan;
use pgplan_core::{RolePurpose, SecretSource};

use crate::Error;
use crate::labels::{Names, dns_fragment, is_dns_subdomain};

/// The superuser of the server image.
pub(crate) const SUPERUSER: &str = "postgres";
/// The replication login used when the plan names no replication role.
pub(crate) const DEFAULT_REPLICATION_USER: &str = "replicator";
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

/// The Secret of a role's password: `<base>-role-<role>`, the role name
/// lowercased with other characters as `-`. `-role-` keeps role Secrets apart
/// from pgplan's own (`-superuser`, `-replication`, `-tls`) whatever the role
/// is called; a name longer than a DNS label is cut and given a checksum of
/// the role name, so it stays valid and distinct.
fn role_secret_name(base: &str, role: &str) -> String {
    let name = format!("{base}-role-{}", dns_fragment(role));
    if name.len() <= 63 {
        return name;
    }
    let sum = crate::render::checksum(&[role.as_bytes()]);
    format!("{}-{}", name[..54].trim_end_matches('-'), &sum[..8])
}

impl Credentials {
    /// Resolves every credential of the plan.
    pub fn new(plan: &ValidPlan, names: &Names, read_replicas: bool) -> Result<Self, Error> {
        let superuser = generated(
            SUPERUSER,
            &names.superuser_secret,
            "the superuser's password",
        );
        let mut roles = Vec::new();
        for (i, role) in plan.roles.iter().enumerate() {
            let field = format!("roles[{i}].password");
            if role.name.as_str() == SUPERUSER {
                return Err(Error::plan(
                    format!("roles[{i}].name"),
                    format!(
                        "`{SUPERUSER}` is the server image's superuser, whose password pgplan keeps in Secret `{}`",
                        names.superuser_secret
                    ),
                    "remove the role from the plan or give it another name",
                ));
            }
            let Some(source) = &role.password else {
                continue;
            };
            if !role.login {
                continue;
            }
            let derived_secret = role_secret_name(&names.base, role.name.as_str());
            let (secret, key, store) = match source {
                SecretSource::Literal(_) => {
                    return Err(Error::plan(
                        field,
                        "the plan holds a literal password",
                        "use `{ generated: {} }`, `{ kubernetes_secret: { name, key } }`, `{ env: { var } }` or `{ key_vault: { vault, secret } }`",
                    ));
                }
                SecretSource::EntraIdentity { principal } => {
                    return Err(Error::plan(
                        field,
                        format!(
                            "Microsoft Entra identity `{principal}` logins exist only on Azure Flexible Server"
                        ),
                        "on Kubernetes use `{ generated: {} }` or `{ kubernetes_secret: { name, key } }`",
                    ));
                }
                SecretSource::Generated {
                    secret_name,
                    length,
                } => (
                    secret_name
                        .as_ref()
                        .map_or(derived_secret, ToString::to_string),
                    "password".to_owned(),
                    Store::Rendered(PasswordFill::Generate { length: *length }),
                ),
                SecretSource::Env { var } => (
                    derived_secret,
                    "password".to_owned(),
                    Store::Rendered(PasswordFill::Env {
                        var: var.to_string(),
                    }),
                ),
                SecretSource::KeyVault { vault, secret } => (
                    derived_secret,
                    "password".to_owned(),
                    Store::KeyVault {
                        vault: vault.to_string(),
                        secret: secret.to_string(),
                    },
                ),
                SecretSource::KubernetesSecret { name, key } => {
                    (name.to_string(), key.to_string(), Store::Existing)
                }
            };
            if !is_dns_subdomain(&secret) {
                let help = if secret.len() > 63 && !secret.contains('.') {
                    "the name is made of the service and role names: shorten one of them, or name the Secret with `secret_name`"
                } else {
                    "use lowercase letters, digits, `-` and `.`, at most 63 between dots"
                };
                return Err(Error::plan(
                    field,
                    format!("`{secret}` is not a valid Secret name"),
                    help,
                ));
            }
            roles.push(Credential {
                username: role.name.as_str().to_owned(),
                secret,
                key,
                store,
                field,
            });
        }

        let find_purpose = |purpose: RolePurpose| {
            plan.roles
                .iter()
                .filter(|r| r.purpose == purpose)
                .find_map(|r| roles.iter().find(|c| c.username == r.name.as_str()))
                .cloned()
        };
        let replication = match (read_replicas, find_purpose(RolePurpose::Replication)) {
            (false, _) => None,
            (true, Some(planned)) => Some(planned),
            (true, None) => {
                if let Some(i) = plan
                    .roles
                    .iter()
                    .position(|r| r.name.as_str() == DEFAULT_REPLICATION_USER)
                {
                    return Err(Error::plan(
                        format!("roles[{i}].name"),
                        format!(
                            "`{DEFAULT_REPLICATION_USER}` is the login pgplan creates for the read replicas when the plan names no replication role"
                        ),
                        "give this role `purpose: replication` (and a password) or another name",
                    ));
                }
                Some(generated(
                    DEFAULT_REPLICATION_USER,
                    &names.replication_secret,
                    "the replication login's password",
                ))
            }
        };
        let monitoring = find_purpose(RolePurpose::Monitoring).unwrap_or_else(|| superuser.clone());
        let backup_default = find_purpose(RolePurpose::Backup).unwrap_or_else(|| superuser.clone());
        let mut backups = Vec::new();
        for (i, b) in plan.backups.logical.iter().enumerate() {
            let cred = match &b.role {
                None => backup_default.clone(),
                Some(r) => {
                    if plan.role(r).is_none() {
                        return Err(Error::plan(
                            format!("backups.logical[{i}].role"),
                            format!("role `{r}` is not in the plan's roles"),
                            "add the role under `roles` or remove `role` to use the backup role",
                        ));
                    }
                    roles
                        .iter()
                        .find(|c| c.username == r.as_str())
                        .cloned()
                        .ok_or_else(|| {
                            Error::plan(
                                format!("backups.logical[{i}].role"),
                                format!("role `{r}` has no password the backup job could log in with"),
                                "give the role `login: true` and a password source such as `{ generated: {} }`",
                            )
                        })?
                }
            };
            backups.push(cred);
        }

        let creds = Credentials {
            superuser,
            roles,
            replication,
            monitoring,
            backups,
        };
        creds.check_unique_secrets()?;
        Ok(creds)
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

    /// Two logins must not share a Secret pgplan renders: each such Secret
    /// holds one `username` and one `password`.
    fn check_unique_secrets(&self) -> Result<(), Error> {
        let mut seen: BTreeMap<&str, &Credential> = BTreeMap::new();
        let all = std::iter::once(&self.superuser)
            .chain(self.replication.iter())
            .chain(self.roles.iter());
        for c in all {
            if matches!(c.store, Store::Existing) {
                continue;
            }
            if let Some(prev) = seen.get(c.secret.as_str())
                && prev.username != c.username
            {
                return Err(Error::plan(
                    c.field.clone(),
                    format!(
                        "the password of `{}` would be stored in Secret `{}`, which already holds the password of `{}` (from {})",
                        c.username, c.secret, prev.username, prev.field
                    ),
                    "give one of them its own `secret_name`",
                ));
            }
            seen.insert(c.secret.as_str(), c);
        }
        Ok(())
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
