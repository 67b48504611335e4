//! Reading what Azure holds now: for every server the operations touch, the
//! server itself and, when it exists, the parameters, databases,
//! administrators and firewall rules the operations name. Reads only (GET);
//! the result is the input of the pure [`diff`](super::diff::diff).

use std::collections::BTreeMap;

use futures::StreamExt;

use super::client::{Applier, is_not_found, rejected};
use crate::Error;
use crate::models;
use crate::operation::{Operation, OperationKind};

/// What Azure holds for the operations' servers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// By server name. A server that is not here was not read and counts as
    /// absent.
    pub servers: BTreeMap<String, ServerState>,
}

impl Observed {
    /// The state of a server, if it exists.
    pub fn server(&self, name: &str) -> Option<&PresentServer> {
        match self.servers.get(name) {
            Some(ServerState::Present(s)) => Some(s),
            _ => None,
        }
    }
}

/// One server: absent, or present with what the operations name under it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerState {
    /// No such server (it is created by the operations).
    Absent,
    /// The server exists.
    Present(Box<PresentServer>),
}

/// An existing server and its children. A child missing from a map does not
/// exist.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentServer {
    /// The server as Azure reports it.
    pub server: models::Server,
    /// Every server parameter, by lowercase name.
    pub configurations: BTreeMap<String, models::ConfigurationProperties>,
    /// The databases the operations name, by name.
    pub databases: BTreeMap<String, models::DatabaseProperties>,
    /// The Entra administrators the operations name, by object id.
    pub administrators: BTreeMap<String, models::AdministratorProperties>,
    /// The firewall rules the operations name, by name.
    pub firewall_rules: BTreeMap<String, models::FirewallRuleProperties>,
}

impl PresentServer {
    /// A server without parameters or children (for tests and for a server
    /// just created, before its children are read).
    pub fn new(server: models::Server) -> Self {
        PresentServer {
            server,
            configurations: BTreeMap::new(),
            databases: BTreeMap::new(),
            administrators: BTreeMap::new(),
            firewall_rules: BTreeMap::new(),
        }
    }
}

/// The last segment of an operation's resource path: the database, rule,
/// parameter name or administrator object id.
pub(super) fn child_name(op: &Operation) -> &str {
    op.resource_path().rsplit('/').next().unwrap_or_default()
}

/// Where the operations' resources live.
pub(super) struct Scope<'a> {
    pub applier: &'a Applier,
    pub subscription: &'a str,
    pub resource_group: &'a str,
}

impl Scope<'_> {
    /// Reads every server the operations touch (placeholders filled).
    pub(super) async fn observe(&self, ops: &[Operation]) -> Result<Observed, Error> {
        let mut observed = Observed::default();
        for op in ops {
            if !observed.servers.contains_key(&op.server) {
                let state = self.server(&op.server, ops).await?;
                observed.servers.insert(op.server.clone(), state);
            }
        }
        Ok(observed)
    }

    /// Reads one server and, when it exists, the children the operations
    /// name under it.
    pub(super) async fn server(&self, name: &str, ops: &[Operation]) -> Result<ServerState, Error> {
        let (sub, rg) = (self.subscription, self.resource_group);
        let client = &self.applier.client;
        let first = ops
            .iter()
            .find(|o| o.server == name)
            .map_or_else(|| name.to_owned(), |o| o.id.clone());
        let server = match client.servers_client().get(sub, rg, name).await {
            Ok(s) => s,
            Err(e) if is_not_found(&e) => return Ok(ServerState::Absent),
            Err(e) => return Err(rejected(&first, &format!("reading server {name}"), e)),
        };
        let mut present = PresentServer::new(server);
        let mine = ops.iter().filter(|o| o.server == name);
        if mine.clone().any(|o| o.kind == OperationKind::Configuration) {
            present.configurations = self.configurations(&first, name).await?;
        }
        for op in mine {
            let child = child_name(op).to_owned();
            let what = |kind: &str| format!("reading {kind} {child} of {name}");
            match op.kind {
                OperationKind::Database => {
                    match client.databases_client().get(sub, rg, name, &child).await {
                        Ok(d) => {
                            present
                                .databases
                                .insert(child, d.properties.unwrap_or_default());
                        }
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(rejected(&op.id, &what("database"), e)),
                    }
                }
                OperationKind::Administrator => {
                    match client
                        .administrators_client()
                        .get(sub, rg, name, &child)
                        .await
                    {
                        Ok(a) => {
                            present.administrators.insert(child, a.properties);
                        }
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(rejected(&op.id, &what("administrator"), e)),
                    }
                }
                OperationKind::FirewallRule => {
                    match client
                        .firewall_rules_client()
                        .get(sub, rg, name, &child)
                        .await
                    {
                        Ok(r) => {
                            present.firewall_rules.insert(child, r.properties);
                        }
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(rejected(&op.id, &what("firewall rule"), e)),
                    }
                }
                OperationKind::ServerCreate
                | OperationKind::ReplicaCreate
                | OperationKind::Configuration
                | OperationKind::Restart => {}
            }
        }
        Ok(ServerState::Present(Box::new(present)))
    }

    /// Every parameter of a server, by lowercase name.
    pub(super) async fn configurations(
        &self,
        operation: &str,
        server: &str,
    ) -> Result<BTreeMap<String, models::ConfigurationProperties>, Error> {
        let mut all = BTreeMap::new();
        let mut pages = self
            .applier
            .client
            .configurations_client()
            .list_by_server(self.subscription, self.resource_group, server)
            .into_stream();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                rejected(operation, &format!("listing the parameters of {server}"), e)
            })?;
            for c in page.value {
                if let (Some(name), Some(props)) = (c.proxy_resource.resource.name, c.properties) {
                    all.insert(name.to_ascii_lowercase(), props);
                }
            }
        }
        Ok(all)
    }
}
