//! pgplan-azure: a plan as Azure Database for PostgreSQL Flexible Server
//! requests (REST API 2024-08-01), as an Azure CLI script, and — with the
//! `apply` feature — applied to Azure.
//!
//! ```
//! use pgplan_azure::{OperationKind, render_files, render_operations};
//! use pgplan_core::Plan;
//!
//! let plan = Plan::from_yaml(r#"
//! service: orders
//! environment: production
//! version: 16
//! platform:
//!   azure:
//!     resource_group: shop-rg
//!     server_name: orders-prod-pg
//!     region: Korea Central
//!     sku: { tier: GeneralPurpose, name: Standard_D4s_v3 }
//!     storage: { size: 128Gi, auto_grow: true }
//!     administrator_login: ordersadmin
//!     administrator_password: { env: { var: ORDERS_PG_ADMIN_PASSWORD } }
//! databases:
//!   - { name: orders, owner: orders_owner, locale: en_US.UTF-8 }
//! roles:
//!   - { name: orders_owner, purpose: owner, login: true, password: { env: { var: ORDERS_OWNER_PASSWORD } } }
//! "#).unwrap();
//!
//! // Renderers take only a validated plan: what validates renders.
//! let plan = plan.validate().unwrap_or_else(|report| panic!("{report}"));
//! let ops = render_operations(&plan).unwrap();
//! assert_eq!(ops[0].kind, OperationKind::ServerCreate);
//! assert_eq!(
//!     ops[0].path,
//!     "/subscriptions/{subscriptionId}/resourceGroups/shop-rg/providers/\
//!      Microsoft.DBforPostgreSQL/flexibleServers/orders-prod-pg?api-version=2024-08-01"
//! );
//! // The password is never in a body: the operation says where it comes from.
//! let body = ops[0].body_json().unwrap().unwrap();
//! assert!(body["properties"].get("administratorLoginPassword").is_none());
//! assert_eq!(ops[0].secrets[0].field, "/properties/administratorLoginPassword");
//! // shared_buffers in 8 kB pages (25 % of the SKU's 16 GiB).
//! let sb = ops.iter().find(|o| o.id == "configuration:shared_buffers").unwrap();
//! assert_eq!(sb.configuration(), Some(("shared_buffers", "524288")));
//! assert!(sb.needs_restart);
//!
//! let files = render_files(&plan).unwrap();
//! assert!(files["deploy.sh"].contains("set -euo pipefail"));
//! assert!(files["deploy.sh"].contains("--collation en_US.utf8"));
//! ```
//!
//! # What is rendered
//! [`render_operations`] turns a plan into ordered ARM requests, each with its
//! method, path (with its `api-version`) and body as a typed model
//! (`azure_mgmt_postgresql`'s, and [`monitor`] for alerts): (1) the server — location, SKU, version,
//! storage, zone, high availability, backup retention and geo-redundancy,
//! VNet integration or public access, authentication, administrator login;
//! (2) one `configurations` PUT per server parameter Azure lets users set, in
//! Azure's units, with a restart when a static one is set; (3) databases,
//! Microsoft Entra administrators and firewall rules; (4) read replicas
//! (`createMode: Replica`); (5) Azure Monitor metric alerts for the plan's
//! thresholds, on the servers they watch ([`monitor`], API 2018-03-01). A
//! VNet-injected server's operation lists what must exist before it — the
//! delegated subnet, the private DNS zone and its VNet link — as
//! [`prerequisites`](Operation::prerequisites).
//!
//! Secrets never appear in the output. The server body leaves
//! `administratorLoginPassword` out and the operation's
//! [`secrets`](Operation::secrets) says which field is filled from which
//! source (Key Vault or an environment variable) when it is applied. When the
//! plan has no subscription id, paths and resource ids carry the
//! `{subscriptionId}` placeholder, filled in at apply time; so does
//! `{objectId}` for an Entra administrator whose object id the plan leaves out.
//!
//! [`render_script`] writes the same operations as a bash script for Azure
//! CLI 2.91 — idempotent: every create behind a `show`, the network
//! prerequisites created when missing, the restart only when Azure reports
//! one pending — and [`render_files`] returns both as `operations.json` and
//! `deploy.sh`. Roles that log in as Entra identities are Entra principals:
//! their SQL comes from the SQL backend (`pgplan_sql::entra_principal_script`)
//! through [`RenderOptions`], and the script runs it with `psql` as an Entra
//! administrator ([`render_files_with`]).
//!
//! # Apply
//! With the `apply` feature, `apply::Applier` sends the operations through the
//! generated `azure_mgmt_postgresql` client with `azure_identity`
//! credentials: it reads the current state, sends only what differs, polls
//! long-running operations, honours `Retry-After`, restarts when a static
//! parameter changed, refuses to create a server whose network
//! prerequisites are missing and stops at the first failed operation. Its tests run
//! against a local ARM stand-in on 127.0.0.1 that speaks the same protocol
//! (it is a stand-in, not Azure: Azure is not reachable from the test
//! machines).

pub mod error;
pub mod monitor;
pub mod operation;
mod render;
pub mod script;

#[cfg(feature = "apply")]
pub mod apply;

use std::collections::BTreeMap;

pub use azure_mgmt_postgresql::package_flexibleserver_2024_08_01::models;
pub use error::Error;
pub use operation::{
    API_VERSION, Body, Method, OBJECT_ID_PLACEHOLDER, Operation, OperationKind, Placeholder,
    Prerequisite, PrerequisiteKind, SUBSCRIPTION_PLACEHOLDER, SecretInput,
};
pub use pgplan_core::Plan;
use pgplan_core::ValidPlan;
pub use render::{Parameter, azure_parameters, render_operations};
pub use script::{RenderOptions, render_script, render_script_with, shell_quote};

/// The operations as pretty JSON (an array), ending in a newline.
pub fn render_json(plan: &ValidPlan) -> Result<String, Error> {
    let ops = render_operations(plan)?;
    operations_json(&ops)
}

fn operations_json(ops: &[Operation]) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(ops).map_err(|source| Error::Serialize {
        what: "operations".into(),
        source,
    })?;
    text.push('\n');
    Ok(text)
}

/// Both renderings: `operations.json` and `deploy.sh`.
///
/// # Errors
///
/// As [`render_files_with`] without options: a plan with roles that log in
/// as Entra identities needs their SQL from the SQL backend.
pub fn render_files(plan: &ValidPlan) -> Result<BTreeMap<String, String>, Error> {
    render_files_with(plan, &RenderOptions::default())
}

/// Both renderings, with what other backends provide: the SQL of the
/// plan's Entra principals (`pgplan_sql::entra_principal_script`), which
/// `deploy.sh` runs with `psql`.
///
/// # Errors
///
/// [`Error::NotAzure`] for another platform, [`Error::MissingSeam`] when
/// the plan has Entra-identity roles and `options` lacks their SQL, and a
/// serialisation failure.
pub fn render_files_with(
    plan: &ValidPlan,
    options: &RenderOptions<'_>,
) -> Result<BTreeMap<String, String>, Error> {
    let ops = render_operations(plan)?;
    let mut files = BTreeMap::new();
    files.insert("operations.json".to_owned(), operations_json(&ops)?);
    files.insert(
        "deploy.sh".to_owned(),
        script::script_for(plan, &ops, options)?,
    );
    Ok(files)
}
