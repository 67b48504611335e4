//! The typed plan model.

pub mod azure_names;
pub mod backups;
pub mod clients;
pub mod compare;
pub mod cron;
pub mod databases;
pub mod input;
pub mod locale;
pub mod migrations;
pub mod monitoring;
pub mod names;
pub mod net;
pub mod plan;
pub mod platform;
pub mod roles;
pub mod runner;
pub mod secrets;
pub mod security;
pub mod sizing;
pub mod text;
pub mod topology;
pub mod tuning;
pub mod units;
