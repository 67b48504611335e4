//! PGP171 azure-firewall-private-access: a VNet-injected server takes no
//! firewall rules.

use super::support::{azure_path, platform};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP171.
pub struct AzureFirewallPrivateAccess;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP171",
    name: "azure-firewall-private-access",
    summary: "a server with VNet integration (network.private) has no firewall rules",
    rationale: "A VNet-injected server has no public endpoint and Azure refuses firewall rules on it; network security groups on the delegated subnet control access instead.",
    examples: crate::rule_examples!("PGP171-azure-firewall-private-access"),
    replaces: &["PGP009"],
};

impl Rule for AzureFirewallPrivateAccess {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let rules = &az.network.firewall_rules;
        if az.network.private.is_some() && !rules.is_empty() {
            out.error(
                azure_path(&["network", "firewall_rules"]),
                format!(
                    "{} firewall rule(s) with private access: a VNet-injected server has no public endpoint and does not support firewall rules",
                    rules.len()
                ),
                "remove firewall_rules and allow the clients' subnets with a network security group on the delegated subnet, or drop network.private for public access",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::FirewallRule;

    #[test]
    fn firewall_rules_with_private_access() {
        assert!(run(&AzureFirewallPrivateAccess, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).network.firewall_rules = vec![
            FirewallRule::builder()
                .name(v("aks"))
                .start_ip(v("10.0.1.0"))
                .end_ip(v("10.0.1.255"))
                .build(),
        ];
        let d = run(&AzureFirewallPrivateAccess, &plan);
        assert!(
            at(&d, "platform.azure.network.firewall_rules")
                .message
                .contains("1 firewall rule(s) with private access")
        );
        azure(&mut plan).network.private = None;
        assert!(run(&AzureFirewallPrivateAccess, &plan).is_empty());
    }
}
