//! PGP009 azure (server): the server name, the PostgreSQL version, the compute
//! SKU, high availability and its zones, and authentication of an Azure
//! Database for PostgreSQL Flexible Server.

use crate::azure_facts;
use crate::model::platform::{Azure, AzureHaMode, AzureSku, SkuTier};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP009, server settings.
pub struct AzureServer;

const ID: &str = "PGP009";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-server",
    summary: "an Azure Flexible Server's name, version, SKU, high availability, zones and authentication must be ones the service accepts",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureServer {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        check_version(cx, out);
        check_sku(&az.sku, "platform.azure.sku", out);
        check_high_availability(az, out);
        check_auth(cx, az, out);
    }
}

fn check_version(cx: &Context<'_>, out: &mut Findings<'_>) {
    let version = cx.plan.version.get();
    let supported: Vec<String> = azure_facts::SUPPORTED_VERSIONS
        .iter()
        .map(u16::to_string)
        .collect();
    let newest = azure_facts::SUPPORTED_VERSIONS
        .iter()
        .copied()
        .max()
        .unwrap_or(azure_facts::API_ENUM_MAX_VERSION);
    if !azure_facts::SUPPORTED_VERSIONS.contains(&version) {
        out.error(            "version",
            format!(
                "PostgreSQL {version} is not available on Azure Flexible Server; new servers run {}",
                supported.join(", ")
            ),
            format!(
                "set version: {newest}, or run PostgreSQL {version} on the kubernetes or local platform"
            ));
    } else if version > azure_facts::API_ENUM_MAX_VERSION {
        out.info(            "version",
            format!(
                "PostgreSQL {version}: the 2024-08-01 API's ServerVersion enum stops at {}; pgplan sends \"{version}\" as a string, which the API accepts (the enum is modelAsString)",
                azure_facts::API_ENUM_MAX_VERSION
            ),
            "nothing to change; check that the region offers this version before applying");
    }
}

/// Checks a SKU's tier against its name and that pgplan knows its capacity.
/// Shared with the read replicas' checks.
pub(super) fn check_sku(sku: &AzureSku, path: &str, out: &mut Findings<'_>) {
    match (sku.name.tier(), sku.tier) {
        (Some(expected), Some(tier)) if expected != tier => out.error(
            format!("{path}.tier"),
            format!(
                "SKU {} is a {expected} size, but the tier is {tier}",
                sku.name
            ),
            format!(
                "remove tier (the SKU's series gives it), or pick a {tier} SKU ({})",
                match tier {
                    SkuTier::Burstable => "Standard_B…",
                    SkuTier::GeneralPurpose => "Standard_D…",
                    SkuTier::MemoryOptimized => "Standard_E…",
                }
            ),
        ),
        (None, None) => out.error(
            format!("{path}.tier"),
            format!(
                "pgplan does not know the tier of SKU {}: B sizes are Burstable, D GeneralPurpose and E MemoryOptimized",
                sku.name
            ),
            "set tier: Burstable, GeneralPurpose or MemoryOptimized",
        ),
        _ => {}
    }
    if sku.capacity().is_none() {
        out.warning(            format!("{path}.name"),
            format!(
                "pgplan does not know the vCores and memory of SKU {}: memory-based checks and derived memory settings are skipped",
                sku.name
            ),
            "set vcores and memory on the SKU (e.g. vcores: 4, memory: 16Gi), or use a SKU pgplan knows such as Standard_D4s_v3");
    }
}

