//! pgplan-azure integration tests, one binary with a module per topic.

mod fake;
mod support;

mod apply;
mod az_cli;
mod deploy;
mod schema;
mod seed;
mod snapshots;
mod standin;
mod validation;
