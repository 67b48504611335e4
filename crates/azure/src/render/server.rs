//! The primary server (`PUT flexibleServers/{name}`) and its restart.

use pgplan_core::azure_facts::API_ENUM_MAX_VERSION;

use pgplan_core::{AzureHaMode, AzureSku, AzureStorageType, Bytes, SkuTier};

use super::Ctx;
use super::configuration::Parameter;
use super::network;
use crate::models::{self, backup, high_availability, server_properties, sku, storage};
use crate::operation::{Body, Method, Operation, OperationKind, SecretInput};

/// JSON pointer of the administrator password in a server body.
pub const PASSWORD_FIELD: &str = "/properties/administratorLoginPassword";

pub(super) fn create(cx: &Ctx<'_>) -> Operation {
    let az = cx.azure;
    let name = az.server_name.as_str();
    let mut notes = Vec::new();

    let storage = storage(cx);
    let backup = cx.plan.backups.managed.as_ref().map(|m| models::Backup {
        backup_retention_days: Some(i32::from(m.retention_days)),
        geo_redundant_backup: Some(if m.geo_redundant {
            backup::GeoRedundantBackup::Enabled
        } else {
            backup::GeoRedundantBackup::Disabled
        }),
        earliest_restore_date: None,
    });
    if cx.plan.backups.managed.is_none() {
        notes.push(
            "backups.managed is not set: Azure keeps its default 7 days of backups, locally redundant"
                .to_owned(),
        );
    }
    let high_availability = models::HighAvailability {
        mode: Some(match az.high_availability.mode {
            AzureHaMode::Disabled => high_availability::Mode::Disabled,
            AzureHaMode::ZoneRedundant => high_availability::Mode::ZoneRedundant,
            AzureHaMode::SameZone => high_availability::Mode::SameZone,
        }),
        state: None,
        standby_availability_zone: match az.high_availability.mode {
            AzureHaMode::Disabled => None,
            _ => az
                .high_availability
                .standby_zone
                .as_ref()
                .map(ToString::to_string),
        },
    };
    let password = admin_password(cx);
    let properties = models::ServerProperties {
        administrator_login: password
            .as_ref()
            .map(|_| az.administrator_login.as_str().to_owned()),
        version: Some(server_version(cx.plan.version.get())),
        storage: Some(storage),
        auth_config: Some(network::auth_config(cx)),
        backup,
        network: Some(network::server_network(cx)),
        high_availability: Some(high_availability),
        availability_zone: az.zone.as_ref().map(ToString::to_string),
        create_mode: Some(server_properties::CreateMode::Create),
        ..Default::default()
    };
    let mut tracked = models::TrackedResource::new(az.region.to_string());
    if !cx.plan.labels.is_empty() {
        tracked.tags = Some(serde_json::Value::Object(
            cx.plan
                .labels
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect(),
        ));
    }
    let server = models::Server {
        tracked_resource: tracked,
        sku: Some(sku(&az.sku)),
        identity: None,
        properties: Some(properties),
    };
    Operation {
        id: "server".into(),
        kind: OperationKind::ServerCreate,
        server: name.to_owned(),
        summary: format!(
            "create flexible server {name} (PostgreSQL {}, {} {}, {} GiB) in {}",
            cx.plan.version,
            az.sku.tier().map_or_else(String::new, |t| t.to_string()),
            az.sku.name,
            az.storage.size.as_gib(),
            az.region
        ),
        method: Method::Put,
        path: cx.path(name, ""),
        body: Some(Body::Server(Box::new(server))),
        needs_restart: false,
        secrets: password.into_iter().collect(),
        placeholders: cx.placeholders(),
        prerequisites: az
            .network
            .private
            .as_ref()
            .map(|p| network::prerequisites(cx, p))
            .unwrap_or_default(),
        notes,
    }
}

/// `POST flexibleServers/{name}/restart`, when a static parameter is set.
pub(super) fn restart(cx: &Ctx<'_>, server: &str, parameters: &[Parameter]) -> Option<Operation> {
    let statics: Vec<&str> = parameters
        .iter()
        .filter(|p| p.needs_restart)
        .map(|p| p.name.as_str())
        .collect();
    if statics.is_empty() {
        return None;
    }
    Some(Operation {
        id: if server == cx.azure.server_name.as_str() {
            "restart".into()
        } else {
            format!("restart:{server}")
        },
        kind: OperationKind::Restart,
        server: server.to_owned(),
        summary: format!(
            "restart {server} so the static parameters take effect: {}",
            statics.join(", ")
        ),
        method: Method::Post,
        path: cx.path(server, "/restart"),
        body: None,
        needs_restart: false,
        secrets: Vec::new(),
        placeholders: cx.placeholders(),
        prerequisites: Vec::new(),
        notes: vec!["apply restarts only when a static parameter actually changed".to_owned()],
    })
}

