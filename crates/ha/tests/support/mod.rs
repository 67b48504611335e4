//! Shared by the HA test binaries: the plans they render and run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use pgplan_core::{Plan, ValidPlan};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Seed 003 as the repository has it (PostgreSQL 17).
pub fn seed_text() -> String {
    std::fs::read_to_string(root().join("examples/plans/ha-cluster.yaml")).unwrap()
}

/// Seed 003 with `version: 15`: on Debian 12 only PostgreSQL 15 has every
/// binary Patroni needs (the PostgreSQL 17 binaries the tests use lack
/// pg_basebackup, pg_rewind, pg_controldata and pg_isready).
pub fn seed_15_text() -> String {
    seed_text().replace("\nversion: 17\n", "\nversion: 15\n")
}

/// A plan from YAML, validated.
pub fn valid(yaml: &str) -> ValidPlan {
    Plan::from_yaml(yaml)
        .expect("the plan reads")
        .validate()
        .unwrap_or_else(|r| panic!("the plan validates:\n{r}"))
}
