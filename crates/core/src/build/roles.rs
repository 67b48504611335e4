//! Roles, their grants, and the intent-level shapes: an application role
//! with CRUD on a schema, a read-only role, a migrations owner.

use super::grants::{GrantTarget, Privileges, on, privilege::*};
use super::{Problems, builder};
use crate::model::input::Input;
use crate::model::locale::ValidUntil;
use crate::model::names::{DatabaseName, RoleName, SchemaName};
use crate::model::plan::Plan;
use crate::model::roles::{Grant, Role, RoleAttribute, RolePurpose};
use crate::model::secrets::SecretSource;
use crate::validate::FieldPath;

pub(super) fn new_role(name: RoleName) -> Role {
    Role {
        name,
        purpose: RolePurpose::Application,
        login: false,
        password: None,
        connection_limit: None,
        attributes: Default::default(),
        member_of: Vec::new(),
        valid_until: None,
        grants: Vec::new(),
    }
}

builder!(
    /// A role (`roles[]`): what it is for, how it logs in, what it may do.
    ///
    /// The intent-level helpers expand to the general model:
    ///
    /// ```
    /// use pgplan_core::prelude::*;
    /// let plan = Plan::production("shop")
    ///     .version(17)
    ///     .local(|l| l)
    ///     .database("shop", "shop_owner", |d| d)
    ///     .role("shop_owner", |r| r.owner_of("shop", "public"))
    ///     .role("shop_app", |r| r.application().crud_on("shop", "public"))
    ///     .build()
    ///     .unwrap();
    /// let app = &plan.roles[1];
    /// // CONNECT, USAGE, CRUD on tables, sequences, and the same for tables
    /// // and sequences the owner creates later.
    /// assert_eq!(app.grants.len(), 6);
    /// assert_eq!(app.grants[4].for_owner.as_ref().unwrap().as_str(), "shop_owner");
    /// ```
    RoleBuilder => Role
);

