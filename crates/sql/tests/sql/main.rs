//! Integration tests of pgplan-sql: rendered SQL snapshots, and convergence
//! of real PostgreSQL 14, 15 and 17 servers (one shared server per major for
//! the whole binary, started by pgplan-testkit), and of 15 and 17 servers
//! with TLS on (`tls`).

mod bad_input;
mod entra;
mod escaping;
mod faults;
mod import;
mod migration_runner;
mod migrations;
mod names;
mod parameter_catalog;
mod passwords;
mod prepare;
mod psql_script;
mod role_attributes;
mod safety;
mod seeds;
mod snapshots;
mod support;
mod tls;
