//! PGP009 azure (network): private access needs a subnet delegated to
//! Flexible Server and a private DNS zone of its own; VNet-injected servers
//! take no firewall rules; firewall rules must be valid IPv4 ranges.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::azure_facts;
use crate::model::platform::{Azure, PrivateAccess};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP009, network access.
pub struct AzureNetworkAccess;

const ID: &str = "PGP009";
const PRIVATE: &str = "platform.azure.network.private";
const FIREWALL: &str = "platform.azure.network.firewall_rules";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-network",
    summary: "Azure private access needs a delegated subnet and a *.postgres.database.azure.com DNS zone and no firewall rules; firewall rules must be valid IPv4 ranges",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureNetworkAccess {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        let network = &az.network;
        match &network.private {
            Some(private) => {
                check_private(az.server_name.as_str(), private, PRIVATE, out);
                if !network.firewall_rules.is_empty() {
                    out.error(                        FIREWALL,
                        format!(
                            "{} firewall rule(s) with private access: a VNet-injected server has no public endpoint and does not support firewall rules",
                            network.firewall_rules.len()
                        ),
                        "remove firewall_rules and allow the clients' subnets with a network security group on the delegated subnet");
                }
            }
            None if network.firewall_rules.is_empty() => out.info(                "platform.azure.network",
                "public access without firewall rules: no client can reach the server until a rule is added",
                "add firewall_rules for the clients' addresses, or set network.private for VNet integration"),
            None => {}
        }
        check_firewall_rules(az, out);
    }
}

/// Checks one VNet integration (the primary's, or a replica's at `at`).
pub(super) fn check_private(
    server_name: &str,
    private: &PrivateAccess,
    at: &str,
    out: &mut Findings<'_>,
) {
    if !private.subnet_delegated {
        out.error(            format!("{at}.subnet_delegated"),
            format!(
                "subnet `{}` is not marked as delegated to {}; a VNet-injected server can only be created in such a subnet, with no other resource types in it",
                private.subnet,
                azure_facts::SUBNET_DELEGATION
            ),
            format!(
                "delegate the subnet (`az network vnet subnet update --vnet-name {} --name {} --delegations {}`) and set subnet_delegated: true",
                private.vnet,
                private.subnet,
                azure_facts::SUBNET_DELEGATION
            ));
    }
    let own_zone = format!(
        "{}.private{}",
        server_name,
        azure_facts::PRIVATE_DNS_ZONE_SUFFIX
    );
    let zone = private.private_dns_zone.name().to_ascii_lowercase();
    let path = format!("{at}.private_dns_zone");
    if zone.starts_with("privatelink.") {
        out.warning(            path,
            format!(
                "private DNS zone `{zone}` is the Private Endpoint zone; VNet-injected servers use a zone of their own, `<name>.private{}`",
                azure_facts::PRIVATE_DNS_ZONE_SUFFIX
            ),
            format!(
                "set private_dns_zone: {own_zone} (link it to the clients' VNet), or use Private Endpoint with public access instead of VNet integration"
            ));
    } else if !zone.ends_with(azure_facts::PRIVATE_DNS_ZONE_SUFFIX) {
        out.error(
            path,
            format!(
                "private DNS zone `{zone}` does not end with `{}`, which Flexible Server requires",
                azure_facts::PRIVATE_DNS_ZONE_SUFFIX
            ),
            format!("set private_dns_zone: {own_zone}"),
        );
    } else if zone == format!("{}{}", server_name, azure_facts::PRIVATE_DNS_ZONE_SUFFIX) {
        out.error(
            path,
            format!("private DNS zone `{zone}` is the server's own host name"),
            format!("set private_dns_zone: {own_zone}"),
        );
    }
    if let Some(cidr) = &private.subnet_cidr {
        let path = format!("{at}.subnet_cidr");
        match (cidr.is_ipv4(), cidr.prefix_len()) {
            (false, _) => out.error(
                path,
                format!("subnet_cidr `{cidr}` is not an IPv4 range; a delegated subnet has an IPv4 range such as 10.0.2.0/24"),
                "write an IPv4 range, e.g. 10.0.2.0/24",
            ),
            (true, prefix) if prefix > azure_facts::SMALLEST_SUBNET_PREFIX => out.error(
                path,
                format!(
                    "subnet {cidr} is too small: a delegated subnet must be /{} or larger",
                    azure_facts::SMALLEST_SUBNET_PREFIX
                ),
                format!(
                    "use a /{} or larger subnet (e.g. a /24) for the database",
                    azure_facts::SMALLEST_SUBNET_PREFIX
                ),
            ),
            _ => {}
        }
    }
}

