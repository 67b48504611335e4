//! Reading what Azure holds now: for every server the operations touch, the
//! server itself and, when it exists, the parameters, databases,
//! administrators and firewall rules the operations name; the metric
//! alerts the operations name; and, for a VNet-injected server that does
//! not exist yet, the subnet, private DNS zone and VNet link its creation
//! needs. Reads only (GET); the result is the input of the pure
//! [`diff`](super::diff::diff).

use std::collections::BTreeMap;

use futures::StreamExt;

use super::client::{Applier, is_not_found, rejected};
use crate::Error;
use crate::models;
use crate::monitor::MetricAlertResource;
use crate::operation::{Operation, OperationKind, Prerequisite, PrerequisiteKind};

/// The Microsoft.Network API version apply reads subnets with.
const NETWORK_API_VERSION: &str = "2024-05-01";
/// The API version apply reads private DNS zones and their links with.
const PRIVATE_DNS_API_VERSION: &str = "2018-09-01";

/// What Azure holds for the operations' servers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// By server name. A server that is not here was not read and counts as
    /// absent.
    pub servers: BTreeMap<String, ServerState>,
    /// The metric alerts the operations name that exist, by rule name.
    pub alerts: BTreeMap<String, MetricAlertResource>,
    /// The state of the prerequisites of servers to be created, by resource
    /// id in lower case. One that is not here was not read and counts as
    /// missing.
    pub prerequisites: BTreeMap<String, PrerequisiteState>,
}

/// Whether a [`Prerequisite`] is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrerequisiteState {
    /// It exists as the server needs it.
    Present,
    /// It does not exist.
    Missing,
    /// It exists, but not as the server needs it (why).
    Wrong(String),
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
    /// Reads every server the operations touch, their metric alerts, and the
    /// prerequisites of servers still to be created (placeholders filled).
    pub(super) async fn observe(&self, ops: &[Operation]) -> Result<Observed, Error> {
        let mut observed = Observed::default();
        for op in ops {
            if !observed.servers.contains_key(&op.server) {
                let state = self.server(&op.server, ops).await?;
                observed.servers.insert(op.server.clone(), state);
            }
        }
        for op in ops {
            match op.kind {
                OperationKind::MetricAlert => {
                    let url = self.applier.arm_url(&op.id, &op.path)?;
                    if let Some(rsp) = self.applier.get_if_exists(&op.id, url).await? {
                        let alert: MetricAlertResource =
                            rsp.json().await.map_err(|source| Error::Azure {
                                operation: op.id.clone(),
                                context: "reading the metric alert".into(),
                                source,
                            })?;
                        observed.alerts.insert(child_name(op).to_owned(), alert);
                    }
                }
                OperationKind::ServerCreate | OperationKind::ReplicaCreate
                    if observed.server(&op.server).is_none() =>
                {
                    for p in &op.prerequisites {
                        let state = self.prerequisite(&op.id, p).await?;
                        observed
                            .prerequisites
                            .insert(p.resource_id.to_ascii_lowercase(), state);
                    }
                }
                _ => {}
            }
        }
        Ok(observed)
    }

    /// Reads one prerequisite: a subnet and its delegation, a private DNS
    /// zone, or a link of the zone to the VNet (under any name).
    async fn prerequisite(
        &self,
        operation: &str,
        p: &Prerequisite,
    ) -> Result<PrerequisiteState, Error> {
        let read = |path: String| async move {
            let url = self.applier.arm_url(operation, &path)?;
            match self.applier.get_if_exists(operation, url).await? {
                None => Ok::<_, Error>(None),
                Some(rsp) => {
                    let value: serde_json::Value =
                        rsp.json().await.map_err(|source| Error::Azure {
                            operation: operation.into(),
                            context: format!("reading {path}"),
                            source,
                        })?;
                    Ok(Some(value))
                }
            }
        };
        Ok(match p.kind {
            PrerequisiteKind::DelegatedSubnet => {
                let path = format!("{}?api-version={NETWORK_API_VERSION}", p.resource_id);
                match read(path).await? {
                    None => PrerequisiteState::Missing,
                    Some(subnet) => {
                        let services: Vec<String> = subnet["properties"]["delegations"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|d| d["properties"]["serviceName"].as_str())
                            .map(str::to_owned)
                            .collect();
                        let wanted = pgplan_core::azure_facts::SUBNET_DELEGATION;
                        match services.as_slice() {
                            [one] if one.eq_ignore_ascii_case(wanted) => PrerequisiteState::Present,
                            [] => {
                                PrerequisiteState::Wrong(format!("it is not delegated to {wanted}"))
                            }
                            other => PrerequisiteState::Wrong(format!(
                                "it is delegated to {}, not to {wanted} alone",
                                other.join(", ")
                            )),
                        }
                    }
                }
            }
            PrerequisiteKind::PrivateDnsZone => {
                let path = format!("{}?api-version={PRIVATE_DNS_API_VERSION}", p.resource_id);
                match read(path).await? {
                    None => PrerequisiteState::Missing,
                    Some(_) => PrerequisiteState::Present,
                }
            }
            PrerequisiteKind::VnetLink => {
                let zone = p
                    .resource_id
                    .rsplit_once("/virtualNetworkLinks/")
                    .map_or(p.resource_id.as_str(), |(z, _)| z);
                let path =
                    format!("{zone}/virtualNetworkLinks?api-version={PRIVATE_DNS_API_VERSION}");
                let vnet = p.virtual_network_id.as_deref().unwrap_or_default();
                match read(path).await? {
                    None => PrerequisiteState::Missing,
                    Some(links) => {
                        let linked = links["value"].as_array().into_iter().flatten().any(|l| {
                            l["properties"]["virtualNetwork"]["id"]
                                .as_str()
                                .is_some_and(|id| id.eq_ignore_ascii_case(vnet))
                        });
                        if linked {
                            PrerequisiteState::Present
                        } else {
                            PrerequisiteState::Missing
                        }
                    }
                }
            }
        })
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
                | OperationKind::Restart
                | OperationKind::MetricAlert => {}
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