fn check_high_availability(az: &Azure, out: &mut Findings<'_>) {
    let ha = &az.high_availability;
    let region = az.region.as_str();
    if ha.mode == AzureHaMode::Disabled {
        if let Some(standby) = &ha.standby_zone {
            out.error(                "platform.azure.high_availability.standby_zone",
                format!(
                    "standby_zone {standby} is set but high availability is disabled: there is no standby"
                ),
                "set high_availability.mode: zone_redundant (or same_zone), or remove standby_zone");
        }
        return;
    }
    let mode = match ha.mode {
        AzureHaMode::ZoneRedundant => "zone_redundant",
        _ => "same_zone",
    };
    if az.sku.tier() == Some(SkuTier::Burstable) {
        out.error(            "platform.azure.high_availability.mode",
            format!(
                "high availability ({mode}) is not supported for the Burstable tier ({})",
                az.sku.name
            ),
            "use GeneralPurpose or MemoryOptimized compute (e.g. Standard_D2ds_v5), or set high_availability.mode: disabled");
    }
    match ha.mode {
        AzureHaMode::ZoneRedundant => {
            match azure_facts::supports_zone_redundant_ha(region) {
                Some(false) => {
                    let alternative = azure_facts::paired_region(region)
                        .filter(|p| azure_facts::supports_zone_redundant_ha(p) == Some(true))
                        .map(|p| format!(" such as {p}"))
                        .unwrap_or_default();
                    out.error(                        "platform.azure.high_availability.mode",
                        format!(
                            "zone-redundant high availability is not available in {region}, a region without availability zones for it"
                        ),
                        format!(
                            "use mode: same_zone in {region}, or a region with zone-redundant HA{alternative}"
                        ));
                }
                None => out.info(                    "platform.azure.region",
                    format!(
                        "pgplan does not know whether {region} offers zone-redundant high availability"
                    ),
                    "check the regions table of Azure Database for PostgreSQL before applying; a single-zone region rejects zone_redundant"),
                Some(true) => {}
            }
            match (az.zone.as_ref().map(|z| z.as_str()), ha.standby_zone.as_ref().map(|z| z.as_str())) {
                (Some(primary), Some(standby)) if primary == standby => out.error(                    "platform.azure.high_availability.standby_zone",
                    format!(
                        "standby zone {standby} is the primary's zone {primary}; zone-redundant HA needs the standby in another zone"
                    ),
                    format!(
                        "set standby_zone to another zone ({}), or use mode: same_zone",
                        ["1", "2", "3"]
                            .iter()
                            .filter(|z| **z != primary)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )),
                (Some(_), Some(_)) => {}
                (Some(primary), None) => out.info(                    "platform.azure.high_availability.standby_zone",
                    format!(
                        "no standby zone: Azure picks a zone other than the primary's zone {primary}"
                    ),
                    "set high_availability.standby_zone to choose it"),
                (None, Some(standby)) => out.info(                    "platform.azure.zone",
                    format!(
                        "no primary zone: Azure picks the primary's zone, another than standby zone {standby}"
                    ),
                    "set platform.azure.zone to choose it (it cannot be changed after creation)"),
                (None, None) => out.info(                    "platform.azure.zone",
                    "no zones: Azure picks both the primary's and the standby's zone",
                    "set platform.azure.zone and high_availability.standby_zone (e.g. 1 and 2) to keep the primary near its clients"),
            }
        }
        AzureHaMode::SameZone => {
            if let (Some(primary), Some(standby)) = (
                az.zone.as_ref().map(|z| z.as_str()),
                ha.standby_zone.as_ref().map(|z| z.as_str()),
            ) && primary != standby
            {
                out.error(                    "platform.azure.high_availability.standby_zone",
                    format!(
                        "same-zone HA keeps the standby in the primary's zone {primary}, but standby_zone is {standby}"
                    ),
                    "remove standby_zone, or use mode: zone_redundant for a standby in another zone");
            }
        }
        AzureHaMode::Disabled => {}
    }
}

