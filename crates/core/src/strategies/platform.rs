//! Target platforms: Kubernetes, Azure Flexible Server (its SKU, storage,
//! network and authentication) and this machine.

use std::path::PathBuf;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::azure_names::{
    firewall_rule_name, guid, known_sku_name, performance_tier, private_dns_zone, region,
    resource_group, resource_ref, server_name, unknown_sku_name, zone,
};
use super::names::{dns_label, role_name, short_dns_label};
use super::net::{ipv4, subnet_cidr};
use super::secrets::{key_vault_source, secret_source};
use super::units::bytes;
use super::{Profile, Target, duration, one_of, parsed};
use crate::azure_facts;
use crate::model::azure_names::{AvailabilityZone, PrivateDnsZone, SkuName};
use crate::model::names::RoleName;
use crate::model::platform::{
    Azure, AzureAlerts, AzureAuth, AzureHaMode, AzureHighAvailability, AzureNetwork, AzureSku,
    AzureStorage, AzureStorageType, ContainerImage, DisruptionPolicy, EntraAdmin, FirewallRule,
    Kubernetes, Local, Platform, PrincipalType, PrivateAccess, SkuTier,
};
use crate::model::secrets::SecretSource;
use crate::model::units::{Bytes, Interval};

/// Server images: tagged, untagged (which PGP102 rejects) and pinned by
/// digest, from Docker Hub and other registries.
pub(super) fn image() -> BoxedStrategy<ContainerImage> {
    parsed(
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
        .prop_map(str::to_owned),
    )
}

/// Images a careful plan names: pinned to a release tag or a digest.
fn pinned_image() -> BoxedStrategy<ContainerImage> {
    image()
        .prop_filter("an image pinned to a release", |i| {
            i.is_pinned_by_digest() || i.tag().is_some_and(|t| t != "latest")
        })
        .boxed()
}

/// A Kubernetes target. `Reasonable` pins its images. (`Any` drew
/// namespaces that are no DNS label too; a `DnsLabel` cannot hold them, so
/// it draws short and long labels instead.)
fn kubernetes(profile: Profile) -> BoxedStrategy<Kubernetes> {
    let namespace = match profile {
        Profile::Reasonable => dns_label(),
        Profile::Any => prop_oneof![3 => dns_label(), 1 => short_dns_label()].boxed(),
    };
    let run_as_user = match profile {
        Profile::Reasonable => select(&[999i64, 1001, 26][..]).boxed(),
        Profile::Any => prop_oneof![select(&[999i64, 1001, 0][..]), any::<i64>()].boxed(),
    };
    let server_image = || match profile {
        Profile::Reasonable => pinned_image(),
        Profile::Any => image(),
    };
    let storage_class = parsed(
        select(&["managed-premium", "managed-standard", "gp3", "local-path"][..])
            .prop_map(str::to_owned),
    );
    (
        option::of("[a-z][a-z0-9-]{2,20}"),
        namespace,
        option::of(storage_class),
        server_image(),
        option::of(server_image()),
        run_as_user,
        option::of(resource_group(profile)),
    )
        .prop_map(
            |(
                cluster,
                namespace,
                storage_class,
                image,
                tools_image,
                run_as_user,
                resource_group,
            )| {
                Kubernetes {
                    cluster,
                    namespace,
                    storage_class,
                    image,
                    tools_image,
                    run_as_user,
                    resource_group,
                    data_checksums: true,
                    disruption: DisruptionPolicy::default(),
                }
            },
        )
        .boxed()
}

/// A SKU pgplan knows, its tier left to the name or written as the name's.
fn known_sku() -> BoxedStrategy<AzureSku> {
    (known_sku_name(), any::<bool>())
        .prop_map(|(name, explicit_tier)| {
            let tier = if explicit_tier { name.tier() } else { None };
            AzureSku {
                tier,
                ..AzureSku::new(name)
            }
        })
        .boxed()
}

