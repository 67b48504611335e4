//! Databases (`PUT flexibleServers/{name}/databases/{database}`).

use pgplan_core::azure_facts;

use super::Ctx;
use crate::models;
use crate::operation::{Body, Method, Operation, OperationKind};

/// One `Databases_Create` per database. The API's patterns hold: the
/// encoding's name is a charset it takes (every `Encoding` is), rule PGP173
/// checks the name and PGP174 the collation.
pub(super) fn operations(cx: &Ctx<'_>) -> Vec<Operation> {
    let server = cx.azure.server_name.as_str();
    let mut ops = Vec::new();
    for db in &cx.plan.databases {
        let name = db.name.as_str();
        let charset = azure_facts::charset(&db.encoding);
        let collation = db.locale.as_ref().map(azure_facts::collation);
        let mut notes = Vec::new();
        if db.timezone.is_some() || db.connection_limit.is_some() || !db.extensions.is_empty() {
            notes.push(
                "time zone, connection limit, schemas and extensions are set inside the database by the SQL backend"
                    .to_owned(),
            );
        }
        let body = models::Database {
            proxy_resource: Default::default(),
            properties: Some(models::DatabaseProperties {
                charset: Some(charset.to_owned()),
                collation: collation.clone(),
            }),
        };
        ops.push(Operation {
            id: format!("database:{name}"),
            kind: OperationKind::Database,
            server: server.to_owned(),
            summary: format!(
                "create database {name} ({charset}{}) on {server}",
                collation.map(|c| format!(", {c}")).unwrap_or_default()
            ),
            method: Method::Put,
            path: cx.path(server, &format!("/databases/{name}")),
            body: Some(Body::Database(body)),
            needs_restart: false,
            secrets: Vec::new(),
            placeholders: cx.placeholders(),
            prerequisites: Vec::new(),
            notes,
        });
    }
    ops
}
