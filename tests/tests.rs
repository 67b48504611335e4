//! Workspace integration tests, one binary with a module per topic.

mod fuzz;
mod support;

mod azure_deploy;
mod cross_refs;
mod k8s_pod;
mod plans;
mod sql_artifacts;
