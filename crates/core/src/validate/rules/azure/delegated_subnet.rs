//! PGP169 azure-delegated-subnet: a VNet-injected server sits in a subnet
//! delegated to Flexible Server, /28 or larger.

use super::support::{platform, vnet_integrations};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP169.
pub struct AzureDelegatedSubnet;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP169",
    name: "azure-delegated-subnet",
    summary: "every VNet integration (the primary's and the replicas') uses a subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers, and its range, when given, is an IPv4 /28 or larger",
    rationale: "Azure creates a VNet-injected server only in a subnet delegated to the service, with no other resource types in it, and of at least 16 addresses.",
    examples: crate::rule_examples!("PGP169-azure-delegated-subnet"),
    replaces: &["PGP009"],
};

impl Rule for AzureDelegatedSubnet {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        for vnet in vnet_integrations(cx, az) {
            let private = vnet.access;
            if !private.subnet_delegated {
                out.error(
                    vnet.path.clone().field("subnet_delegated"),
                    format!(
                        "subnet `{}` of `{}` is not marked as delegated to {}; a VNet-injected server can only be created in such a subnet, with no other resource types in it",
                        private.subnet,
                        vnet.server,
                        azure_facts::SUBNET_DELEGATION
                    ),
                    format!(
                        "delegate the subnet (`az network vnet subnet update --vnet-name {} --name {} --delegations {}`) and set subnet_delegated: true",
                        private.vnet.name(),
                        private.subnet.name(),
                        azure_facts::SUBNET_DELEGATION
                    ),
                );
            }
            let Some(cidr) = &private.subnet_cidr else {
                continue;
            };
            let path = vnet.path.clone().field("subnet_cidr");
            let smallest = azure_facts::SMALLEST_SUBNET_PREFIX;
            if !cidr.is_ipv4() {
                out.error(
                    path,
                    format!(
                        "subnet_cidr `{cidr}` is not an IPv4 range; a delegated subnet has an IPv4 range such as 10.0.2.0/24"
                    ),
                    "write the subnet's IPv4 range, e.g. 10.0.2.0/24",
                );
            } else if cidr.prefix_len() > smallest {
                out.error(
                    path,
                    format!(
                        "subnet {cidr} is too small: a delegated subnet must be /{smallest} or larger"
                    ),
                    format!(
                        "use a /{smallest} or larger subnet (e.g. a /24) for the database"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    fn private(plan: &mut crate::Plan) -> &mut crate::PrivateAccess {
        azure(plan)
            .network
            .private
            .as_mut()
            .expect("private access")
    }

    #[test]
    fn private_access_needs_a_delegated_subnet() {
        assert!(run(&AzureDelegatedSubnet, &reference()).is_empty());
        let mut plan = reference();
        private(&mut plan).subnet_delegated = false;
        let d = run(&AzureDelegatedSubnet, &plan);
        let e = at(&d, "platform.azure.network.private.subnet_delegated");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message.contains(
                "`database-subnet` of `phonebill-bill-inquiry-prod-pg` is not marked as delegated to Microsoft.DBforPostgreSQL/flexibleServers"
            ),
            "{}",
            e.message
        );
        assert!(
            e.help
                .contains("--delegations Microsoft.DBforPostgreSQL/flexibleServers")
        );
    }

    #[test]
    fn the_subnet_is_ipv4_and_at_least_a_28() {
        let mut plan = reference();
        private(&mut plan).subnet_cidr = Some(v("10.0.2.0/29"));
        let d = run(&AzureDelegatedSubnet, &plan);
        assert!(
            at(&d, "platform.azure.network.private.subnet_cidr")
                .message
                .contains("10.0.2.0/29 is too small")
        );
        private(&mut plan).subnet_cidr = Some(v("fd00::/64"));
        let d = run(&AzureDelegatedSubnet, &plan);
        assert!(
            d[0].message.contains("not an IPv4 range"),
            "{}",
            d[0].message
        );
        private(&mut plan).subnet_cidr = Some(v("10.0.2.0/28"));
        assert!(run(&AzureDelegatedSubnet, &plan).is_empty());
    }
}
