//! TLS, password hashing and, on Azure, the extension allow-list.

use super::Derivation;
use crate::model::platform::Platform;
use crate::tuning::params::{PASSWORD_ENCRYPTION, SSL, SSL_MIN_PROTOCOL_VERSION};

/// Azure's switch for TLS-only connections (no such parameter in PostgreSQL).
pub(super) const REQUIRE_SECURE_TRANSPORT: &str = "require_secure_transport";
/// Azure's allow-list of extensions (no such parameter in PostgreSQL).
const AZURE_EXTENSIONS: &str = "azure.extensions";

pub(super) fn derive(d: &mut Derivation<'_>) {
    let tls = &d.plan.security.tls;
    let (required, min_version) = (tls.required, tls.min_version.to_string());
    if let Platform::Azure(_) = &d.plan.platform {
        let mut extensions: Vec<&str> = d.plan.extensions().map(|(_, e)| e.name.as_str()).collect();
        extensions.sort();
        extensions.dedup();
        if !extensions.is_empty() {
            d.set_platform(
                AZURE_EXTENSIONS,
                extensions.join(","),
                "every extension in the plan's databases",
                &[],
            );
        }
        d.set_platform(
            REQUIRE_SECURE_TRANSPORT,
            if required { "on" } else { "off" },
            "security.tls.required",
            &[],
        );
    } else if required {
        d.set(SSL, "on", "security.tls.required", &[]);
    }
    d.set(
        SSL_MIN_PROTOCOL_VERSION,
        min_version,
        "security.tls.min_version",
        &[],
    );
    d.set(
        PASSWORD_ENCRYPTION,
        d.plan.security.password_encryption.to_string(),
        "security.password_encryption",
        &[],
    );
}
