//! Read replicas: `PUT flexibleServers/{replica}` with `createMode: Replica`
//! and the primary's id, in the replica's region and SKU; then the replica's
//! own parameters.

use super::{Ctx, configuration, network, server};
use crate::models::{self, server_properties, storage};
use crate::operation::{Body, Method, Operation, OperationKind};

/// The replicas' requests. Rules PGP156–PGP160 guarantee what Azure needs of
/// them: at most five, server names of their own, a network of their own
/// region, at least the primary's compute and storage.
pub(super) fn operations(cx: &Ctx<'_>) -> Vec<Operation> {
    let az = cx.azure;
    let primary = az.server_name.as_str();
    let mut ops = Vec::new();
    for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
        let name = replica.name.as_str();
        let region = replica.region.as_ref().unwrap_or(&az.region).to_string();
        let sku = replica.sku.as_ref().unwrap_or(&az.sku);
        let size = replica.storage.unwrap_or(az.storage.size);
        let notes = vec![
            "a replica has no high availability and no backups of its own; it copies the primary's server parameters when it is created"
                .to_owned(),
        ];
        // Without a network of its own a replica joins the primary's (in the
        // primary's region: rule PGP158 refuses one elsewhere).
        let network = replica
            .network
            .as_ref()
            .map(|private| network::private_network(cx, private));
        let properties = models::ServerProperties {
            create_mode: Some(server_properties::CreateMode::Replica),
            network,
            source_server_resource_id: Some(cx.server_id(primary)),
            storage: Some(models::Storage {
                storage_size_gb: Some(server::storage_gb(size)),
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
            prerequisites: replica
                .network
                .as_ref()
                .map(|p| network::prerequisites(cx, p))
                .unwrap_or_default(),
            notes,
        });
        let parameters = configuration::replica_parameters(cx.plan, i);
        ops.extend(configuration::operations(cx, name, &parameters));
        if let Some(restart) = server::restart(cx, name, &parameters) {
            ops.push(restart);
        }
    }
    ops
}
