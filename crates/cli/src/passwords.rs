//! Passwords on the command line's side: the connection's own (standard
//! input), and generated role passwords kept in files the user chooses.
//!
//! A role with `password: { generated: {} }` gets a random password the
//! first time `apply` creates it, written to
//! `DIR/<service>.<environment>.<role>.password`, a file only its owner can
//! read (0600), before the role is created; later applies read it from
//! there. It is never printed: `diff` and `apply` say which file holds it.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgplan_core::{Password, RoleName, SecretSource};
use pgplan_sql::{EnvSecretResolver, SecretResolver};

/// Resolves generated passwords from (or into) a directory, everything else
/// as `inner` does.
pub struct GeneratedPasswords {
    dir: Option<PathBuf>,
    prefix: String,
    create: bool,
    inner: EnvSecretResolver,
}

impl GeneratedPasswords {
    /// Passwords of the plan `service`/`environment`; `create` makes
    /// missing ones (apply), without it they are only read (diff).
    pub fn new(
        dir: Option<&Path>,
        service: &str,
        environment: &str,
        create: bool,
        inner: EnvSecretResolver,
    ) -> Arc<Self> {
        Arc::new(GeneratedPasswords {
            dir: dir.map(Path::to_path_buf),
            prefix: format!("{}.{}", file_part(service), file_part(environment)),
            create,
            inner,
        })
    }

    /// The file of a role's generated password.
    pub fn file_of(&self, role: &RoleName) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| {
            d.join(format!(
                "{}.{}.password",
                self.prefix,
                file_part(role.as_str())
            ))
        })
    }
}

/// A name as part of a file name: letters, digits, `_` and `-` kept, the
/// rest `_`, and a short hash of the name when anything was replaced (so
/// two names never share a file).
fn file_part(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if kept == name && !name.is_empty() {
        kept
    } else {
        use sha2::Digest as _;
        let hash = sha2::Sha256::digest(name.as_bytes());
        format!(
            "{kept}-{:02x}{:02x}{:02x}{:02x}",
            hash[0], hash[1], hash[2], hash[3]
        )
    }
}

fn secret_error(role: &RoleName, source: &SecretSource, message: String) -> pgplan_sql::Error {
    pgplan_sql::Error::Secret {
        role: role.to_string(),
        source_description: source.describe(),
        message,
    }
}

/// A random password of `length` letters and digits.
fn random_password(length: u16) -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const LIMIT: u8 = 248; // the largest multiple of 62 in a byte
    let mut out = String::with_capacity(usize::from(length));
    let mut buf = [0u8; 64];
    while out.len() < usize::from(length) {
        getrandom::fill(&mut buf)
            .map_err(|e| format!("the random number generator failed: {e}"))?;
        for b in buf {
            if b < LIMIT && out.len() < usize::from(length) {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

/// Reads a password file, refusing a link or a file others can read.
fn read_private(path: &Path) -> Result<Option<String>, String> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if !meta.is_file() {
        return Err(format!(
            "{} is not a regular file (a symbolic link is not followed)",
            path.display()
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "{} can be read by others; make it private (chmod 600 {})",
            path.display(),
            path.display()
        ));
    }
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let pw = text.trim_end_matches(['\n', '\r']).to_owned();
    if pw.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(Some(pw))
}

/// Creates a password file that only its owner can read, failing if it
/// exists.
fn write_private(path: &Path, password: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(password.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

impl SecretResolver for GeneratedPasswords {
    fn password(
        &self,
        role: &RoleName,
        source: &SecretSource,
    ) -> Result<Option<Password>, pgplan_sql::Error> {
        let SecretSource::Generated { length, .. } = source else {
            return self.inner.password(role, source);
        };
        let Some(path) = self.file_of(role) else {
            return self.inner.password(role, source);
        };
        match read_private(&path).map_err(|m| secret_error(role, source, m))? {
            Some(pw) => Ok(Some(Password::new(pw))),
            None if self.create => {
                let pw = random_password(*length).map_err(|m| secret_error(role, source, m))?;
                // Stored before the role gets it: a failed apply leaves a
                // file the next apply uses, never a password nobody has.
                write_private(&path, &pw).map_err(|m| secret_error(role, source, m))?;
                Ok(Some(Password::new(pw)))
            }
            None => Ok(None),
        }
    }

    fn note(&self, role: &RoleName, source: &SecretSource) -> Option<String> {
        if !matches!(source, SecretSource::Generated { .. }) {
            return None;
        }
        Some(match self.file_of(role) {
            Some(path) if path.exists() => format!(
                "password of role {role}: generated, in {} (readable only by you)",
                path.display()
            ),
            Some(path) => format!(
                "password of role {role}: generated by apply and stored in {} (readable only by you)",
                path.display()
            ),
            None => format!(
                "password of role {role} is generated: pass --password-dir DIR and apply creates it once, in a file only you can read; until then the role has no password"
            ),
        })
    }
}

/// The connection password from the first line of standard input.
pub fn from_stdin() -> Result<Password, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let pw = line.trim_end_matches(['\n', '\r']);
    if pw.is_empty() {
        return Err("--password-stdin: standard input holds no password".into());
    }
    Ok(Password::new(pw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("pgplan-pw-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let role = RoleName::new("app\u{1b}x").unwrap();
        let src = SecretSource::generated();
        let store =
            GeneratedPasswords::new(Some(&dir), "svc", "dev", true, EnvSecretResolver::new());
        let first = store.password(&role, &src).unwrap().unwrap();
        assert_eq!(first.expose().len(), 32);
        let path = store.file_of(&role).unwrap();
        assert!(
            !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .contains('\u{1b}')
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let again = store.password(&role, &src).unwrap().unwrap();
        assert_eq!(first, again);
        let note = store.note(&role, &src).unwrap();
        assert!(!note.contains(first.expose()), "{note}");
        let reader =
            GeneratedPasswords::new(Some(&dir), "svc", "dev", false, EnvSecretResolver::new());
        assert_eq!(reader.password(&role, &src).unwrap(), Some(first));
        fs::remove_dir_all(&dir).unwrap();
    }
}
