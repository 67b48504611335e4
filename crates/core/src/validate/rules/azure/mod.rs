//! The Azure Database for PostgreSQL Flexible Server rules, PGP140–PGP179:
//! one file per check (PGP140–PGP174 together replace PGP009; PGP175–PGP178
//! cover what the deploy script and apply run beyond the server: Entra
//! principals, metric alerts, logical backups). Each runs only on
//! plans whose platform is Azure, and together they guarantee that a plan
//! that validates renders: every check the Azure backend needs is one of
//! them (or a generic rule, such as PGP015 for parameter names and values).
//! `support` holds what several rules share.

mod support;

mod admin_login;
mod admin_password;
mod alert_metrics;
mod authentication;
mod backup_retention;
mod burstable_limits;
mod database_collation;
mod database_names;
mod delegated_subnet;
mod entra_administrators;
mod entra_roles;
mod extension_allow_list;
mod extensions_parameter;
mod firewall_private_access;
mod firewall_rules;
mod geo_backup;
mod ha_region;
mod ha_zones;
mod logical_backups;
mod managed_parameters;
mod max_connections;
mod metric_alerts;
mod performance_tier;
mod pg_stat_statements;
mod preload_libraries;
mod premium_ssd_v2_limits;
mod private_dns_zone;
mod replica_compute;
mod replica_count;
mod replica_names;
mod replica_network;
mod replica_storage;
mod role_attributes;
mod server_properties;
mod settings_method;
mod sku_capacity;
mod sku_tier;
mod storage_iops;
mod storage_size;
mod version;

pub use admin_login::AzureAdminLogin;
pub use admin_password::AzureAdminPassword;
pub use alert_metrics::AzureAlertMetrics;
pub use authentication::AzureAuthentication;
pub use backup_retention::AzureBackupRetention;
pub use burstable_limits::AzureBurstableLimits;
pub use database_collation::AzureDatabaseCollation;
pub use database_names::AzureDatabaseNames;
pub use delegated_subnet::AzureDelegatedSubnet;
pub use entra_administrators::AzureEntraAdministrators;
pub use entra_roles::AzureEntraRoles;
pub use extension_allow_list::AzureExtensionAllowList;
pub use extensions_parameter::AzureExtensionsParameter;
pub use firewall_private_access::AzureFirewallPrivateAccess;
pub use firewall_rules::AzureFirewallRules;
pub use geo_backup::AzureGeoBackup;
pub use ha_region::AzureHaRegion;
pub use ha_zones::AzureHaZones;
pub use logical_backups::AzureLogicalBackups;
pub use managed_parameters::AzureManagedParameters;
pub use max_connections::AzureMaxConnections;
pub use metric_alerts::AzureMetricAlerts;
pub use performance_tier::AzurePerformanceTier;
pub use pg_stat_statements::AzurePgStatStatements;
pub use preload_libraries::AzurePreloadLibraries;
pub use premium_ssd_v2_limits::AzurePremiumSsdV2Limits;
pub use private_dns_zone::AzurePrivateDnsZone;
pub use replica_compute::AzureReplicaCompute;
pub use replica_count::AzureReplicaCount;
pub use replica_names::AzureReplicaNames;
pub use replica_network::AzureReplicaNetwork;
pub use replica_storage::AzureReplicaStorage;
pub use role_attributes::AzureRoleAttributes;
pub use server_properties::AzureServerProperties;
pub use settings_method::AzureSettingsMethod;
pub use sku_capacity::AzureSkuCapacity;
pub use sku_tier::AzureSkuTier;
pub use storage_iops::AzureStorageIops;
pub use storage_size::AzureStorageSize;
pub use version::AzureVersion;

#[cfg(test)]
mod tests {
    use crate::validate::{RuleInfo, Severity};
    use crate::{Plan, Report};

    /// The first and last id of the Azure rules' range.
    const IDS: (u16, u16) = (140, 179);

    fn number(info: &RuleInfo) -> u16 {
        info.id
            .strip_prefix("PGP")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{info}: not a PGPnnn id"))
    }

    fn azure_rules() -> Vec<&'static RuleInfo> {
        super::super::ALL
            .iter()
            .map(|r| r.info())
            .filter(|i| (IDS.0..=IDS.1).contains(&number(i)))
            .collect()
    }

    fn read(path: &str, text: &str) -> Plan {
        let plan = Plan::from_yaml(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            plan.platform.azure().is_some(),
            "{path} is not an Azure plan"
        );
        plan
    }

    fn listing(report: &Report) -> String {
        report.to_string()
    }

    #[test]
    fn every_azure_rule_fails_its_failing_example_and_passes_its_fix() {
        let rules = azure_rules();
        assert_eq!(rules.len(), 40, "{rules:?}");
        for info in rules {
            // PGP140–PGP174 split PGP009; the later ones are new checks.
            let replaces: &[&str] = if number(info) <= 174 {
                &["PGP009"]
            } else {
                &[]
            };
            assert_eq!(info.replaces, replaces, "{info}");
            assert!(info.name.starts_with("azure-"), "{info}");
            assert!(
                !info.summary.is_empty() && !info.rationale.is_empty(),
                "{info}"
            );
            let ex = info
                .examples
                .unwrap_or_else(|| panic!("{info} has no examples"));
            let stem = format!("{}-{}.yaml", info.id, info.name);
            assert!(ex.fail_path.ends_with(&stem), "{}", ex.fail_path);
            assert!(ex.fixed_path.ends_with(&stem), "{}", ex.fixed_path);
            assert!(
                ex.fail.starts_with("# "),
                "{}: the first line says what is wrong",
                ex.fail_path
            );

            let report = read(ex.fail_path, ex.fail).report();
            assert!(
                report.by_id(info.id).next().is_some(),
                "{} does not report {info}:\n{}",
                ex.fail_path,
                listing(&report)
            );
            // The example shows this rule's problem and no other.
            let others: Vec<_> = report.errors().filter(|d| d.rule.id != info.id).collect();
            assert!(
                others.is_empty(),
                "{} has errors of other rules: {others:#?}",
                ex.fail_path
            );

            let report = read(ex.fixed_path, ex.fixed).report();
            assert_eq!(
                report.count(Severity::Error),
                0,
                "{}:\n{}",
                ex.fixed_path,
                listing(&report)
            );
            assert!(
                report.by_id(info.id).next().is_none(),
                "{} still reports {info}:\n{}",
                ex.fixed_path,
                listing(&report)
            );
        }
    }

    #[test]
    fn azure_ids_are_registered_in_order_and_names_are_unique() {
        let rules = azure_rules();
        let numbers: Vec<u16> = rules.iter().map(|i| number(i)).collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(numbers, sorted, "registered out of order or twice");
        let mut names: Vec<&str> = rules.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rules.len());
        assert!(crate::validate::rules::by_id("PGP009").is_none());
        assert_eq!(
            crate::validate::rules::by_id("pgp150").map(|i| i.name),
            Some("azure-storage-size")
        );
    }
}
