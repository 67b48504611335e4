//! Workspace integration tests, one binary with a module per topic.

mod azure_deploy;
mod plans;
