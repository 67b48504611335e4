//! Network access (VNet integration or public access), authentication
//! settings and firewall rules.

use pgplan_core::{PrivateAccess, azure_facts};

use super::Ctx;
use crate::models::{self, auth_config, network};
use crate::operation::{Body, Method, Operation, OperationKind};

/// The network of a VNet-injected server: as in the service's own example,
/// the ids alone (public access is off for such a server and Azure reports
/// it so). The zone is one Flexible Server takes: rule PGP170 guarantees it.
pub(super) fn private_network(cx: &Ctx<'_>, private: &PrivateAccess) -> models::Network {
    let group = cx.resource_group_id();
    models::Network {
        public_network_access: None,
        delegated_subnet_resource_id: Some(azure_facts::subnet_id(&group, private)),
        private_dns_zone_arm_resource_id: Some(azure_facts::private_dns_zone_id(
            &group,
            &private.private_dns_zone,
        )),
    }
}

pub(super) fn server_network(cx: &Ctx<'_>) -> models::Network {
    match &cx.azure.network.private {
        Some(private) => private_network(cx, private),
        None => models::Network {
            public_network_access: Some(network::PublicNetworkAccess::Enabled),
            delegated_subnet_resource_id: None,
            private_dns_zone_arm_resource_id: None,
        },
    }
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

/// `PUT flexibleServers/{name}/firewallRules/{rule}` for each rule. Rules
/// PGP171 and PGP172 guarantee public access and ranges that run forwards.
pub(super) fn firewall_rules(cx: &Ctx<'_>) -> Vec<Operation> {
    let server = cx.azure.server_name.as_str();
    cx.azure
        .network
        .firewall_rules
        .iter()
        .map(|rule| {
            let name = &rule.name;
            let (start, end) = (rule.start_ip, rule.end_ip);
            let body = models::FirewallRule {
                proxy_resource: Default::default(),
                properties: models::FirewallRuleProperties::new(start.to_string(), end.to_string()),
            };
            Operation {
                id: format!("firewall_rule:{name}"),
                kind: OperationKind::FirewallRule,
                server: server.to_owned(),
                summary: format!(
                    "allow {start}–{end} through the firewall of {server} (rule {name})"
                ),
                method: Method::Put,
                path: cx.path(server, &format!("/firewallRules/{name}")),
                body: Some(Body::FirewallRule(body)),
                needs_restart: false,
                secrets: Vec::new(),
                placeholders: cx.placeholders(),
                notes: Vec::new(),
            }
        })
        .collect()
}
