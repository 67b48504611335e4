//! The typed plan model.

pub mod backups;
pub mod clients;
pub mod databases;
pub mod monitoring;
pub mod names;
pub mod plan;
pub mod platform;
pub mod roles;
pub mod secrets;
pub mod security;
pub mod sizing;
pub mod topology;
pub mod tuning;
pub mod units;