fn check_auth(cx: &Context<'_>, az: &Azure, out: &mut Findings<'_>) {
    let auth = &az.auth;
    if !auth.password && !auth.entra {
        out.error(
            "platform.azure.auth",
            "both password and Microsoft Entra authentication are off: nobody can log in",
            "set auth.password: true, or auth.entra: true with administrators",
        );
    }
    if auth.entra && auth.administrators.is_empty() {
        out.warning(            "platform.azure.auth.administrators",
            "Microsoft Entra authentication is on but no Entra administrator is planned: no Entra principal can log in or create Entra roles until one is added",
            "add administrators: [{ principal_name: <group or user>, principal_type: Group }]");
    }
    if auth.password && az.administrator_password.is_none() {
        out.error(            "platform.azure.administrator_password",
            format!(
                "password authentication is on but the administrator `{}` has no password source; the server cannot be created without one",
                az.administrator_login
            ),
            "set administrator_password: { key_vault: { vault, secret } } (or { env: { var } }, or { generated: {} })");
    }
    let login = az.administrator_login.as_str().to_ascii_lowercase();
    if azure_facts::RESERVED_ADMIN_LOGINS.contains(&login.as_str()) || login.starts_with("pg_") {
        out.error(            "platform.azure.administrator_login",
            format!(
                "administrator_login `{}` is reserved: Azure rejects {} and names starting with pg_",
                az.administrator_login,
                azure_facts::RESERVED_ADMIN_LOGINS.join(", ")
            ),
            format!(
                "choose another login, e.g. `{}_admin`; it cannot be changed after the server is created",
                cx.plan.service.as_str().replace('-', "_")
            ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{AzureHighAvailability, EntraAdmin, MajorVersion, Platform};

    fn azure(plan: &mut crate::Plan) -> &mut Azure {
        match &mut plan.platform {
            Platform::Azure(az) => az,
            _ => panic!("not an Azure plan"),
        }
    }

    #[test]
    fn reference_plan_passes() {
        let d = run(&AzureServer, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn other_platforms_are_not_checked() {
        assert!(run(&AzureServer, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn server_names_follow_azure_rules() {
        for (name, why) in [
            ("pg", "2 characters long"),
            ("Phonebill-PG", "`P` is not allowed"),
            ("bill_inquiry", "`_` is not allowed"),
            ("-bill", "start or end with a hyphen"),
            ("bill--pg", "two hyphens"),
        ] {
            let mut plan = azure_reference_plan();
            azure(&mut plan).server_name = name.into();
            let d = run(&AzureServer, &plan);
            let d = diagnostic_at(&d, "platform.azure.server_name");
            assert_eq!(d.severity, Severity::Error);
            assert!(d.message.contains(why), "{name}: {}", d.message);
            assert!(d.message.contains(name), "{}", d.message);
        }
        assert_eq!(suggest_server_name("Bill_Inquiry--PG"), "bill-inquiry-pg");
        assert_eq!(suggest_server_name("x"), "x-pg");
        assert!(server_name_problem(&suggest_server_name("Bill_Inquiry--PG")).is_none());
    }

    #[test]
    fn version_18_is_not_available_and_17_is_sent_as_a_string() {
        let mut plan = azure_reference_plan();
        plan.version = MajorVersion::new(18).unwrap();
        let d = run(&AzureServer, &plan);
        let v = diagnostic_at(&d, "version");
        assert_eq!(v.severity, Severity::Error);
        assert!(
            v.message
                .contains("PostgreSQL 18 is not available on Azure Flexible Server"),
            "{}",
            v.message
        );
        assert!(v.message.contains("14, 15, 16, 17"), "{}", v.message);
        assert!(v.help.contains("version: 17"), "{}", v.help);

        plan.version = MajorVersion::new(17).unwrap();
        let d = run(&AzureServer, &plan);
        let v = diagnostic_at(&d, "version");
        assert_eq!(v.severity, Severity::Info);
        assert!(v.message.contains("enum stops at 16"), "{}", v.message);
        assert!(v.message.contains("\"17\" as a string"), "{}", v.message);

        plan.version = MajorVersion::new(16).unwrap();
        assert!(run(&AzureServer, &plan).is_empty());
    }

    #[test]
    fn sku_tier_must_match_the_name() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).sku.tier = SkuTier::MemoryOptimized;
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.sku.tier");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains(
                "Standard_D4s_v3 is a GeneralPurpose size, but the tier is MemoryOptimized"
            ),
            "{}",
            d.message
        );
    }

    #[test]
    fn unknown_sku_warns() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).sku.name = "Standard_D4s_v9".into();
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.sku.name");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("Standard_D4s_v9"), "{}", d.message);
        let mut plan = azure_reference_plan();
        let az = azure(&mut plan);
        az.sku.name = "Standard_D4s_v9".into();
        az.sku.vcores = Some(4);
        az.sku.memory = Some(crate::Bytes::gib(16));
        assert!(run(&AzureServer, &plan).is_empty());
    }

    #[test]
    fn no_high_availability_on_burstable() {
        let mut plan = azure_reference_plan();
        let az = azure(&mut plan);
        az.sku.tier = SkuTier::Burstable;
        az.sku.name = "Standard_B2s".into();
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.high_availability.mode");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("not supported for the Burstable tier (Standard_B2s)"),
            "{}",
            d.message
        );
        let mut plan = plan.clone();
        azure(&mut plan).high_availability = AzureHighAvailability::default();
        assert!(run(&AzureServer, &plan).is_empty());
    }

    #[test]
    fn zone_redundant_standby_must_be_in_another_zone() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).high_availability.standby_zone = Some("1".into());
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.high_availability.standby_zone");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("standby zone 1 is the primary's zone 1"),
            "{}",
            d.message
        );
        assert!(d.help.contains("2 or 3"), "{}", d.help);
    }

    #[test]
    fn missing_zones_say_which_azure_picks() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).high_availability.standby_zone = None;
        let d = run(&AzureServer, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "platform.azure.high_availability.standby_zone");
        assert!(
            d[0].message
                .contains("Azure picks a zone other than the primary's zone 1"),
            "{}",
            d[0].message
        );
        azure(&mut plan).zone = None;
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.zone");
        assert_eq!(d.severity, Severity::Info);
        assert!(d.message.contains("picks both"), "{}", d.message);
    }

    #[test]
    fn zones_are_one_two_or_three() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).zone = Some("4".into());
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.zone");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("`4` does not exist"), "{}", d.message);
    }

    #[test]
    fn standby_zone_without_high_availability() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).high_availability.mode = AzureHaMode::Disabled;
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.high_availability.standby_zone");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("standby_zone 2 is set"), "{}", d.message);
    }

    #[test]
    fn same_zone_standby_in_another_zone() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).high_availability.mode = AzureHaMode::SameZone;
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.high_availability.standby_zone");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("zone 1, but standby_zone is 2"),
            "{}",
            d.message
        );
    }

    #[test]
    fn zone_redundant_needs_a_region_with_zones() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).region = "Korea South".into();
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.high_availability.mode");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("not available in koreasouth"),
            "{}",
            d.message
        );
        assert!(d.help.contains("such as koreacentral"), "{}", d.help);

        azure(&mut plan).region = "atlantis".into();
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.region");
        assert_eq!(d.severity, Severity::Info);
        assert!(d.message.contains("atlantis"), "{}", d.message);
    }

    #[test]
    fn entra_without_administrators_warns() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).auth.entra = true;
        let d = run(&AzureServer, &plan);
        let w = diagnostic_at(&d, "platform.azure.auth.administrators");
        assert_eq!(w.severity, Severity::Warning);
        azure(&mut plan).auth.administrators.push(
            EntraAdmin::builder()
                .principal_name("phonebill-admin")
                .build(),
        );
        assert!(run(&AzureServer, &plan).is_empty());
    }

    #[test]
    fn password_auth_needs_an_administrator_password() {
        let mut plan = azure_reference_plan();
        azure(&mut plan).administrator_password = None;
        let d = run(&AzureServer, &plan);
        let d = diagnostic_at(&d, "platform.azure.administrator_password");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("`pgadmin` has no password source"),
            "{}",
            d.message
        );
        // Entra only: no password needed.
        let az = azure(&mut plan);
        az.auth.password = false;
        az.auth.entra = true;
        az.auth.administrators.push(
            EntraAdmin::builder()
                .principal_name("phonebill-admin")
                .build(),
        );
        assert!(run(&AzureServer, &plan).is_empty());
        azure(&mut plan).auth.entra = false;
        let d = run(&AzureServer, &plan);
        assert_eq!(
            diagnostic_at(&d, "platform.azure.auth").severity,
            Severity::Error
        );
    }

    #[test]
    fn reserved_administrator_logins() {
        for login in ["postgres", "azure_superuser", "Admin", "pg_admin"] {
            let mut plan = azure_reference_plan();
            azure(&mut plan).administrator_login = login.into();
            let d = run(&AzureServer, &plan);
            let d = diagnostic_at(&d, "platform.azure.administrator_login");
            assert_eq!(d.severity, Severity::Error, "{login}");
            assert!(
                d.message.contains(&format!("`{login}` is reserved")),
                "{}",
                d.message
            );
            assert!(d.help.contains("`bill_inquiry_admin`"), "{}", d.help);
        }
    }
}
