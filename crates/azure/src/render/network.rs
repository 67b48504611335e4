//! Network access (VNet integration or public access), authentication
//! settings and firewall rules.

use pgplan_core::PrivateAccess;

use super::{Ctx, plan_error};
use crate::Error;
use crate::models::{self, auth_config, network};
use crate::operation::{Body, Method, Operation, OperationKind};

/// The suffix Azure requires of a private DNS zone for VNet integration.
pub const PRIVATE_DNS_ZONE_SUFFIX: &str = ".postgres.database.azure.com";

fn is_resource_id(s: &str) -> bool {
    s.trim_start()
        .to_ascii_lowercase()
        .starts_with("/subscriptions/")
}

/// The delegated subnet's resource id: the plan's id, or one built from the
/// VNet and subnet names in the plan's resource group.
pub(crate) fn subnet_id(cx: &Ctx<'_>, private: &PrivateAccess) -> String {
    let subnet = private.subnet.trim();
    let vnet = private.vnet.trim();
    if is_resource_id(subnet) {
        subnet.to_owned()
    } else if is_resource_id(vnet) {
        format!("{}/subnets/{subnet}", vnet.trim_end_matches('/'))
    } else {
        format!(
            "{}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}",
            cx.resource_group_id()
        )
    }
}

/// The private DNS zone's resource id: the plan's id, or one built from the
/// zone name in the plan's resource group.
/// `at` is the plan field of the VNet integration (the primary's or a
/// replica's) and `server` the server it belongs to, for the error.
pub(crate) fn private_dns_zone_id(
    cx: &Ctx<'_>,
    private: &PrivateAccess,
    at: &str,
    server: &str,
) -> Result<String, Error> {
    let zone = private.private_dns_zone.trim();
    let name = zone.rsplit('/').next().unwrap_or(zone);
    if !name.to_ascii_lowercase().ends_with(PRIVATE_DNS_ZONE_SUFFIX) {
        return Err(plan_error(
            format!("{at}.private_dns_zone"),
            format!("`{name}` does not end with `{PRIVATE_DNS_ZONE_SUFFIX}`"),
            format!(
                "name the zone e.g. `{}.private{PRIVATE_DNS_ZONE_SUFFIX}`",
                server.trim()
            ),
        ));
    }
    Ok(if is_resource_id(zone) {
        zone.to_owned()
    } else {
        format!(
            "{}/providers/Microsoft.Network/privateDnsZones/{zone}",
            cx.resource_group_id()
        )
    })
}

/// The network of a VNet-injected server: as in the service's own example,
/// the ids alone (public access is off for such a server and Azure reports it so).
pub(super) fn private_network(
    cx: &Ctx<'_>,
    private: &PrivateAccess,
    at: &str,
    server: &str,
) -> Result<models::Network, Error> {
    Ok(models::Network {
        public_network_access: None,
        delegated_subnet_resource_id: Some(subnet_id(cx, private)),
        private_dns_zone_arm_resource_id: Some(private_dns_zone_id(cx, private, at, server)?),
    })
}

pub(super) fn server_network(cx: &Ctx<'_>) -> Result<models::Network, Error> {
    Ok(match &cx.azure.network.private {
        Some(private) => private_network(
            cx,
            private,
            "platform.azure.network.private",
            &cx.azure.server_name,
        )?,
        None => models::Network {
            public_network_access: Some(network::PublicNetworkAccess::Enabled),
            delegated_subnet_resource_id: None,
            private_dns_zone_arm_resource_id: None,
        },
    })
}

pub(super) fn auth_config(cx: &Ctx<'_>) -> models::AuthConfig {
    let auth = &cx.azure.auth;
    models::AuthConfig {
        active_directory_auth: Some(if auth.entra {
            auth_config::ActiveDirectoryAuth::Enabled
        } else {
            auth_config::ActiveDirectoryAuth::Disabled
        }),
        password_auth: Some(if auth.password {
            auth_config::PasswordAuth::Enabled
        } else {
            auth_config::PasswordAuth::Disabled
        }),
        tenant_id: auth
            .tenant_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
    }
}

fn check_ipv4(field: &str, ip: &str) -> Result<(), Error> {
    if ip.parse::<std::net::Ipv4Addr>().is_ok()
        && !ip.split('.').any(|o| o.len() > 1 && o.starts_with('0'))
    {
        Ok(())
    } else {
        Err(plan_error(
            field,
            format!("`{ip}` is not an IPv4 address"),
            "write four decimal numbers 0–255 without leading zeros, e.g. 203.0.113.10",
        ))
    }
}

/// `PUT flexibleServers/{name}/firewallRules/{rule}` for each rule (public
/// access only: VNet-injected servers have no firewall rules).
pub(super) fn firewall_rules(cx: &Ctx<'_>) -> Result<Vec<Operation>, Error> {
    let net = &cx.azure.network;
    if net.firewall_rules.is_empty() {
        return Ok(Vec::new());
    }
    if net.private.is_some() {
        return Err(plan_error(
            "platform.azure.network.firewall_rules",
            "a server with VNet integration (network.private) has no firewall rules",
            "remove the firewall rules and control access with network security groups on the subnet, or drop network.private for public access",
        ));
    }
    let server = cx.azure.server_name.trim();
    let mut ops = Vec::new();
    for (i, rule) in net.firewall_rules.iter().enumerate() {
        let field = format!("platform.azure.network.firewall_rules[{i}]");
        let name = rule.name.trim();
        // The CLI's rule (stricter than the REST pattern `^[-\w\._]+$`).
        let name_ok = (3..=128).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(plan_error(
                format!("{field}.name"),
                format!("`{name}` is not a firewall rule name"),
                "use 3–128 letters, digits, `-` and `_`",
            ));
        }
        check_ipv4(&format!("{field}.start_ip"), rule.start_ip.trim())?;
        check_ipv4(&format!("{field}.end_ip"), rule.end_ip.trim())?;
        let start: std::net::Ipv4Addr = rule
            .start_ip
            .trim()
            .parse()
            .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
        let end: std::net::Ipv4Addr = rule
            .end_ip
            .trim()
            .parse()
            .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
        if start > end {
            return Err(plan_error(
                field,
                format!("the range {start}–{end} runs backwards"),
                "put the lower address in start_ip",
            ));
        }
        let body = models::FirewallRule {
            proxy_resource: Default::default(),
            properties: models::FirewallRuleProperties::new(start.to_string(), end.to_string()),
        };
        ops.push(Operation {
            id: format!("firewall_rule:{name}"),
            kind: OperationKind::FirewallRule,
            server: server.to_owned(),
            summary: format!("allow {start}–{end} through the firewall of {server} (rule {name})"),
            method: Method::Put,
            path: cx.path(server, &format!("/firewallRules/{name}")),
            body: Some(Body::FirewallRule(body)),
            needs_restart: false,
            secrets: Vec::new(),
            placeholders: cx.placeholders(),
            notes: Vec::new(),
        });
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_addresses_are_checked() {
        assert!(check_ipv4("f", "10.0.0.1").is_ok());
        assert!(check_ipv4("f", "255.255.255.255").is_ok());
        assert!(check_ipv4("f", "10.0.0.01").is_err());
        assert!(check_ipv4("f", "10.0.0").is_err());
        assert!(check_ipv4("f", "::1").is_err());
    }
}
