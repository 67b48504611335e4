//! `pgplan compare A B`: two plans of one service side by side — the tables
//! of a development-versus-production master index, computed — with the
//! parity findings that make "works in dev, fails in prod" (extensions,
//! locales, roles, grants and parameters one plan has and the other lacks)
//! and a promotion checklist in the order the work has to happen.
//!
//! ```
//! use pgplan_core::Plan;
//! use pgplan_doc::compare;
//! let dev = Plan::from_yaml("
//! service: orders
//! environment: development
//! version: 17
//! platform: { local: {} }
//! databases: [{ name: orders, owner: orders_owner }]
//! roles: [{ name: orders_owner, purpose: owner }]
//! ").unwrap().validate().unwrap();
//! let mut prod = dev.clone().into_plan();
//! prod.databases[0].extensions.push(pgplan_core::Extension {
//!     name: "pgcrypto".parse().unwrap(), schema: None, version: None,
//! });
//! let prod = prod.validate().unwrap();
//! let c = compare(&dev, &prod, &pgplan_doc::CompareOptions::default());
//! assert_eq!(c.parity[0].id, "extension");
//! assert!(c.parity[0].text.contains("pgcrypto"));
//! ```

mod build;
mod render;

use serde::Serialize;

use crate::cost::Estimate;

pub use build::{CompareOptions, compare};

/// Two plans compared.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The first plan (usually development).
    pub left: Side,
    /// The second plan (usually production).
    pub right: Side,
    /// Side-by-side tables.
    pub sections: Vec<Section>,
    /// Server settings whose values differ, with both provenances.
    pub settings: Vec<SettingDifference>,
    /// What one plan has and the other lacks.
    pub parity: Vec<Finding>,
    /// What must change to promote the first plan's service to the second's
    /// environment, in order.
    pub checklist: Vec<ChecklistItem>,
    /// The cost of each.
    pub cost: CostComparison,
    /// How many fields differ in all (`Plan::differences`).
    pub fields_that_differ: usize,
}

/// One plan's identity.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Its service.
    pub service: String,
    /// Its environment.
    pub environment: String,
    /// PostgreSQL major version.
    pub version: u16,
    /// `kubernetes`, `azure` or `local`.
    pub platform: String,
}

/// A table of one aspect.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// A stable id (`objectives`, `platform`, …).
    pub id: &'static str,
    /// Its title in the comparison's language.
    pub title: String,
    /// The rows.
    pub rows: Vec<Row>,
}

/// One aspect of both plans.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What is compared.
    pub aspect: String,
    /// The first plan's value.
    pub left: String,
    /// The second plan's value.
    pub right: String,
    /// Whether they are the same.
    pub same: bool,
}

/// A server setting whose values differ.
#[derive(Debug, Clone, Serialize)]
pub struct SettingDifference {
    /// Parameter name.
    pub name: String,
    /// The first plan's value and why; `None` when its version lacks it.
    pub left: Option<SideValue>,
    /// The second plan's value and why.
    pub right: Option<SideValue>,
}

/// A value and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct SideValue {
    /// The value.
    pub value: String,
    /// Its provenance.
    pub why: String,
}

/// Something one plan has and the other lacks, or has differently.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind (`extension`, `locale`, `role`, `grant`, `parameter`, …).
    pub id: &'static str,
    /// The finding in words.
    pub text: String,
    /// What to do about it.
    pub fix: String,
}

/// One step of promotion.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    /// Its category (data migration, configuration, …).
    pub category: String,
    /// What to do.
    pub task: String,
    /// How urgent: `high`, `medium` or `low` (in the comparison's language).
    pub priority: String,
    /// Why, or what it refers to.
    pub note: String,
    /// The command that does it, when there is one.
    pub command: String,
}

/// Both estimates.
#[derive(Debug, Clone, Serialize)]
pub struct CostComparison {
    /// The first plan's.
    pub left: Estimate,
    /// The second plan's.
    pub right: Estimate,
}
