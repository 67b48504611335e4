//! Passwords: where they come from at render or apply time, and the
//! SCRAM-SHA-256 verifiers that replace them before anything reaches a server.
//!
//! A plan never holds a password; it names a [`SecretSource`]. The caller
//! passes a [`SecretResolver`] that turns sources into passwords (environment
//! variables, a map filled from a secret store, …). pgplan then computes the
//! SCRAM-SHA-256 verifier on the client: the server — and its log, even with
//! `log_statement = 'all'` — only ever sees the verifier.
//!
//! New verifiers use a random salt (`postgres_protocol::password::scram_sha_256`).
//! A resolver may supply a fixed salt instead ([`MapSecretResolver::with_fixed_salt`]),
//! which makes rendered scripts reproducible: meant for tests and snapshots only,
//! since equal passwords then get equal verifiers.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use pgplan_core::{RoleName, SecretSource};
use sha2::{Digest as _, Sha256};

use crate::error::Error;

/// Iterations of new verifiers (PostgreSQL's default `scram_iterations`).
pub const SCRAM_ITERATIONS: u32 = 4096;

pub use pgplan_core::Password;

/// Turns a role's [`SecretSource`] into its password.
pub trait SecretResolver: Send + Sync {
    /// The password of `role`, or `None` when this resolver cannot know it
    /// (the role is then left without a password by a render, and its
    /// password left alone by an apply). Errors are for sources that should
    /// resolve but do not (an unset environment variable).
    ///
    /// # Errors
    ///
    /// [`Error::Secret`] naming the role and the source.
    fn password(&self, role: &RoleName, source: &SecretSource) -> Result<Option<Password>, Error>;

    /// The salt for a new verifier of `role`; `None` (the default) means a
    /// random one.
    fn salt(&self, _role: &RoleName) -> Option<[u8; 16]> {
        None
    }

    /// What a diff should say about where `role`'s password is (a generated
    /// password's file, say), never the password itself; `None` (the
    /// default) says nothing.
    fn note(&self, _role: &RoleName, _source: &SecretSource) -> Option<String> {
        None
    }
}

/// Resolves nothing: every password is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSecrets;

impl SecretResolver for NoSecrets {
    fn password(&self, _: &RoleName, _: &SecretSource) -> Result<Option<Password>, Error> {
        Ok(None)
    }
}

/// Reads `{ env: { var } }` sources from the environment and, optionally,
/// any other source from a variable named after the role
/// (`<prefix><ROLE>`, the role name upper-cased with every character other
/// than `A-Z0-9` replaced by `_`).
#[derive(Debug, Clone, Default)]
pub struct EnvSecretResolver {
    fallback_prefix: Option<String>,
}

impl EnvSecretResolver {
    /// Resolves only `env` sources.
    pub fn new() -> Self {
        Self::default()
    }
    /// Also looks up `<prefix><ROLE>` for sources that cannot be read here
    /// (generated, Key Vault, Kubernetes Secret).
    #[must_use]
    pub fn with_fallback_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.fallback_prefix = Some(prefix.into());
        self
    }
    /// The fallback variable for a role, if a prefix is set.
    pub fn fallback_variable(&self, role: &RoleName) -> Option<String> {
        let prefix = self.fallback_prefix.as_ref()?;
        Some(format!(
            "{prefix}{}",
            pgplan_core::env_var_fragment(role.as_str())
        ))
    }
}

impl SecretResolver for EnvSecretResolver {
    fn password(&self, role: &RoleName, source: &SecretSource) -> Result<Option<Password>, Error> {
        let read = |var: &str| match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(Password::new(v))),
            Ok(_) => Err(Error::Secret {
                role: role.to_string(),
                source_description: source.describe(),
                message: format!("environment variable `{var}` is empty"),
            }),
            Err(_) => Err(Error::Secret {
                role: role.to_string(),
                source_description: source.describe(),
                message: format!(
                    "environment variable `{var}` is not set; export it before running pgplan"
                ),
            }),
        };
        match source {
            SecretSource::Env { var } => read(var.as_str()),
            SecretSource::Literal(_) => Err(literal_rejected(role, source)),
            SecretSource::EntraIdentity { .. } => Ok(None),
            _ => match self.fallback_variable(role) {
                Some(var) if std::env::var_os(&var).is_some() => read(&var),
                _ => Ok(None),
            },
        }
    }
}

fn literal_rejected(role: &RoleName, source: &SecretSource) -> Error {
    Error::Secret {
        role: role.to_string(),
        source_description: source.describe(),
        message: "a password written in the plan is never used; use { env: { var } }, { generated: {} } or a secret store".into(),
    }
}

/// Passwords from a map, by role: for callers that fetched them from a secret
/// store, and for tests.
#[derive(Debug, Clone, Default)]
pub struct MapSecretResolver {
    passwords: BTreeMap<RoleName, Password>,
    fixed_salt: Option<[u8; 16]>,
}

impl MapSecretResolver {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a role's password.
    #[must_use]
    pub fn with(mut self, role: RoleName, password: Password) -> Self {
        self.passwords.insert(role, password);
        self
    }
    /// Adds a role's password.
    pub fn insert(&mut self, role: RoleName, password: Password) {
        self.passwords.insert(role, password);
    }
    /// Uses one salt for every new verifier so that rendered output is
    /// reproducible. For tests and snapshots only: equal passwords get equal
    /// verifiers.
    #[must_use]
    pub fn with_fixed_salt(mut self, salt: [u8; 16]) -> Self {
        self.fixed_salt = Some(salt);
        self
    }
}

