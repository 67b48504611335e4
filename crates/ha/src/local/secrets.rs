//! Passwords on this machine: the ones the runner generates (the superuser,
//! Patroni's rewind and REST API logins, and every plan role whose source is
//! `generated`) are kept in `secrets/passwords.json` (mode 0600) in the run
//! directory, so a second `up` finds the same ones; the others are read from
//! the plan's sources (`env`, or `PGPLAN_PASSWORD_<ROLE>` for sources this
//! machine cannot read, as `pgplan apply` does). None is ever printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pgplan_core::{Password, Plan, Role, SecretSource, env_var_fragment, runner};

use crate::Error;

/// Length of the passwords the runner makes up for its own logins.
const GENERATED_LENGTH: u16 = 32;

/// A random password of `length` letters and digits from the operating
/// system's generator (rejection sampling keeps every character equally
/// likely).
///
/// # Errors
///
/// [`Error::Random`].
pub fn generate(length: u16) -> Result<Password, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const LIMIT: u8 = 248;
    let mut out = String::with_capacity(usize::from(length));
    let mut buf = [0u8; 64];
    while out.len() < usize::from(length) {
        getrandom::fill(&mut buf).map_err(|e| Error::Random(e.to_string()))?;
        for b in buf {
            if b < LIMIT && out.len() < usize::from(length) {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(Password::new(out))
}

/// Which password.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Login {
    /// The superuser (`postgres`).
    Superuser,
    /// Patroni's replication login.
    Replication,
    /// Patroni's rewind login.
    Rewind,
    /// Patroni's REST API login.
    RestApi,
    /// A role of the plan.
    Role(String),
}

impl Login {
    fn key(&self) -> String {
        match self {
            Login::Superuser => "superuser".into(),
            Login::Replication => "replication".into(),
            Login::Rewind => "rewind".into(),
            Login::RestApi => "restapi".into(),
            Login::Role(r) => format!("role:{r}"),
        }
    }
}

/// The passwords of a plan on this machine.
#[derive(Default)]
pub struct Passwords {
    map: BTreeMap<Login, Password>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("logins", &self.map.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Passwords {
    /// A login's password.
    pub fn get(&self, login: &Login) -> Option<&Password> {
        self.map.get(login)
    }
    /// A plan role's password, when the runner knows it.
    pub fn role(&self, name: &str) -> Option<&Password> {
        self.map.get(&Login::Role(name.to_owned()))
    }
    /// Every plan role's password the runner knows, by role.
    pub fn roles(&self) -> impl Iterator<Item = (&str, &Password)> {
        self.map.iter().filter_map(|(k, v)| match k {
            Login::Role(r) => Some((r.as_str(), v)),
            _ => None,
        })
    }

    /// Reads the stored passwords, generates what is missing (and stores it),
    /// and reads the plan's other sources.
    ///
    /// # Errors
    ///
    /// [`Error::Secret`] for a source the runner needs and cannot read (an
    /// unset environment variable); IO errors.
    pub fn load(plan: &Plan, file: &Path) -> Result<Passwords, Error> {
        let mut stored: BTreeMap<String, String> = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| Error::State {
                path: file.to_owned(),
                message: format!("not a password file pgplan wrote: {e}"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(Error::io(format!("reading {}", file.display()))(e)),
        };
        let before = stored.clone();
        let mut out = Passwords::default();
        let generated = |login: Login,
                         length: u16,
                         stored: &mut BTreeMap<String, String>,
                         out: &mut Passwords|
         -> Result<(), Error> {
            let key = login.key();
            let value = match stored.get(&key) {
                Some(v) => Password::new(v.clone()),
                None => {
                    let p = generate(length)?;
                    stored.insert(key, p.expose().to_owned());
                    p
                }
            };
            out.map.insert(login, value);
            Ok(())
        };
        generated(Login::Superuser, GENERATED_LENGTH, &mut stored, &mut out)?;
        let patroni = plan.topology.patroni.is_some();
        if patroni {
            generated(Login::Rewind, GENERATED_LENGTH, &mut stored, &mut out)?;
            generated(Login::RestApi, GENERATED_LENGTH, &mut stored, &mut out)?;
            if runner::replication_role(plan).is_none() {
                generated(Login::Replication, GENERATED_LENGTH, &mut stored, &mut out)?;
            }
        }
        let needed: Vec<&str> = [
            runner::replication_role(plan)
                .filter(|_| patroni)
                .map(|(_, r)| r.name.as_str()),
            runner::monitoring_role(plan)
                .filter(|_| patroni && plan.monitoring.exporter.is_some())
                .map(|(_, r)| r.name.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        for role in plan.roles.iter().filter(|r| r.login) {
            match &role.password {
                Some(SecretSource::Generated { length, .. }) => {
                    generated(
                        Login::Role(role.name.to_string()),
                        *length,
                        &mut stored,
                        &mut out,
                    )?;
                }
                Some(source) => {
                    if let Some(p) =
                        read_source(role, source, needed.contains(&role.name.as_str()))?
                    {
                        out.map.insert(Login::Role(role.name.to_string()), p);
                    }
                }
                None => {}
            }
        }
        // The replication login is the plan's role when there is one.
        if let Some((_, role)) = runner::replication_role(plan).filter(|_| patroni)
            && let Some(p) = out.role(role.name.as_str())
        {
            out.map
                .insert(Login::Replication, Password::new(p.expose()));
        }
        if stored != before {
            write_private(
                file,
                serde_json::to_string_pretty(&stored)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
        }
        Ok(out)
    }
}

/// The password of a role whose source is not `generated`: `None` when this
/// machine cannot read it and the runner does not need it.
fn read_source(
    role: &Role,
    source: &SecretSource,
    needed: bool,
) -> Result<Option<Password>, Error> {
    let fail = |message: String| Error::Secret {
        role: role.name.to_string(),
        source_description: source.describe(),
        message,
    };
    let read = |var: &str| -> Result<Option<Password>, Error> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(Password::new(v))),
            Ok(_) => Err(fail(format!("environment variable `{var}` is empty"))),
            Err(_) if needed => Err(fail(format!(
                "environment variable `{var}` is not set; export it before running pgplan up"
            ))),
            Err(_) => Ok(None),
        }
    };
    match source {
        SecretSource::Env { var } => read(var.as_str()),
        SecretSource::EntraIdentity { .. } | SecretSource::Literal(_) => Ok(None),
        _ => read(&format!(
            "PGPLAN_PASSWORD_{}",
            env_var_fragment(role.name.as_str())
        )),
    }
}

/// Writes a file only its owner can read (mode 0600).
///
/// # Errors
///
/// [`Error::Io`].
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(Error::io(format!("chmod {}", dir.display())))?;
    }
    let tmp: PathBuf = path.with_extension("pgplan-tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(Error::io(format!("writing {}", tmp.display())))?;
    f.write_all(contents)
        .map_err(Error::io(format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(Error::io(format!("writing {}", path.display())))
}
