//! Sizes, CPU amounts, durations and percentages.

use proptest::prelude::*;
use proptest::sample::select;

use crate::model::units::{Bytes, Interval, Millicores, Percent};

pub(super) const KIB: u64 = 1024;
pub(super) const MIB: u64 = 1024 * KIB;
pub(super) const GIB: u64 = 1024 * MIB;
pub(super) const TIB: u64 = 1024 * GIB;
pub(super) const PIB: u64 = 1024 * TIB;

pub(super) const SECOND: u64 = 1000;
pub(super) const MINUTE: u64 = 60 * SECOND;
pub(super) const HOUR: u64 = 60 * MINUTE;
pub(super) const DAY: u64 = 24 * HOUR;
pub(super) const WEEK: u64 = 7 * DAY;

/// Sizes from zero to `u64::MAX` bytes, mostly whole multiples of a binary
/// (`Ki` … `Pi`) or decimal (`k` … `T`) unit, as plans write them.
pub fn bytes() -> BoxedStrategy<Bytes> {
    prop_oneof![
        4 => (0u64..=4096, select(&[1, KIB, MIB, GIB, TIB, PIB][..]))
            .prop_map(|(n, unit)| Bytes::new(n * unit)),
        2 => (0u64..=10_000, select(&[1_000u64, 1_000_000, 1_000_000_000, 1_000_000_000_000][..]))
            .prop_map(|(n, unit)| Bytes::new(n * unit)),
        2 => any::<u64>().prop_map(Bytes::new),
        1 => Just(Bytes::ZERO),
        1 => Just(Bytes::new(u64::MAX)),
    ]
    .boxed()
}

/// CPU amounts from zero to `u32::MAX` millicores, mostly whole cores or
/// round fractions.
pub fn millicores() -> BoxedStrategy<Millicores> {
    prop_oneof![
        3 => (0u32..=128).prop_map(Millicores::cores),
        3 => (0u32..=640).prop_map(|n| Millicores::new(n * 100)),
        2 => (0u32..=64_000).prop_map(Millicores::new),
        1 => any::<u32>().prop_map(Millicores::new),
    ]
    .boxed()
}

/// Durations from zero to `u64::MAX` milliseconds, mostly whole multiples of
/// a unit (ms, s, min, h, d, w).
pub fn duration() -> BoxedStrategy<Interval> {
    prop_oneof![
        4 => (0u64..=1000, select(&[1, SECOND, MINUTE, HOUR, DAY, WEEK][..]))
            .prop_map(|(n, unit)| Interval::millis(n * unit)),
        1 => any::<u64>().prop_map(Interval::millis),
        1 => Just(Interval::ZERO),
    ]
    .boxed()
}

/// Percentages from 0 % to 100 % in hundredths.
pub fn percent() -> BoxedStrategy<Percent> {
    prop_oneof![
        2 => (0u16..=100).prop_map(Percent::whole),
        2 => (0u16..=10_000).prop_map(Percent::from_hundredths),
        1 => select(&[0u16, 9_000, 9_500, 9_900, 9_990, 9_995, 9_999, 10_000][..])
            .prop_map(Percent::from_hundredths),
    ]
    .boxed()
}
