//! Proptest strategies that generate plans, valid and not.
//!
//! Any crate's tests can draw plans from here by enabling this crate's
//! `proptest` feature in `[dev-dependencies]`:
//!
//! - units: [`bytes`], [`millicores`], [`duration`], [`percent`], from zero to
//!   the largest value each type holds, biased to round values;
//! - names: [`role_name`], [`database_name`], [`schema_name`]: plain
//!   identifiers, reserved words, quotes, spaces, unicode, and names of
//!   exactly 63 bytes (the longest PostgreSQL keeps);
//! - plans: [`plan`] draws from the whole model (every platform, Patroni and
//!   read replicas, explicit parameters with valid and invalid values, roles
//!   and grants that may name objects that do not exist, extreme pool sizes),
//!   so most of its plans have errors; [`kubernetes_plan`], [`azure_plan`] and
//!   [`local_plan`] do the same on one platform; [`reasonable_plan`] (and
//!   [`reasonable_kubernetes_plan`], [`reasonable_azure_plan`],
//!   [`reasonable_local_plan`]) keeps sizes, counts and references realistic
//!   and consistent, so most of its plans pass validation.
//!
//! Plans stay small (at most a few databases, roles and clients) so that a
//! property can check hundreds of them in well under a second.
//!
//! ```
//! use pgplan_core::strategies;
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! // A fixed seed gives the same plans on every run.
//! let mut runner = TestRunner::deterministic();
//! let plan = strategies::reasonable_plan()
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! let report = plan.report();
//! println!("{}\n{report}", plan.to_yaml().unwrap());
//! ```
//!
//! In a property test:
//!
//! ```no_run
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #[test]
//!     fn validation_never_panics(plan in pgplan_core::strategies::plan()) {
//!         let _ = plan.report();
//!     }
//! }
//! ```

// Struct literals here end in `..Default::default()` even where every field
// is listed today: the model gains optional fields, and generators should keep
// compiling (and generate the default) when it does.
#![allow(clippy::needless_update)]

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use crate::azure_facts::PREMIUM_SSD_SIZES_GIB;
use crate::model::names::MAX_IDENTIFIER_BYTES;
use crate::model::tuning::ParamValue;
use crate::*;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;
const PIB: u64 = 1024 * TIB;

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// Whether a generator explores the whole model or stays realistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Anything the types allow: extreme numbers, dangling references,
    /// invalid parameter values.
    Any,
    /// Realistic sizes and counts, consistent references.
    Reasonable,
}

/// The target platform of a generated plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Kubernetes,
    Azure,
    Local,
}

// ---------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------

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
pub fn duration() -> BoxedStrategy<Duration> {
    prop_oneof![
        4 => (0u64..=1000, select(&[1, SECOND, MINUTE, HOUR, DAY, WEEK][..]))
            .prop_map(|(n, unit)| Duration::millis(n * unit)),
        1 => any::<u64>().prop_map(Duration::millis),
        1 => Just(Duration::ZERO),
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

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Words a name generator should hit: SQL keywords, role names PostgreSQL and
/// Azure reserve, and case variants that need quoting.
const RESERVED_WORDS: &[&str] = &[
    "postgres",
    "public",
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
    "azure_pg_admin",
    "azuresu",
    "azure_superuser",
    "replication",
    "PUBLIC",
    "Select",
];

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
        2 => select(RESERVED_WORDS).prop_map(str::to_owned),
        2 => "[A-Za-z0-9 _\"'$.;-]{1,24}",
        2 => "[a-zéü한글_ \"]{1,20}",
        1 => vec(any::<char>(), 1..24)
            .prop_map(|cs| cs.into_iter().filter(|c| *c != '\0').collect::<String>()),
        1 => exactly_63_bytes(),
    ]
    .prop_map(|s| truncate_to_bytes(s, MAX_IDENTIFIER_BYTES))
    .prop_filter("an identifier is not empty", |s| !s.is_empty())
    .boxed()
}

/// Role names: plain identifiers, reserved words (`postgres`, `pg_monitor`,
/// `select`), quotes, spaces, unicode, up to exactly 63 bytes.
pub fn role_name() -> BoxedStrategy<RoleName> {
    identifier_text()
        .prop_filter_map("a valid role name", |s| RoleName::new(s).ok())
        .boxed()
}

/// Database names, drawn like [`role_name`].
pub fn database_name() -> BoxedStrategy<DatabaseName> {
    identifier_text()
        .prop_filter_map("a valid database name", |s| DatabaseName::new(s).ok())
        .boxed()
}

/// Schema names, drawn like [`role_name`].
pub fn schema_name() -> BoxedStrategy<SchemaName> {
    identifier_text()
        .prop_filter_map("a valid schema name", |s| SchemaName::new(s).ok())
        .boxed()
}

/// DNS-label service names.
fn service_name() -> BoxedStrategy<ServiceName> {
    prop_oneof![
        4 => "[a-z][a-z0-9-]{0,20}[a-z0-9]",
        1 => "[0-9a-z]",
        1 => "[a-z0-9]{63}",
    ]
    .prop_filter_map("a valid service name", |s| ServiceName::new(s).ok())
    .boxed()
}

// ---------------------------------------------------------------------------
// Small pieces
// ---------------------------------------------------------------------------

fn environment() -> BoxedStrategy<Environment> {
    select(
        &[
            Environment::Development,
            Environment::Staging,
            Environment::Production,
        ][..],
    )
    .boxed()
}

fn version(target: Target) -> BoxedStrategy<MajorVersion> {
    let newest = if target == Target::Azure {
        17
    } else {
        MajorVersion::MAX
    };
    (MajorVersion::MIN..=newest)
        .prop_filter_map("a supported major version", |v| MajorVersion::new(v).ok())
        .boxed()
}

fn any_version() -> BoxedStrategy<MajorVersion> {
    version(Target::Local)
}

/// Counts as plans write them, with the extremes of the type now and then.
fn count(realistic: std::ops::RangeInclusive<u32>) -> BoxedStrategy<u32> {
    prop_oneof![
        8 => realistic,
        1 => Just(u32::MAX),
        1 => any::<u32>(),
    ]
    .boxed()
}

fn secret_source(profile: Profile) -> BoxedStrategy<SecretSource> {
    let sources = prop_oneof![
        Just(SecretSource::generated()),
        ("[a-z][a-z0-9-]{0,20}", 16u16..=64).prop_map(|(name, length)| {
            SecretSource::Generated {
                secret_name: Some(name),
                length,
            }
        }),
        ("[a-z][a-z0-9-]{0,20}", "[a-z][a-z0-9_.-]{0,10}")
            .prop_map(|(name, key)| SecretSource::kubernetes_secret(name, key)),
        "[A-Z][A-Z0-9_]{0,20}".prop_map(SecretSource::env),
        ("[a-z][a-z0-9-]{2,20}", "[a-z][a-z0-9-]{0,20}")
            .prop_map(|(vault, secret)| SecretSource::key_vault(vault, secret)),
        "[a-z][a-z0-9-]{0,20}".prop_map(|principal| SecretSource::EntraIdentity { principal }),
    ];
    match profile {
        Profile::Reasonable => sources.boxed(),
        Profile::Any => prop_oneof![
            6 => sources,
            // Passwords written into the plan, which validation must reject.
            2 => "[ -~]{0,24}".prop_map(|s| SecretSource::Literal(LiteralSecret::new(s))),
            1 => (option::of("[ -~]{0,12}"), any::<u16>()).prop_map(|(secret_name, length)| {
                SecretSource::Generated {
                    secret_name,
                    length,
                }
            }),
        ]
        .boxed(),
    }
}

fn labels(profile: Profile) -> BoxedStrategy<BTreeMap<String, String>> {
    match profile {
        Profile::Reasonable => btree_map(
            select(&["team", "app.kubernetes.io/part-of", "cost-center"][..])
                .prop_map(str::to_owned),
            "[a-z][a-z0-9-]{0,12}",
            0..=2,
        )
        .boxed(),
        // Keys and values a YAML writer must quote to read them back.
        Profile::Any => {
            let awkward = || {
                prop_oneof![
                    2 => "[a-z0-9./-]{0,12}",
                    1 => select(
                        &["on", "yes", "no", "null", "~", "", "123", "1e3", "0x1F", "a: b", "- x", "#c", "true", " padded "][..]
                    )
                    .prop_map(str::to_owned),
                ]
            };
            btree_map(awkward(), awkward(), 0..=3).boxed()
        }
    }
}

