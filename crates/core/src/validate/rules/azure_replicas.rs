//! PGP009 azure (read replicas): at most five, never on Burstable, each with
//! a valid name and at least the primary's storage and compute. (The hot
//! standby parameters a replica must match are PGP007's.)

use std::collections::BTreeMap;

use crate::azure_facts;
use crate::model::platform::SkuTier;
use crate::validate::{Context, Findings, Rule, RuleInfo};

use super::azure_network::check_private;
use super::azure_server::check_sku;
use crate::model::azure_names::AzureServerName;

/// PGP009, read replicas.
pub struct AzureReadReplicas;

const ID: &str = "PGP009";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-read-replicas",
    summary: "Azure read replicas: at most 5, General Purpose or Memory Optimized only, storage and compute at least the primary's",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureReadReplicas {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        let replicas = &cx.plan.topology.replicas;
        if replicas.is_empty() {
            return;
        }
        if replicas.len() > azure_facts::MAX_READ_REPLICAS {
            out.error(                "topology.replicas",
                format!(
                    "{} read replicas are planned; Azure allows at most {} per primary (and no cascading replicas)",
                    replicas.len(),
                    azure_facts::MAX_READ_REPLICAS
                ),
                format!(
                    "remove {} replica(s), or spread the reads over a pooler or a second primary",
                    replicas.len() - azure_facts::MAX_READ_REPLICAS
                ));
        }
        if az.sku.tier() == Some(SkuTier::Burstable) {
            out.error(                "platform.azure.sku.tier",
                format!(
                    "read replicas are not supported for the Burstable tier ({}), and {} are planned",
                    az.sku.name,
                    replicas.len()
                ),
                "use GeneralPurpose or MemoryOptimized compute for the primary, or remove topology.replicas");
        }
        let primary_capacity = az.sku.capacity();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, replica) in replicas.iter().enumerate() {
            let path = format!("topology.replicas[{i}]");
            let region = replica.region.as_ref().unwrap_or(&az.region).as_str();
            match (&az.network.private, &replica.network) {
                (_, Some(private)) => {
                    check_private(
                        replica.name.as_str(),
                        private,
                        &format!("{path}.network"),
                        out,
                    );
                }
                (Some(_), None) if region != az.region.as_str() => {
                    out.error(                        format!("{path}.network"),
                        format!(
                            "replica `{}` is in {region} but the primary is VNet-injected in {}: a VNet belongs to one region, so the replica needs a delegated subnet in a VNet in {region}, which the plan does not give",
                            replica.name, az.region
                        ),
                        format!(
                            "add `network:` to the replica with a VNet and delegated subnet in {region} and a private DNS zone (e.g. {}.private{}) linked to the clients' VNet",
                            replica.name,
                            azure_facts::PRIVATE_DNS_ZONE_SUFFIX
                        ));
                }
                _ => {}
            }
            if let Err(e) = AzureServerName::new(replica.name.as_str()) {
                out.error(
                    format!("{path}.name"),
                    format!("replica name `{}` is not a valid server name: {}", replica.name, e.reason),
                    "a replica is a server of its own: use 3–63 lowercase letters, digits and single hyphens",
                );
            }
            if replica.name.as_str() == az.server_name.as_str() {
                out.error(
                    format!("{path}.name"),
                    format!(
                        "replica name `{}` is the primary's server name",
                        replica.name
                    ),
                    format!("name it e.g. `{}-replica`", az.server_name),
                );
            } else if let Some(first) = seen.insert(replica.name.as_str(), i) {
                out.error(
                    format!("{path}.name"),
                    format!(
                        "replica name `{}` is already used by topology.replicas[{first}]",
                        replica.name
                    ),
                    "give every replica its own server name",
                );
            }
            if let Some(sku) = &replica.sku {
                check_sku(sku, &format!("{path}.sku"), out);
                if sku.tier() == Some(SkuTier::Burstable) {
                    out.error(                        format!("{path}.sku.tier"),
                        format!(
                            "replica `{}` is Burstable ({}); read replicas must be GeneralPurpose or MemoryOptimized",
                            replica.name, sku.name
                        ),
                        format!("use {} (the primary's SKU) or larger", az.sku.name));
                }
                if let (Some((p_cores, p_mem)), Some((r_cores, r_mem))) =
                    (primary_capacity, sku.capacity())
                {
                    let both = format!(
                        "replica `{}` has {} ({r_cores} vCores, {}) but the primary has {} ({p_cores} vCores, {})",
                        replica.name,
                        sku.name,
                        r_mem.human(),
                        az.sku.name,
                        p_mem.human()
                    );
                    if r_mem < p_mem {
                        out.error(                            format!("{path}.sku"),
                            format!(
                                "{both}; Azure needs a replica's compute to be at least the primary's: with less memory it cannot keep max_connections and the other hot-standby settings at the primary's values, and it falls behind under the primary's write load"
                            ),
                            format!(
                                "use {} or larger for the replica (or remove sku to use the primary's)",
                                az.sku.name
                            ));
                    } else if r_cores < p_cores {
                        out.warning(                            format!("{path}.sku"),
                            format!(
                                "{both}; with fewer vCores it may not replay the primary's WAL as fast as it is written"
                            ),
                            format!("use {} or larger for the replica", az.sku.name));
                    }
                }
            }
            if let Some(size) = replica.storage
                && size < az.storage.size
            {
                out.error(                    format!("{path}.storage"),
                    format!(
                        "replica `{}` has {} of storage, less than the primary's {}; Azure needs replica storage at least the primary's",
                        replica.name,
                        size.human(),
                        az.storage.size.human()
                    ),
                    format!(
                        "set storage: {} or remove it (the primary's size is used)",
                        az.storage.size.to_kubernetes()
                    ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{AzureSku, Bytes, ReadReplica};

    /// A replica in Korea South with a VNet integration of its own there (the
    /// reference primary is VNet-injected in Korea Central).
    fn replica(name: &str) -> ReadReplica {
        ReadReplica::builder()
            .name(name)
            .region("koreasouth")
            .network(
                crate::PrivateAccess::builder()
                    .vnet("phonebill-vnet-koreasouth")
                    .subnet("database-subnet")
                    .subnet_delegated(true)
                    .private_dns_zone(format!("{name}.private.postgres.database.azure.com"))
                    .build(),
            )
            .build()
    }

    fn sku(name: &str, tier: SkuTier) -> AzureSku {
        AzureSku::builder().tier(tier).name(name).build()
    }

    #[test]
    fn a_replica_like_the_primary_passes() {
        let mut plan = azure_reference_plan();
        let mut r = replica("phonebill-bill-inquiry-prod-pg-replica");
        r.sku = Some(sku("Standard_D4s_v3", SkuTier::GeneralPurpose));
        r.storage = Some(Bytes::gib(512));
        plan.topology.replicas = vec![r];
        let d = run(&AzureReadReplicas, &plan);
        assert!(d.is_empty(), "{d:#?}");
        assert!(run(&AzureReadReplicas, &azure_reference_plan()).is_empty());
    }

    #[test]
    fn seed_001_replica_is_smaller_than_the_primary() {
        let mut plan = azure_reference_plan();
        let mut r = replica("phonebill-bill-inquiry-prod-pg-replica");
        r.sku = Some(sku("Standard_D2s_v3", SkuTier::GeneralPurpose));
        r.storage = Some(Bytes::gib(128));
        plan.topology.replicas = vec![r];
        let d = run(&AzureReadReplicas, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let compute = diagnostic_at(&d, "topology.replicas[0].sku");
        assert_eq!(compute.severity, Severity::Error);
        assert!(
            compute.message.contains(
                "has Standard_D2s_v3 (2 vCores, 8 GiB) but the primary has Standard_D4s_v3 (4 vCores, 16 GiB)"
            ),
            "{}",
            compute.message
        );
        assert!(compute.help.contains("Standard_D4s_v3 or larger"));
        let storage = diagnostic_at(&d, "topology.replicas[0].storage");
        assert_eq!(storage.severity, Severity::Error);
        assert!(
            storage
                .message
                .contains("128 GiB of storage, less than the primary's 256 GiB"),
            "{}",
            storage.message
        );
        assert!(storage.help.contains("storage: 256Gi"), "{}", storage.help);
    }

    #[test]
    fn fewer_cores_with_enough_memory_warns() {
        let mut plan = azure_reference_plan();
        let mut r = replica("bill-replica");
        r.sku = Some(sku("Standard_E2ds_v5", SkuTier::MemoryOptimized));
        plan.topology.replicas = vec![r];
        let d = run(&AzureReadReplicas, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("(2 vCores, 16 GiB)"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn at_most_five_replicas() {
        let mut plan = azure_reference_plan();
        plan.topology.replicas = (1..=6)
            .map(|i| replica(&format!("bill-replica-{i}")))
            .collect();
        let d = run(&AzureReadReplicas, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "topology.replicas");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message
                .contains("6 read replicas are planned; Azure allows at most 5")
        );
        plan.topology.replicas.pop();
        assert!(run(&AzureReadReplicas, &plan).is_empty());
    }

    #[test]
    fn no_replicas_on_burstable() {
        let mut plan = azure_reference_plan();
        if let crate::Platform::Azure(az) = &mut plan.platform {
            az.sku = sku("Standard_B2s", SkuTier::Burstable);
        }
        let mut r = replica("bill-replica");
        r.sku = Some(sku("Standard_B2s", SkuTier::Burstable));
        plan.topology.replicas = vec![r];
        let d = run(&AzureReadReplicas, &plan);
        let primary = diagnostic_at(&d, "platform.azure.sku.tier");
        assert_eq!(primary.severity, Severity::Error);
        assert!(primary.message.contains("Burstable tier (Standard_B2s)"));
        let rep = diagnostic_at(&d, "topology.replicas[0].sku.tier");
        assert_eq!(rep.severity, Severity::Error);
    }

    #[test]
    fn replica_names_are_server_names() {
        let mut plan = azure_reference_plan();
        plan.topology.replicas = vec![
            replica("Bill_Replica"),
            replica("phonebill-bill-inquiry-prod-pg"),
            replica("bill-replica"),
            replica("bill-replica"),
        ];
        let d = run(&AzureReadReplicas, &plan);
        assert!(
            diagnostic_at(&d, "topology.replicas[0].name")
                .message
                .contains("`B` is not allowed")
        );
        assert!(
            diagnostic_at(&d, "topology.replicas[1].name")
                .message
                .contains("is the primary's server name")
        );
        assert!(
            diagnostic_at(&d, "topology.replicas[3].name")
                .message
                .contains("already used by topology.replicas[2]")
        );
        assert_eq!(d.len(), 3, "{d:#?}");
    }

    #[test]
    fn cross_region_replica_of_a_private_primary_needs_its_own_network() {
        let mut plan = azure_reference_plan();
        plan.topology.replicas = vec![
            crate::ReadReplica::builder()
                .name("phonebill-bill-inquiry-prod-pg-replica")
                .region("koreasouth")
                .build(),
        ];
        let d = run(&AzureReadReplicas, &plan);
        let hit = d
            .iter()
            .find(|d| d.path == "topology.replicas[0].network")
            .expect("a finding on the replica's network");
        assert_eq!(hit.severity, Severity::Error);
        assert!(hit.message.contains("koreasouth"), "{}", hit.message);

        plan.topology.replicas[0].network = Some(
            crate::PrivateAccess::builder()
                .vnet("vnet-koreasouth")
                .subnet("db")
                .subnet_delegated(true)
                .private_dns_zone("replica.private.postgres.database.azure.com")
                .build(),
        );
        let d = run(&AzureReadReplicas, &plan);
        assert!(
            d.iter()
                .all(|d| !d.path.starts_with("topology.replicas[0].network")),
            "{d:?}"
        );

        plan.topology.replicas[0]
            .network
            .as_mut()
            .unwrap()
            .subnet_delegated = false;
        let d = run(&AzureReadReplicas, &plan);
        assert!(
            d.iter()
                .any(|d| d.path == "topology.replicas[0].network.subnet_delegated"),
            "{d:?}"
        );
    }
}