/// The typed SKU.
pub(super) fn sku(sku: &AzureSku) -> models::Sku {
    // A validated plan always has a tier: explicit, or from the SKU's series
    // (rule PGP141 refuses an unknown series without one).
    let tier = sku.tier().unwrap_or(SkuTier::GeneralPurpose);
    models::Sku::new(
        sku.name.to_string(),
        match tier {
            SkuTier::Burstable => sku::Tier::Burstable,
            SkuTier::GeneralPurpose => sku::Tier::GeneralPurpose,
            SkuTier::MemoryOptimized => sku::Tier::MemoryOptimized,
        },
    )
}

/// The API's `ServerVersion`: an enum up to 16 in 2024-08-01, a plain string
/// above (the enum is `modelAsString`, and the service runs 17; rule PGP140
/// keeps versions Azure does not offer out).
pub(crate) fn server_version(major: u16) -> models::ServerVersion {
    use models::ServerVersion as V;
    match major {
        11 => V::N11,
        12 => V::N12,
        13 => V::N13,
        14 => V::N14,
        15 => V::N15,
        16 => V::N16,
        n => {
            debug_assert!(n > API_ENUM_MAX_VERSION);
            V::UnknownValue(n.to_string())
        }
    }
}

/// Storage size in whole GiB, as `storageSizeGB`. Rule PGP150 keeps every
/// size a whole number of GiB, at most 64 TiB (65,536 GiB), which `i32`
/// holds; the saturation below is never reached by a validated plan.
pub(crate) fn storage_gb(size: Bytes) -> i32 {
    i32::try_from(size.as_gib()).unwrap_or(i32::MAX)
}

/// A Premium SSD performance tier as the API's enum; rule PGP151 keeps the
/// plan's to the tiers the enum has.
fn performance_tier(tier: &str) -> storage::Tier {
    use storage::Tier as T;
    match tier {
        "P1" => T::P1,
        "P2" => T::P2,
        "P3" => T::P3,
        "P4" => T::P4,
        "P6" => T::P6,
        "P10" => T::P10,
        "P15" => T::P15,
        "P20" => T::P20,
        "P30" => T::P30,
        "P40" => T::P40,
        "P50" => T::P50,
        "P60" => T::P60,
        "P70" => T::P70,
        "P80" => T::P80,
        other => T::UnknownValue(other.to_owned()),
    }
}

fn storage(cx: &Ctx<'_>) -> models::Storage {
    let s = &cx.azure.storage;
    // Provisioned IOPS and throughput are Premium SSD v2's; on Premium SSD
    // the tier decides them (rule PGP152 warns when the plan sets them
    // there). PGP152 keeps v2's within 3,000–80,000 and 125–1,200, which
    // `i32` holds.
    let v2 = s.kind == AzureStorageType::PremiumV2Lrs;
    let provisioned = |n: Option<u32>| {
        n.filter(|_| v2)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
    };
    models::Storage {
        storage_size_gb: Some(storage_gb(s.size)),
        auto_grow: Some(if s.auto_grow {
            storage::AutoGrow::Enabled
        } else {
            storage::AutoGrow::Disabled
        }),
        tier: s
            .performance_tier
            .as_ref()
            .map(|t| performance_tier(t.as_str())),
        iops: provisioned(s.iops),
        throughput: provisioned(s.throughput_mbps),
        type_: Some(match s.kind {
            AzureStorageType::PremiumLrs => storage::Type::PremiumLrs,
            AzureStorageType::PremiumV2Lrs => storage::Type::PremiumV2Lrs,
        }),
    }
}

/// Where the administrator password comes from, when password
/// authentication is on. Rule PGP148 guarantees a source apply and the
/// script read themselves (Key Vault or an environment variable); the body
/// never holds the password.
fn admin_password(cx: &Ctx<'_>) -> Option<SecretInput> {
    let az = cx.azure;
    if !az.auth.password {
        return None;
    }
    let source = az
        .administrator_password
        .as_ref()
        .filter(|s| s.readable().is_some())?;
    Some(SecretInput {
        field: PASSWORD_FIELD.into(),
        source: source.clone(),
        description: source.describe(),
    })
}
