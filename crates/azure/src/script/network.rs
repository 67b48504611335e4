//! The steps that make a VNet integration's delegated subnet, private DNS
//! zone and VNet link exist before its server is created.

use pgplan_core::azure_facts;

use super::words::{Az, Piece, fail, shell_quote};
use super::{NetworkVars, Script};
use crate::render::network::VnetResources;

impl Script<'_> {
    /// The steps that make a VNet integration's subnet, private DNS zone
    /// and VNet link exist; returns the variables holding the subnet's and
    /// the zone's ids.
    pub(super) fn network(&mut self, server: &str, n: &VnetResources) -> NetworkVars {
        self.networks += 1;
        let i = self.networks;
        let delegation = azure_facts::SUBNET_DELEGATION;
        self.heading(&format!(
            "Network of {server}: subnet {} of VNet {} delegated to {delegation}, private DNS zone {} linked to the VNet (created when missing)",
            n.subnet.name, n.vnet, n.zone.name
        ));
        let in_subnet = |cmd: Az| {
            cmd.opt("--resource-group", &n.subnet.resource_group)
                .opt("--vnet-name", &n.vnet)
                .opt("--name", &n.subnet.name)
                .subscription(n.subnet.subscription.as_deref())
        };
        let in_zone = |cmd: Az| {
            cmd.opt("--resource-group", &n.zone.resource_group)
                .subscription(n.zone.subscription.as_deref())
        };
        let show_subnet = in_subnet(Az::new("network vnet subnet show"));
        let delegations = in_subnet(Az::new("network vnet subnet show"))
            .opt("--query", "delegations[].serviceName")
            .opt("--output", "tsv")
            .compact();
        let update = in_subnet(Az::new("network vnet subnet update"))
            .opt("--delegations", delegation)
            .opt("--output", "none")
            .compact();
        let exists = format!(
            "delegations=\"$({})\"\ncase \"$delegations\" in\n  {}) ;;\n  '') {} ;;\n  *) {} ;;\nesac",
            delegations.render(),
            shell_quote(delegation),
            update.render(),
            fail(&[
                Piece::Text(&format!(
                    "pgplan: subnet {} of VNet {} is delegated to ",
                    n.subnet.name, n.vnet
                )),
                Piece::Var("delegations"),
                Piece::Text(&format!(
                    "; a flexible server needs a subnet delegated to {delegation} alone"
                )),
            ])
        );
        let create = match &n.subnet_cidr {
            Some(cidr) => in_subnet(Az::new("network vnet subnet create"))
                .opt("--address-prefixes", cidr)
                .opt("--delegations", delegation)
                .opt("--output", "none")
                .render(),
            None => fail(&[Piece::Text(&format!(
                "pgplan: subnet {} does not exist in VNet {} (resource group {}), and the plan gives no subnet_cidr to create it with: create it delegated to {delegation}, or set subnet_cidr",
                n.subnet.name, n.vnet, n.subnet.resource_group
            ))]),
        };
        self.show_or(&show_subnet, &exists, &create);
        let subnet_id = format!("subnet_id_{i}");
        let vnet_id = format!("vnet_id_{i}");
        let zone_id = format!("zone_id_{i}");
        let subnet_query = in_subnet(Az::new("network vnet subnet show"))
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{subnet_id}=\"$({})\"", subnet_query.render()));
        let vnet_query = Az::new("network vnet show")
            .opt("--resource-group", &n.subnet.resource_group)
            .opt("--name", &n.vnet)
            .subscription(n.subnet.subscription.as_deref())
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{vnet_id}=\"$({})\"", vnet_query.render()));
        let zone = |cmd: Az| in_zone(cmd).opt("--name", &n.zone.name);
        self.show_or_create(
            &zone(Az::new("network private-dns zone show")),
            &zone(Az::new("network private-dns zone create")).opt("--output", "none"),
        );
        let link = |cmd: Az| {
            in_zone(cmd)
                .opt("--zone-name", &n.zone.name)
                .opt("--name", &n.link)
        };
        self.show_or_create(
            &link(Az::new("network private-dns link vnet show")),
            &link(Az::new("network private-dns link vnet create"))
                .var("--virtual-network", &vnet_id)
                .opt("--registration-enabled", "false")
                .opt("--output", "none"),
        );
        let zone_query = zone(Az::new("network private-dns zone show"))
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{zone_id}=\"$({})\"", zone_query.render()));
        NetworkVars { subnet_id, zone_id }
    }
}