/// Compute SKUs. `Any` adds SKUs pgplan knows no capacity for, tiers that
/// contradict the name, and explicit vCores and memory of any size. (Names
/// that are no SKU at all, such as `B1ms` and the empty string, were drawn
/// here too; a `SkuName` cannot hold them.)
fn sku(profile: Profile) -> BoxedStrategy<AzureSku> {
    match profile {
        Profile::Reasonable => known_sku(),
        Profile::Any => prop_oneof![
            2 => known_sku(),
            2 => (
                prop_oneof![known_sku_name(), unknown_sku_name()],
                option::of(select(&[SkuTier::Burstable, SkuTier::GeneralPurpose, SkuTier::MemoryOptimized][..])),
                option::of(prop_oneof![0u32..=64, any::<u32>()]),
                option::of(bytes()),
            )
                .prop_map(|(name, tier, vcores, memory): (SkuName, _, _, _)| AzureSku {
                    name,
                    tier,
                    vcores,
                    memory,
                }),
        ]
        .boxed(),
    }
}

/// Replica SKUs: like the primary's, for [`super::topology`].
pub(super) fn replica_sku() -> BoxedStrategy<AzureSku> {
    sku(Profile::Any)
}

/// Server storage: Premium SSD sizes from [`azure_facts::PREMIUM_SSD_SIZES_GIB`];
/// `Any` adds sizes of any number of bytes, Premium SSD v2, performance
/// tiers, and IOPS and throughput in and out of Azure's ranges.
fn azure_storage(profile: Profile) -> BoxedStrategy<AzureStorage> {
    let sizes = azure_facts::PREMIUM_SSD_SIZES_GIB;
    match profile {
        Profile::Reasonable => (select(sizes[..5].to_vec()), any::<bool>())
            .prop_map(|(gib, auto_grow)| AzureStorage {
                size: Bytes::gib(gib),
                kind: AzureStorageType::PremiumLrs,
                auto_grow,
                performance_tier: None,
                iops: None,
                throughput_mbps: None,
            })
            .boxed(),
        Profile::Any => {
            let (v2_lo, v2_hi) = azure_facts::PREMIUM_SSD_V2_RANGE_GIB;
            let (iops_lo, iops_hi) = azure_facts::PREMIUM_SSD_V2_IOPS_RANGE;
            let (mbps_lo, mbps_hi) = azure_facts::PREMIUM_SSD_V2_THROUGHPUT_MBPS_RANGE;
            (
                prop_oneof![
                    select(sizes.to_vec()).prop_map(Bytes::gib),
                    (v2_lo..=v2_hi.saturating_add(1)).prop_map(Bytes::gib),
                    bytes(),
                ],
                select(&[AzureStorageType::PremiumLrs, AzureStorageType::PremiumV2Lrs][..]),
                any::<bool>(),
                option::of(performance_tier(Profile::Any)),
                option::of(prop_oneof![
                    iops_lo.saturating_sub(1)..=iops_hi.saturating_add(1),
                    any::<u32>()
                ]),
                option::of(prop_oneof![
                    mbps_lo.saturating_sub(1)..=mbps_hi.saturating_add(1),
                    any::<u32>()
                ]),
            )
                .prop_map(
                    |(size, kind, auto_grow, performance_tier, iops, throughput_mbps)| {
                        AzureStorage {
                            size,
                            kind,
                            auto_grow,
                            performance_tier,
                            iops,
                            throughput_mbps,
                        }
                    },
                )
                .boxed()
        }
    }
}

/// Public-access firewall rules. `Reasonable` allows part of one /24 in
/// 10.0.0.0/8; `Any` draws any two addresses, so ranges that run backwards,
/// that open the whole internet and names used twice. (Addresses that are
/// none, such as `not-an-ip`, `300.1.2.3` or the empty string, were drawn
/// here too; the rule's addresses are `Ipv4Addr`s now.)
fn firewall_rule(profile: Profile) -> BoxedStrategy<FirewallRule> {
    match profile {
        Profile::Reasonable => (
            firewall_rule_name(profile),
            any::<(u8, u8)>(),
            0u8..=200,
            0u8..=55,
        )
            .prop_map(|(name, (b, c), first, len)| FirewallRule {
                name,
                start_ip: [10, b, c, first].into(),
                end_ip: [10, b, c, first + len].into(),
            })
            .boxed(),
        Profile::Any => (firewall_rule_name(profile), ipv4(), ipv4())
            .prop_map(|(name, start_ip, end_ip)| FirewallRule {
                name,
                start_ip,
                end_ip,
            })
            .boxed(),
    }
}