fn objectives(profile: Profile) -> BoxedStrategy<Objectives> {
    match profile {
        Profile::Reasonable => (
            select(&[9_500u16, 9_900, 9_990, 9_995][..])
                .prop_map(|p| Some(Percent::from_hundredths(p))),
            option::of(select(&[HOUR, 4 * HOUR][..]).prop_map(Duration::millis)),
        )
            .prop_map(|(availability, rto)| Objectives {
                availability,
                rto,
                ..Objectives::default()
            })
            .boxed(),
        Profile::Any => (
            option::of(percent()),
            option::of(duration()),
            option::of(duration()),
            vec(
                (
                    "[A-Za-z0-9 ./-]{1,20}",
                    option::of(percent()),
                    option::of(duration()),
                    option::of(duration()),
                ),
                0..=2,
            ),
        )
            .prop_map(|(availability, rpo, rto, elsewhere)| Objectives {
                availability,
                rpo,
                rto,
                declared_elsewhere: elsewhere
                    .into_iter()
                    .map(|(source, availability, rpo, rto)| {
                        let mut d = ObjectiveDeclaration::builder().source(source).build();
                        d.availability = availability;
                        d.rpo = rpo;
                        d.rto = rto;
                        d
                    })
                    .collect(),
            })
            .boxed(),
    }
}

fn cron_field(lo: u32, hi: u32) -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("*".to_owned()),
        3 => (lo..=hi).prop_map(|n| n.to_string()),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
        1 => (1..=hi.max(1)).prop_map(|s| format!("*/{s}")),
        1 => (lo..=hi, lo..=hi).prop_map(|(a, b)| format!("{a},{b}")),
    ]
    .boxed()
}

/// Valid cron schedules: five checked fields or an `@` shorthand.
fn cron_schedule() -> BoxedStrategy<CronSchedule> {
    prop_oneof![
        4 => (cron_field(0, 59), cron_field(0, 23), cron_field(1, 31), cron_field(1, 12), cron_field(0, 7))
            .prop_map(|(m, h, dom, mon, dow)| format!("{m} {h} {dom} {mon} {dow}")),
        2 => select(&["0 2 * * *", "0 3 * * 0", "*/15 * * * *", "30 1 1 * *", "0 0 * * MON-FRI"][..])
            .prop_map(str::to_owned),
        1 => select(&["@hourly", "@daily", "@weekly", "@monthly", "@yearly"][..]).prop_map(str::to_owned),
    ]
    .prop_filter_map("a valid cron schedule", |s| CronSchedule::new(s).ok())
    .boxed()
}

