//! Workspace integration tests, one binary with a module per topic.

mod fuzz;
mod plans;
