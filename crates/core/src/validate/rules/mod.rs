//! The rules, one file each. Ids are stable: never renumber, only add.

use super::Rule;

mod connection_budget;
mod memory_budget;

pub use connection_budget::ConnectionBudget;
pub use memory_budget::MemoryBudget;

/// Every rule, in id order.
pub static ALL: &[&dyn Rule] = &[&ConnectionBudget, &MemoryBudget];

#[cfg(test)]
pub(crate) mod test_support;
