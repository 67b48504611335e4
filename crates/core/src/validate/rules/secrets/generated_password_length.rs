//! PGP304 generated-password-length: a generated password is long enough
//! to be a secret, and short enough for every client.

use crate::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP304.
pub struct GeneratedPasswordLength;

/// The shortest generated password (letters and digits: over 95 bits).
pub const MIN_LENGTH: u16 = 16;
/// The longest generated password (libpq and most drivers take far more,
/// but a connection string or a Secret gains nothing beyond it).
pub const MAX_LENGTH: u16 = 128;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP304",
    name: "generated-password-length",
    summary: "a generated password has 16 to 128 characters",
    rationale: "pgplan generates passwords of letters and digits. Fewer than 16 of them can be guessed offline from a stolen SCRAM verifier; 0 gives the empty password, which PostgreSQL refuses as a login password, so the role could never log in.",
    examples: crate::rule_examples!("PGP304-generated-password-length"),
    replaces: &[],
};

impl Rule for GeneratedPasswordLength {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let mut check = |path: String, source: Option<&SecretSource>| {
            if let Some(SecretSource::Generated { length, .. }) = source
                && !(MIN_LENGTH..=MAX_LENGTH).contains(length)
            {
                out.error(
                    format!("{path}.generated.length"),
                    format!(
                        "a generated password of {length} characters: {}",
                        if *length < MIN_LENGTH {
                            "too short to stay secret (0 is the empty password, which cannot log in)"
                        } else {
                            "longer than any client needs"
                        }
                    ),
                    format!(
                        "use {MIN_LENGTH} to {MAX_LENGTH} characters, or leave length out (32)"
                    ),
                );
            }
        };
        for (i, role) in cx.plan.roles.iter().enumerate() {
            check(format!("roles[{i}].password"), role.password.as_ref());
        }
        if let Some(az) = cx.plan.platform.azure() {
            check(
                "platform.azure.administrator_password".into(),
                az.administrator_password.as_ref(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn lengths_outside_16_to_128_are_errors() {
        let mut plan = kubernetes_reference_plan();
        let i = plan.roles.iter().position(|r| r.login).unwrap();
        for (length, errors) in [(0, 1), (15, 1), (16, 0), (32, 0), (128, 0), (129, 1)] {
            plan.roles[i].password = Some(SecretSource::Generated {
                secret_name: None,
                length,
            });
            let d = run(&GeneratedPasswordLength, &plan);
            assert_eq!(d.len(), errors, "{length}: {d:?}");
        }
    }
}
