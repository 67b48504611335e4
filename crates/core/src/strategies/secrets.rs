//! Where passwords come from.

use proptest::option;
use proptest::prelude::*;

use super::azure_names::{key_vault, key_vault_secret};
use super::names::dns_subdomain;
use super::{Profile, Target, parsed};
use crate::model::names::{DnsSubdomain, SecretKey};
use crate::model::secrets::{LiteralSecret, SecretSource};

/// A Key Vault secret.
pub(super) fn key_vault_source() -> BoxedStrategy<SecretSource> {
    (key_vault(), key_vault_secret())
        .prop_map(|(vault, secret)| SecretSource::key_vault(vault, secret))
        .boxed()
}

/// Every kind of source a plan may name. `Any` adds Entra identities (which
/// `Reasonable` leaves out), passwords written into
/// the plan and generated passwords of any length, which validation must
/// reject. (It also drew generated passwords stored under names no Secret
/// can have; a `DnsSubdomain` cannot hold those.)
pub(super) fn secret_source(profile: Profile) -> BoxedStrategy<SecretSource> {
    let passwords = prop_oneof![
        Just(SecretSource::generated()),
        (dns_subdomain(), 16u16..=64).prop_map(|(name, length)| SecretSource::Generated {
            secret_name: Some(name),
            length,
        }),
        (
            dns_subdomain(),
            parsed::<SecretKey>("[a-z][a-z0-9_.-]{0,10}")
        )
            .prop_map(|(name, key)| SecretSource::kubernetes_secret(name, key)),
        parsed("[A-Z_][A-Z0-9_]{0,20}").prop_map(SecretSource::env),
        key_vault_source(),
    ];
    match profile {
        // An Entra identity role needs the plan's managed identity, Entra
        // authentication and an Entra administrator (rule PGP175), which
        // a role's source alone cannot arrange.
        Profile::Reasonable => passwords.boxed(),
        Profile::Any => prop_oneof![
            5 => passwords,
            1 => "[a-z][a-z0-9-]{0,20}".prop_map(|principal| SecretSource::EntraIdentity { principal }),
            // Passwords written into the plan, which validation must reject.
            2 => "[ -~]{0,24}".prop_map(|s| SecretSource::Literal(LiteralSecret::new(s))),
            1 => (option::of(dns_subdomain()), any::<u16>()).prop_map(|(secret_name, length)| {
                SecretSource::Generated {
                    secret_name,
                    length,
                }
            }),
        ]
        .boxed(),
    }
}

/// The source of the `index`th login's password, drawn once as `shared` for
/// all of a plan's logins: each login gets a Secret of its own (two logins in
/// one rendered Secret would share a password), and an Entra identity only
/// where a server can check one (Azure).
pub(super) fn for_login(shared: &SecretSource, index: usize, target: Target) -> SecretSource {
    match shared {
        SecretSource::Generated {
            secret_name: Some(name),
            length,
        } => SecretSource::Generated {
            secret_name: DnsSubdomain::new(format!("{name}-{index}")).ok(),
            length: *length,
        },
        SecretSource::EntraIdentity { .. } if target != Target::Azure => SecretSource::generated(),
        other => other.clone(),
    }
}
