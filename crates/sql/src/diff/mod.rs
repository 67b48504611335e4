//! Desired versus actual: the ordered list of changes that makes a server
//! match a plan. Pure: it compares a [`DesiredState`] with a
//! [`ServerState`] that `apply` read from the server.

use std::collections::BTreeMap;
use std::fmt;

use pgplan_core::{DatabaseName, RoleName};

use crate::catalog::ServerState;
use crate::desired::DesiredState;
use crate::secrets::{Password, SecretResolver};
use crate::statement::Statement;

/// When a change runs. Changes run phase by phase, in list order within a
/// phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Roles and memberships: one transaction in the maintenance database.
    Roles,
    /// `CREATE DATABASE`, each on its own (no transaction possible).
    CreateDatabases,
    /// Everything inside one database: one transaction per database.
    Databases,
    /// `DROP ROLE`: one transaction, after the databases let go of the roles.
    DropRoles,
    /// `ALTER SYSTEM`, each on its own, then a reload.
    Settings,
    /// Migration scripts, per database in version order, as the owner role
    /// (listed here; `apply` runs them after everything else).
    Migrations,
}

/// Where a change applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The whole cluster (roles, memberships, CREATE DATABASE).
    Cluster,
    /// One database.
    Database(DatabaseName),
    /// Server settings.
    Settings,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Cluster => f.write_str("cluster"),
            Scope::Database(d) => write!(f, "database {d}"),
            Scope::Settings => f.write_str("settings"),
        }
    }
}

/// One change: what it does and the statements that do it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Where.
    pub scope: Scope,
    /// When.
    pub phase: Phase,
    /// What, for people (`grant SELECT on all tables in schema public to ro`).
    pub summary: String,
    /// Takes something away (drop, revoke, reset); runs only when allowed.
    pub destructive: bool,
    /// The statements.
    pub statements: Vec<Statement>,
}

/// The changes that make a server match a plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSet {
    /// `host:port`.
    pub server: String,
    /// Every difference, in execution order.
    pub changes: Vec<Change>,
    /// Things worth knowing that are not changes (unmanaged passwords,
    /// differences that cannot be changed in place, pending restarts).
    pub notes: Vec<String>,
    /// Whether destructive changes will run.
    pub allow_destructive: bool,
    /// Settings that wait for a server restart (now or after this apply).
    pub restart_needed: Vec<String>,
    /// Roles, databases and schemas the plan names that exist on the server
    /// without pgplan's marker (made by hand or by another tool): left
    /// alone, unless the apply adopts them.
    pub conflicts: Vec<String>,
}

impl ChangeSet {
    /// The changes that will run: all non-destructive ones, and the
    /// destructive ones when allowed.
    pub fn runnable(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| !c.destructive || self.allow_destructive)
    }
    /// Destructive changes (whether or not they will run).
    pub fn destructive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.destructive)
    }
    /// Statements that will run.
    pub fn statement_count(&self) -> usize {
        self.runnable().map(|c| c.statements.len()).sum()
    }
    /// True when nothing will run.
    pub fn is_empty(&self) -> bool {
        self.runnable().next().is_none()
    }
    /// True when something the plan asks for is held back: destructive
    /// changes not allowed, or conflicts not adopted.
    pub fn held_back(&self) -> bool {
        !self.conflicts.is_empty() || self.destructive().any(|_| !self.allow_destructive)
    }
}

