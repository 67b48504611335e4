//! PGP170 azure-private-dns-zone: a VNet-injected server's private DNS zone
//! is a `*.postgres.database.azure.com` zone of its own.

use super::support::{platform, vnet_integrations};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP170.
pub struct AzurePrivateDnsZone;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP170",
    name: "azure-private-dns-zone",
    summary: "every VNet integration's private DNS zone ends with .postgres.database.azure.com, is not the server's own host name, and is not the Private Endpoint zone",
    rationale: "Flexible Server refuses a private DNS zone outside postgres.database.azure.com; the server's host name and the privatelink zone belong to other records, and a wrong zone leaves clients resolving nothing.",
    examples: crate::rule_examples!("PGP170-azure-private-dns-zone"),
    replaces: &["PGP009"],
};

impl Rule for AzurePrivateDnsZone {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let suffix = azure_facts::PRIVATE_DNS_ZONE_SUFFIX;
        for vnet in vnet_integrations(cx, az) {
            let own = azure_facts::own_private_dns_zone(vnet.server);
            let zone = vnet.access.private_dns_zone.name().to_ascii_lowercase();
            let path = vnet.path.clone().field("private_dns_zone");
            if zone.starts_with("privatelink.") {
                out.warning(
                    path,
                    format!(
                        "private DNS zone `{zone}` is the Private Endpoint zone; VNet-injected servers use a zone of their own, `<name>.private{suffix}`"
                    ),
                    format!(
                        "set private_dns_zone: {own} (link it to the clients' VNet), or use Private Endpoint with public access instead of VNet integration"
                    ),
                );
            } else if !zone.ends_with(suffix) {
                out.error(
                    path,
                    format!(
                        "private DNS zone `{zone}` does not end with `{suffix}`, which Flexible Server requires"
                    ),
                    format!("set private_dns_zone: {own}"),
                );
            } else if zone == azure_facts::server_host_name(vnet.server) {
                out.error(
                    path,
                    format!("private DNS zone `{zone}` is the server's own host name"),
                    format!("set private_dns_zone: {own}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{PrivateAccess, ReadReplica, Severity};

    fn zone(plan: &mut crate::Plan, zone: &str) {
        azure(plan)
            .network
            .private
            .as_mut()
            .unwrap()
            .private_dns_zone = v(zone);
    }

    #[test]
    fn seed_001_privatelink_zone_is_the_private_endpoint_zone() {
        assert!(run(&AzurePrivateDnsZone, &reference()).is_empty());
        let mut plan = reference();
        zone(&mut plan, "privatelink.postgres.database.azure.com");
        let d = run(&AzurePrivateDnsZone, &plan);
        let w = at(&d, "platform.azure.network.private.private_dns_zone");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("Private Endpoint zone"), "{}", w.message);
        assert!(
            w.help
                .contains("phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com"),
            "{}",
            w.help
        );
    }

    #[test]
    fn the_zone_ends_with_the_service_suffix_and_is_not_the_host_name() {
        let mut plan = reference();
        zone(
            &mut plan,
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/bill.example.com",
        );
        let d = run(&AzurePrivateDnsZone, &plan);
        assert!(
            d[0].message
                .contains("`bill.example.com` does not end with `.postgres.database.azure.com`")
        );
        zone(
            &mut plan,
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/bill.private.postgres.database.azure.com",
        );
        assert!(run(&AzurePrivateDnsZone, &plan).is_empty());
        zone(
            &mut plan,
            "phonebill-bill-inquiry-prod-pg.postgres.database.azure.com",
        );
        let d = run(&AzurePrivateDnsZone, &plan);
        assert!(
            d[0].message.contains("the server's own host name"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn replicas_zones_are_checked_with_their_own_name() {
        let mut plan = reference();
        let mut r = ReadReplica::builder().name(v("bill-replica")).build();
        r.network = Some(
            PrivateAccess::builder()
                .vnet(v("vnet-koreasouth"))
                .subnet(v("db"))
                .subnet_delegated(true)
                .private_dns_zone(v("replica.example.com"))
                .build(),
        );
        plan.topology.replicas = vec![r];
        let d = run(&AzurePrivateDnsZone, &plan);
        let e = at(&d, "topology.replicas[0].network.private_dns_zone");
        assert!(
            e.help
                .contains("bill-replica.private.postgres.database.azure.com"),
            "{}",
            e.help
        );
    }
}
