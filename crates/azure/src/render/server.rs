//! The primary server (`PUT flexibleServers/{name}`) and its restart.

use pgplan_core::azure_facts::API_ENUM_MAX_VERSION;

use pgplan_core::{AzureHaMode, AzureSku, AzureStorageType, Bytes, SecretSource, SkuTier};

use super::configuration::Parameter;
use super::{Ctx, network, plan_error};
use crate::Error;
use crate::models::{self, backup, high_availability, server_properties, sku, storage};
use crate::operation::{Body, Method, Operation, OperationKind, SecretInput};

/// JSON pointer of the administrator password in a server body.
pub const PASSWORD_FIELD: &str = "/properties/administratorLoginPassword";

pub(super) fn create(cx: &Ctx<'_>) -> Result<Operation, Error> {
    let az = cx.azure;
    let name = az.server_name.as_str();
    let mut notes = Vec::new();

    let storage = storage(cx)?;
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
    let password = admin_password(cx)?;
    let properties = models::ServerProperties {
        administrator_login: password
            .as_ref()
            .map(|_| az.administrator_login.as_str().to_owned()),
        version: Some(server_version(cx.plan.version.get())),
        storage: Some(storage),
        auth_config: Some(network::auth_config(cx)),
        backup,
        network: Some(network::server_network(cx)?),
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
    Ok(Operation {
        id: "server".into(),
        kind: OperationKind::ServerCreate,
        server: name.to_owned(),
        summary: format!(
            "create flexible server {name} (PostgreSQL {}, {} {}, {} GiB) in {}",
            cx.plan.version,
            az.sku.tier().map_or_else(String::new, |t| t.to_string()),
            az.sku.name,
            az.storage.size.as_gib(),
            az.region.to_string()
        ),
        method: Method::Put,
        path: cx.path(name, ""),
        body: Some(Body::Server(Box::new(server))),
        needs_restart: false,
        secrets: password.into_iter().collect(),
        placeholders: cx.placeholders(),
        notes,
    })
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
        notes: vec!["apply restarts only when a static parameter actually changed".to_owned()],
    })
}

/// The typed SKU.
pub(super) fn sku(sku: &AzureSku) -> models::Sku {
    // A validated plan always has a tier: explicit, or from the SKU's series
    // (rule PGP009 refuses an unknown series without one).
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
/// above (the enum is `modelAsString`, and the service runs 17).
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

/// Storage size in whole GiB, as `storageSizeGB`.
pub(crate) fn storage_gib(field: &str, size: Bytes) -> Result<i32, Error> {
    let gib = Bytes::gib(1).as_u64();
    if !size.as_u64().is_multiple_of(gib) || size.as_u64() == 0 {
        return Err(plan_error(
            field,
            format!("{} is not a whole number of GiB", size.human()),
            "Azure provisions storage in GiB: write it as e.g. 256Gi",
        ));
    }
    i32::try_from(size.as_gib()).map_err(|_| {
        plan_error(
            field,
            format!("{} is larger than Azure's API can express", size.human()),
            "use at most 32Ti (Premium SSD) or 64Ti (Premium SSD v2)",
        )
    })
}

fn storage(cx: &Ctx<'_>) -> Result<models::Storage, Error> {
    let s = &cx.azure.storage;
    let tier = match &s.performance_tier {
        None => None,
        Some(t) => {
            let parsed: storage::Tier =
                serde_json::from_value(serde_json::Value::String(t.to_string())).map_err(|e| {
                    Error::Serialize {
                        what: "storage tier".into(),
                        source: e,
                    }
                })?;
            if let storage::Tier::UnknownValue(v) = parsed {
                return Err(plan_error(
                    "platform.azure.storage.performance_tier",
                    format!("`{v}` is not a Premium SSD performance tier"),
                    "use one of P1, P2, P3, P4, P6, P10, P15, P20, P30, P40, P50, P60, P70, P80, or leave it out for the size's default",
                ));
            }
            Some(parsed)
        }
    };
    let as_i32 = |field: &str, n: Option<u32>| -> Result<Option<i32>, Error> {
        n.map(|n| {
            i32::try_from(n).map_err(|_| {
                plan_error(field, format!("{n} is out of range"), "use a smaller value")
            })
        })
        .transpose()
    };
    Ok(models::Storage {
        storage_size_gb: Some(storage_gib("platform.azure.storage.size", s.size)?),
        auto_grow: Some(if s.auto_grow {
            storage::AutoGrow::Enabled
        } else {
            storage::AutoGrow::Disabled
        }),
        tier,
        iops: as_i32("platform.azure.storage.iops", s.iops)?,
        throughput: as_i32("platform.azure.storage.throughput_mbps", s.throughput_mbps)?,
        type_: Some(match s.kind {
            AzureStorageType::PremiumLrs => storage::Type::PremiumLrs,
            AzureStorageType::PremiumV2Lrs => storage::Type::PremiumV2Lrs,
        }),
    })
}

/// The administrator password's source, checked: only sources apply and the
/// script can read on their own (an environment variable, Key Vault).
fn admin_password(cx: &Ctx<'_>) -> Result<Option<SecretInput>, Error> {
    const FIELD: &str = "platform.azure.administrator_password";
    let az = cx.azure;
    if !az.auth.password {
        return Ok(None);
    }
    if az.administrator_login.as_str().is_empty() {
        return Err(plan_error(
            "platform.azure.administrator_login",
            "the administrator login is empty",
            "name the administrator role (it cannot be changed after creation)",
        ));
    }
    let Some(source) = &az.administrator_password else {
        return Err(plan_error(
            FIELD,
            "password authentication is on but the plan does not say where the administrator password comes from",
            "set administrator_password: { key_vault: { vault, secret } } or { env: { var } }, or turn password authentication off (auth.password: false) and use Entra",
        ));
    };
    let unusable = |why: &str| {
        Err(plan_error(
            FIELD,
            format!("{} {why}", source.describe()),
            "keep the password in Key Vault ({ key_vault: { vault, secret } }) or pass it in an environment variable ({ env: { var } })",
        ))
    };
    match source {
        SecretSource::Env { .. } | SecretSource::KeyVault { .. } => Ok(Some(SecretInput {
            field: PASSWORD_FIELD.into(),
            source: source.clone(),
            description: source.describe(),
        })),
        SecretSource::Generated { .. } => {
            unusable("has nowhere to be kept on Azure, so nobody could log in with it")
        }
        SecretSource::KubernetesSecret { .. } => {
            unusable("is not reachable when creating an Azure server")
        }
        SecretSource::EntraIdentity { .. } => {
            unusable("is not a password; for an Entra-only server set auth.password: false")
        }
        SecretSource::Literal(_) => unusable("would put the password in the rendered files"),
    }
}
