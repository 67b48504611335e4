//! The server certificate of a plan that requires TLS: self-signed, made once
//! and kept in the run directory (key mode 0600, owned by the run user).

use super::proc::RunUser;
use crate::{Error, Layout};

/// Creates the certificate and key unless they exist.
///
/// # Errors
///
/// [`Error::Certificate`], [`Error::Io`].
pub fn ensure(layout: &Layout, user: &RunUser, hosts: &[String]) -> Result<(), Error> {
    if layout.tls_cert().is_file() && layout.tls_key().is_file() {
        return Ok(());
    }
    let mut names = vec!["localhost".to_owned()];
    names.extend(hosts.iter().cloned());
    let cert =
        rcgen::generate_simple_self_signed(names).map_err(|e| Error::Certificate(e.to_string()))?;
    if let Some(dir) = layout.tls_cert().parent() {
        user.dir(dir)?;
    }
    user.write(
        &layout.tls_key(),
        cert.signing_key.serialize_pem().as_bytes(),
        0o600,
    )?;
    user.write(&layout.tls_cert(), cert.cert.pem().as_bytes(), 0o644)
}
