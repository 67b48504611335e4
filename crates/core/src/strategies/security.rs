//! Security: TLS, password hashing, statement logging, allowed ranges.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::Profile;
use super::net::allowed_cidr;
use crate::model::security::{PasswordEncryption, Security, StatementLogging, Tls, TlsVersion};

/// Security settings. `Reasonable` requires TLS, hashes with SCRAM and logs
/// at most data-modifying statements; `Any` may turn TLS off, hash with MD5
/// and log every statement (typed passwords included).
pub(super) fn security(profile: Profile) -> BoxedStrategy<Security> {
    let min_version = select(&[TlsVersion::Tls12, TlsVersion::Tls13][..]);
    match profile {
        Profile::Reasonable => (
            min_version,
            select(
                &[
                    StatementLogging::None,
                    StatementLogging::Ddl,
                    StatementLogging::Mod,
                ][..],
            ),
            vec(allowed_cidr(profile), 0..=1),
        )
            .prop_map(|(min_version, statement_logging, allowed_cidrs)| Security {
                tls: Tls {
                    required: true,
                    min_version,
                },
                password_encryption: PasswordEncryption::ScramSha256,
                statement_logging,
                allowed_cidrs,
            })
            .boxed(),
        Profile::Any => (
            any::<bool>(),
            min_version,
            select(&[PasswordEncryption::ScramSha256, PasswordEncryption::Md5][..]),
            select(
                &[
                    StatementLogging::None,
                    StatementLogging::Ddl,
                    StatementLogging::Mod,
                    StatementLogging::All,
                ][..],
            ),
            vec(allowed_cidr(profile), 0..=3),
        )
            .prop_map(
                |(required, min_version, password_encryption, statement_logging, allowed_cidrs)| {
                    Security {
                        tls: Tls {
                            required,
                            min_version,
                        },
                        password_encryption,
                        statement_logging,
                        allowed_cidrs,
                    }
                },
            )
            .boxed(),
    }
}
