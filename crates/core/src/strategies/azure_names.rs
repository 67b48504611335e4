//! Names Azure constrains: regions and SKUs (from [`azure_facts`]), server,
//! resource group, Key Vault and storage names, zones, GUIDs and resource
//! references.

use proptest::prelude::*;

use super::{Profile, one_of, parsed};
use crate::azure_facts;
use crate::model::azure_names::{
    AvailabilityZone, AzureResourceRef, AzureServerName, BlobContainerName, FirewallRuleName, Guid,
    KeyVaultName, KeyVaultSecretName, PerformanceTier, PrivateDnsZone, Region, ResourceGroupName,
    SkuName, StorageAccountName,
};

/// Server names Azure accepts: lowercase letters and digits in words joined
/// by single hyphens.
pub(super) const SERVER_NAME: &str = "[a-z][a-z0-9]{2,8}(-[a-z0-9]{2,6}){0,2}";

/// True when the Azure facts know nothing about a region.
fn unknown_to_facts(region: &str) -> bool {
    azure_facts::paired_region(region).is_none()
        && azure_facts::supports_zone_redundant_ha(region).is_none()
}

/// Region names pgplan knows nothing about (`atlantis`): valid, so only the
/// rules that need a fact about the region have something to say.
fn unknown_region() -> BoxedStrategy<Region> {
    parsed("[a-z]{4,14}".prop_filter("a region the facts do not know", |r| unknown_to_facts(r)))
}

/// Regions pgplan knows, with and without zone-redundant HA.
fn known_region() -> BoxedStrategy<Region> {
    one_of(azure_facts::known_regions(), unknown_region())
}

/// Regions that offer zone-redundant HA, so that any HA mode a reasonable
/// plan picks is available.
fn zone_redundant_region() -> BoxedStrategy<Region> {
    let regions = azure_facts::known_regions()
        .into_iter()
        .filter(|r| azure_facts::supports_zone_redundant_ha(r) == Some(true));
    one_of(regions, known_region())
}

/// Regions. `Any` draws regions without zone-redundant HA and regions pgplan
/// does not know as well. (It also drew display names such as `Korea
/// Central` and the empty string; a `Region` reads the first as
/// `koreacentral` and cannot hold the second, so neither is drawn any more.)
pub(super) fn region(profile: Profile) -> BoxedStrategy<Region> {
    match profile {
        Profile::Reasonable => zone_redundant_region(),
        Profile::Any => prop_oneof![3 => known_region(), 1 => unknown_region()].boxed(),
    }
}

/// SKU names of the `Standard_<size>` form that pgplan knows no capacity
/// for (`Standard_Z9`, `Standard_D3s_v3`).
pub(super) fn unknown_sku_name() -> BoxedStrategy<SkuName> {
    parsed(
        "Standard_[A-Z][0-9]{1,3}[a-z]{0,3}(_v[0-9])?"
            .prop_filter("a SKU the facts do not know", |name| {
                azure_facts::sku_capacity(name).is_none()
            }),
    )
}

/// SKU names whose vCores and memory pgplan knows
/// ([`azure_facts::known_sku_names`]).
pub(super) fn known_sku_name() -> BoxedStrategy<SkuName> {
    one_of(azure_facts::known_sku_names(), unknown_sku_name())
}

/// Flexible Server names. `Any` adds names that are valid but long or
/// hyphen-heavy. (It also drew names with uppercase letters, underscores or
/// more than 63 characters; an `AzureServerName` cannot hold those.)
pub(super) fn server_name(profile: Profile) -> BoxedStrategy<AzureServerName> {
    match profile {
        Profile::Reasonable => parsed(SERVER_NAME),
        Profile::Any => parsed(prop_oneof![
            1 => SERVER_NAME,
            3 => "[a-z][a-z0-9-]{2,30}[a-z0-9]",
        ]),
    }
}

