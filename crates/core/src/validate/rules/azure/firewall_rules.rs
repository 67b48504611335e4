//! PGP172 azure-firewall-rules: public access rules are named once, run
//! forwards and do not open the server to everyone.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::support::{azure_path, platform};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP172.
pub struct AzureFirewallRules;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP172",
    name: "azure-firewall-rules",
    summary: "public-access firewall rules have names of their own and ranges that start before they end; rules open to the whole internet or to every Azure service are flagged, and so is public access without rules",
    rationale: "Azure refuses a range that runs backwards, and a second rule of the same name replaces the first; 0.0.0.0–255.255.255.255 admits the internet and 0.0.0.0–0.0.0.0 every Azure customer's services; without rules no client gets in.",
    examples: crate::rule_examples!("PGP172-azure-firewall-rules"),
    replaces: &["PGP009"],
};

impl Rule for AzureFirewallRules {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let list = azure_path(&["network", "firewall_rules"]);
        if az.network.private.is_none() && az.network.firewall_rules.is_empty() {
            out.info(
                azure_path(&["network"]),
                "public access without firewall rules: no client can reach the server until a rule is added",
                "add firewall_rules for the clients' addresses, or set network.private for VNet integration",
            );
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, rule) in az.network.firewall_rules.iter().enumerate() {
            let path = list.clone().index(i);
            if let Some(first) = seen.insert(rule.name.as_str(), i) {
                out.error(
                    path.clone().field("name"),
                    format!(
                        "firewall rule name `{}` is already used by {list}[{first}]",
                        rule.name
                    ),
                    "give every rule its own name; a second rule of the same name replaces the first",
                );
            }
            let (start, end) = (rule.start_ip, rule.end_ip);
            if start > end {
                out.error(
                    path.field("start_ip"),
                    format!(
                        "firewall rule `{}` starts at {start}, after its end {end}",
                        rule.name
                    ),
                    format!("swap them: start_ip: {end}, end_ip: {start}"),
                );
            } else if start == Ipv4Addr::UNSPECIFIED && end == Ipv4Addr::BROADCAST {
                out.warning(
                    path.field("end_ip"),
                    format!(
                        "firewall rule `{}` allows 0.0.0.0–255.255.255.255: the whole internet can reach the server",
                        rule.name
                    ),
                    "allow only the clients' addresses, or use private access",
                );
            } else if start == Ipv4Addr::UNSPECIFIED && end == Ipv4Addr::UNSPECIFIED {
                out.warning(
                    path.field("end_ip"),
                    format!(
                        "firewall rule `{}` (0.0.0.0–0.0.0.0) allows every Azure service, including other customers' subscriptions",
                        rule.name
                    ),
                    "allow only the clients' outbound addresses, or use private access",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{FirewallRule, Severity};

    fn rule(name: &str, start: &str, end: &str) -> FirewallRule {
        FirewallRule::builder()
            .name(v(name))
            .start_ip(v(start))
            .end_ip(v(end))
            .build()
    }

    fn public(rules: Vec<FirewallRule>) -> crate::Plan {
        let mut plan = reference();
        azure(&mut plan).network.private = None;
        azure(&mut plan).network.firewall_rules = rules;
        plan
    }

    #[test]
    fn firewall_rules_are_named_once_and_run_forwards() {
        assert!(run(&AzureFirewallRules, &reference()).is_empty());
        assert!(
            run(
                &AzureFirewallRules,
                &public(vec![rule("office", "203.0.113.0", "203.0.113.255")])
            )
            .is_empty()
        );
        let d = run(
            &AzureFirewallRules,
            &public(vec![
                rule("backwards", "10.0.0.9", "10.0.0.1"),
                rule("anyone", "0.0.0.0", "255.255.255.255"),
                rule("azure", "0.0.0.0", "0.0.0.0"),
                rule("azure", "10.1.0.0", "10.1.0.0"),
            ]),
        );
        let at_ = |p: &str| at(&d, &format!("platform.azure.network.firewall_rules{p}")).clone();
        let backwards = at_("[0].start_ip");
        assert!(
            backwards
                .message
                .contains("starts at 10.0.0.9, after its end 10.0.0.1")
        );
        assert_eq!(
            backwards.help,
            "swap them: start_ip: 10.0.0.1, end_ip: 10.0.0.9"
        );
        let anyone = at_("[1].end_ip");
        assert_eq!(anyone.severity, Severity::Warning);
        assert!(anyone.message.contains("the whole internet"));
        assert_eq!(at_("[2].end_ip").severity, Severity::Warning);
        assert!(
            at_("[3].name")
                .message
                .contains("already used by platform.azure.network.firewall_rules[2]")
        );
        assert_eq!(d.len(), 4, "{d:#?}");
    }

    #[test]
    fn public_access_without_rules_is_noted() {
        let d = run(&AzureFirewallRules, &public(vec![]));
        assert_eq!(at(&d, "platform.azure.network").severity, Severity::Info);
    }
}