impl SecretResolver for MapSecretResolver {
    fn password(&self, role: &RoleName, source: &SecretSource) -> Result<Option<Password>, Error> {
        if source.is_literal() {
            return Err(literal_rejected(role, source));
        }
        Ok(self.passwords.get(role).cloned())
    }
    fn salt(&self, _role: &RoleName) -> Option<[u8; 16]> {
        self.fixed_salt
    }
}

/// A new SCRAM-SHA-256 verifier for `password`, with the resolver's salt or a
/// random one.
pub fn new_verifier(resolver: &dyn SecretResolver, role: &RoleName, password: &Password) -> String {
    match resolver.salt(role) {
        Some(salt) => scram_verifier(password.expose(), &salt, SCRAM_ITERATIONS),
        None => postgres_protocol::password::scram_sha_256(password.expose().as_bytes()),
    }
}

/// The SCRAM-SHA-256 verifier of `password` with the given salt and
/// iteration count, exactly as PostgreSQL and libpq compute it (SASLprep,
/// then PBKDF2-HMAC-SHA-256). `postgres_protocol` computes the same thing
/// but only with a random salt; checking a stored verifier needs its salt.
pub fn scram_verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    let (stored_key, server_key) = scram_keys(password, salt, iterations);
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        BASE64.encode(salt),
        BASE64.encode(stored_key),
        BASE64.encode(server_key)
    )
}

/// True when `verifier` (as stored in `pg_authid.rolpassword`) is a
/// SCRAM-SHA-256 verifier of `password`.
pub fn verifier_matches(password: &str, verifier: &str) -> bool {
    let Some(parsed) = ParsedVerifier::parse(verifier) else {
        return false;
    };
    let (stored_key, server_key) = scram_keys(password, &parsed.salt, parsed.iterations);
    stored_key.as_slice() == parsed.stored_key.as_slice()
        && server_key.as_slice() == parsed.server_key.as_slice()
}

/// True when `text` looks like a SCRAM-SHA-256 verifier.
pub fn is_scram_verifier(text: &str) -> bool {
    ParsedVerifier::parse(text).is_some()
}

struct ParsedVerifier {
    iterations: u32,
    salt: Vec<u8>,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
}

impl ParsedVerifier {
    fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        Some(ParsedVerifier {
            iterations: iterations.parse().ok().filter(|i| *i > 0)?,
            salt: BASE64.decode(salt).ok()?,
            stored_key: BASE64.decode(stored).ok()?,
            server_key: BASE64.decode(server).ok()?,
        })
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn scram_keys(password: &str, salt: &[u8], iterations: u32) -> ([u8; 32], [u8; 32]) {
    // SASLprep as libpq and the server do it: on failure (prohibited
    // characters), the password is used as it is.
    let prepared: Vec<u8> = match stringprep::saslprep(password) {
        Ok(p) => p.into_owned().into_bytes(),
        Err(_) => password.as_bytes().to_vec(),
    };
    // Hi(): PBKDF2 with HMAC-SHA-256 and one 32-byte block.
    let mut block_input = salt.to_vec();
    block_input.extend_from_slice(&[0, 0, 0, 1]);
    let mut u = hmac(&prepared, &block_input);
    let mut salted = u;
    for _ in 1..iterations {
        u = hmac(&prepared, &u);
        for (s, x) in salted.iter_mut().zip(u.iter()) {
            *s ^= x;
        }
    }
    let client_key = hmac(&salted, b"Client Key");
    let stored_key: [u8; 32] = Sha256::digest(client_key).into();
    let server_key = hmac(&salted, b"Server Key");
    (stored_key, server_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_verifier_equals_postgres_protocols() {
        // postgres_protocol picks a random salt; recomputing with that salt
        // must give the identical verifier.
        for pw in ["s3cret", "päss wörd", "Complex#Password#2025!", ""] {
            let theirs = postgres_protocol::password::scram_sha_256(pw.as_bytes());
            let parsed = ParsedVerifier::parse(&theirs).unwrap();
            assert_eq!(scram_verifier(pw, &parsed.salt, parsed.iterations), theirs);
            assert!(verifier_matches(pw, &theirs));
            assert!(!verifier_matches("other", &theirs));
        }
    }

    #[test]
    fn matches_a_verifier_computed_by_the_server() {
        // SELECT rolpassword FROM pg_authid after
        // SET password_encryption = 'scram-sha-256'; ALTER ROLE x PASSWORD 'foo'
        // with the salt fixed (computed by PostgreSQL's own scram_build_secret).
        let v = scram_verifier("foo", b"0123456789abcdef", 4096);
        assert!(v.starts_with("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"));
        assert!(verifier_matches("foo", &v));
    }

    #[test]
    fn debug_never_shows_a_password() {
        let p = Password::new("hunter2");
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn env_fallback_variable_names() {
        let r = EnvSecretResolver::new().with_fallback_prefix("PGPLAN_PASSWORD_");
        let role = RoleName::new("bill app-user").unwrap();
        assert_eq!(
            r.fallback_variable(&role).unwrap(),
            "PGPLAN_PASSWORD_BILL_APP_USER"
        );
    }

    #[test]
    fn literal_sources_are_refused() {
        let role = RoleName::new("r").unwrap();
        let src = SecretSource::Literal(pgplan_core::LiteralSecret::new("x"));
        assert!(MapSecretResolver::new().password(&role, &src).is_err());
        assert!(EnvSecretResolver::new().password(&role, &src).is_err());
    }
}