/// VNet integration. `Reasonable` uses a delegated subnet and a zone with
/// Azure's suffix; `Any` may leave the subnet undelegated, draw subnets that
/// are too small or IPv6, and zones without the suffix.
pub(super) fn private_access(profile: Profile) -> BoxedStrategy<PrivateAccess> {
    let delegated = match profile {
        Profile::Reasonable => Just(true).boxed(),
        Profile::Any => any::<bool>().boxed(),
    };
    (
        resource_ref(profile),
        resource_ref(profile),
        option::of(subnet_cidr(profile)),
        delegated,
        private_dns_zone(profile),
    )
        .prop_map(
            |(vnet, subnet, subnet_cidr, subnet_delegated, private_dns_zone)| PrivateAccess {
                vnet,
                subnet,
                subnet_cidr,
                subnet_delegated,
                private_dns_zone,
            },
        )
        .boxed()
}

/// Network access: private, or public with firewall rules (`Any`: both).
fn azure_network(profile: Profile) -> BoxedStrategy<AzureNetwork> {
    match profile {
        Profile::Reasonable => prop_oneof![
            private_access(profile).prop_map(|private| AzureNetwork {
                private: Some(private),
                ..AzureNetwork::default()
            }),
            vec(firewall_rule(profile), 0..=2).prop_map(|firewall_rules| AzureNetwork {
                firewall_rules,
                ..AzureNetwork::default()
            }),
        ]
        .boxed(),
        Profile::Any => (
            option::of(private_access(profile)),
            vec(firewall_rule(profile), 0..=2),
        )
            .prop_map(|(private, firewall_rules)| AzureNetwork {
                private,
                firewall_rules,
            })
            .boxed(),
    }
}

/// Password and Microsoft Entra authentication. `Any` may turn both off,
/// and lists Entra administrators with Entra off.
fn azure_auth(profile: Profile) -> BoxedStrategy<AzureAuth> {
    // Display names as people write them; `Any` also draws ones that start
    // or end with a space, which Entra's exact lookup never finds.
    let principal_name = match profile {
        Profile::Reasonable => "[a-z]([a-z0-9 .@-]{0,19}[a-z0-9])?",
        Profile::Any => "[a-z][a-z0-9 .@-]{0,20}",
    };
    let admin = (
        principal_name,
        option::of(guid()),
        select(
            &[
                PrincipalType::User,
                PrincipalType::Group,
                PrincipalType::ServicePrincipal,
            ][..],
        ),
    )
        .prop_map(|(principal_name, object_id, principal_type)| EntraAdmin {
            principal_name,
            object_id,
            principal_type,
        });
    let password = match profile {
        Profile::Reasonable => Just(true).boxed(),
        Profile::Any => any::<bool>().boxed(),
    };
    (
        password,
        any::<bool>(),
        option::of(guid()),
        vec(admin, 0..=2),
    )
        .prop_map(move |(password, entra, tenant_id, administrators)| {
            let entra_settings = entra || profile == Profile::Any;
            AzureAuth {
                password,
                entra,
                tenant_id: tenant_id.filter(|_| entra_settings),
                administrators: if entra_settings {
                    administrators
                } else {
                    Vec::new()
                },
            }
        })
        .boxed()
}

/// True for a login Azure reserves ([`azure_facts::RESERVED_ADMIN_LOGINS`],
/// or a `pg_` name).
fn reserved_login(login: &str) -> bool {
    let lower = login.to_ascii_lowercase();
    azure_facts::RESERVED_ADMIN_LOGINS.contains(&lower.as_str()) || lower.starts_with("pg_")
}

/// Administrator logins: `Reasonable` avoids the names Azure reserves; `Any`
/// draws them, the service's own roles, and any role name. (The empty login
/// was drawn here too; a `RoleName` cannot hold it.)
fn administrator_login(profile: Profile) -> BoxedStrategy<RoleName> {
    match profile {
        Profile::Reasonable => parsed(
            "[a-z][a-z0-9_]{2,12}".prop_filter("a login Azure allows", |l| !reserved_login(l)),
        ),
        Profile::Any => {
            let reserved = azure_facts::RESERVED_ADMIN_LOGINS
                .iter()
                .chain(azure_facts::SERVICE_ROLES);
            prop_oneof![1 => one_of(reserved, role_name()), 2 => role_name()].boxed()
        }
    }
}

