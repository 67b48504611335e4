//! One Azure Resource Manager request, rendered from a plan.

use std::fmt;

use pgplan_core::SecretSource;
use serde::{Serialize, Serializer};

use crate::Error;
use crate::models;
use crate::monitor::MetricAlertResource;

/// The REST API version of the Flexible Server paths (metric alerts carry
/// [`METRIC_ALERTS_API_VERSION`](crate::monitor::METRIC_ALERTS_API_VERSION)).
pub const API_VERSION: &str = "2024-08-01";

/// The placeholder a path or resource id carries when the plan has no
/// subscription id; apply fills it in from its credentials' subscription.
pub const SUBSCRIPTION_PLACEHOLDER: &str = "{subscriptionId}";

/// The placeholder of an Entra administrator's object id the plan leaves out.
pub const OBJECT_ID_PLACEHOLDER: &str = "{objectId}";

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Create or replace.
    Put,
    /// Partial update.
    Patch,
    /// An action (restart).
    Post,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Post => "POST",
        })
    }
}

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// Create the primary server.
    ServerCreate,
    /// Set one server parameter through the configurations API.
    Configuration,
    /// Restart the server so static parameters take effect.
    Restart,
    /// Create a database.
    Database,
    /// Add a Microsoft Entra administrator.
    Administrator,
    /// Create a firewall rule (public access only).
    FirewallRule,
    /// Create a read replica (`createMode: Replica`).
    ReplicaCreate,
    /// Create or replace an Azure Monitor metric alert on a server.
    MetricAlert,
}

/// A request body, as the typed `azure_mgmt_postgresql` model (API 2024-08-01).
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A server (`Servers_Create`).
    Server(Box<models::Server>),
    /// A server parameter (`Configurations_Put`).
    Configuration(models::Configuration),
    /// A database (`Databases_Create`).
    Database(models::Database),
    /// A Microsoft Entra administrator (`Administrators_Create`).
    Administrator(models::ActiveDirectoryAdministratorAdd),
    /// A firewall rule (`FirewallRules_CreateOrUpdate`).
    FirewallRule(models::FirewallRule),
    /// A metric alert (`MetricAlerts_CreateOrUpdate`, API 2018-03-01; see
    /// [`crate::monitor`]).
    MetricAlert(Box<MetricAlertResource>),
}

impl Body {
    /// The body as JSON, as it is sent: `null` members are left out (the
    /// generated models write `"earliestRestoreDate": null` and
    /// `"pointInTimeUTC": null` for unset dates, which ARM must not see).
    pub fn to_json(&self) -> Result<serde_json::Value, Error> {
        let (what, value) = match self {
            Body::Server(b) => ("server", serde_json::to_value(b)),
            Body::Configuration(b) => ("configuration", serde_json::to_value(b)),
            Body::Database(b) => ("database", serde_json::to_value(b)),
            Body::Administrator(b) => ("administrator", serde_json::to_value(b)),
            Body::FirewallRule(b) => ("firewall rule", serde_json::to_value(b)),
            Body::MetricAlert(b) => ("metric alert", serde_json::to_value(b)),
        };
        let mut value = value.map_err(|source| Error::Serialize {
            what: what.into(),
            source,
        })?;
        strip_nulls(&mut value);
        Ok(value)
    }
    /// The swagger definition the body follows in the saved Flexible Server
    /// specification: (spec file, definition). `None` for a metric alert,
    /// whose specification is not saved: its body is checked against the
    /// one the Azure CLI builds instead.
    pub fn definition(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Body::Server(_) => ("FlexibleServers.json", "Server"),
            Body::Configuration(_) => ("Configuration.json", "Configuration"),
            Body::Database(_) => ("Databases.json", "Database"),
            Body::Administrator(_) => ("Administrators.json", "ActiveDirectoryAdministratorAdd"),
            Body::FirewallRule(_) => ("FirewallRules.json", "FirewallRule"),
            Body::MetricAlert(_) => return None,
        })
    }
}

/// Removes every `null` member of every object, recursively.
pub fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// A body field that is filled in from a secret source at apply time. The
/// rendered body never holds the value, nor a stand-in for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretInput {
    /// JSON pointer of the field in the body (`/properties/administratorLoginPassword`).
    pub field: String,
    /// Where the value comes from, as the plan says it.
    pub source: SecretSource,
    /// The source in words (never the value).
    pub description: String,
}

/// A resource a server's creation needs and pgplan does not create through
/// the Flexible Server API: the delegated subnet, the private DNS zone and
/// its link to the VNet of a VNet-injected server. The deploy script shows
/// each and creates what is missing; apply checks them before it creates
/// the server and stops, naming what is missing, when one is not there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prerequisite {
    /// What it is.
    pub kind: PrerequisiteKind,
    /// Its resource id (placeholders as in the operation's path).
    pub resource_id: String,
    /// For a subnet: the address range to create it with, when the plan
    /// gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
    /// For a VNet link: the VNet it links (for a subnet, its VNet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_network_id: Option<String>,
    /// One line for people.
    pub description: String,
}

/// The kinds of [`Prerequisite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrerequisiteKind {
    /// A subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers`.
    DelegatedSubnet,
    /// A private DNS zone.
    PrivateDnsZone,
    /// A link of the private DNS zone to the server's VNet.
    VnetLink,
}

/// A `{placeholder}` in the path or body that apply fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// The placeholder as written (`{subscriptionId}`).
    pub placeholder: String,
    /// What it stands for and where apply takes it from.
    pub description: String,
}

/// One request to Azure Resource Manager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Stable id, unique in the list (`configuration:shared_buffers`).
    pub id: String,
    /// What the operation does.
    pub kind: OperationKind,
    /// The server it acts on.
    pub server: String,
    /// One line for people.
    pub summary: String,
    /// HTTP method.
    pub method: Method,
    /// Path below the ARM endpoint, with its `?api-version=` (2024-08-01 for
    /// Flexible Server resources, 2018-03-01 for metric alerts).
    pub path: String,
    /// Request body, `null` members removed.
    #[serde(serialize_with = "serialize_body")]
    pub body: Option<Body>,
    /// The change takes effect only after a restart (a static parameter).
    pub needs_restart: bool,
    /// Body fields filled in from secret sources at apply time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretInput>,
    /// Placeholders apply fills in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<Placeholder>,
    /// What must exist before this operation (a VNet-injected server's
    /// subnet, private DNS zone and VNet link).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<Prerequisite>,
    /// What a reader should know (what the plan leaves to other backends,
    /// what Azure decides).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn serialize_body<S: Serializer>(body: &Option<Body>, s: S) -> Result<S::Ok, S::Error> {
    match body {
        None => s.serialize_none(),
        Some(b) => b.to_json().map_err(serde::ser::Error::custom)?.serialize(s),
    }
}

impl Operation {
    /// The body as JSON (`null` members removed), if there is one.
    pub fn body_json(&self) -> Result<Option<serde_json::Value>, Error> {
        self.body.as_ref().map(Body::to_json).transpose()
    }
    /// The resource path without the query string.
    pub fn resource_path(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }
    /// The configuration name and value, for a [`OperationKind::Configuration`].
    pub fn configuration(&self) -> Option<(&str, &str)> {
        let Some(Body::Configuration(c)) = &self.body else {
            return None;
        };
        let name = self.resource_path().rsplit('/').next()?;
        let value = c.properties.as_ref()?.value.as_deref()?;
        Some((name, value))
    }
}
