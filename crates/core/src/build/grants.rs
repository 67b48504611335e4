//! Grant targets and privileges: `.grant([SELECT, INSERT], on::tables("db", "public"))`.

use crate::model::roles::{ObjectKind, Privilege};

/// Privilege keywords as constants, so `use pgplan_core::prelude::*` brings
/// them in without shadowing any type.
pub mod privilege {
    use crate::model::roles::Privilege;

    /// SELECT.
    pub const SELECT: Privilege = Privilege::Select;
    /// INSERT.
    pub const INSERT: Privilege = Privilege::Insert;
    /// UPDATE.
    pub const UPDATE: Privilege = Privilege::Update;
    /// DELETE.
    pub const DELETE: Privilege = Privilege::Delete;
    /// TRUNCATE.
    pub const TRUNCATE: Privilege = Privilege::Truncate;
    /// REFERENCES.
    pub const REFERENCES: Privilege = Privilege::References;
    /// TRIGGER.
    pub const TRIGGER: Privilege = Privilege::Trigger;
    /// MAINTAIN (PostgreSQL 17+).
    pub const MAINTAIN: Privilege = Privilege::Maintain;
    /// USAGE.
    pub const USAGE: Privilege = Privilege::Usage;
    /// CREATE.
    pub const CREATE: Privilege = Privilege::Create;
    /// CONNECT.
    pub const CONNECT: Privilege = Privilege::Connect;
    /// TEMPORARY.
    pub const TEMPORARY: Privilege = Privilege::Temporary;
    /// EXECUTE.
    pub const EXECUTE: Privilege = Privilege::Execute;
    /// ALL PRIVILEGES (expanded for the object kind).
    pub const ALL: Privilege = Privilege::All;
    /// SELECT, INSERT, UPDATE, DELETE.
    pub const CRUD: [Privilege; 4] = [SELECT, INSERT, UPDATE, DELETE];
}

/// One privilege or several.
pub trait Privileges {
    /// The privileges, in order.
    fn into_vec(self) -> Vec<Privilege>;
}

impl Privileges for Privilege {
    fn into_vec(self) -> Vec<Privilege> {
        vec![self]
    }
}

impl<const N: usize> Privileges for [Privilege; N] {
    fn into_vec(self) -> Vec<Privilege> {
        self.to_vec()
    }
}

impl Privileges for &[Privilege] {
    fn into_vec(self) -> Vec<Privilege> {
        self.to_vec()
    }
}

impl Privileges for Vec<Privilege> {
    fn into_vec(self) -> Vec<Privilege> {
        self
    }
}

/// What a grant is on; names are read when the plan is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTarget {
    pub(crate) objects: ObjectKind,
    pub(crate) database: String,
    pub(crate) schema: Option<String>,
    pub(crate) owner: Option<String>,
}

impl GrantTarget {
    /// For default privileges: the role whose future objects get them
    /// (`ALTER DEFAULT PRIVILEGES FOR ROLE owner`). Without it the grant
    /// names no owner — which PostgreSQL reads as "the role that runs the
    /// script", the defect rule `PGP011`'s successor reports.
    pub fn created_by(mut self, owner: &str) -> Self {
        self.owner = Some(owner.to_owned());
        self
    }
}

/// Grant targets.
pub mod on {
    use super::GrantTarget;
    use crate::model::roles::ObjectKind;

    fn target(objects: ObjectKind, database: &str, schema: Option<&str>) -> GrantTarget {
        GrantTarget {
            objects,
            database: database.to_owned(),
            schema: schema.map(str::to_owned),
            owner: None,
        }
    }
    /// The database itself (CONNECT, CREATE, TEMPORARY).
    pub fn database(database: &str) -> GrantTarget {
        target(ObjectKind::Database, database, None)
    }
    /// A schema (USAGE, CREATE).
    pub fn schema(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::Schema, database, Some(schema))
    }
    /// Every table (and view) in a schema, now.
    pub fn tables(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::Tables, database, Some(schema))
    }
    /// Every sequence in a schema, now.
    pub fn sequences(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::Sequences, database, Some(schema))
    }
    /// Every function in a schema, now.
    pub fn functions(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::Functions, database, Some(schema))
    }
    /// Tables created later (default privileges); name their creator with
    /// [`GrantTarget::created_by`].
    pub fn future_tables(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::DefaultTables, database, Some(schema))
    }
    /// Sequences created later (default privileges).
    pub fn future_sequences(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::DefaultSequences, database, Some(schema))
    }
    /// Functions created later (default privileges).
    pub fn future_functions(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::DefaultFunctions, database, Some(schema))
    }
    /// Types created later (default privileges).
    pub fn future_types(database: &str, schema: &str) -> GrantTarget {
        target(ObjectKind::DefaultTypes, database, Some(schema))
    }
}
