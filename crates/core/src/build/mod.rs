//! The plan language for Rust: fluent builders whose setters never fail.
//!
//! A plan is written the way its YAML reads — sections and names as the plan
//! file spells them — with literals such as `16.gib()`, `5.minutes()` and
//! `85.pct()`, and text where text is natural (`"Standard_D4s_v3"`,
//! `"0 2 * * *"`). Setters take typed values or text; text is read with the
//! same rules as the plan file, and every problem is kept with its field
//! path. [`PlanBuilder::build`] is the one fallible step: it returns the plan,
//! or a [`Report`] of every problem at once (rule `PGP000`), with the same
//! messages a plan file gets. Then [`Plan::validate`] runs the rules.
//!
//! ```
//! use pgplan_core::prelude::*;
//!
//! let plan = Plan::production("orders")
//!     .version(17)
//!     .kubernetes("shop", "postgres:17.2", |k| k)
//!     .sizing(|s| s.cpu(1.cores(), 2.cores()).memory(4.gib(), 4.gib()).data_volume(50.gib()).backup_volume(20.gib()))
//!     .database("orders", "orders_owner", |d| d)
//!     .role("orders_owner", |r| r.owner_of("orders", "public").password(secret::generated()))
//!     .role("orders_app", |r| r.application().crud_on("orders", "public").password(secret::generated()))
//!     .client("orders-api", |c| c.pool_size(10).pods(2, 8).database("orders").role("orders_app"))
//!     .backups(|b| b.logical("nightly", "0 2 * * *", 7.days(), |l| l))
//!     .build()
//!     .expect("every value reads");
//! let valid = plan.validate().expect("no rule reports an error");
//! assert_eq!(valid.roles.len(), 2);
//!
//! // Every problem at once, with its path — the same messages a plan file gets.
//! let report = Plan::development("Orders")
//!     .version(12)
//!     .local(|l| l)
//!     .role("x".repeat(64), |r| r)
//!     .build()
//!     .unwrap_err();
//! let paths: Vec<String> = report.diagnostics().iter().map(|d| d.path.to_string()).collect();
//! assert_eq!(paths, ["service", "version", "roles[0].name"]);
//! ```

mod databases;
mod grants;
mod literal;
mod monitoring;
mod operations;
mod platform;
mod roles;
mod sections;
mod topology;

use crate::model::input::Input;
use crate::model::names::{DatabaseName, RoleName, ServiceName};
use crate::model::plan::{Environment, MajorVersion, Plan};
use crate::model::platform::{Local, Platform};
use crate::validate::rules::INVALID_VALUE;
use crate::validate::{Diagnostic, FieldPath, Report, Severity, ValidPlan};

pub use databases::{DatabaseBuilder, SchemaBuilder};
pub use grants::{GrantTarget, Privileges, on, privilege};
pub use literal::{Literals, Quantity};
pub use monitoring::{ExporterBuilder, MonitoringBuilder, ThresholdInput, above};
pub use operations::{
    BackupsBuilder, ClientBuilder, LogicalBackupBuilder, ManagedBackupsBuilder, PoolerBuilder,
    SecurityBuilder, SnapshotsBuilder, WalArchivingBuilder,
};
pub use platform::{
    AzureBuilder, EntraAdminBuilder, KubernetesBuilder, LocalBuilder, PrivateAccessBuilder,
};
pub use roles::RoleBuilder;
pub use sections::{DeclarationBuilder, ObjectivesBuilder, SizingBuilder, TuningBuilder};
pub use topology::{PatroniBuilder, ReplicaBuilder, TopologyBuilder};

/// What a builder could not read, with the field's path relative to the
/// builder's value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Problems(Vec<(FieldPath, String)>);

impl Problems {
    /// Reads an input; on failure keeps the problem and returns `None`.
    pub(crate) fn read<T>(&mut self, at: FieldPath, input: impl Input<T>) -> Option<T> {
        match input.into_value() {
            Ok(v) => Some(v),
            Err(message) => {
                self.0.push((at, message));
                None
            }
        }
    }
    /// Keeps a problem.
    pub(crate) fn push(&mut self, at: FieldPath, message: impl Into<String>) {
        self.0.push((at, message.into()));
    }
    /// Takes a nested builder's problems, under `prefix`.
    pub(crate) fn absorb(&mut self, prefix: &FieldPath, other: Problems) {
        self.0.extend(
            other
                .0
                .into_iter()
                .map(|(p, m)| (prefix.clone().join(&p), m)),
        );
    }
    fn into_report(self) -> Report {
        Report::new(
            self.0
                .into_iter()
                .map(|(path, message)| {
                    Diagnostic::new(
                        &INVALID_VALUE,
                        Severity::Error,
                        path,
                        message,
                        "write the value the way the message says; the plan is built once every value reads",
                    )
                })
                .collect(),
        )
    }
}

