//! PostgreSQL identifiers, service names, DNS labels and Kubernetes labels.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;

use super::{Profile, parsed};
use crate::azure_facts;
use crate::model::names::{
    DatabaseName, DnsLabel, DnsSubdomain, LabelKey, LabelValue, Labels, MAX_IDENTIFIER_BYTES,
    RoleName, SchemaName, ServiceName,
};

/// SQL keywords, PostgreSQL's predefined roles and case variants that need
/// quoting. The role names Azure reserves are added from
/// [`azure_facts::RESERVED_ADMIN_LOGINS`] and [`azure_facts::SERVICE_ROLES`].
const SQL_WORDS: &[&str] = &[
    "select",
    "user",
    "table",
    "order",
    "group",
    "all",
    "none",
    "current_user",
    "session_user",
    "pg_monitor",
    "pg_read_all_data",
    "pg_signal_backend",
    "PUBLIC",
    "Select",
];

/// Words a name generator should hit: SQL keywords, and role names
/// PostgreSQL and Azure reserve.
fn reserved_word() -> BoxedStrategy<String> {
    let words: Vec<&'static str> = SQL_WORDS
        .iter()
        .chain(azure_facts::RESERVED_ADMIN_LOGINS)
        .chain(azure_facts::SERVICE_ROLES)
        .copied()
        .collect();
    select(words).prop_map(str::to_owned).boxed()
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn truncate_to_bytes(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// Names of exactly 63 bytes, mixing one- to four-byte characters so the
/// limit falls in the middle of a multi-byte character as often as not.
fn exactly_63_bytes() -> BoxedStrategy<String> {
    vec(
        select(&['a', 'Z', '_', ' ', '"', '\'', 'é', '한', '😀'][..]),
        0..63,
    )
    .prop_map(|chars| {
        let mut s = String::new();
        for c in chars {
            if s.len() + c.len_utf8() > MAX_IDENTIFIER_BYTES {
                break;
            }
            s.push(c);
        }
        while s.len() < MAX_IDENTIFIER_BYTES {
            s.push('x');
        }
        s
    })
    .boxed()
}

/// Text PostgreSQL accepts as an identifier: 1–63 bytes, no NUL.
fn identifier_text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z_][a-z0-9_]{0,24}",
        2 => reserved_word(),
        2 => "[A-Za-z0-9 _\"'$.;-]{1,24}",
        2 => "[a-zéü한글_ \"]{1,20}",
        1 => vec(any::<char>(), 1..24)
            .prop_map(|cs| cs.into_iter().filter(|c| *c != '\0').collect::<String>()),
        1 => exactly_63_bytes(),
    ]
    .prop_map(|s| truncate_to_bytes(s, MAX_IDENTIFIER_BYTES))
    .boxed()
}

/// Role names: plain identifiers, reserved words (`postgres`, `pg_monitor`,
/// `select`), quotes, spaces, unicode, up to exactly 63 bytes.
pub fn role_name() -> BoxedStrategy<RoleName> {
    parsed(identifier_text())
}

/// Database names, drawn like [`role_name`].
pub fn database_name() -> BoxedStrategy<DatabaseName> {
    parsed(identifier_text())
}

/// Schema names, drawn like [`role_name`].
pub fn schema_name() -> BoxedStrategy<SchemaName> {
    parsed(identifier_text())
}

/// Service names (DNS labels): short and long, down to one character and up
/// to the 63 a label holds.
pub(super) fn service_name() -> BoxedStrategy<ServiceName> {
    parsed(prop_oneof![
        4 => "[a-z][a-z0-9-]{0,20}[a-z0-9]",
        1 => "[0-9a-z]",
        1 => "[a-z0-9]{63}",
    ])
}

/// DNS labels as people write them: a letter, then letters, digits and
/// hyphens, ending in a letter or digit.
pub(super) fn dns_label() -> BoxedStrategy<DnsLabel> {
    parsed("[a-z][a-z0-9-]{0,20}[a-z0-9]")
}

/// Short DNS labels that may collide and may start with a digit
/// (`pg-1`, `0`, `a-b`).
pub(super) fn short_dns_label() -> BoxedStrategy<DnsLabel> {
    parsed("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?")
}

/// DNS subdomains: one to three dot-separated labels.
pub(super) fn dns_subdomain() -> BoxedStrategy<DnsSubdomain> {
    parsed("[a-z]([a-z0-9-]{0,12}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){0,2}")
}

/// Label keys: a name, or `prefix/name` with a DNS subdomain prefix.
fn label_key() -> BoxedStrategy<LabelKey> {
    parsed(prop_oneof![
        2 => "[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?",
        1 => "[a-z]([a-z0-9-]{0,6}[a-z0-9])?(\\.[a-z]{2,6}){0,2}/[a-zA-Z0-9]([a-zA-Z0-9._-]{0,10}[a-zA-Z0-9])?",
    ])
}

/// Label values: empty, or a name.
fn label_value() -> BoxedStrategy<LabelValue> {
    parsed(prop_oneof![
        4 => "[a-zA-Z0-9]([a-zA-Z0-9._-]{0,12}[a-zA-Z0-9])?",
        1 => Just(String::new()),
    ])
}

/// Plan and client labels.
pub(super) fn labels(profile: Profile) -> BoxedStrategy<Labels> {
    match profile {
        Profile::Reasonable => btree_map(
            parsed(
                select(&["team", "app.kubernetes.io/part-of", "cost-center"][..])
                    .prop_map(str::to_owned),
            ),
            parsed("[a-z][a-z0-9-]{0,12}[a-z0-9]"),
            0..=2,
        )
        .boxed(),
        // Keys and values a YAML writer must quote to read them back. Keys
        // and values that are no label at all (`~`, `a: b`, `- x`, `#c`,
        // ` padded `, and the empty key) were drawn here too; a `LabelKey`
        // or `LabelValue` cannot hold them any more, so they are gone.
        Profile::Any => {
            let awkward = || {
                select(&["on", "yes", "no", "null", "123", "1e3", "0x1F", "true"][..])
                    .prop_map(str::to_owned)
            };
            btree_map(
                prop_oneof![2 => label_key(), 1 => parsed(awkward())],
                prop_oneof![2 => label_value(), 1 => parsed(awkward())],
                0..=3,
            )
            .boxed()
        }
    }
}
