//! Read replicas: `PUT flexibleServers/{replica}` with `createMode: Replica`
//! and the primary's id, in the replica's region and SKU; then the replica's
//! own parameters.

use super::{Ctx, check_server_name, configuration, network, plan_error, server};
use crate::Error;
use crate::models::{self, server_properties, storage};
use crate::operation::{Body, Method, Operation, OperationKind};

pub(super) fn operations(cx: &Ctx<'_>) -> Result<Vec<Operation>, Error> {
    let az = cx.azure;
    let primary = az.server_name.as_str();
    let mut ops = Vec::new();
    for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
        let field = format!("topology.replicas[{i}]");
        let name = replica.name.as_str();
        check_server_name(&format!("{field}.name"), name)?;
        if name == primary {
            return Err(plan_error(
                format!("{field}.name"),
                format!("`{name}` is the primary's name"),
                format!("give the replica a server name of its own, e.g. `{primary}-replica`"),
            ));
        }
        let region = replica.region.as_ref().unwrap_or(&az.region).to_string();
        let sku = replica.sku.as_ref().unwrap_or(&az.sku);
        let size = replica.storage.unwrap_or(az.storage.size);
        let notes = vec![
            "a replica has no high availability and no backups of its own; it copies the primary's server parameters when it is created"
                .to_owned(),
        ];
        let network = match (&az.network.private, &replica.network) {
            (_, Some(private)) => Some(network::private_network(
                cx,
                private,
                &format!("{field}.network"),
                name,
            )?),
            (Some(_), None) if region != az.region.as_str() => {
                return Err(plan_error(
                    format!("{field}.network"),
                    format!(
                        "the primary is VNet-injected, and a VNet belongs to one region: the replica in {region} needs a delegated subnet there"
                    ),
                    format!(
                        "add `network:` to the replica with a VNet and delegated subnet in {region} and a private DNS zone"
                    ),
                ));
            }
            // In the primary's region, a replica joins the primary's network.
            _ => None,
        };
        let properties = models::ServerProperties {
            create_mode: Some(server_properties::CreateMode::Replica),
            network,
            source_server_resource_id: Some(cx.server_id(primary)),
            storage: Some(models::Storage {
                storage_size_gb: Some(server::storage_gib(&format!("{field}.storage"), size)?),
                // Autogrow on the primary requires it on its replicas.
                auto_grow: Some(if az.storage.auto_grow {
                    storage::AutoGrow::Enabled
                } else {
                    storage::AutoGrow::Disabled
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let body = models::Server {
            tracked_resource: models::TrackedResource::new(region.clone()),
            sku: Some(server::sku(sku)),
            identity: None,
            properties: Some(properties),
        };
        ops.push(Operation {
            id: format!("replica:{name}"),
            kind: OperationKind::ReplicaCreate,
            server: name.to_owned(),
            summary: format!(
                "create read replica {name} of {primary} in {region} ({} {}, {} GiB)",
                sku.tier().map_or_else(String::new, |t| t.to_string()),
                sku.name,
                size.as_gib()
            ),
            method: Method::Put,
            path: cx.path(name, ""),
            body: Some(Body::Server(Box::new(body))),
            needs_restart: false,
            secrets: Vec::new(),
            placeholders: cx.placeholders(),
            notes,
        });
        let parameters = configuration::replica_parameters(cx.plan, i)?;
        ops.extend(configuration::operations(cx, name, &parameters));
        if let Some(restart) = server::restart(cx, name, &parameters) {
            ops.push(restart);
        }
    }
    Ok(ops)
}