fn image() -> BoxedStrategy<ContainerImage> {
    select(
        &[
            "postgres:17.2",
            "postgres:16",
            "postgres:14-alpine",
            "bitnami/postgresql:14.18.0",
            "ghcr.io/cloudnative-pg/postgresql:15.8",
            "registry:5000/pg/postgres",
            "postgres:12",
            "postgres:17.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ][..],
    )
    .prop_filter_map("a valid image", |s| ContainerImage::new(s).ok())
    .boxed()
}

// ---------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------

fn kubernetes(profile: Profile) -> BoxedStrategy<Kubernetes> {
    let namespace = match profile {
        Profile::Reasonable => "[a-z][a-z0-9-]{0,20}[a-z0-9]".boxed(),
        Profile::Any => prop_oneof![
            3 => "[a-z][a-z0-9-]{0,20}[a-z0-9]",
            1 => "[A-Za-z0-9_. -]{0,70}",
        ]
        .boxed(),
    };
    let run_as_user = match profile {
        Profile::Reasonable => select(&[999i64, 1001, 26][..]).boxed(),
        Profile::Any => prop_oneof![select(&[999i64, 1001, 0][..]), any::<i64>()].boxed(),
    };
    (
        option::of("[a-z][a-z0-9-]{2,20}"),
        namespace,
        option::of(
            select(&["managed-premium", "managed-standard", "gp3", "local-path"][..])
                .prop_map(str::to_owned),
        ),
        image(),
        option::of(image()),
        run_as_user,
        option::of("[a-z][a-z0-9-]{2,20}"),
    )
        .prop_map(
            |(cluster, namespace, storage_class, image, tools_image, run_as_user, rg)| {
                let mut k = Kubernetes::builder()
                    .namespace(namespace)
                    .image(image)
                    .build();
                k.cluster = cluster;
                k.storage_class = storage_class;
                k.tools_image = tools_image;
                k.run_as_user = run_as_user;
                k.resource_group = rg;
                k
            },
        )
        .boxed()
}

/// SKUs whose tier and name agree.
const SKUS: &[(SkuTier, &str)] = &[
    (SkuTier::Burstable, "Standard_B1ms"),
    (SkuTier::Burstable, "Standard_B2s"),
    (SkuTier::Burstable, "Standard_B2ms"),
    (SkuTier::GeneralPurpose, "Standard_D2s_v3"),
    (SkuTier::GeneralPurpose, "Standard_D4s_v3"),
    (SkuTier::GeneralPurpose, "Standard_D8ds_v5"),
    (SkuTier::GeneralPurpose, "Standard_D16ds_v4"),
    (SkuTier::MemoryOptimized, "Standard_E4ds_v5"),
    (SkuTier::MemoryOptimized, "Standard_E8s_v3"),
];

/// Server names Azure accepts: lowercase letters and digits in words joined
/// by single hyphens.
const SERVER_NAME: &str = "[a-z][a-z0-9]{2,8}(-[a-z0-9]{2,6}){0,2}";

const REASONABLE_REGIONS: &[&str] = &["koreacentral", "eastus", "westeurope", "japaneast"];

fn sku(profile: Profile) -> BoxedStrategy<AzureSku> {
    let known =
        select(SKUS).prop_map(|(tier, name)| AzureSku::builder().tier(tier).name(name).build());
    match profile {
        Profile::Reasonable => known.boxed(),
        Profile::Any => prop_oneof![
            2 => known,
            2 => (
                select(&[SkuTier::Burstable, SkuTier::GeneralPurpose, SkuTier::MemoryOptimized][..]),
                prop_oneof![
                    select(SKUS).prop_map(|(_, name)| name),
                    select(&["Standard_Z9", "Standard_D3s_v3", "B1ms", ""][..]),
                ],
                option::of(prop_oneof![0u32..=64, any::<u32>()]),
                option::of(bytes()),
            )
                .prop_map(|(tier, name, vcores, memory)| {
                    let mut s = AzureSku::builder().tier(tier).name(name).build();
                    s.vcores = vcores;
                    s.memory = memory;
                    s
                }),
        ]
        .boxed(),
    }
}

fn azure_storage(profile: Profile) -> BoxedStrategy<AzureStorage> {
    match profile {
        Profile::Reasonable => (select(PREMIUM_SSD_SIZES_GIB[..5].to_vec()), any::<bool>())
            .prop_map(|(gib, auto_grow)| {
                AzureStorage::builder()
                    .size(Bytes::gib(gib))
                    .auto_grow(auto_grow)
                    .build()
            })
            .boxed(),
        Profile::Any => (
            prop_oneof![
                select(PREMIUM_SSD_SIZES_GIB.to_vec()).prop_map(Bytes::gib),
                bytes()
            ],
            select(&[AzureStorageType::PremiumLrs, AzureStorageType::PremiumV2Lrs][..]),
            any::<bool>(),
            option::of(select(&["P10", "P30", "P99"][..]).prop_map(str::to_owned)),
            option::of(any::<u32>()),
            option::of(any::<u32>()),
        )
            .prop_map(|(size, kind, auto_grow, tier, iops, throughput)| {
                let mut s = AzureStorage::builder()
                    .size(size)
                    .kind(kind)
                    .auto_grow(auto_grow)
                    .build();
                s.performance_tier = tier;
                s.iops = iops;
                s.throughput_mbps = throughput;
                s
            })
            .boxed(),
    }
}

fn azure_network(profile: Profile) -> BoxedStrategy<AzureNetwork> {
    let firewall_rule = |profile: Profile| -> BoxedStrategy<FirewallRule> {
        let rule = |(name, start, end): (String, String, String)| {
            FirewallRule::builder()
                .name(name)
                .start_ip(start)
                .end_ip(end)
                .build()
        };
        match profile {
            // A range of one /24 in 10.0.0.0/8, written without leading zeros.
            Profile::Reasonable => (
                "[a-z][a-z0-9]{2,12}",
                any::<(u8, u8)>(),
                0u8..=200,
                0u8..=55,
            )
                .prop_map(|(name, (b, c), first, len)| {
                    (
                        name,
                        format!("10.{b}.{c}.{first}"),
                        format!("10.{b}.{c}.{}", first + len),
                    )
                })
                .prop_map(rule)
                .boxed(),
            Profile::Any => {
                let ip = prop_oneof![
                    "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                    select(&["0.0.0.0", "255.255.255.255", "not-an-ip", ""][..])
                        .prop_map(str::to_owned),
                ];
                ("[a-z][a-z0-9-]{0,12}", ip.clone(), ip)
                    .prop_map(rule)
                    .boxed()
            }
        }
    };
    match profile {
        Profile::Reasonable => prop_oneof![
            select(
                &[
                    "privatelink.postgres.database.azure.com",
                    "phonebill.private.postgres.database.azure.com"
                ][..]
            )
            .prop_map(|zone| {
                let mut n = AzureNetwork::default();
                let mut p = PrivateAccess::builder()
                    .vnet("app-vnet")
                    .subnet("database")
                    .private_dns_zone(zone)
                    .subnet_delegated(true)
                    .build();
                p.subnet_cidr = Some("10.0.2.0/24".to_owned());
                n.private = Some(p);
                n
            }),
            vec(firewall_rule(Profile::Reasonable), 0..=2).prop_map(|firewall_rules| {
                AzureNetwork {
                    firewall_rules,
                    ..AzureNetwork::default()
                }
            }),
        ]
        .boxed(),
        Profile::Any => (
            option::of((
                "[a-z][a-z0-9-]{0,12}",
                "[a-z][a-z0-9-]{0,12}",
                option::of(
                    select(&["10.0.2.0/24", "10.0.0.0/33", "banana"][..]).prop_map(str::to_owned),
                ),
                any::<bool>(),
                select(
                    &[
                        "privatelink.postgres.database.azure.com",
                        "privatelink.example.com",
                        "",
                    ][..],
                ),
            )),
            vec(firewall_rule(Profile::Any), 0..=2),
        )
            .prop_map(|(private, firewall_rules)| AzureNetwork {
                private: private.map(|(vnet, subnet, cidr, delegated, zone)| {
                    let mut p = PrivateAccess::builder()
                        .vnet(vnet)
                        .subnet(subnet)
                        .private_dns_zone(zone)
                        .subnet_delegated(delegated)
                        .build();
                    p.subnet_cidr = cidr;
                    p
                }),
                firewall_rules,
            })
            .boxed(),
    }
}

fn azure_auth(profile: Profile) -> BoxedStrategy<AzureAuth> {
    let admin = (
        "[a-z][a-z0-9 .@-]{0,20}",
        option::of("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        select(
            &[
                PrincipalType::User,
                PrincipalType::Group,
                PrincipalType::ServicePrincipal,
            ][..],
        ),
    )
        .prop_map(|(name, object_id, principal_type)| {
            let mut a = EntraAdmin::builder()
                .principal_name(name)
                .principal_type(principal_type)
                .build();
            a.object_id = object_id;
            a
        });
    let password = match profile {
        Profile::Reasonable => Just(true).boxed(),
        Profile::Any => any::<bool>().boxed(),
    };
    (
        password,
        any::<bool>(),
        option::of("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        vec(admin, 0..=2),
    )
        .prop_map(move |(password, entra, tenant, administrators)| {
            let mut a = AzureAuth::builder().password(password).entra(entra).build();
            if entra || profile == Profile::Any {
                a.tenant_id = tenant;
                a.administrators = administrators;
            }
            a
        })
        .boxed()
}

fn azure(profile: Profile) -> BoxedStrategy<Azure> {
    let region = match profile {
        Profile::Reasonable => select(REASONABLE_REGIONS).boxed(),
        Profile::Any => select(
            &[
                "koreacentral",
                "Korea Central",
                "koreasouth",
                "eastus",
                "westeurope",
                "atlantis",
                "",
            ][..],
        )
        .boxed(),
    };
    let server_name = match profile {
        Profile::Reasonable => SERVER_NAME.boxed(),
        Profile::Any => prop_oneof![
            3 => "[a-z][a-z0-9-]{2,30}[a-z0-9]",
            1 => "[A-Za-z0-9_-]{0,70}",
        ]
        .boxed(),
    };
    let login = match profile {
        Profile::Reasonable => select(&["pgadmin", "dbadmin", "phonebill"][..]).boxed(),
        Profile::Any => select(
            &[
                "pgadmin",
                "azure_superuser",
                "postgres",
                "admin",
                "root",
                "",
                "Admin User",
            ][..],
        )
        .boxed(),
    };
    let zones = select(&[None, Some("1"), Some("2"), Some("3")][..]);
    let ha_mode = select(
        &[
            AzureHaMode::Disabled,
            AzureHaMode::ZoneRedundant,
            AzureHaMode::SameZone,
        ][..],
    );
    (
        (
            option::of("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
            "[a-z][a-z0-9-]{2,20}",
            server_name,
            region,
            sku(profile),
            azure_storage(profile),
        ),
        (
            zones.clone(),
            ha_mode,
            zones,
            azure_network(profile),
            azure_auth(profile),
            login,
            option::of(secret_source(profile)),
            vec("[a-z][a-z0-9-]{2,30}", 0..=2),
        ),
    )
        .prop_map(
            move |(
                (subscription, rg, server_name, region, sku, storage),
                (zone, mode, standby_zone, network, auth, login, password, identities),
            )| {
                let mut a = Azure::builder()
                    .resource_group(rg)
                    .server_name(server_name)
                    .region(region)
                    .sku(sku)
                    .storage(storage)
                    .administrator_login(login)
                    .build();
                a.subscription_id = subscription;
                a.network = network;
                a.auth = auth;
                a.administrator_password = password;
                a.managed_identities = identities;
                match profile {
                    Profile::Any => {
                        a.zone = zone.map(str::to_owned);
                        a.high_availability.mode = mode;
                        a.high_availability.standby_zone = standby_zone.map(str::to_owned);
                    }
                    // Burstable servers have no HA; a zone-redundant standby
                    // sits in another zone than the primary.
                    Profile::Reasonable => {
                        let mode = if a.sku.tier == SkuTier::Burstable {
                            AzureHaMode::Disabled
                        } else {
                            mode
                        };
                        a.high_availability.mode = mode;
                        match mode {
                            AzureHaMode::Disabled => a.zone = zone.map(str::to_owned),
                            AzureHaMode::ZoneRedundant => {
                                a.zone = Some("1".to_owned());
                                a.high_availability.standby_zone = Some("2".to_owned());
                            }
                            AzureHaMode::SameZone => a.zone = Some("1".to_owned()),
                        }
                        if a.administrator_password.is_none() {
                            a.administrator_password =
                                Some(SecretSource::key_vault("platform-kv", "pg-admin"));
                        }
                    }
                }
                a
            },
        )
        .boxed()
}

fn local(profile: Profile) -> BoxedStrategy<Local> {
    let port = match profile {
        Profile::Reasonable => option::of(15432u16..=15532).boxed(),
        Profile::Any => option::of(any::<u16>()).boxed(),
    };
    let timeout = match profile {
        Profile::Reasonable => option::of((5u64..=60).prop_map(Duration::seconds)).boxed(),
        Profile::Any => option::of(duration()).boxed(),
    };
    (option::of("/[a-z0-9/_-]{1,30}"), port, timeout)
        .prop_map(|(data_dir, port, start_timeout)| Local {
            data_dir,
            port,
            start_timeout,
            ..Local::default()
        })
        .boxed()
}

fn platform(profile: Profile, target: Target) -> BoxedStrategy<Platform> {
    match target {
        Target::Kubernetes => kubernetes(profile).prop_map(Platform::Kubernetes).boxed(),
        Target::Azure => azure(profile)
            .prop_map(|a| Platform::Azure(Box::new(a)))
            .boxed(),
        Target::Local => local(profile).prop_map(Platform::Local).boxed(),
    }
}

// ---------------------------------------------------------------------------
// Topology and sizing
// ---------------------------------------------------------------------------

fn patroni(profile: Profile) -> BoxedStrategy<PatroniCluster> {
    let reasonable = (
        "[a-z][a-z0-9-]{1,10}",
        2usize..=3,
        select(
            &[
                SynchronousMode::Off,
                SynchronousMode::On,
                SynchronousMode::Strict,
            ][..],
        ),
    )
        .prop_map(|(scope, n, mode)| {
            let members = (1..=n)
                .map(|i| PatroniMember::builder().name(format!("pg-{i}")).build())
                .collect();
            let etcd = (1..=3)
                .map(|i| EtcdMember::builder().name(format!("etcd-{i}")).build())
                .collect();
            PatroniCluster::builder()
                .scope(scope)
                .members(members)
                .etcd(etcd)
                .synchronous_mode(mode)
                .build()
        });
    match profile {
        Profile::Reasonable => reasonable.boxed(),
        Profile::Any => {
            let host = option::of(
                select(&["127.0.0.1", "10.0.0.5", "pg-1", "", "::1"][..]).prop_map(str::to_owned),
            );
            let member = ("[a-z0-9-]{1,8}", host.clone()).prop_map(|(name, host)| {
                let mut m = PatroniMember::builder().name(name).build();
                m.host = host;
                m
            });
            let etcd_member = ("[a-z0-9-]{1,8}", host, any::<u16>(), any::<u16>()).prop_map(
                |(name, host, client_port, peer_port)| {
                    let mut m = EtcdMember::builder()
                        .name(name)
                        .client_port(client_port)
                        .peer_port(peer_port)
                        .build();
                    m.host = host;
                    m
                },
            );
            prop_oneof![
                1 => reasonable,
                2 => (
                    (
                        "[a-z][a-z0-9-]{0,10}",
                        vec(member, 0..=5),
                        vec(etcd_member, 0..=4),
                        select(&[SynchronousMode::Off, SynchronousMode::On, SynchronousMode::Strict][..]),
                        count(0..=6),
                    ),
                    (duration(), duration(), duration(), option::of(bytes()), any::<u16>(), any::<(u16, u16, u16)>()),
                )
                    .prop_map(
                        |(
                            (scope, members, etcd, mode, sync_count),
                            (ttl, loop_wait, retry_timeout, lag, rest, (write, read, stats)),
                        )| {
                            let mut p = PatroniCluster::builder()
                                .scope(scope)
                                .members(members)
                                .etcd(etcd)
                                .synchronous_mode(mode)
                                .synchronous_node_count(sync_count)
                                .ttl(ttl)
                                .loop_wait(loop_wait)
                                .retry_timeout(retry_timeout)
                                .rest_api_port(rest)
                                .endpoints(
                                    HaEndpoints::builder()
                                        .write_port(write)
                                        .read_port(read)
                                        .stats_port(stats)
                                        .build(),
                                )
                                .build();
                            p.maximum_lag_on_failover = lag;
                            p
                        },
                    ),
            ]
            .boxed()
        }
    }
}

fn replica(profile: Profile) -> BoxedStrategy<ReadReplica> {
    match profile {
        Profile::Reasonable => SERVER_NAME
            .prop_map(|name| ReadReplica::builder().name(name).build())
            .boxed(),
        Profile::Any => (
            "[a-z0-9-]{1,20}",
            option::of(
                select(&["koreasouth", "koreacentral", "Korea South", "atlantis"][..])
                    .prop_map(str::to_owned),
            ),
            option::of(sku(Profile::Any)),
            option::of(bytes()),
            btree_map(guc_name(), param_value(), 0..=2),
        )
            .prop_map(|(name, region, sku, storage, parameters)| {
                let mut r = ReadReplica::builder().name(name).build();
                r.region = region;
                r.sku = sku;
                r.storage = storage;
                r.parameters = parameters;
                r
            })
            .boxed(),
    }
}

fn topology(profile: Profile, target: Target) -> BoxedStrategy<Topology> {
    match (profile, target) {
        (Profile::Any, _) => (
            option::of(patroni(Profile::Any)),
            vec(replica(Profile::Any), 0..=4),
        )
            .prop_map(|(patroni, replicas)| {
                let mut t = Topology::single();
                t.patroni = patroni;
                t.replicas = replicas;
                t
            })
            .boxed(),
        // Patroni runs on servers pgplan manages, not on a managed service.
        (Profile::Reasonable, Target::Azure) => vec(replica(Profile::Reasonable), 0..=2)
            .prop_map(|replicas| {
                let mut t = Topology::single();
                t.replicas = replicas;
                t
            })
            .boxed(),
        (Profile::Reasonable, _) => prop_oneof![
            3 => Just(Topology::single()),
            2 => patroni(Profile::Reasonable).prop_map(|p| {
                let mut t = Topology::single();
                t.patroni = Some(p);
                t
            }),
            1 => vec(replica(Profile::Reasonable), 1..=2).prop_map(|replicas| {
                let mut t = Topology::single();
                t.replicas = replicas;
                t
            }),
        ]
        .boxed(),
    }
}

fn resources<T: Copy + std::fmt::Debug + 'static>(
    value: BoxedStrategy<T>,
) -> BoxedStrategy<Resources<T>> {
    (value.clone(), option::of(value))
        .prop_map(|(request, limit)| {
            let mut r = Resources::builder().request(request).build();
            r.limit = limit;
            r
        })
        .boxed()
}

fn sizing(profile: Profile, target: Target) -> BoxedStrategy<Sizing> {
    match (profile, target) {
        (Profile::Any, _) => (
            option::of(resources(millicores())),
            option::of(resources(bytes())),
            option::of(bytes()),
            option::of(bytes()),
            option::of(bytes()),
        )
            .prop_map(
                |(cpu, memory, data_volume, wal_volume, backup_volume)| Sizing {
                    cpu,
                    memory,
                    data_volume,
                    wal_volume,
                    backup_volume,
                    ..Sizing::default()
                },
            )
            .boxed(),
        // The SKU gives CPU and memory, the storage size the volume.
        (Profile::Reasonable, Target::Azure) => Just(Sizing::default()).boxed(),
        (Profile::Reasonable, _) => (
            select(&[250u32, 500, 1000, 2000, 4000, 8000][..]),
            1u32..=2,
            select(&[512u64, 1024, 2048, 4096, 8192, 16384, 32768][..]),
            1u64..=2,
            select(&[10u64, 20, 50, 100, 256][..]),
            option::of(select(&[10u64, 20, 50][..])),
            option::of(select(&[100u64, 200][..])),
        )
            .prop_map(
                move |(cpu, cpu_factor, mem_mib, mem_factor, data, wal, backup)| {
                    let cpu_request = Millicores::new(cpu);
                    let mem_request = Bytes::mib(mem_mib);
                    let mut s = Sizing::default();
                    if target == Target::Kubernetes {
                        s.cpu = Some(
                            Resources::builder()
                                .request(cpu_request)
                                .limit(Millicores::new(cpu * cpu_factor))
                                .build(),
                        );
                        s.memory = Some(
                            Resources::builder()
                                .request(mem_request)
                                .limit(Bytes::mib(mem_mib * mem_factor))
                                .build(),
                        );
                    } else {
                        s.cpu = Some(Resources::builder().request(cpu_request).build());
                        s.memory = Some(Resources::builder().request(mem_request).build());
                    }
                    s.data_volume = Some(Bytes::gib(data));
                    s.wal_volume = wal.map(Bytes::gib);
                    s.backup_volume = backup.map(Bytes::gib);
                    s
                },
            )
            .boxed(),
    }
}

// ---------------------------------------------------------------------------
// Tuning
// ---------------------------------------------------------------------------

/// Parameters rules look at, extension parameters, platform-only names, and
/// near-miss spellings.
const PARAMETER_NAMES: &[&str] = &[
    "max_connections",
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "maintenance_work_mem",
    "autovacuum_work_mem",
    "autovacuum_max_workers",
    "wal_buffers",
    "min_wal_size",
    "max_wal_size",
    "wal_level",
    "max_wal_senders",
    "max_replication_slots",
    "hot_standby",
    "fsync",
    "full_page_writes",
    "synchronous_commit",
    "superuser_reserved_connections",
    "reserved_connections",
    "max_worker_processes",
    "max_parallel_workers_per_gather",
    "shared_preload_libraries",
    "pg_stat_statements.track",
    "log_statement",
    "log_min_duration_statement",
    "archive_mode",
    "archive_timeout",
    "ssl",
    "password_encryption",
    "checkpoint_completion_target",
    "random_page_cost",
    "timezone",
    "azure.extensions",
    "require_secure_transport",
    "backup_retention_days",
    "shared_buffer",
    "wal_keep_size",
    "wal_keep_segments",
];

/// Values of every type, in range and out, and text that is no value at all.
const PARAMETER_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "3",
    "100",
    "200",
    "5000",
    "262143",
    "262144",
    "on",
    "off",
    "true",
    "yes",
    "no",
    "0.9",
    "1.1",
    "4",
    "8kB",
    "64kB",
    "4MB",
    "64MB",
    "256MB",
    "1GB",
    "4GB",
    "16GB",
    "1TB",
    "100ms",
    "1s",
    "5min",
    "1h",
    "replica",
    "minimal",
    "logical",
    "all",
    "ddl",
    "none",
    "top",
    "local",
    "pg_stat_statements",
    "pg_stat_statements,pg_cron",
    "scram-sha-256",
    "md5",
    "UTC",
    "Asia/Seoul",
    "banana",
    "",
    " ",
    "-5GB",
    "1e309",
    "NaN",
    "99999999999999999999",
    "4 GB",
    "'quoted'",
];

fn guc_name() -> BoxedStrategy<GucName> {
    prop_oneof![
        4 => select(PARAMETER_NAMES).prop_map(str::to_owned),
        1 => "[a-z_][a-z0-9_]{0,20}",
        1 => "[a-z_][a-z0-9_]{0,10}\\.[a-z_][a-z0-9_]{0,10}",
    ]
    .prop_filter_map("a valid parameter name", |s| GucName::new(s).ok())
    .boxed()
}

fn param_value() -> BoxedStrategy<ParamValue> {
    prop_oneof![
        6 => select(PARAMETER_VALUES).prop_map(ParamValue::from),
        1 => any::<i64>().prop_map(ParamValue::from),
        1 => (0u32..=10_000).prop_map(ParamValue::from),
        1 => bytes().prop_map(|b| ParamValue::new(b.to_postgres())),
        1 => duration().prop_map(|d| ParamValue::new(d.to_postgres())),
        1 => (0.0f64..100.0).prop_map(ParamValue::from),
        1 => "[ -~]{0,12}".prop_map(ParamValue::new),
    ]
    .boxed()
}

/// Parameters a careful plan sets, with values that fit every supported
/// version and every platform.
const SAFE_PARAMETERS: &[(&str, &str)] = &[
    ("log_min_duration_statement", "1s"),
    ("statement_timeout", "30s"),
    ("idle_in_transaction_session_timeout", "10min"),
    ("log_checkpoints", "on"),
    ("log_lock_waits", "on"),
    ("jit", "off"),
    ("default_statistics_target", "200"),
    ("checkpoint_timeout", "15min"),
    ("track_io_timing", "on"),
];

fn tuning(profile: Profile) -> BoxedStrategy<Tuning> {
    let workload = select(
        &[
            Workload::Web,
            Workload::Oltp,
            Workload::Dw,
            Workload::Mixed,
            Workload::Desktop,
        ][..],
    );
    let storage = select(
        &[
            StorageKind::Ssd,
            StorageKind::Hdd,
            StorageKind::San,
            StorageKind::Nvme,
        ][..],
    );
    match profile {
        Profile::Reasonable => (
            workload,
            storage,
            vec(select(SAFE_PARAMETERS), 0..=2),
            // Now and then the connection and memory settings a person would
            // pick, which may or may not fit: plans near the budgets' edges.
            option::weighted(
                0.2,
                (
                    select(&["100", "200", "300", "500"][..]),
                    option::of(select(&["4MB", "16MB", "64MB"][..])),
                ),
            ),
        )
            .prop_map(|(workload, storage, params, budget)| {
                let mut t = Tuning::builder()
                    .workload(workload)
                    .storage(storage)
                    .build();
                let budget = budget.into_iter().flat_map(|(connections, work_mem)| {
                    std::iter::once(("max_connections", connections))
                        .chain(work_mem.map(|w| ("work_mem", w)))
                });
                for (name, value) in params.into_iter().chain(budget) {
                    if let Ok(name) = GucName::new(name) {
                        t.parameters.insert(name, value.into());
                    }
                }
                t
            })
            .boxed(),
        Profile::Any => (
            workload,
            storage,
            option::of(select(
                &[
                    SettingsMethod::AlterSystem,
                    SettingsMethod::ConfigFile,
                    SettingsMethod::ServiceApi,
                ][..],
            )),
            btree_map(guc_name(), param_value(), 0..=6),
        )
            .prop_map(|(workload, storage, method, parameters)| {
                let mut t = Tuning::builder()
                    .workload(workload)
                    .storage(storage)
                    .parameters(parameters)
                    .build();
                t.method = method;
                t
            })
            .boxed(),
    }
}

// ---------------------------------------------------------------------------
// Databases, roles, clients, pooler
// ---------------------------------------------------------------------------

const EXTENSIONS: &[&str] = &[
    "pg_stat_statements",
    "uuid-ossp",
    "pg_trgm",
    "pgcrypto",
    "postgis",
    "timescaledb",
    "pg_cron",
    "no_such_extension",
];

/// Extensions every platform (Azure included) offers and none needs preloading.
const PLAIN_EXTENSIONS: &[&str] = &["uuid-ossp", "pg_trgm", "pgcrypto"];

const ROLE_PURPOSES: &[RolePurpose] = &[
    RolePurpose::Application,
    RolePurpose::ReadOnly,
    RolePurpose::Owner,
    RolePurpose::Admin,
    RolePurpose::Backup,
    RolePurpose::Monitoring,
    RolePurpose::Developer,
    RolePurpose::Auditor,
    RolePurpose::Replication,
];

const OBJECT_KINDS: &[ObjectKind] = &[
    ObjectKind::Database,
    ObjectKind::Schema,
    ObjectKind::Tables,
    ObjectKind::Sequences,
    ObjectKind::Functions,
    ObjectKind::DefaultTables,
    ObjectKind::DefaultSequences,
    ObjectKind::DefaultFunctions,
    ObjectKind::DefaultTypes,
];

const PRIVILEGES: &[Privilege] = &[
    Privilege::Select,
    Privilege::Insert,
    Privilege::Update,
    Privilege::Delete,
    Privilege::Truncate,
    Privilege::References,
    Privilege::Trigger,
    Privilege::Maintain,
    Privilege::Usage,
    Privilege::Create,
    Privilege::Connect,
    Privilege::Temporary,
    Privilege::Execute,
    Privilege::All,
];

/// The parts of a plan that refer to each other by name.
#[derive(Debug, Clone, Default)]
struct Content {
    databases: Vec<Database>,
    roles: Vec<Role>,
    clients: Vec<Client>,
    pooler: Option<Pooler>,
    logical: Vec<LogicalBackup>,
}

/// A name from `pool`, or now and then a fresh one that may name nothing.
fn name_from<T: Clone + std::fmt::Debug + 'static>(
    pool: &[T],
    fresh: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    if pool.is_empty() {
        fresh
    } else {
        prop_oneof![3 => select(pool.to_vec()), 1 => fresh].boxed()
    }
}

