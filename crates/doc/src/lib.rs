//! pgplan-doc: what people read about a plan, generated from the model.
//!
//! - [`document`]: a Markdown installation plan in the structure of a
//!   reviewed hand-written one (overview and objectives, environment,
//!   resources and storage, every parameter with its value and why,
//!   network and security, databases, roles and privileges, clients and the
//!   connection budget, backup and restore, monitoring, installation,
//!   verification, day-2 operations, cost and the validation report), in
//!   English or Korean ([`Lang`]);
//! - [`diagram`]: a Mermaid flowchart of the topology, which GitHub, GitLab
//!   and Azure DevOps wikis draw where the documents live;
//! - [`compare`]: two plans side by side (development and production), with
//!   the parity findings that make "works in dev, fails in prod" and a
//!   promotion checklist;
//! - [`cost`]: a monthly estimate from a dated price table.
//!
//! Every number comes from the code the renderers use — the resolved
//! [`Settings`](pgplan_core::Settings) of the [`ValidPlan`], the connection
//! demand the budget rule checks, the object names the Kubernetes renderer
//! gives, Azure's host names and units — so a document cannot disagree with
//! an artifact. No secret ever appears: a plan that validates holds none, and
//! password sources are described by where they are, never by a value.
//!
//! The crate is pure: no IO, no clock. What pgplan renders for the plan (file
//! names, objects and requests in apply order) is passed in by the caller as
//! [`Rendered`], since the backends are not dependencies of this crate.
//!
//! ```
//! use pgplan_core::Plan;
//! use pgplan_doc::{DocOptions, Lang, document};
//!
//! let plan = Plan::from_yaml("
//! service: orders
//! environment: development
//! version: 17
//! platform: { local: {} }
//! sizing: { memory: { request: 2Gi }, cpu: { request: 2 } }
//! ").unwrap().validate().unwrap();
//! let en = document(&plan, &DocOptions::default());
//! assert!(en.starts_with("# orders (development): PostgreSQL 17 installation plan"));
//! assert!(en.contains("| `shared_buffers` | `512MB` |"));
//! let ko = document(&plan, &DocOptions { lang: Lang::Ko, ..DocOptions::default() });
//! assert!(ko.contains("## 1. 개요"));
//! ```

pub mod compare;
pub mod cost;
pub mod diagram;
mod document;
mod facts;
mod lang;
pub mod markdown;

pub use compare::{CompareOptions, Comparison, compare};
pub use cost::{Estimate, PriceTable};
pub use diagram::diagram;
pub use document::{DocOptions, document};
pub use lang::Lang;

/// Which artifacts a [`Rendered`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// SQL scripts (`pgplan render --target sql`).
    Sql,
    /// Kubernetes manifests (`--target k8s`).
    Kubernetes,
    /// Azure Flexible Server requests and an `az` script (`--target azure`).
    Azure,
    /// Patroni, etcd and HAProxy configurations (`--target ha`).
    Ha,
}

impl Target {
    /// The `--target` value that renders it.
    pub fn flag(self) -> &'static str {
        match self {
            Target::Sql => "sql",
            Target::Kubernetes => "k8s",
            Target::Azure => "azure",
            Target::Ha => "ha",
        }
    }
}

/// What pgplan renders for a plan for one target, as the caller (the CLI)
/// rendered it: the file names and the objects or requests in the order
/// `apply` sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The target.
    pub target: Target,
    /// File names, relative to the output directory.
    pub files: Vec<String>,
    /// Objects or requests in apply order (`StatefulSet
    /// phonebill-dev/postgresql-product-change`), one line each.
    pub items: Vec<String>,
}

/// A price table that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file does not parse or does not fit the table's shape.
    #[error("the price table is not valid: {0}")]
    Prices(String),
}