impl fmt::Display for ChangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runnable = self.runnable().count();
        let statements = self.statement_count();
        if self.changes.is_empty() && self.conflicts.is_empty() {
            writeln!(
                f,
                "{}: no changes, 0 statements: the server matches the plan",
                self.server
            )?;
        } else {
            writeln!(
                f,
                "{}: {runnable} change{} to apply ({statements} statement{})",
                self.server,
                plural(runnable),
                plural(statements)
            )?;
        }
        let destructive: Vec<&Change> = self.destructive().collect();
        if !destructive.is_empty() {
            if self.allow_destructive {
                writeln!(f, "destructive changes:")?;
            } else {
                writeln!(
                    f,
                    "destructive changes (skipped: pass --allow-destructive / ApplyOptions::allow_destructive to run them):"
                )?;
            }
            for c in &destructive {
                writeln!(f, "  - [{}] {}", c.scope, c.summary)?;
            }
        }
        let others: Vec<&Change> = self.changes.iter().filter(|c| !c.destructive).collect();
        if !others.is_empty() {
            writeln!(f, "changes:")?;
            for c in others {
                writeln!(f, "  + [{}] {}", c.scope, c.summary)?;
            }
        }
        if !self.conflicts.is_empty() {
            writeln!(
                f,
                "conflicts (left alone: pgplan did not create them; pass --adopt / ApplyOptions::adopt to manage them):"
            )?;
            for c in &self.conflicts {
                writeln!(f, "  ! {c}")?;
            }
        }
        if !self.restart_needed.is_empty() {
            writeln!(
                f,
                "pending until the server restarts: {}",
                self.restart_needed.join(", ")
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

/// Why an object on the server is not pgplan's to change, or `None` when it
/// carries this plan's marker.
pub(super) fn unmanaged(comment: Option<&str>, marker: &str) -> Option<String> {
    match comment {
        Some(c) if c == marker => None,
        Some(c) if c.starts_with("pgplan:") => Some(format!("it is managed by another plan ({c})")),
        Some(_) | None => Some(format!(
            "it exists without pgplan's marker (`{marker}`): made by hand or by another tool"
        )),
    }
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Inputs of a diff besides the two states.
pub struct DiffInputs<'a> {
    /// Passwords the resolver knew, by role.
    pub passwords: &'a BTreeMap<RoleName, Password>,
    /// Makes verifiers for new or changed passwords.
    pub resolver: &'a dyn SecretResolver,
    /// Run destructive changes.
    pub allow_destructive: bool,
    /// Converge server settings (self-managed targets).
    pub include_settings: bool,
    /// Manage unmarked roles, databases and schemas the plan names.
    pub adopt: bool,
}

/// The changes that make `actual` match `desired`.
pub fn compute(desired: &DesiredState, actual: &ServerState, inputs: &DiffInputs<'_>) -> ChangeSet {
    let mut cs = ChangeSet {
        server: actual.server.clone(),
        allow_destructive: inputs.allow_destructive,
        ..ChangeSet::default()
    };
    let mut changes: Vec<Change> = Vec::new();
    diff_roles(desired, actual, inputs, &mut changes, &mut cs);
    let dropped = roles_to_drop(desired, actual);
    for db in desired.databases.values() {
        diff_database(
            desired,
            db,
            actual,
            &dropped,
            inputs.adopt,
            &mut changes,
            &mut cs,
        );
    }
    for role in &dropped {
        changes.push(Change {
            scope: Scope::Cluster,
            phase: Phase::DropRoles,
            summary: format!(
                "drop role {role} (marked {} but no longer in the plan)",
                desired.role_marker
            ),
            destructive: true,
            statements: vec![Statement::DropRole { name: role.clone() }],
        });
    }
    diff_settings(desired, actual, inputs, &mut changes, &mut cs);
    // Stable sort: phase order, list order within a phase.
    changes.sort_by_key(|c| c.phase);
    cs.changes = changes;
    cs
}

mod databases;
mod privileges;
mod roles;
pub(crate) mod settings;

use databases::diff_database;
use roles::{diff_roles, roles_to_drop};
use settings::diff_settings;
pub use settings::same_setting;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_compare_in_the_parameters_unit() {
        assert!(same_setting(17, "work_mem", "64MB", "65536"));
        assert!(same_setting(17, "work_mem", "64MB", "64MB"));
        assert!(!same_setting(17, "work_mem", "64MB", "4096"));
        assert!(same_setting(14, "log_min_duration_statement", "5s", "5000"));
        assert!(same_setting(
            17,
            "shared_preload_libraries",
            "pg_stat_statements,pg_cron",
            "pg_stat_statements, \"pg_cron\""
        ));
        assert!(same_setting(17, "timezone", "UTC", "utc"));
        assert!(!same_setting(17, "log_line_prefix", "%t ", "%T "));
        assert!(same_setting(17, "fsync", "on", "true"));
    }

    #[test]
    fn destructive_changes_are_listed_first_and_skipped_unless_allowed() {
        let change = |summary: &str, destructive: bool| Change {
            scope: Scope::Cluster,
            phase: Phase::Roles,
            summary: summary.into(),
            destructive,
            statements: vec![Statement::ReloadConfiguration],
        };
        let mut cs = ChangeSet {
            server: "db:5432".into(),
            changes: vec![change("grant it", false), change("revoke that", true)],
            ..ChangeSet::default()
        };
        let text = cs.to_string();
        assert!(
            text.find("revoke that").unwrap() < text.find("grant it").unwrap(),
            "{text}"
        );
        assert!(text.contains("skipped"), "{text}");
        assert_eq!(cs.statement_count(), 1);
        cs.allow_destructive = true;
        assert_eq!(cs.statement_count(), 2);
        let empty = ChangeSet {
            server: "db:5432".into(),
            ..ChangeSet::default()
        };
        assert!(empty.to_string().contains("0 statements"));
    }
}
