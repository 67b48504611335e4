//! pgplan-azure integration tests, one binary with a module per topic.

mod fake;
mod support;

mod alerts;
mod apply;
mod az_cli;
mod deploy;
mod escaping;
mod schema;
mod seed;
mod snapshots;
mod standin;
mod validation;
