//! Addresses and CIDR ranges.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::sample::select;

use super::{Profile, parsed};
use crate::azure_facts;
use crate::model::net::CidrRange;

/// IPv4 addresses: anywhere, and the two Azure treats specially
/// (`0.0.0.0`, `255.255.255.255`).
pub(super) fn ipv4() -> BoxedStrategy<Ipv4Addr> {
    prop_oneof![
        4 => any::<u32>().prop_map(Ipv4Addr::from),
        1 => Just(Ipv4Addr::UNSPECIFIED),
        1 => Just(Ipv4Addr::BROADCAST),
    ]
    .boxed()
}

/// CIDR ranges of either family, with host bits set or not, from `/0` to a
/// single address.
fn any_cidr() -> BoxedStrategy<CidrRange> {
    parsed(prop_oneof![
        3 => (ipv4(), 0u8..=32).prop_map(|(a, p)| format!("{a}/{p}")),
        1 => (any::<u128>().prop_map(Ipv6Addr::from), 0u8..=128).prop_map(|(a, p)| format!("{a}/{p}")),
        1 => select(&["0.0.0.0/0", "::1/128", "fd00::/8"][..]).prop_map(str::to_owned),
    ])
}

/// Ranges allowed to connect (`security.allowed_cidrs`).
pub(super) fn allowed_cidr(profile: Profile) -> BoxedStrategy<CidrRange> {
    match profile {
        Profile::Reasonable => {
            parsed(select(&["10.0.0.0/16", "192.168.0.0/24"][..]).prop_map(str::to_owned))
        }
        // A string that is no range (`not-a-cidr`) was drawn here too; a
        // `CidrRange` cannot hold one.
        Profile::Any => any_cidr(),
    }
}

/// The address range of a delegated subnet. `Any` draws ranges smaller
/// than Azure's smallest ([`azure_facts::SMALLEST_SUBNET_PREFIX`]), IPv6
/// ranges and ranges with host bits set. (It also drew `10.0.0.0/33` and
/// `banana`; a `CidrRange` cannot hold them.)
pub(super) fn subnet_cidr(profile: Profile) -> BoxedStrategy<CidrRange> {
    let smallest = azure_facts::SMALLEST_SUBNET_PREFIX;
    match profile {
        Profile::Reasonable => parsed(
            (any::<u8>(), 16u8..=smallest).prop_map(|(b, p)| format!("10.{b}.0.0/{p}")),
        ),
        Profile::Any => prop_oneof![
            2 => parsed((any::<(u8, u8)>(), 16u8..=32).prop_map(|((b, c), p)| format!("10.{b}.{c}.0/{p}"))),
            1 => any_cidr(),
        ]
        .boxed(),
    }
}