fn any_content() -> BoxedStrategy<Content> {
    (
        vec(role_name(), 0..=4),
        vec(database_name(), 0..=3),
        vec(schema_name(), 0..=2),
    )
        .prop_flat_map(|(role_names, db_names, schema_names)| {
            let role = name_from(&role_names, role_name());
            let db = name_from(&db_names, database_name());
            let schema = name_from(&schema_names, schema_name());
            let extension = prop_oneof![
                4 => select(EXTENSIONS).prop_map(str::to_owned),
                1 => "[a-z][a-z0-9_-]{0,12}",
            ]
            .prop_filter_map("a valid extension name", |s| ExtensionName::new(s).ok());
            let database = |name: DatabaseName| {
                (
                    Just(name),
                    role.clone(),
                    select(&["UTF8", "LATIN1", "SQL_ASCII", "utf-8", "EBCDIC"][..]),
                    option::of(
                        select(&["en_US.UTF-8", "C", "ko_KR.UTF-8", "xx_XX"][..])
                            .prop_map(str::to_owned),
                    ),
                    option::of(
                        select(&["template0", "template1", "mytemplate"][..])
                            .prop_map(str::to_owned),
                    ),
                    option::of(
                        select(&["UTC", "Asia/Seoul", "Mars/Olympus"][..]).prop_map(str::to_owned),
                    ),
                    vec((schema.clone(), option::of(role.clone())), 0..=2),
                    vec(
                        (
                            extension.clone(),
                            option::of(schema.clone()),
                            option::of("[0-9.]{1,5}"),
                        ),
                        0..=3,
                    ),
                    option::of(bytes()),
                    option::of(any::<i32>()),
                )
                    .prop_map(
                        |(
                            name,
                            owner,
                            encoding,
                            locale,
                            template,
                            timezone,
                            schemas,
                            extensions,
                            size,
                            limit,
                        )| {
                            let mut d = Database::builder()
                                .name(name)
                                .owner(owner)
                                .encoding(encoding)
                                .build();
                            d.locale = locale;
                            d.template = template;
                            d.timezone = timezone;
                            d.schemas = schemas
                                .into_iter()
                                .map(|(name, owner)| {
                                    let mut s = Schema::builder().name(name).build();
                                    s.owner = owner;
                                    s
                                })
                                .collect();
                            d.extensions = extensions
                                .into_iter()
                                .map(|(name, schema, version)| {
                                    let mut e = Extension::builder().name(name).build();
                                    e.schema = schema;
                                    e.version = version;
                                    e
                                })
                                .collect();
                            d.estimated_size = size;
                            d.connection_limit = limit;
                            d
                        },
                    )
            };
            let databases: Vec<_> = db_names.into_iter().map(database).collect();
            let grant = (
                db.clone(),
                option::of(schema.clone()),
                select(OBJECT_KINDS),
                option::of(role.clone()),
                vec(select(PRIVILEGES), 0..=4),
            )
                .prop_map(|(database, schema, objects, for_owner, privileges)| {
                    let mut g = Grant::builder()
                        .database(database)
                        .objects(objects)
                        .privileges(privileges)
                        .build();
                    g.schema = schema;
                    g.for_owner = for_owner;
                    g
                });
            let role_of = |name: RoleName| {
                (
                    Just(name),
                    select(ROLE_PURPOSES),
                    any::<bool>(),
                    option::of(secret_source(Profile::Any)),
                    option::of(prop_oneof![-1i32..=200, any::<i32>()]),
                    vec(role.clone(), 0..=2),
                    option::of(
                        select(
                            &[
                                "infinity",
                                "2030-01-01T00:00:00Z",
                                "2020-01-01T00:00:00Z",
                                "tomorrow",
                            ][..],
                        )
                        .prop_map(str::to_owned),
                    ),
                    vec(grant.clone(), 0..=3),
                )
                    .prop_map(
                        |(
                            name,
                            purpose,
                            login,
                            password,
                            limit,
                            member_of,
                            valid_until,
                            grants,
                        )| {
                            let mut r = Role::builder()
                                .name(name)
                                .purpose(purpose)
                                .login(login)
                                .member_of(member_of)
                                .grants(grants)
                                .build();
                            r.password = password;
                            r.connection_limit = limit;
                            r.valid_until = valid_until;
                            r
                        },
                    )
            };
            let roles: Vec<_> = role_names.into_iter().map(role_of).collect();
            let client = (
                (
                    service_name(),
                    count(0..=50),
                    count(0..=20),
                    count(0..=20),
                    option::of(db.clone()),
                    option::of(role.clone()),
                ),
                (
                    option::of(duration()),
                    option::of(duration()),
                    option::of(duration()),
                    btree_map("[a-z./-]{1,12}", "[a-z0-9-]{0,12}", 0..=2),
                ),
            )
                .prop_map(
                    |(
                        (name, pool_size, min, max, database, role),
                        (lifetime, idle, connect, labels),
                    )| {
                        let mut c = Client::builder()
                            .name(name)
                            .pool_size(pool_size)
                            .replicas(ReplicaRange { min, max })
                            .labels(labels)
                            .build();
                        c.database = database;
                        c.role = role;
                        c.connection_lifetime = lifetime;
                        c.idle_timeout = idle;
                        c.connect_timeout = connect;
                        c
                    },
                );
            let pooler = (
                select(
                    &[
                        PoolMode::Session,
                        PoolMode::Transaction,
                        PoolMode::Statement,
                    ][..],
                ),
                count(0..=3),
                count(0..=5000),
                count(0..=100),
                count(0..=20),
            )
                .prop_map(|(mode, instances, max_client, default_pool, reserve)| {
                    Pooler::builder()
                        .mode(mode)
                        .instances(instances)
                        .max_client_connections(max_client)
                        .default_pool_size(default_pool)
                        .reserve_pool_size(reserve)
                        .build()
                });
            let logical = (
                service_name(),
                cron_schedule(),
                duration(),
                vec(db.clone(), 0..=2),
                select(&[DumpFormat::Custom, DumpFormat::Directory, DumpFormat::Plain][..]),
                count(0..=8),
                prop_oneof![
                    Just(BackupDestination::Volume),
                    ("[a-z0-9]{3,12}", "[a-z0-9-]{3,12}").prop_map(|(account, container)| {
                        BackupDestination::BlobStorage { account, container }
                    }),
                ],
                option::of(role.clone()),
            )
                .prop_map(
                    |(name, schedule, retention, databases, format, jobs, destination, role)| {
                        let mut b = LogicalBackup::builder()
                            .name(name)
                            .schedule(schedule)
                            .retention(retention)
                            .databases(databases)
                            .format(format)
                            .jobs(jobs)
                            .destination(destination)
                            .build();
                        b.role = role;
                        b
                    },
                );
            (
                databases,
                roles,
                vec(client, 0..=3),
                option::of(pooler),
                vec(logical, 0..=2),
            )
                .prop_map(|(databases, roles, clients, pooler, logical)| Content {
                    databases,
                    roles,
                    clients,
                    pooler,
                    logical,
                })
        })
        .boxed()
}