/// A field path of one segment.
pub(crate) fn at(field: &'static str) -> FieldPath {
    FieldPath::root().field(field)
}

/// Declares a builder around a model value.
macro_rules! builder {
    ($(#[$doc:meta])* $name:ident => $t:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "a builder does nothing until it is returned to its parent"]
        pub struct $name {
            value: $t,
            problems: $crate::build::Problems,
        }

        impl $name {
            #[allow(dead_code)]
            pub(crate) fn from_value(value: $t) -> Self {
                Self {
                    value,
                    problems: $crate::build::Problems::default(),
                }
            }
            #[allow(dead_code)]
            pub(crate) fn finish(self) -> ($t, $crate::build::Problems) {
                (self.value, self.problems)
            }
            /// Reads `input` into the field at `field`, keeping any problem.
            #[allow(dead_code)]
            fn set<V>(
                mut self,
                field: &'static str,
                input: impl $crate::model::input::Input<V>,
                apply: impl FnOnce(&mut $t, V),
            ) -> Self {
                if let Some(v) = self.problems.read($crate::build::at(field), input) {
                    apply(&mut self.value, v);
                }
                self
            }
        }
    };
}
pub(crate) use builder;

/// Runs a nested builder on a value and takes its problems under `prefix`.
pub(crate) fn nest<B, T>(
    problems: &mut Problems,
    prefix: FieldPath,
    value: T,
    wrap: impl FnOnce(T) -> B,
    f: impl FnOnce(B) -> B,
    unwrap: impl FnOnce(B) -> (T, Problems),
) -> T {
    let (value, inner) = unwrap(f(wrap(value)));
    problems.absorb(&prefix, inner);
    value
}

/// A plan being written. Every setter returns the builder; the one fallible
/// step is [`PlanBuilder::build`].
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the plan"]
pub struct PlanBuilder {
    plan: Plan,
    problems: Problems,
    has_version: bool,
    has_platform: bool,
}

impl Plan {
    /// A plan for a service in an environment.
    pub fn builder_for(service: impl Input<ServiceName>, environment: Environment) -> PlanBuilder {
        let mut problems = Problems::default();
        let service = problems
            .read(at("service"), service)
            .unwrap_or_else(ServiceName::placeholder);
        PlanBuilder {
            plan: Plan {
                service,
                environment,
                labels: Default::default(),
                objectives: Default::default(),
                version: MajorVersion::newest(),
                platform: Platform::Local(Local::default()),
                topology: Default::default(),
                sizing: Default::default(),
                tuning: Default::default(),
                databases: Vec::new(),
                roles: Vec::new(),
                existing_roles: Vec::new(),
                clients: Vec::new(),
                pooler: None,
                backups: Default::default(),
                monitoring: Default::default(),
                security: Default::default(),
            },
            problems,
            has_version: false,
            has_platform: false,
        }
    }
    /// A development plan (data loss is acceptable).
    pub fn development(service: impl Input<ServiceName>) -> PlanBuilder {
        Self::builder_for(service, Environment::Development)
    }
    /// A staging plan.
    pub fn staging(service: impl Input<ServiceName>) -> PlanBuilder {
        Self::builder_for(service, Environment::Staging)
    }
    /// A production plan.
    pub fn production(service: impl Input<ServiceName>) -> PlanBuilder {
        Self::builder_for(service, Environment::Production)
    }
    /// This plan as a builder, to state what differs: a correction, an
    /// environment overlay, a production plan derived from a development one.
    ///
    /// ```
    /// use pgplan_core::prelude::*;
    /// let dev = Plan::development("orders").version(17).local(|l| l).build().unwrap();
    /// let prod = dev.clone().edit().environment(Environment::Production).build().unwrap();
    /// assert_eq!(prod.environment, Environment::Production);
    /// assert_eq!(prod.service, dev.service);
    /// ```
    pub fn edit(self) -> PlanBuilder {
        PlanBuilder {
            plan: self,
            problems: Problems::default(),
            has_version: true,
            has_platform: true,
        }
    }
}

impl PlanBuilder {
    /// The plan, or every problem at once (rule `PGP000`, each with its path).
    pub fn build(mut self) -> Result<Plan, Report> {
        if !self.has_version {
            self.problems.push(
                at("version"),
                "the plan names no PostgreSQL major version: call .version(17) (14–18)",
            );
        }
        if !self.has_platform {
            self.problems.push(
                at("platform"),
                "the plan names no platform: call .kubernetes(..), .azure(..) or .local(..)",
            );
        }
        roles::resolve_default_owners(&mut self.plan, &mut self.problems);
        if let Some((field, why)) = crate::plan_file::unrepresentable_text(&self.plan) {
            self.problems
                .push(FieldPath::parse(&field), format!("the value holds {why}"));
        }
        if self.problems.0.is_empty() {
            Ok(self.plan)
        } else {
            Err(self.problems.into_report())
        }
    }
    /// [`PlanBuilder::build`], then [`Plan::validate`]: a plan ready to render,
    /// or the report of what stops it.
    pub fn validate(self) -> Result<ValidPlan, Report> {
        self.build()?.validate()
    }
    /// The environment.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.plan.environment = environment;
        self
    }
    /// The PostgreSQL major version (14–18).
    pub fn version(mut self, version: impl Input<MajorVersion>) -> Self {
        if let Some(v) = self.problems.read(at("version"), version) {
            self.plan.version = v;
        }
        self.has_version = true;
        self
    }
    /// A label copied onto every object pgplan renders.
    pub fn label(mut self, key: &str, value: &str) -> Self {
        let path = FieldPath::root().field("labels").key(key);
        let k = self.problems.read(path.clone(), key);
        let v = self.problems.read(path, value);
        if let (Some(k), Some(v)) = (k, v) {
            self.plan.labels.insert(k, v);
        }
        self
    }
    /// Availability and recovery targets.
    pub fn objectives(mut self, f: impl FnOnce(ObjectivesBuilder) -> ObjectivesBuilder) -> Self {
        self.plan.objectives = nest(
            &mut self.problems,
            at("objectives"),
            std::mem::take(&mut self.plan.objectives),
            ObjectivesBuilder::from_value,
            f,
            ObjectivesBuilder::finish,
        );
        self
    }
    /// Servers and replication.
    pub fn topology(mut self, f: impl FnOnce(TopologyBuilder) -> TopologyBuilder) -> Self {
        self.plan.topology = nest(
            &mut self.problems,
            at("topology"),
            std::mem::take(&mut self.plan.topology),
            TopologyBuilder::from_value,
            f,
            TopologyBuilder::finish,
        );
        self
    }
    /// Edits a read replica the plan already has (`topology.replicas`).
    pub fn replica_mut(self, name: &str, f: impl FnOnce(ReplicaBuilder) -> ReplicaBuilder) -> Self {
        self.topology(|t| t.replica_mut(name, f))
    }
    /// CPU, memory and volumes.
    pub fn sizing(mut self, f: impl FnOnce(SizingBuilder) -> SizingBuilder) -> Self {
        self.plan.sizing = nest(
            &mut self.problems,
            at("sizing"),
            std::mem::take(&mut self.plan.sizing),
            SizingBuilder::from_value,
            f,
            SizingBuilder::finish,
        );
        self
    }
    /// Workload, storage, how settings reach the server, explicit parameters.
    pub fn tuning(mut self, f: impl FnOnce(TuningBuilder) -> TuningBuilder) -> Self {
        self.plan.tuning = nest(
            &mut self.problems,
            at("tuning"),
            std::mem::take(&mut self.plan.tuning),
            TuningBuilder::from_value,
            f,
            TuningBuilder::finish,
        );
        self
    }
    /// Backups.
    pub fn backups(mut self, f: impl FnOnce(BackupsBuilder) -> BackupsBuilder) -> Self {
        self.plan.backups = nest(
            &mut self.problems,
            at("backups"),
            std::mem::take(&mut self.plan.backups),
            BackupsBuilder::from_value,
            f,
            BackupsBuilder::finish,
        );
        self
    }
    /// The exporter and alert thresholds.
    pub fn monitoring(mut self, f: impl FnOnce(MonitoringBuilder) -> MonitoringBuilder) -> Self {
        self.plan.monitoring = nest(
            &mut self.problems,
            at("monitoring"),
            std::mem::take(&mut self.plan.monitoring),
            MonitoringBuilder::from_value,
            f,
            MonitoringBuilder::finish,
        );
        self
    }
    /// TLS, password hashing, statement logging, allowed networks.
    pub fn security(mut self, f: impl FnOnce(SecurityBuilder) -> SecurityBuilder) -> Self {
        self.plan.security = nest(
            &mut self.problems,
            at("security"),
            std::mem::take(&mut self.plan.security),
            SecurityBuilder::from_value,
            f,
            SecurityBuilder::finish,
        );
        self
    }
    /// A connection pooler (PgBouncer) in front of the server.
    pub fn pooler(mut self, f: impl FnOnce(PoolerBuilder) -> PoolerBuilder) -> Self {
        let pooler = self.plan.pooler.take().unwrap_or_default();
        self.plan.pooler = Some(nest(
            &mut self.problems,
            at("pooler"),
            pooler,
            PoolerBuilder::from_value,
            f,
            PoolerBuilder::finish,
        ));
        self
    }
    /// A database and the role that owns it (and runs its migrations).
    pub fn database(
        mut self,
        name: impl Input<DatabaseName>,
        owner: impl Input<RoleName>,
        f: impl FnOnce(DatabaseBuilder) -> DatabaseBuilder,
    ) -> Self {
        let i = self.plan.databases.len();
        let path = FieldPath::root().field("databases").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(DatabaseName::placeholder);
        let owner = self
            .problems
            .read(path.clone().field("owner"), owner)
            .unwrap_or_else(RoleName::placeholder);
        let db = nest(
            &mut self.problems,
            path,
            databases::new_database(name, owner),
            DatabaseBuilder::from_value,
            f,
            DatabaseBuilder::finish,
        );
        self.plan.databases.push(db);
        self
    }
    /// Edits a database the plan already has.
    pub fn database_mut(
        mut self,
        name: &str,
        f: impl FnOnce(DatabaseBuilder) -> DatabaseBuilder,
    ) -> Self {
        match self
            .plan
            .databases
            .iter()
            .position(|d| d.name.as_str() == name)
        {
            Some(i) => {
                let db = self.plan.databases[i].clone();
                self.plan.databases[i] = nest(
                    &mut self.problems,
                    FieldPath::root().field("databases").index(i),
                    db,
                    DatabaseBuilder::from_value,
                    f,
                    DatabaseBuilder::finish,
                );
            }
            None => {
                let known = names(self.plan.databases.iter().map(|d| d.name.as_str()));
                self.problems.push(
                    at("databases"),
                    format!("database_mut: the plan has no database `{name}` (it has {known})"),
                );
            }
        }
        self
    }
    /// A role: a login user or a group.
    pub fn role(
        mut self,
        name: impl Input<RoleName>,
        f: impl FnOnce(RoleBuilder) -> RoleBuilder,
    ) -> Self {
        let i = self.plan.roles.len();
        let path = FieldPath::root().field("roles").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(RoleName::placeholder);
        let role = nest(
            &mut self.problems,
            path,
            roles::new_role(name),
            RoleBuilder::from_value,
            f,
            RoleBuilder::finish,
        );
        self.plan.roles.push(role);
        self
    }
    /// A role that exists on the server and that the plan refers to without
    /// managing it (an owner, a group, a default-privileges owner):
    /// `postgres`, `azure_pg_admin`, a team's DBA role.
    pub fn existing_role(mut self, name: impl Input<RoleName>) -> Self {
        let path = FieldPath::root()
            .field("existing_roles")
            .index(self.plan.existing_roles.len());
        if let Some(name) = self.problems.read(path, name) {
            self.plan.existing_roles.push(name);
        }
        self
    }
    /// Edits a role the plan already has.
    pub fn role_mut(mut self, name: &str, f: impl FnOnce(RoleBuilder) -> RoleBuilder) -> Self {
        match self.plan.roles.iter().position(|r| r.name.as_str() == name) {
            Some(i) => {
                let role = self.plan.roles[i].clone();
                self.plan.roles[i] = nest(
                    &mut self.problems,
                    FieldPath::root().field("roles").index(i),
                    role,
                    RoleBuilder::from_value,
                    f,
                    RoleBuilder::finish,
                );
            }
            None => {
                let known = names(self.plan.roles.iter().map(|r| r.name.as_str()));
                self.problems.push(
                    at("roles"),
                    format!("role_mut: the plan has no role `{name}` (it has {known})"),
                );
            }
        }
        self
    }
    /// Edits every role the plan has (a correction that applies to all).
    pub fn roles_mut(mut self, mut f: impl FnMut(RoleBuilder) -> RoleBuilder) -> Self {
        for i in 0..self.plan.roles.len() {
            let role = self.plan.roles[i].clone();
            self.plan.roles[i] = nest(
                &mut self.problems,
                FieldPath::root().field("roles").index(i),
                role,
                RoleBuilder::from_value,
                &mut f,
                RoleBuilder::finish,
            );
        }
        self
    }
    /// An application service that connects.
    pub fn client(
        mut self,
        name: impl Input<ServiceName>,
        f: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Self {
        let i = self.plan.clients.len();
        let path = FieldPath::root().field("clients").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(ServiceName::placeholder);
        let client = nest(
            &mut self.problems,
            path,
            operations::new_client(name),
            ClientBuilder::from_value,
            f,
            ClientBuilder::finish,
        );
        self.plan.clients.push(client);
        self
    }
    /// Edits a client the plan already has.
    pub fn client_mut(
        mut self,
        name: &str,
        f: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Self {
        match self
            .plan
            .clients
            .iter()
            .position(|c| c.name.as_str() == name)
        {
            Some(i) => {
                let client = self.plan.clients[i].clone();
                self.plan.clients[i] = nest(
                    &mut self.problems,
                    FieldPath::root().field("clients").index(i),
                    client,
                    ClientBuilder::from_value,
                    f,
                    ClientBuilder::finish,
                );
            }
            None => {
                let known = names(self.plan.clients.iter().map(|c| c.name.as_str()));
                self.problems.push(
                    at("clients"),
                    format!("client_mut: the plan has no client `{name}` (it has {known})"),
                );
            }
        }
        self
    }
}

impl PlanBuilder {
    /// Renames a database everywhere the plan names it: the database, its
    /// grants, clients and logical backups.
    pub fn rename_database(mut self, from: &str, to: impl Input<DatabaseName>) -> Self {
        let Some(to) = self.problems.read(at("databases"), to) else {
            return self;
        };
        let plan = &mut self.plan;
        if !plan.databases.iter().any(|d| d.name.as_str() == from) {
            let known = names(plan.databases.iter().map(|d| d.name.as_str()));
            self.problems.push(
                at("databases"),
                format!("rename_database: the plan has no database `{from}` (it has {known})"),
            );
            return self;
        }
        let rename = |n: &mut DatabaseName| {
            if n.as_str() == from {
                *n = to.clone();
            }
        };
        plan.databases.iter_mut().for_each(|d| rename(&mut d.name));
        for r in &mut plan.roles {
            r.grants.iter_mut().for_each(|g| rename(&mut g.database));
        }
        for c in &mut plan.clients {
            c.database.iter_mut().for_each(rename);
        }
        for b in &mut plan.backups.logical {
            b.databases.iter_mut().for_each(rename);
        }
        self
    }
    /// Renames a role everywhere the plan names it: the role, memberships,
    /// database and schema owners, default-privilege owners, clients and
    /// logical backups.
    pub fn rename_role(mut self, from: &str, to: impl Input<RoleName>) -> Self {
        let Some(to) = self.problems.read(at("roles"), to) else {
            return self;
        };
        let plan = &mut self.plan;
        if !plan.roles.iter().any(|r| r.name.as_str() == from) {
            let known = names(plan.roles.iter().map(|r| r.name.as_str()));
            self.problems.push(
                at("roles"),
                format!("rename_role: the plan has no role `{from}` (it has {known})"),
            );
            return self;
        }
        let rename = |n: &mut RoleName| {
            if n.as_str() == from {
                *n = to.clone();
            }
        };
        for r in &mut plan.roles {
            rename(&mut r.name);
            r.member_of.iter_mut().for_each(rename);
            for g in &mut r.grants {
                g.for_owner.iter_mut().for_each(rename);
            }
        }
        for d in &mut plan.databases {
            rename(&mut d.owner);
            for s in &mut d.schemas {
                s.owner.iter_mut().for_each(rename);
            }
        }
        for c in &mut plan.clients {
            c.role.iter_mut().for_each(rename);
        }
        for b in &mut plan.backups.logical {
            b.role.iter_mut().for_each(rename);
        }
        self
    }
}

/// `a, b and c`, or `none`.
pub(crate) fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = it.map(|s| format!("`{s}`")).collect();
    match v.len() {
        0 => "none".into(),
        1 => v[0].clone(),
        n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

/// What a plan author needs in scope: the plan, its builders, literals,
/// grant targets, privileges, secret sources and the closed sets of values.
///
/// ```
/// use pgplan_core::prelude::*;
/// let _ = Plan::development("orders").version(17).local(|l| l).build();
/// ```
pub mod prelude {
    pub use super::PlanBuilder;
    pub use super::grants::on;
    pub use super::grants::privilege::*;
    pub use super::literal::Literals;
    pub use super::monitoring::above;
    pub use crate::model::backups::DumpFormat;
    pub use crate::model::clients::PoolMode;
    pub use crate::model::plan::{Environment, Plan};
    pub use crate::model::platform::{AzureStorageType, PrincipalType, SkuTier};
    pub use crate::model::roles::{RoleAttribute, RolePurpose};
    pub use crate::model::secrets::secret;
    pub use crate::model::security::{PasswordEncryption, StatementLogging, TlsVersion};
    pub use crate::model::topology::SynchronousMode;
    pub use crate::model::tuning::{SettingsMethod, StorageKind, Workload};
    pub use crate::model::units::{Bytes, Millicores, Percent};
    pub use crate::validate::{Report, ValidPlan};
}

#[cfg(test)]
mod tests {
    use super::prelude::*;

    fn problems(b: PlanBuilder) -> Vec<(String, String)> {
        b.build()
            .unwrap_err()
            .diagnostics()
            .iter()
            .map(|d| {
                assert_eq!(d.id(), "PGP000");
                (d.path.to_string(), d.message.clone())
            })
            .collect()
    }

    #[test]
    fn rust_and_yaml_users_get_the_same_message() {
        let yaml = "service: orders\nenvironment: dev\nversion: 17\nplatform: { local: {} }\nroles:\n  - { name: \"\", purpose: owner }\n";
        let from_file = Plan::from_yaml(yaml).unwrap_err().to_string();
        let built = problems(
            Plan::development("orders")
                .version(17)
                .local(|l| l)
                .role("", |r| r),
        );
        assert_eq!(built[0].0, "roles[0].name");
        assert!(from_file.contains("field `roles[0].name`"), "{from_file}");
        assert!(
            from_file.ends_with(&built[0].1),
            "{from_file}\n{}",
            built[0].1
        );
    }

    #[test]
    fn edits_of_missing_things_name_what_exists() {
        let p = problems(
            Plan::development("orders")
                .version(17)
                .local(|l| l)
                .role("a", |r| r)
                .role("b", |r| r)
                .role_mut("c", |r| r.login())
                .replica_mut("r1", |r| r),
        );
        assert_eq!(p[0].0, "roles");
        assert!(
            p[0].1.contains("no role `c` (it has `a` and `b`)"),
            "{}",
            p[0].1
        );
        assert_eq!(p[1].0, "topology.replicas");
    }

    #[test]
    fn intent_helpers_need_the_database_to_know_the_owner() {
        let p = problems(
            Plan::development("orders")
                .version(17)
                .local(|l| l)
                .role("app", |r| r.crud_on("nowhere", "public")),
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, "roles[0].grants[4].database");
        assert!(p[0].1.contains("created_by"), "{}", p[0].1);
    }

    #[test]
    fn literals_out_of_range_are_problems_not_clamps() {
        let p = problems(
            Plan::development("orders")
                .version(17)
                .local(|l| l)
                .objectives(|o| o.availability(150.pct()))
                .sizing(|s| s.data_volume((-3).gib())),
        );
        let paths: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["objectives.availability", "sizing.data_volume"]);
    }

    #[test]
    fn a_plan_needs_a_version_and_a_platform() {
        let p = problems(Plan::development("orders"));
        let paths: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["version", "platform"]);
    }
}
