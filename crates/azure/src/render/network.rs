//! Network access (VNet integration or public access), authentication
//! settings and firewall rules.

use pgplan_core::{PrivateAccess, azure_facts};

use super::Ctx;
use crate::models::{self, auth_config, network};
use crate::operation::{Body, Method, Operation, OperationKind, Prerequisite, PrerequisiteKind};

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
                prerequisites: Vec::new(),
                notes: Vec::new(),
            }
        })
        .collect()
}

/// A network resource's place: its subscription (when the plan names one,
/// or the resource is given by an id in another), resource group and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    /// `None`: the CLI's current subscription.
    pub subscription: Option<String>,
    /// The resource group.
    pub resource_group: String,
    /// The resource's name.
    pub name: String,
}

/// The resources a VNet integration needs: the delegated subnet (in its
/// VNet), the private DNS zone and the zone's link to the VNet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VnetResources {
    /// The subnet; its VNet is `vnet`.
    pub subnet: Located,
    /// The VNet's name (same subscription and group as the subnet).
    pub vnet: String,
    /// The subnet's address range, when the plan gives it.
    pub subnet_cidr: Option<String>,
    /// The private DNS zone.
    pub zone: Located,
    /// The name of the zone's link to the VNet: `<vnet>-link`.
    pub link: String,
}

/// The part of a resource id after `/<segment>/` (case-insensitive).
fn id_part<'a>(id: &'a str, segment: &str) -> Option<&'a str> {
    let parts: Vec<&str> = id.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case(segment))
        .and_then(|i| parts.get(i + 1).copied())
}

/// Where a resource given by id lives, or the plan's group for a name.
fn located(cx: &Ctx<'_>, id: Option<&str>, name: &str) -> Located {
    let plan_subscription = cx.azure.subscription_id.as_ref().map(ToString::to_string);
    match id {
        Some(id) => Located {
            subscription: id_part(id, "subscriptions").map(str::to_owned),
            resource_group: id_part(id, "resourceGroups")
                .unwrap_or(cx.azure.resource_group.as_str())
                .to_owned(),
            name: name.to_owned(),
        },
        None => Located {
            subscription: plan_subscription,
            resource_group: cx.azure.resource_group.as_str().to_owned(),
            name: name.to_owned(),
        },
    }
}

/// Where a VNet integration's resources are. A subnet or VNet given by id
/// carries its own subscription and group; names are in the server's group
/// (the CLI resolves `--vnet`/`--subnet` names there too).
pub(crate) fn vnet_resources(cx: &Ctx<'_>, private: &PrivateAccess) -> VnetResources {
    let (subnet, vnet) = if private.subnet.is_id() {
        let id = private.subnet.as_str();
        let vnet = id_part(id, "virtualNetworks").unwrap_or(private.vnet.name());
        (
            located(cx, Some(id), private.subnet.name()),
            vnet.to_owned(),
        )
    } else if private.vnet.is_id() {
        (
            located(cx, Some(private.vnet.as_str()), private.subnet.name()),
            private.vnet.name().to_owned(),
        )
    } else {
        (
            located(cx, None, private.subnet.name()),
            private.vnet.name().to_owned(),
        )
    };
    let zone_id = private
        .private_dns_zone
        .is_id()
        .then(|| private.private_dns_zone.as_str());
    VnetResources {
        subnet,
        link: format!("{vnet}-link"),
        vnet,
        subnet_cidr: private.subnet_cidr.as_ref().map(ToString::to_string),
        zone: located(cx, zone_id, private.private_dns_zone.name()),
    }
}

/// What a VNet-injected server needs before it is created: the delegated
/// subnet, the private DNS zone and its link to the VNet. Azure CLI 2.87
/// and later create none of them (and the service does not check the
/// link), so the deploy script shows and creates each, and apply checks
/// them.
pub(super) fn prerequisites(cx: &Ctx<'_>, private: &PrivateAccess) -> Vec<Prerequisite> {
    let group = cx.resource_group_id();
    let subnet_id = azure_facts::subnet_id(&group, private);
    let vnet_id = subnet_id
        .rsplit_once("/subnets/")
        .map_or_else(|| subnet_id.clone(), |(v, _)| v.to_owned());
    let zone_id = azure_facts::private_dns_zone_id(&group, &private.private_dns_zone);
    let names = vnet_resources(cx, private);
    vec![
        Prerequisite {
            kind: PrerequisiteKind::DelegatedSubnet,
            resource_id: subnet_id,
            address_prefix: names.subnet_cidr.clone(),
            virtual_network_id: Some(vnet_id.clone()),
            description: format!(
                "subnet {} of VNet {}, delegated to {}",
                names.subnet.name,
                names.vnet,
                azure_facts::SUBNET_DELEGATION
            ),
        },
        Prerequisite {
            kind: PrerequisiteKind::PrivateDnsZone,
            resource_id: zone_id.clone(),
            address_prefix: None,
            virtual_network_id: None,
            description: format!("private DNS zone {}", names.zone.name),
        },
        Prerequisite {
            kind: PrerequisiteKind::VnetLink,
            resource_id: format!("{zone_id}/virtualNetworkLinks/{}", names.link),
            address_prefix: None,
            virtual_network_id: Some(vnet_id),
            description: format!(
                "link {} of private DNS zone {} to VNet {}",
                names.link, names.zone.name, names.vnet
            ),
        },
    ]
}
