//! Secrets: a plan names where passwords come from and never holds one; no
//! password reaches the server log; every login role can log in.

mod entra_authentication;
mod generated_password_length;
mod literal_password;
mod login_password_source;
mod password_in_parameter;
mod statement_logging;
mod unused_password_source;

pub use entra_authentication::EntraAuthentication;
pub use generated_password_length::GeneratedPasswordLength;
pub use literal_password::LiteralPassword;
pub use login_password_source::LoginPasswordSource;
pub use password_in_parameter::PasswordInParameter;
pub use statement_logging::StatementLogging;
pub use unused_password_source::UnusedPasswordSource;

/// Test helpers: a literal secret, and a check that no finding shows it.
#[cfg(test)]
mod testing {
    use crate::validate::Diagnostic;
    use crate::{LiteralSecret, SecretSource};

    pub const SECRET: &str = "Complex#Password#2025!";

    pub fn literal() -> SecretSource {
        SecretSource::Literal(LiteralSecret::new(SECRET))
    }

    pub fn never_shows_the_secret(d: &[Diagnostic]) {
        let all = format!("{d:?}");
        assert!(!all.contains(SECRET), "{all}");
        assert!(!all.contains("hunter2"), "{all}");
    }
}