fn check_firewall_rules(az: &Azure, out: &mut Findings<'_>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in az.network.firewall_rules.iter().enumerate() {
        let path = format!("{FIREWALL}[{i}]");
        if let Some(first) = seen.insert(rule.name.as_str(), i) {
            out.error(
                format!("{path}.name"),
                format!(
                    "firewall rule name `{}` is already used by {FIREWALL}[{first}]",
                    rule.name
                ),
                "give every rule its own name; a second rule of the same name replaces the first",
            );
        }
        let (start, end) = (rule.start_ip, rule.end_ip);
        if start > end {
            out.error(
                format!("{path}.start_ip"),
                format!(
                    "firewall rule `{}` starts at {start}, after its end {end}",
                    rule.name
                ),
                format!("swap them: start_ip: {end}, end_ip: {start}"),
            );
        } else if start == Ipv4Addr::UNSPECIFIED && end == Ipv4Addr::BROADCAST {
            out.warning(                format!("{path}.end_ip"),
                format!(
                    "firewall rule `{}` allows 0.0.0.0–255.255.255.255: the whole internet can reach the server",
                    rule.name
                ),
                "allow only the clients' addresses, or use private access");
        } else if start == Ipv4Addr::UNSPECIFIED && end == Ipv4Addr::UNSPECIFIED {
            out.warning(                format!("{path}.end_ip"),
                format!(
                    "firewall rule `{}` (0.0.0.0–0.0.0.0) allows every Azure service, including other customers' subscriptions",
                    rule.name
                ),
                "allow only the clients' outbound addresses, or use private access");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{AzureNetwork, FirewallRule, Platform};

    fn network(plan: &mut crate::Plan) -> &mut AzureNetwork {
        match &mut plan.platform {
            Platform::Azure(az) => &mut az.network,
            _ => panic!("not an Azure plan"),
        }
    }

    fn private(plan: &mut crate::Plan) -> &mut PrivateAccess {
        network(plan).private.as_mut().expect("private access")
    }

    fn rule(name: &str, start: &str, end: &str) -> FirewallRule {
        FirewallRule::builder()
            .name(name)
            .start_ip(start)
            .end_ip(end)
            .build()
    }

    fn public_plan(rules: Vec<FirewallRule>) -> crate::Plan {
        let mut plan = azure_reference_plan();
        network(&mut plan).private = None;
        network(&mut plan).firewall_rules = rules;
        plan
    }

    #[test]
    fn reference_plan_passes() {
        let d = run(&AzureNetworkAccess, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(
            &AzureNetworkAccess,
            &public_plan(vec![rule("office", "203.0.113.0", "203.0.113.255")]),
        );
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn private_access_needs_a_delegated_subnet() {
        let mut plan = azure_reference_plan();
        private(&mut plan).subnet_delegated = false;
        let d = run(&AzureNetworkAccess, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "platform.azure.network.private.subnet_delegated");
        assert!(
            d[0].message
                .contains("`database-subnet` is not marked as delegated to Microsoft.DBforPostgreSQL/flexibleServers"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("--delegations Microsoft.DBforPostgreSQL/flexibleServers")
        );
    }

    #[test]
    fn seed_001_privatelink_zone_is_the_private_endpoint_zone() {
        let mut plan = azure_reference_plan();
        private(&mut plan).private_dns_zone = "privatelink.postgres.database.azure.com".into();
        let d = run(&AzureNetworkAccess, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "platform.azure.network.private.private_dns_zone");
        assert!(
            d[0].message.contains("Private Endpoint zone"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn private_dns_zone_suffix() {
        let mut plan = azure_reference_plan();
        private(&mut plan).private_dns_zone =
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/bill.example.com"
                .into();
        let d = run(&AzureNetworkAccess, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message
                .contains("`bill.example.com` does not end with `.postgres.database.azure.com`")
        );
        private(&mut plan).private_dns_zone =
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/bill.private.postgres.database.azure.com"
                .into();
        assert!(run(&AzureNetworkAccess, &plan).is_empty());
        private(&mut plan).private_dns_zone =
            "phonebill-bill-inquiry-prod-pg.postgres.database.azure.com".into();
        let d = run(&AzureNetworkAccess, &plan);
        assert!(
            d[0].message.contains("the server's own host name"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn subnet_must_be_at_least_a_28() {
        let mut plan = azure_reference_plan();
        private(&mut plan).subnet_cidr = Some("10.0.2.0/29".into());
        let d = run(&AzureNetworkAccess, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message.contains("10.0.2.0/29 is too small"),
            "{}",
            d[0].message
        );
        private(&mut plan).subnet_cidr = Some("10.0.2/24".into());
        let d = run(&AzureNetworkAccess, &plan);
        assert!(
            d[0].message.contains("not an IPv4 range"),
            "{}",
            d[0].message
        );
        private(&mut plan).subnet_cidr = Some("10.0.2.0/28".into());
        assert!(run(&AzureNetworkAccess, &plan).is_empty());
    }

    #[test]
    fn firewall_rules_with_private_access() {
        let mut plan = azure_reference_plan();
        network(&mut plan).firewall_rules = vec![rule("aks", "10.0.1.0", "10.0.1.255")];
        let d = run(&AzureNetworkAccess, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "platform.azure.network.firewall_rules");
        assert!(d[0].message.contains("does not support firewall rules"));
    }

    #[test]
    fn firewall_rules_are_valid_ipv4_ranges() {
        let d = run(
            &AzureNetworkAccess,
            &public_plan(vec![
                rule("-bad", "10.0.0.1", "10.0.0.2"),
                rule("backwards", "10.0.0.9", "10.0.0.1"),
                rule("v6", "::1", "10.0.0.300"),
                rule("anyone", "0.0.0.0", "255.255.255.255"),
                rule("azure", "0.0.0.0", "0.0.0.0"),
                rule("azure", "10.1.0.0", "10.1.0.0"),
            ]),
        );
        let at = |p: &str| diagnostic_at(&d, &format!("platform.azure.network.firewall_rules{p}"));
        assert_eq!(at("[0].name").severity, Severity::Error);
        let backwards = at("[1].start_ip");
        assert!(
            backwards
                .message
                .contains("starts at 10.0.0.9, after its end 10.0.0.1")
        );
        assert!(
            backwards
                .help
                .contains("start_ip: 10.0.0.1, end_ip: 10.0.0.9")
        );
        assert!(at("[2].start_ip").message.contains("`::1`"));
        assert!(at("[2].end_ip").message.contains("`10.0.0.300`"));
        let anyone = at("[3].end_ip");
        assert_eq!(anyone.severity, Severity::Warning);
        assert!(anyone.message.contains("the whole internet"));
        assert_eq!(at("[4].end_ip").severity, Severity::Warning);
        assert!(
            at("[5].name")
                .message
                .contains("already used by platform.azure.network.firewall_rules[4]")
        );
        assert_eq!(d.len(), 7, "{d:#?}");
    }

    #[test]
    fn public_access_without_rules_is_noted() {
        let d = run(&AzureNetworkAccess, &public_plan(vec![]));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "platform.azure.network");
    }
}
