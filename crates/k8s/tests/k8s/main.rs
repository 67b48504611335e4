//! Integration tests of pgplan-k8s, one binary: rendering every example plan,
//! official schemas, checkov, snapshots, properties, the Job and CronJob
//! scripts against a real server, and apply against an API-server stand-in.

mod support;

mod apply;
mod bootstrap;
mod checkov;
mod migrations;
mod props;
mod refusals;
mod render;
mod schema;
mod scripts;
mod snapshots;
