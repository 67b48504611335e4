//! The server create command and the administrator password it needs.

use std::fmt::Write as _;

use pgplan_core::{Azure, AzureHaMode, AzureStorageType, ReadableSecret, ValidPlan};

use super::words::{Az, PASSWORD_VAR, Word, comment};
use super::{NetworkVars, tier_word, vnet_flags};
use crate::models::{self, storage};

/// Reads the administrator password into [`PASSWORD_VAR`], never echoing
/// it: the lines to run before the create.
pub(super) fn read_secret(description: &str, source: ReadableSecret<'_>) -> String {
    let mut out = format!(
        "# {}\n",
        comment(&format!(
            "Administrator password: {description} (never printed)."
        ))
    );
    match source {
        ReadableSecret::Env(var) => {
            let _ = writeln!(
                out,
                "{PASSWORD_VAR}=\"${{{var}:?set {var} to the administrator password}}\""
            );
        }
        ReadableSecret::KeyVault { vault, secret } => {
            // Key Vault is a data-plane call: no --subscription.
            let cmd = Az::new("keyvault secret show")
                .opt("--vault-name", vault.as_str())
                .opt("--name", secret.as_str())
                .opt("--query", "value")
                .opt("--output", "tsv");
            let _ = writeln!(out, "{PASSWORD_VAR}=\"$({})\"", cmd.render());
        }
    }
    out
}

pub(super) fn server_create(
    plan: &ValidPlan,
    az: &Azure,
    server: &models::Server,
    with_password: bool,
    network: Option<&NetworkVars>,
) -> Az {
    let props = server.properties.clone().unwrap_or_default();
    let storage = props.storage.clone().unwrap_or_default();
    let mut cmd = Az::new("postgres flexible-server create")
        .opt("--resource-group", az.resource_group.as_str())
        .opt("--name", az.server_name.as_str())
        .opt("--location", &server.tracked_resource.location);
    if let Some(sku) = &server.sku {
        cmd = cmd
            .opt("--tier", tier_word(&sku.tier))
            .opt("--sku-name", &sku.name);
    }
    cmd = cmd
        .opt("--version", plan.version.to_string())
        .opt_if(
            "--storage-size",
            storage.storage_size_gb.map(|g| g.to_string()),
        )
        .opt(
            "--storage-type",
            match az.storage.kind {
                AzureStorageType::PremiumLrs => "Premium_LRS",
                AzureStorageType::PremiumV2Lrs => "PremiumV2_LRS",
            },
        )
        .opt(
            "--storage-auto-grow",
            if storage.auto_grow == Some(storage::AutoGrow::Enabled) {
                "Enabled"
            } else {
                "Disabled"
            },
        )
        .opt_if(
            "--performance-tier",
            storage
                .tier
                .as_ref()
                .and_then(|t| serde_json::to_value(t).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
        )
        .opt_if("--iops", storage.iops.map(|n| n.to_string()))
        .opt_if("--throughput", storage.throughput.map(|n| n.to_string()))
        .opt_if("--zone", props.availability_zone.clone());
    match az.high_availability.mode {
        AzureHaMode::Disabled => {}
        AzureHaMode::ZoneRedundant => {
            cmd = cmd
                .opt("--zonal-resiliency", "Enabled")
                .opt_if("--standby-zone", az.high_availability.standby_zone.clone());
        }
        AzureHaMode::SameZone => {
            cmd = cmd
                .opt("--zonal-resiliency", "Enabled")
                .flag("--allow-same-zone")
                .opt_if("--standby-zone", az.high_availability.standby_zone.clone());
        }
    }
    if let Some(backup) = &props.backup {
        cmd = cmd
            .opt_if(
                "--backup-retention",
                backup.backup_retention_days.map(|d| d.to_string()),
            )
            .opt(
                "--geo-redundant-backup",
                if backup.geo_redundant_backup == Some(models::backup::GeoRedundantBackup::Enabled)
                {
                    "Enabled"
                } else {
                    "Disabled"
                },
            );
    }
    match network {
        Some(vars) => cmd = vnet_flags(cmd, vars),
        // Public access without a blanket rule; the plan's rules follow.
        None => cmd = cmd.opt("--public-access", "None"),
    }
    cmd = cmd
        .opt(
            "--microsoft-entra-auth",
            if az.auth.entra { "Enabled" } else { "Disabled" },
        )
        .opt(
            "--password-auth",
            if az.auth.password {
                "Enabled"
            } else {
                "Disabled"
            },
        );
    if with_password {
        cmd = cmd
            .opt("--admin-user", az.administrator_login.as_str())
            .secret("--admin-password", PASSWORD_VAR);
    }
    if !plan.labels.is_empty() {
        let tags = plan
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        cmd.options.push(("--tags".into(), Some(Word::Lits(tags))));
    }
    // The create command prints the server (and the password it was given)
    // unless told not to.
    cmd.flag("--yes").opt("--output", "none")
}
