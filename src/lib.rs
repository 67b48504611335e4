//! pgplan: PostgreSQL deployment plans as a typed, validated model, rendered to
//! every artifact a platform team needs.
//!
//! This crate re-exports [`pgplan_core`] as [`core`] (and its items at the
//! root) and each backend behind a feature of the same name: [`sql`], [`k8s`],
//! [`azure`], [`ha`], and the documents (installation plan, diagram,
//! comparison, cost) as [`doc`].
//!
//! ```
//! let plan = pgplan::Plan::from_yaml(
//!     "service: orders\nenvironment: development\nversion: 17\nplatform: { local: {} }\n",
//! )
//! .unwrap();
//! assert!(!plan.report().has_errors());
//! ```

pub use pgplan_core as core;
pub use pgplan_core::*;

#[cfg(feature = "azure")]
pub use pgplan_azure as azure;
#[cfg(feature = "doc")]
pub use pgplan_doc as doc;
#[cfg(feature = "ha")]
pub use pgplan_ha as ha;
#[cfg(feature = "k8s")]
pub use pgplan_k8s as k8s;
#[cfg(feature = "sql")]
pub use pgplan_sql as sql;

/// The README's Rust code blocks, compiled and run as doctests so the
/// example of the plan language cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