fn grant(
    database: &DatabaseName,
    schema: Option<&SchemaName>,
    objects: ObjectKind,
    privileges: &[Privilege],
) -> Grant {
    let mut g = Grant::builder()
        .database(database.clone())
        .objects(objects)
        .privileges(privileges.to_vec())
        .build();
    g.schema = schema.cloned();
    g
}

/// Databases owned by an owner role, an application role (and maybe a
/// read-only one) with the grants they need, and clients that log in as the
/// application role with realistic pools.
fn reasonable_content(target: Target) -> BoxedStrategy<Content> {
    use Privilege::*;
    (
        (
            "[a-z]{3,8}",
            1usize..=2,
            any::<bool>(),
            vec(select(PLAIN_EXTENSIONS), 0..=2),
            option::of(1u64..=4),
            any::<bool>(),
        ),
        (
            vec((2u32..=15, 1u32..=3, 0u32..=5), 0..=3),
            option::of((1u32..=2, 10u32..=30)),
            option::of(select(&[30 * MINUTE, HOUR][..])),
            any::<bool>(),
            secret_source(Profile::Reasonable),
        ),
    )
        .prop_map(
            move |(
                (base, n_databases, with_schema, extensions, size_gib, with_readonly),
                (client_specs, pooler, lifetime, with_dump, password),
            )| {
                let role = |suffix: &str| RoleName::new(format!("{base}_{suffix}")).ok();
                let (Some(owner), Some(app), Some(readonly)) =
                    (role("owner"), role("app"), role("readonly"))
                else {
                    return Content::default();
                };
                let schema = if with_schema {
                    SchemaName::new(base.clone()).ok()
                } else {
                    SchemaName::new("public").ok()
                };
                let mut extensions: Vec<&str> = extensions;
                extensions.sort_unstable();
                extensions.dedup();
                let databases: Vec<Database> = (0..n_databases)
                    .filter_map(|i| {
                        let name = if i == 0 {
                            format!("{base}_db")
                        } else {
                            format!("{base}_db{i}")
                        };
                        let mut d = Database::builder()
                            .name(DatabaseName::new(name).ok()?)
                            .owner(owner.clone())
                            .build();
                        if with_schema {
                            d.schemas = vec![Schema::builder().name(schema.clone()?).build()];
                        }
                        d.extensions = extensions
                            .iter()
                            .filter_map(|e| ExtensionName::new(*e).ok())
                            .map(|name| Extension::builder().name(name).build())
                            .collect();
                        d.estimated_size = size_gib.map(Bytes::gib);
                        Some(d)
                    })
                    .collect();
                let login_role = |name: &RoleName, purpose: RolePurpose, grants: Vec<Grant>| {
                    let mut r = Role::builder()
                        .name(name.clone())
                        .purpose(purpose)
                        .login(true)
                        .grants(grants)
                        .build();
                    r.password = Some(password.clone());
                    r
                };
                let mut app_grants = Vec::new();
                let mut readonly_grants = Vec::new();
                for d in &databases {
                    let s = schema.as_ref();
                    app_grants.extend([
                        grant(&d.name, None, ObjectKind::Database, &[Connect]),
                        grant(&d.name, s, ObjectKind::Schema, &[Usage]),
                        grant(
                            &d.name,
                            s,
                            ObjectKind::Tables,
                            &[Select, Insert, Update, Delete],
                        ),
                        grant(&d.name, s, ObjectKind::Sequences, &[Usage, Select]),
                    ]);
                    let mut default_tables = grant(
                        &d.name,
                        s,
                        ObjectKind::DefaultTables,
                        &[Select, Insert, Update, Delete],
                    );
                    default_tables.for_owner = Some(owner.clone());
                    let mut default_sequences =
                        grant(&d.name, s, ObjectKind::DefaultSequences, &[Usage, Select]);
                    default_sequences.for_owner = Some(owner.clone());
                    app_grants.extend([default_tables, default_sequences]);

                    readonly_grants.extend([
                        grant(&d.name, None, ObjectKind::Database, &[Connect]),
                        grant(&d.name, s, ObjectKind::Schema, &[Usage]),
                        grant(&d.name, s, ObjectKind::Tables, &[Select]),
                    ]);
                    let mut default_select =
                        grant(&d.name, s, ObjectKind::DefaultTables, &[Select]);
                    default_select.for_owner = Some(owner.clone());
                    readonly_grants.push(default_select);
                }
                let mut roles = vec![
                    login_role(&owner, RolePurpose::Owner, Vec::new()),
                    login_role(&app, RolePurpose::Application, app_grants),
                ];
                if with_readonly {
                    roles.push(login_role(
                        &readonly,
                        RolePurpose::ReadOnly,
                        readonly_grants,
                    ));
                }
                let first_db = databases.first().map(|d| d.name.clone());
                let clients: Vec<Client> = client_specs
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, (pool_size, min, extra))| {
                        let name = if i == 0 {
                            format!("{base}-api")
                        } else {
                            format!("{base}-api-{i}")
                        };
                        let mut c = Client::builder()
                            .name(ServiceName::new(name).ok()?)
                            .pool_size(pool_size)
                            .replicas(ReplicaRange {
                                min,
                                max: min + extra,
                            })
                            .role(app.clone())
                            .build();
                        c.database = first_db.clone();
                        c.connection_lifetime = lifetime.map(Duration::millis);
                        Some(c)
                    })
                    .collect();
                let pooler = pooler
                    .filter(|_| !clients.is_empty())
                    .map(|(instances, pool)| {
                        Pooler::builder()
                            .instances(instances)
                            .max_client_connections(1000)
                            .default_pool_size(pool)
                            .build()
                    });
                // A managed service backs itself up; dumps go to the backup volume elsewhere.
                let logical = if with_dump && target != Target::Azure {
                    ServiceName::new("daily")
                        .ok()
                        .zip(CronSchedule::new("0 2 * * *").ok())
                        .map(|(name, schedule)| {
                            LogicalBackup::builder()
                                .name(name)
                                .schedule(schedule)
                                .retention(Duration::days(7))
                                .build()
                        })
                        .into_iter()
                        .collect()
                } else {
                    Vec::new()
                };
                Content {
                    databases,
                    roles,
                    clients,
                    pooler,
                    logical,
                }
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------
// Backups, monitoring, security
// ---------------------------------------------------------------------------

fn wal_archiving(profile: Profile) -> BoxedStrategy<WalArchiving> {
    let (retention, timeout) = match profile {
        Profile::Reasonable => (
            select(&[7u64, 14, 30][..]).prop_map(Duration::days).boxed(),
            option::of(select(&[60u64, 300][..]).prop_map(Duration::seconds)).boxed(),
        ),
        Profile::Any => (duration(), option::of(duration()).boxed()),
    };
    (
        retention,
        select(&["/archive", "s3://backups/wal", "azure://account/wal"][..]),
        timeout,
    )
        .prop_map(|(retention, destination, timeout)| {
            let mut w = WalArchiving::builder()
                .retention(retention)
                .destination(destination)
                .build();
            w.archive_timeout = timeout;
            w
        })
        .boxed()
}

fn managed_backups(profile: Profile) -> BoxedStrategy<ManagedBackups> {
    match profile {
        Profile::Reasonable => (7u16..=35)
            .prop_map(|days| ManagedBackups::builder().retention_days(days).build())
            .boxed(),
        Profile::Any => (
            prop_oneof![0u16..=60, any::<u16>()],
            any::<bool>(),
            option::of(
                select(&["koreasouth", "koreacentral", "westus", "atlantis"][..])
                    .prop_map(str::to_owned),
            ),
            any::<bool>(),
            option::of(Just("02:00 KST".to_owned())),
        )
            .prop_map(|(days, geo, geo_region, pitr, window)| {
                let mut m = ManagedBackups::builder()
                    .retention_days(days)
                    .geo_redundant(geo)
                    .point_in_time(pitr)
                    .build();
                m.geo_region = geo_region;
                m.window = window;
                m
            })
            .boxed(),
    }
}

fn snapshots() -> BoxedStrategy<Snapshots> {
    (option::of(cron_schedule()), option::of(duration()))
        .prop_map(|(schedule, retention)| Snapshots {
            schedule,
            retention,
            ..Snapshots::default()
        })
        .boxed()
}

fn monitoring(profile: Profile, target: Target) -> BoxedStrategy<Monitoring> {
    let threshold_percent = || {
        (percent(), duration()).prop_map(|(above, sustained)| {
            Threshold::builder()
                .above(above)
                .sustained(sustained)
                .build()
        })
    };
    match profile {
        Profile::Reasonable => (
            any::<bool>(),
            select(&[70u16, 80, 85, 90][..]),
            select(&[1u64, 3, 5][..]),
            option::of(select(&[500u64, 1000, 5000][..])),
        )
            .prop_map(move |(exporter, level, minutes, slow_ms)| {
                let mut m = Monitoring::default();
                if exporter && target != Target::Azure {
                    m.exporter = Some(Exporter::builder().build());
                }
                let t = |above: Percent| {
                    Some(
                        Threshold::builder()
                            .above(above)
                            .sustained(Duration::minutes(minutes))
                            .build(),
                    )
                };
                m.thresholds.cpu = t(Percent::whole(level));
                m.thresholds.memory = t(Percent::whole(level));
                m.thresholds.storage = t(Percent::whole(80));
                m.thresholds.slow_query =
                    slow_ms.map(|ms| Threshold::builder().above(Duration::millis(ms)).build());
                m
            })
            .boxed(),
        Profile::Any => (
            option::of((option::of(image()), any::<u16>(), count(0..=4))),
            (
                option::of(threshold_percent()),
                option::of(threshold_percent()),
                option::of(threshold_percent()),
                option::of((count(0..=1000), duration())),
                option::of((duration(), duration())),
                option::of((duration(), duration())),
                option::of(count(0..=100)),
            ),
        )
            .prop_map(
                |(exporter, (cpu, memory, storage, connections, slow, lag, failed))| {
                    let mut m = Monitoring {
                        exporter: exporter.map(|(image, port, connections)| {
                            let mut e = Exporter::builder()
                                .port(port)
                                .connections(connections)
                                .build();
                            e.image = image;
                            e
                        }),
                        ..Monitoring::default()
                    };
                    let t = &mut m.thresholds;
                    t.cpu = cpu;
                    t.memory = memory;
                    t.storage = storage;
                    t.connections = connections.map(|(above, sustained)| {
                        Threshold::builder()
                            .above(above)
                            .sustained(sustained)
                            .build()
                    });
                    t.slow_query = slow.map(|(above, sustained)| {
                        Threshold::builder()
                            .above(above)
                            .sustained(sustained)
                            .build()
                    });
                    t.replication_lag = lag.map(|(above, sustained)| {
                        Threshold::builder()
                            .above(above)
                            .sustained(sustained)
                            .build()
                    });
                    t.failed_connections_per_minute = failed;
                    m
                },
            )
            .boxed(),
    }
}

fn security(profile: Profile) -> BoxedStrategy<Security> {
    let version = select(&[TlsVersion::Tls12, TlsVersion::Tls13][..]);
    match profile {
        Profile::Reasonable => (
            version,
            select(
                &[
                    StatementLogging::None,
                    StatementLogging::Ddl,
                    StatementLogging::Mod,
                ][..],
            ),
            vec(
                select(&["10.0.0.0/16", "192.168.0.0/24"][..]).prop_map(str::to_owned),
                0..=1,
            ),
        )
            .prop_map(|(min_version, logging, cidrs)| {
                Security::builder()
                    .tls(Tls::builder().min_version(min_version).build())
                    .statement_logging(logging)
                    .allowed_cidrs(cidrs)
                    .build()
            })
            .boxed(),
        Profile::Any => (
            any::<bool>(),
            version,
            select(&[PasswordEncryption::ScramSha256, PasswordEncryption::Md5][..]),
            select(
                &[
                    StatementLogging::None,
                    StatementLogging::Ddl,
                    StatementLogging::Mod,
                    StatementLogging::All,
                ][..],
            ),
            vec(
                select(
                    &[
                        "10.0.0.0/8",
                        "0.0.0.0/0",
                        "192.168.1.0/24",
                        "::1/128",
                        "not-a-cidr",
                    ][..],
                )
                .prop_map(str::to_owned),
                0..=3,
            ),
        )
            .prop_map(|(required, min_version, encryption, logging, cidrs)| {
                Security::builder()
                    .tls(
                        Tls::builder()
                            .required(required)
                            .min_version(min_version)
                            .build(),
                    )
                    .password_encryption(encryption)
                    .statement_logging(logging)
                    .allowed_cidrs(cidrs)
                    .build()
            })
            .boxed(),
    }
}

// ---------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------

fn any_plan_on(target: Target) -> BoxedStrategy<Plan> {
    (
        (
            service_name(),
            environment(),
            labels(Profile::Any),
            objectives(Profile::Any),
            any_version(),
            platform(Profile::Any, target),
        ),
        (
            topology(Profile::Any, target),
            sizing(Profile::Any, target),
            tuning(Profile::Any),
            any_content(),
            option::of(wal_archiving(Profile::Any)),
            option::of(managed_backups(Profile::Any)),
            option::of(snapshots()),
            monitoring(Profile::Any, target),
            security(Profile::Any),
        ),
    )
        .prop_map(
            |(
                (service, environment, labels, objectives, version, platform),
                (
                    topology,
                    sizing,
                    tuning,
                    content,
                    wal_archiving,
                    managed,
                    snapshots,
                    monitoring,
                    security,
                ),
            )| {
                Plan {
                    service,
                    environment,
                    labels,
                    objectives,
                    version,
                    platform,
                    topology,
                    sizing,
                    tuning,
                    databases: content.databases,
                    roles: content.roles,
                    clients: content.clients,
                    pooler: content.pooler,
                    backups: Backups {
                        logical: content.logical,
                        wal_archiving,
                        managed,
                        snapshots,
                    },
                    monitoring,
                    security,
                }
            },
        )
        .boxed()
}

fn reasonable_plan_on(target: Target) -> BoxedStrategy<Plan> {
    (
        (
            environment(),
            labels(Profile::Reasonable),
            objectives(Profile::Reasonable),
            version(target),
            platform(Profile::Reasonable, target),
            topology(Profile::Reasonable, target),
        ),
        (
            sizing(Profile::Reasonable, target),
            tuning(Profile::Reasonable),
            reasonable_content(target),
            option::of(wal_archiving(Profile::Reasonable)),
            managed_backups(Profile::Reasonable),
            monitoring(Profile::Reasonable, target),
            security(Profile::Reasonable),
        ),
    )
        .prop_filter_map(
            "a plan with a service",
            move |(
                (environment, labels, objectives, version, platform, topology),
                (sizing, tuning, content, wal_archiving, managed, monitoring, security),
            )| {
                // The service is named after its databases and roles.
                let service = content
                    .roles
                    .first()
                    .and_then(|r| r.name.as_str().strip_suffix("_owner"))
                    .and_then(|base| ServiceName::new(base).ok())?;
                // Backups are chosen below, by platform.
                let mut plan = Plan {
                    service,
                    environment,
                    labels,
                    objectives,
                    version,
                    platform,
                    topology,
                    sizing,
                    tuning,
                    databases: content.databases,
                    roles: content.roles,
                    clients: content.clients,
                    pooler: content.pooler,
                    backups: Backups::default(),
                    monitoring,
                    security,
                };
                if target == Target::Azure {
                    // The desktop share of memory (1/16) is below the 10 %
                    // Azure accepts for shared_buffers.
                    if plan.tuning.workload == Workload::Desktop {
                        plan.tuning.workload = Workload::Web;
                    }
                    // Burstable servers have no read replicas.
                    if let Platform::Azure(a) = &plan.platform
                        && a.sku.tier == SkuTier::Burstable
                    {
                        plan.topology.replicas.clear();
                    }
                    plan.backups.managed = Some(managed);
                } else {
                    plan.backups.logical = content.logical;
                    plan.backups.wal_archiving = wal_archiving;
                    if !plan.backups.logical.is_empty() && plan.sizing.backup_volume.is_none() {
                        plan.sizing.backup_volume = Some(Bytes::gib(100));
                    }
                    // Every plan keeps its data somewhere else.
                    if plan.backups.logical.is_empty() && plan.backups.wal_archiving.is_none() {
                        plan.backups.wal_archiving = Some(
                            WalArchiving::builder()
                                .retention(Duration::days(7))
                                .destination("/archive")
                                .build(),
                        );
                    }
                }
                // A recovery point the planned backups can reach.
                plan.objectives.rpo =
                    if plan.backups.managed.is_some() || plan.backups.wal_archiving.is_some() {
                        Some(Duration::minutes(15))
                    } else if !plan.backups.logical.is_empty() {
                        Some(Duration::days(1))
                    } else {
                        None
                    };
                Some(plan)
            },
        )
        .boxed()
}

/// Plans drawn from the whole model on any platform: Kubernetes, Azure or
/// local; single servers, Patroni clusters and read replicas; explicit
/// parameters with valid and invalid values; roles, grants, clients and
/// backups that may refer to names that do not exist; counts up to
/// `u32::MAX`. Most of these plans have errors.
pub fn plan() -> BoxedStrategy<Plan> {
    prop_oneof![kubernetes_plan(), azure_plan(), local_plan(),].boxed()
}

/// Like [`plan`], on Kubernetes.
pub fn kubernetes_plan() -> BoxedStrategy<Plan> {
    any_plan_on(Target::Kubernetes)
}

/// Like [`plan`], on Azure Flexible Server.
pub fn azure_plan() -> BoxedStrategy<Plan> {
    any_plan_on(Target::Azure)
}

/// Like [`plan`], on this machine.
pub fn local_plan() -> BoxedStrategy<Plan> {
    any_plan_on(Target::Local)
}

/// Plans a careful engineer could write, on any platform: realistic memory,
/// CPU and volume sizes (or a known Azure SKU), an owner role that owns the
/// databases, an application role with the grants it needs, clients whose
/// pools fit, backups that reach the declared RPO. Most of them pass
/// validation; some draw warnings.
pub fn reasonable_plan() -> BoxedStrategy<Plan> {
    prop_oneof![
        reasonable_kubernetes_plan(),
        reasonable_azure_plan(),
        reasonable_local_plan(),
    ]
    .boxed()
}

/// Like [`reasonable_plan`], on Kubernetes.
pub fn reasonable_kubernetes_plan() -> BoxedStrategy<Plan> {
    reasonable_plan_on(Target::Kubernetes)
}

/// Like [`reasonable_plan`], on Azure Flexible Server (a known SKU, PostgreSQL
/// 14–17, managed backups).
pub fn reasonable_azure_plan() -> BoxedStrategy<Plan> {
    reasonable_plan_on(Target::Azure)
}

/// Like [`reasonable_plan`], on this machine.
pub fn reasonable_local_plan() -> BoxedStrategy<Plan> {
    reasonable_plan_on(Target::Local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn sample<T: std::fmt::Debug>(s: &BoxedStrategy<T>, n: usize) -> Vec<T> {
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| s.new_tree(&mut runner).expect("a value").current())
            .collect()
    }

    #[test]
    fn names_reach_the_63_byte_limit_and_never_exceed_it() {
        let names = sample(&role_name(), 2000);
        assert!(
            names
                .iter()
                .all(|n| n.as_str().len() <= MAX_IDENTIFIER_BYTES)
        );
        assert!(
            names
                .iter()
                .any(|n| n.as_str().len() == MAX_IDENTIFIER_BYTES)
        );
        assert!(names.iter().any(|n| n.needs_quoting()));
        assert!(names.iter().any(|n| !n.as_str().is_ascii()));
        assert!(names.iter().any(|n| n.as_str() == "postgres"));
    }

    #[test]
    fn plans_cover_every_platform_and_topology() {
        let plans = sample(&plan(), 300);
        for kind in ["kubernetes", "azure", "local"] {
            assert!(plans.iter().any(|p| p.platform.kind() == kind), "{kind}");
        }
        assert!(plans.iter().any(|p| p.topology.patroni.is_some()));
        assert!(plans.iter().any(|p| !p.topology.replicas.is_empty()));
        assert!(plans.iter().any(|p| !p.tuning.parameters.is_empty()));
        assert!(
            plans
                .iter()
                .any(|p| p.roles.iter().any(|r| !r.grants.is_empty()))
        );
    }
}