/// Resource group names.
pub(super) fn resource_group(profile: Profile) -> BoxedStrategy<ResourceGroupName> {
    match profile {
        Profile::Reasonable => parsed("[a-z][a-z0-9-]{2,20}"),
        Profile::Any => parsed(prop_oneof![
            2 => "[a-z][a-z0-9-]{2,20}",
            1 => "[A-Za-z0-9_().-]{1,20}",
        ]),
    }
}

/// Availability zones.
pub(super) fn zone() -> BoxedStrategy<AvailabilityZone> {
    parsed("[1-3]")
}

/// GUIDs (subscription, tenant and object ids), in either case.
pub(super) fn guid() -> BoxedStrategy<Guid> {
    parsed("[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
}

/// Virtual network and subnet references: a name, or (`Any`) a full
/// resource id.
pub(super) fn resource_ref(profile: Profile) -> BoxedStrategy<AzureResourceRef> {
    let name = "[a-z][a-z0-9-]{0,12}";
    match profile {
        Profile::Reasonable => parsed("[a-z][a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}"),
        Profile::Any => parsed(prop_oneof![
            3 => name.boxed(),
            1 => (guid(), "[a-z][a-z0-9-]{2,12}", name)
                .prop_map(|(subscription, group, name)| format!(
                    "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{name}"
                ))
                .boxed(),
        ]),
    }
}

/// Private DNS zones that end with Flexible Server's suffix: the Private
/// Endpoint zone (`privatelink.…`, a warning) or a zone of its own.
fn suffixed_zone() -> BoxedStrategy<PrivateDnsZone> {
    parsed(
        prop_oneof![
            Just("privatelink".to_owned()),
            "[a-z][a-z0-9-]{2,10}\\.private"
        ]
        .prop_map(|prefix| format!("{prefix}{}", azure_facts::PRIVATE_DNS_ZONE_SUFFIX)),
    )
}

/// Private DNS zones. `Any` adds zones without the suffix Azure requires.
/// (It also drew the empty string, which a `PrivateDnsZone` cannot hold.)
pub(super) fn private_dns_zone(profile: Profile) -> BoxedStrategy<PrivateDnsZone> {
    match profile {
        Profile::Reasonable => suffixed_zone(),
        Profile::Any => prop_oneof![
            3 => suffixed_zone(),
            1 => parsed("[a-z]{3,10}\\.example\\.com"),
        ]
        .boxed(),
    }
}

/// Premium SSD performance tiers: Azure's ([`azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS`])
/// and, for `Any`, tiers of that form that do not exist (`P99`).
pub(super) fn performance_tier(profile: Profile) -> BoxedStrategy<PerformanceTier> {
    let known = one_of(
        azure_facts::PREMIUM_SSD_PERFORMANCE_TIERS,
        parsed("P[0-9]{1,2}"),
    );
    match profile {
        Profile::Reasonable => known,
        Profile::Any => prop_oneof![2 => known, 1 => parsed("P[0-9]{1,3}")].boxed(),
    }
}

/// Storage account names.
pub(super) fn storage_account() -> BoxedStrategy<StorageAccountName> {
    parsed("[a-z0-9]{3,12}")
}

/// Blob container names.
pub(super) fn blob_container() -> BoxedStrategy<BlobContainerName> {
    parsed("[a-z0-9]{2,6}(-[a-z0-9]{1,5}){0,2}")
}

/// Key Vault names.
pub(super) fn key_vault() -> BoxedStrategy<KeyVaultName> {
    parsed("[a-z][a-z0-9]{2,7}(-[a-z0-9]{1,6}){0,2}")
}

/// Key Vault secret names.
pub(super) fn key_vault_secret() -> BoxedStrategy<KeyVaultSecretName> {
    parsed("[a-z][a-z0-9-]{0,20}")
}

/// Firewall rule names. `Any` draws short ones, which collide now and then.
pub(super) fn firewall_rule_name(profile: Profile) -> BoxedStrategy<FirewallRuleName> {
    match profile {
        Profile::Reasonable => parsed("[a-z][a-z0-9]{2,12}"),
        Profile::Any => parsed("[a-z0-9][a-z0-9_-]{0,3}"),
    }
}