/// An Azure Flexible Server target.
fn azure(profile: Profile) -> BoxedStrategy<Azure> {
    let ha_mode = select(
        &[
            AzureHaMode::Disabled,
            AzureHaMode::ZoneRedundant,
            AzureHaMode::SameZone,
        ][..],
    );
    (
        (
            option::of(guid()),
            resource_group(profile),
            server_name(profile),
            region(profile),
            sku(profile),
            azure_storage(profile),
            // `Any`: now and then the private DNS zone is the server's own
            // host name, which PGP009 rejects.
            prop::bool::weighted(0.1),
        ),
        (
            option::of(zone()),
            ha_mode,
            option::of(zone()),
            azure_network(profile),
            azure_auth(profile),
            administrator_login(profile),
            option::of(secret_source(profile)),
            key_vault_source(),
            vec("[a-z][a-z0-9-]{2,30}", 0..=2),
        ),
    )
        .prop_map(
            move |(
                (subscription_id, resource_group, server_name, region, sku, storage, own_zone),
                (
                    zone,
                    mode,
                    standby_zone,
                    mut network,
                    auth,
                    administrator_login,
                    password,
                    key_vault,
                    managed_identities,
                ),
            )| {
                let mut high_availability = AzureHighAvailability { mode, standby_zone };
                let mut zone = zone;
                let mut administrator_password = password;
                match profile {
                    Profile::Any => {
                        if own_zone
                            && let Some(private) = &mut network.private
                            && let Ok(own) = PrivateDnsZone::new(format!(
                                "{server_name}{}",
                                azure_facts::PRIVATE_DNS_ZONE_SUFFIX
                            ))
                        {
                            private.private_dns_zone = own;
                        }
                    }
                    // Burstable servers have no HA; a zone-redundant standby
                    // sits in another zone than the primary.
                    Profile::Reasonable => {
                        if sku.tier() == Some(SkuTier::Burstable) {
                            high_availability.mode = AzureHaMode::Disabled;
                        }
                        high_availability.standby_zone = None;
                        match high_availability.mode {
                            AzureHaMode::Disabled => {}
                            AzureHaMode::ZoneRedundant => {
                                zone = AvailabilityZone::new("1").ok();
                                high_availability.standby_zone = AvailabilityZone::new("2").ok();
                            }
                            AzureHaMode::SameZone => zone = AvailabilityZone::new("1").ok(),
                        }
                        // Apply and the az script read the password from Key
                        // Vault or the environment; nothing keeps a generated one.
                        administrator_password = match administrator_password {
                            Some(SecretSource::Env { var }) => Some(SecretSource::Env { var }),
                            _ => Some(key_vault),
                        };
                    }
                }
                Azure {
                    subscription_id,
                    resource_group,
                    server_name,
                    region,
                    sku,
                    storage,
                    zone,
                    high_availability,
                    network,
                    auth,
                    administrator_login,
                    administrator_password,
                    managed_identities,
                    alerts: AzureAlerts::default(),
                }
            },
        )
        .boxed()
}

/// A server on this machine.
fn local(profile: Profile) -> BoxedStrategy<Local> {
    let port = match profile {
        Profile::Reasonable => option::of(15432u16..=15532).boxed(),
        Profile::Any => option::of(any::<u16>()).boxed(),
    };
    let timeout = match profile {
        Profile::Reasonable => option::of((5u64..=60).prop_map(Interval::seconds)).boxed(),
        Profile::Any => option::of(duration()).boxed(),
    };
    (
        option::of("/[a-z0-9/_-]{1,30}".prop_map(PathBuf::from)),
        port,
        timeout,
    )
        .prop_map(|(data_dir, port, start_timeout)| Local {
            data_dir,
            port,
            start_timeout,
            ..Local::default()
        })
        .boxed()
}

/// The platform of a plan for `target`.
pub(super) fn platform(profile: Profile, target: Target) -> BoxedStrategy<Platform> {
    match target {
        Target::Kubernetes => kubernetes(profile).prop_map(Platform::Kubernetes).boxed(),
        Target::Azure => azure(profile)
            .prop_map(|a| Platform::Azure(Box::new(a)))
            .boxed(),
        Target::Local => local(profile).prop_map(Platform::Local).boxed(),
    }
}