impl RoleBuilder {
    /// What the role is for.
    pub fn purpose(mut self, purpose: RolePurpose) -> Self {
        self.value.purpose = purpose;
        self
    }
    /// An application service's login.
    pub fn application(self) -> Self {
        self.purpose(RolePurpose::Application)
    }
    /// Read-only access (reporting, analytics).
    pub fn read_only(self) -> Self {
        self.purpose(RolePurpose::ReadOnly)
    }
    /// Owns schema objects and runs migrations.
    pub fn owner(self) -> Self {
        self.purpose(RolePurpose::Owner)
    }
    /// Administers the database.
    pub fn admin(self) -> Self {
        self.purpose(RolePurpose::Admin)
    }
    /// Takes logical backups.
    pub fn backup(self) -> Self {
        self.purpose(RolePurpose::Backup)
    }
    /// Monitoring (postgres_exporter).
    pub fn monitoring(self) -> Self {
        self.purpose(RolePurpose::Monitoring)
    }
    /// Developers' access.
    pub fn developer(self) -> Self {
        self.purpose(RolePurpose::Developer)
    }
    /// Auditors' access.
    pub fn auditor(self) -> Self {
        self.purpose(RolePurpose::Auditor)
    }
    /// Streaming replication.
    pub fn replication(self) -> Self {
        self.purpose(RolePurpose::Replication)
    }
    /// The role can log in.
    pub fn login(mut self) -> Self {
        self.value.login = true;
        self
    }
    /// Where the password comes from (`secret::key_vault("kv", "name")`);
    /// the role logs in.
    pub fn password(self, source: impl Input<SecretSource>) -> Self {
        self.set("password", source, |r, v| {
            r.password = Some(v);
            r.login = true;
        })
    }
    /// Connection limit.
    pub fn connection_limit(mut self, n: i32) -> Self {
        self.value.connection_limit = Some(n);
        self
    }
    /// A role attribute beyond LOGIN: `.attribute(RoleAttribute::CreateDb)`.
    /// Attributes not given are off; the server's are converged to these.
    ///
    /// ```
    /// use pgplan_core::prelude::*;
    /// let plan = Plan::development("shop")
    ///     .version(17)
    ///     .local(|l| l)
    ///     .role("shop_dba", |r| r.admin().attribute(RoleAttribute::CreateDb).create_role())
    ///     .role("shop_standby", |r| r.replication().login())
    ///     .build()
    ///     .unwrap();
    /// assert!(plan.roles[0].has(RoleAttribute::CreateRole));
    /// // A replication role has REPLICATION from its purpose.
    /// assert!(plan.roles[1].has(RoleAttribute::Replication));
    /// assert!(plan.roles[1].attributes.is_empty());
    /// ```
    pub fn attribute(mut self, attribute: RoleAttribute) -> Self {
        self.value.attributes.insert(attribute);
        self
    }
    /// SUPERUSER: every permission check is skipped (administrators only).
    pub fn superuser(self) -> Self {
        self.attribute(RoleAttribute::Superuser)
    }
    /// CREATEDB: the role creates databases.
    pub fn create_db(self) -> Self {
        self.attribute(RoleAttribute::CreateDb)
    }
    /// CREATEROLE: the role creates, alters and drops other roles.
    pub fn create_role(self) -> Self {
        self.attribute(RoleAttribute::CreateRole)
    }
    /// BYPASSRLS: row-level security policies do not apply to the role.
    pub fn bypass_rls(self) -> Self {
        self.attribute(RoleAttribute::BypassRls)
    }
    /// REPLICATION without the replication purpose (a physical backup tool
    /// such as pg_basebackup or pgBackRest needs it).
    pub fn replication_attribute(self) -> Self {
        self.attribute(RoleAttribute::Replication)
    }
    /// Drops every attribute beyond LOGIN (to state them again).
    pub fn clear_attributes(mut self) -> Self {
        self.value.attributes.clear();
        self
    }
    /// Membership in a group (or a predefined role such as `pg_read_all_data`).
    pub fn member_of(mut self, group: impl Input<RoleName>) -> Self {
        let i = self.value.member_of.len();
        let path = FieldPath::root().field("member_of").index(i);
        if let Some(g) = self.problems.read(path, group) {
            self.value.member_of.push(g);
        }
        self
    }
    /// Password expiry (`"2026-12-31"` or `"infinity"`).
    pub fn valid_until(self, when: impl Input<ValidUntil>) -> Self {
        self.set("valid_until", when, |r, v| r.valid_until = Some(v))
    }
    /// Privileges on a target: `.grant([SELECT, INSERT], on::tables("db", "public"))`.
    pub fn grant(mut self, privileges: impl Privileges, target: GrantTarget) -> Self {
        let i = self.value.grants.len();
        let path = FieldPath::root().field("grants").index(i);
        let database = self
            .problems
            .read::<DatabaseName>(path.clone().field("database"), target.database.as_str());
        let schema = match &target.schema {
            Some(s) => self
                .problems
                .read::<SchemaName>(path.clone().field("schema"), s.as_str())
                .map(Some),
            None => Some(None),
        };
        let for_owner = match &target.owner {
            Some(o) => self
                .problems
                .read::<RoleName>(path.clone().field("for_owner"), o.as_str())
                .map(Some),
            None => Some(None),
        };
        if let (Some(database), Some(schema), Some(for_owner)) = (database, schema, for_owner) {
            self.value.grants.push(Grant {
                database,
                schema,
                objects: target.objects,
                for_owner,
                privileges: privileges.into_vec(),
            });
        }
        self
    }
    /// Drops every grant (to state them again).
    pub fn clear_grants(mut self) -> Self {
        self.value.grants.clear();
        self
    }
    /// No password: a group role.
    pub fn clear_password(mut self) -> Self {
        self.value.password = None;
        self
    }
    /// Names `owner` on every default-privilege grant that names no owner:
    /// the objects the owner creates get the privileges (what a plan whose
    /// `ALTER DEFAULT PRIVILEGES` lacked `FOR ROLE` meant).
    pub fn default_privileges_for(mut self, owner: impl Input<RoleName>) -> Self {
        if let Some(owner) = self.problems.read(FieldPath::root().field("grants"), owner) {
            for g in &mut self.value.grants {
                if g.objects.is_default() && g.for_owner.is_none() {
                    g.for_owner = Some(owner.clone());
                }
            }
        }
        self
    }
    /// A default-privilege grant for the objects the schema's owner creates
    /// (resolved from the plan's databases when the plan is built).
    fn grant_for_schema_owner(self, privileges: impl Privileges, target: GrantTarget) -> Self {
        let i = self.value.grants.len();
        let mut this = self.grant(privileges, target);
        if let Some(g) = this.value.grants.get_mut(i) {
            g.for_owner = Some(RoleName::placeholder());
        }
        this
    }
    /// CONNECT to a database.
    pub fn connect_to(self, database: &str) -> Self {
        self.grant(CONNECT, on::database(database))
    }
    /// An application role's access: CONNECT, USAGE on the schema, SELECT,
    /// INSERT, UPDATE, DELETE on its tables and USAGE, SELECT on its
    /// sequences — now and on those the schema's owner creates later.
    pub fn crud_on(self, database: &str, schema: &str) -> Self {
        self.dml_on(database, schema, CRUD)
    }
    /// Like [`RoleBuilder::crud_on`] with the table privileges given
    /// (`[SELECT, INSERT, UPDATE]`); sequences get USAGE and SELECT when
    /// the role inserts.
    pub fn dml_on(self, database: &str, schema: &str, privileges: impl Privileges) -> Self {
        let privileges = privileges.into_vec();
        let inserts = privileges.contains(&INSERT) || privileges.contains(&ALL);
        let mut this = self
            .connect_to(database)
            .grant(USAGE, on::schema(database, schema))
            .grant(privileges.clone(), on::tables(database, schema));
        if inserts {
            this = this.grant([USAGE, SELECT], on::sequences(database, schema));
        }
        this = this.grant_for_schema_owner(privileges, on::future_tables(database, schema));
        if inserts {
            this = this
                .grant_for_schema_owner([USAGE, SELECT], on::future_sequences(database, schema));
        }
        this
    }
    /// Read-only access: CONNECT, USAGE on the schema, SELECT on its tables —
    /// now and on those the schema's owner creates later.
    pub fn read_only_on(self, database: &str, schema: &str) -> Self {
        self.connect_to(database)
            .grant(USAGE, on::schema(database, schema))
            .grant(SELECT, on::tables(database, schema))
            .grant_for_schema_owner(SELECT, on::future_tables(database, schema))
    }
    /// The migrations owner: CONNECT and TEMPORARY on the database, USAGE
    /// and CREATE on the schema. Name it the database's (or schema's)
    /// owner so default privileges reach what it creates.
    pub fn owner_of(self, database: &str, schema: &str) -> Self {
        self.owner()
            .grant([CONNECT, TEMPORARY], on::database(database))
            .grant([USAGE, CREATE], on::schema(database, schema))
    }
}

