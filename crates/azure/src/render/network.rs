//! Network access (VNet integration or public access), authentication
//! settings and firewall rules.

use pgplan_core::PrivateAccess;

use super::{Ctx, plan_error};
use crate::Error;
use crate::models::{self, auth_config, network};
use crate::operation::{Body, Method, Operation, OperationKind};

/// The suffix Azure requires of a private DNS zone for VNet integration.
pub const PRIVATE_DNS_ZONE_SUFFIX: &str = ".postgres.database.azure.com";

/// The delegated subnet's resource id: the plan's id, or one built from the
/// VNet and subnet names in the plan's resource group.
pub(crate) fn subnet_id(cx: &Ctx<'_>, private: &PrivateAccess) -> String {
    let (subnet, vnet) = (&private.subnet, &private.vnet);
    if subnet.is_id() {
        subnet.to_string()
    } else if vnet.is_id() {
        format!("{vnet}/subnets/{subnet}")
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
    let zone = &private.private_dns_zone;
    let name = zone.name();
    if !name.ends_with(PRIVATE_DNS_ZONE_SUFFIX) {
        return Err(plan_error(
            format!("{at}.private_dns_zone"),
            format!("`{name}` does not end with `{PRIVATE_DNS_ZONE_SUFFIX}`"),
            format!("name the zone e.g. `{server}.private{PRIVATE_DNS_ZONE_SUFFIX}`"),
        ));
    }
    Ok(if zone.is_id() {
        zone.to_string()
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
            cx.azure.server_name.as_str(),
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
        tenant_id: auth.tenant_id.as_ref().map(ToString::to_string),
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
    let server = cx.azure.server_name.as_str();
    let mut ops = Vec::new();
    for (i, rule) in net.firewall_rules.iter().enumerate() {
        let field = format!("platform.azure.network.firewall_rules[{i}]");
        let name = &rule.name;
        let (start, end) = (rule.start_ip, rule.end_ip);
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
