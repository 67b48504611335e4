//! Encodings, locales, time zones and password expiry.

use proptest::prelude::*;
use proptest::sample::select;

use super::{one_of, parsed};
use crate::model::locale::{Encoding, Locale, SERVER_ENCODINGS, TimeZoneName, ValidUntil};

/// Server encodings, from the model's list of every encoding PostgreSQL
/// takes. (Spellings such as `utf-8` read as `UTF8`, so drawing them adds
/// nothing; names no server has, such as `EBCDIC`, were drawn here too, and
/// an `Encoding` cannot hold them.)
pub(super) fn encoding() -> BoxedStrategy<Encoding> {
    one_of(SERVER_ENCODINGS, Just(Encoding::utf8()).boxed())
}

/// Locale names: common ones, and one no system has (`xx_XX`), which only
/// applying the plan finds out.
pub(super) fn locale() -> BoxedStrategy<Locale> {
    parsed(
        select(&["en_US.UTF-8", "C", "C.UTF-8", "ko_KR.UTF-8", "xx_XX"][..])
            .prop_map(str::to_owned),
    )
}

/// Time zone names, including one that does not exist (`Mars/Olympus`).
pub(super) fn time_zone() -> BoxedStrategy<TimeZoneName> {
    parsed(select(&["UTC", "Asia/Seoul", "Mars/Olympus"][..]).prop_map(str::to_owned))
}

/// Password expiry: never, in the future, in the past. (`tomorrow` was drawn
/// here too; a `ValidUntil` cannot hold it.)
pub(super) fn valid_until() -> BoxedStrategy<ValidUntil> {
    parsed(
        select(
            &[
                "infinity",
                "2030-01-01T00:00:00Z",
                "2020-01-01T00:00:00Z",
                "2031-06-30",
            ][..],
        )
        .prop_map(str::to_owned),
    )
}