/// Resolves the owner of default privileges the intent helpers asked for:
/// the schema's owner, else the database's.
pub(super) fn resolve_default_owners(plan: &mut Plan, problems: &mut Problems) {
    let owners: Vec<(usize, usize, Option<RoleName>)> = plan
        .roles
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.grants.iter().enumerate().map(move |(j, g)| (i, j, g)))
        .filter(|(_, _, g)| g.for_owner.as_ref().is_some_and(RoleName::is_placeholder))
        .map(|(i, j, g)| {
            let owner = plan
                .databases
                .iter()
                .find(|d| d.name == g.database)
                .map(|d| match &g.schema {
                    Some(s) => d.schema_owner(s).clone(),
                    None => d.owner.clone(),
                });
            (i, j, owner)
        })
        .collect();
    for (i, j, owner) in owners {
        let grant = &mut plan.roles[i].grants[j];
        match owner {
            Some(o) => grant.for_owner = Some(o),
            None => {
                problems.push(
                    FieldPath::root()
                        .field("roles")
                        .index(i)
                        .field("grants")
                        .index(j)
                        .field("database"),
                    format!(
                        "database `{}` is not in the plan, so the owner whose new objects get these default privileges is unknown: add the database with its owner, or grant on::future_tables(..).created_by(owner)",
                        grant.database
                    ),
                );
                grant.for_owner = None;
            }
        }
    }
}
