//! The state a plan asks for, in the shape the server's catalog has: roles
//! with attributes and memberships, databases with schemas, extensions and
//! privileges per object kind, default privileges, and server settings.
//! Both the script renderer and the converger start from it.

use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::catalog::Context;
use pgplan_core::{
    DatabaseName, Extension, ExtensionName, ObjectKind, Privilege, RoleAttribute, RoleName,
    RolePurpose, SchemaName, SecretSource, SettingsMethod, ValidPlan,
};

use crate::statement::{DefaultObjects, GrantObject, SettingValue, Statement};

/// The object a privilege is on, inside one database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrivilegeTarget {
    /// The database itself.
    Database,
    /// A schema.
    Schema(SchemaName),
    /// Every table (and view) in a schema.
    Tables(SchemaName),
    /// Every sequence in a schema.
    Sequences(SchemaName),
    /// Every function in a schema.
    Functions(SchemaName),
}

impl PrivilegeTarget {
    /// The GRANT object for this target in `database`.
    pub fn grant_object(&self, database: &DatabaseName) -> GrantObject {
        match self {
            PrivilegeTarget::Database => GrantObject::Database(database.clone()),
            PrivilegeTarget::Schema(s) => GrantObject::Schema(s.clone()),
            PrivilegeTarget::Tables(s) => GrantObject::AllTablesInSchema(s.clone()),
            PrivilegeTarget::Sequences(s) => GrantObject::AllSequencesInSchema(s.clone()),
            PrivilegeTarget::Functions(s) => GrantObject::AllFunctionsInSchema(s.clone()),
        }
    }
    /// For messages: `database`, `schema s`, `tables in schema s`, ….
    pub fn describe(&self) -> String {
        match self {
            PrivilegeTarget::Database => "the database".into(),
            PrivilegeTarget::Schema(s) => format!("schema {s}"),
            PrivilegeTarget::Tables(s) => format!("all tables in schema {s}"),
            PrivilegeTarget::Sequences(s) => format!("all sequences in schema {s}"),
            PrivilegeTarget::Functions(s) => format!("all functions in schema {s}"),
        }
    }
}

/// Privileges by grantee.
pub type GranteePrivileges = BTreeMap<RoleName, BTreeSet<Privilege>>;

/// Where default privileges apply: objects `for_role` creates in `schema`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DefaultScope {
    /// The creating role.
    pub for_role: RoleName,
    /// The schema.
    pub schema: SchemaName,
    /// The object kind.
    pub objects: DefaultObjects,
}

/// A role as the plan wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredRole {
    /// Name.
    pub name: RoleName,
    /// Purpose (documents; `replication` sets REPLICATION).
    pub purpose: RolePurpose,
    /// LOGIN.
    pub login: bool,
    /// The attributes beyond LOGIN the role has (REPLICATION for a
    /// replication role); every other one is off.
    pub attributes: BTreeSet<RoleAttribute>,
    /// CONNECTION LIMIT (`-1`: none).
    pub connection_limit: i32,
    /// VALID UNTIL; `None` means never expires (`infinity`).
    pub valid_until: Option<String>,
    /// Where the password comes from.
    pub password: Option<SecretSource>,
    /// Groups it is a member of.
    pub member_of: BTreeSet<RoleName>,
    /// On Azure, the Microsoft Entra identity the role logs in as: the role
    /// is an Entra principal, created by the Entra principal script
    /// ([`crate::entra_principal_script`]), never by `CREATE ROLE`.
    pub entra_identity: Option<String>,
}

/// A database as the plan wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredDatabase {
    /// Name.
    pub name: DatabaseName,
    /// Owner.
    pub owner: RoleName,
    /// Encoding.
    pub encoding: String,
    /// Locale.
    pub locale: Option<String>,
    /// Template.
    pub template: Option<String>,
    /// Session time zone default (`ALTER DATABASE … SET timezone`).
    pub timezone: Option<String>,
    /// Connection limit (`-1`: none).
    pub connection_limit: i32,
    /// Schemas (besides `public`) with their owners.
    pub schemas: BTreeMap<SchemaName, RoleName>,
    /// Extensions.
    pub extensions: BTreeMap<ExtensionName, Extension>,
    /// Revoke CREATE on schema `public` from PUBLIC (majors before 15 grant it).
    pub harden_public_schema: bool,
    /// Privileges by object.
    pub privileges: BTreeMap<PrivilegeTarget, GranteePrivileges>,
    /// Default privileges by scope.
    pub default_privileges: BTreeMap<DefaultScope, GranteePrivileges>,
}

/// A server setting as the plan wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSetting {
    /// Lowercase name.
    pub name: String,
    /// Value as written (`4GB`).
    pub value: String,
    /// How `ALTER SYSTEM` writes it.
    pub sql_value: SettingValue,
    /// True when a change needs a restart (catalog context `postmaster`).
    pub needs_restart: bool,
    /// Where the value comes from, for comments.
    pub provenance: String,
}

/// How the plan's server settings reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsDelivery {
    /// Over SQL with `ALTER SYSTEM` (self-managed servers).
    AlterSystem {
        /// The settings, by name.
        settings: BTreeMap<String, DesiredSetting>,
        /// The plan's declared method when it is not `alter_system`
        /// (a Kubernetes plan delivers settings in postgresql.conf too).
        declared_method: Option<SettingsMethod>,
        /// Settings pgplan derived that are left out: on a server of this
        /// machine (`platform: local`) only the plan's own
        /// `tuning.parameters` are changed.
        left_out: Vec<String>,
    },
    /// Elsewhere, never over SQL: a managed service's API (Azure), or
    /// Patroni's dynamic configuration, which every member of the cluster
    /// applies (ALTER SYSTEM would change one server only, behind
    /// Patroni's back).
    Managed {
        /// Where the server runs (`azure`, `patroni`).
        platform: &'static str,
        /// What sets them, for messages.
        through: &'static str,
    },
}

/// Everything the plan asks of one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredState {
    /// Major version.
    pub major: u16,
    /// The comment pgplan puts on the roles it manages
    /// (`pgplan:<service>/<environment>`); roles carrying it but missing
    /// from the plan are dropped by a destructive apply.
    pub role_marker: String,
    /// Roles by name.
    pub roles: BTreeMap<RoleName, DesiredRole>,
    /// Databases by name.
    pub databases: BTreeMap<DatabaseName, DesiredDatabase>,
    /// Settings.
    pub settings: SettingsDelivery,
}

/// Parameters whose list values the server quotes element by element
/// (`GUC_LIST_QUOTE`): `ALTER SYSTEM` needs one literal per element.
const LIST_QUOTE_PARAMETERS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
];

/// Splits a list parameter's value into its elements.
pub fn list_elements(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// True for list parameters quoted element by element.
pub fn is_list_parameter(name: &str) -> bool {
    LIST_QUOTE_PARAMETERS.contains(&name.to_ascii_lowercase().as_str())
}

/// The marker comment for a plan's roles.
pub fn role_marker(plan: &ValidPlan) -> String {
    format!("pgplan:{}/{}", plan.service, plan.environment)
}

impl DesiredState {
    /// What `plan` asks of its server.
    ///
    /// A [`ValidPlan`] is consistent — unique databases and roles, no
    /// reserved names, grants on planned databases with the schema their kind
    /// needs and privileges that apply to it — so this cannot fail: core's
    /// rules (PGP011's successors, PGP180, PGP181) refuse every plan it could
    /// not render.
    pub fn from_plan(plan: &ValidPlan) -> Self {
        let major = plan.version.get();
        let mut databases: BTreeMap<DatabaseName, DesiredDatabase> = BTreeMap::new();
        for db in &plan.databases {
            let schemas: BTreeMap<SchemaName, RoleName> = db
                .schemas
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.owner.clone().unwrap_or_else(|| db.owner.clone()),
                    )
                })
                .collect();
            let extensions = db
                .extensions
                .iter()
                .map(|e| (e.name.clone(), e.clone()))
                .collect();
            databases.insert(
                db.name.clone(),
                DesiredDatabase {
                    name: db.name.clone(),
                    owner: db.owner.clone(),
                    encoding: db.encoding.to_string(),
                    locale: db.locale.as_ref().map(ToString::to_string),
                    template: db.template.as_ref().map(ToString::to_string),
                    timezone: db.timezone.as_ref().map(ToString::to_string),
                    connection_limit: db.connection_limit.unwrap_or(-1),
                    schemas,
                    extensions,
                    harden_public_schema: major < 15,
                    privileges: BTreeMap::new(),
                    default_privileges: BTreeMap::new(),
                },
            );
        }

        let entra = crate::entra::entra_roles(plan);
        let mut roles = BTreeMap::new();
        for role in &plan.roles {
            roles.insert(
                role.name.clone(),
                DesiredRole {
                    name: role.name.clone(),
                    purpose: role.purpose,
                    login: role.login,
                    attributes: RoleAttribute::ALL
                        .into_iter()
                        .filter(|a| role.has(*a))
                        .collect(),
                    connection_limit: role.connection_limit.unwrap_or(-1),
                    valid_until: role
                        .valid_until
                        .as_ref()
                        .map(ToString::to_string)
                        .filter(|v| v != "infinity"),
                    password: role.password.clone(),
                    member_of: role.member_of.iter().cloned().collect(),
                    entra_identity: entra.get(&role.name).cloned(),
                },
            );
            for grant in &role.grants {
                // Validation refuses grants on databases the plan does not
                // create, so every grant finds its database.
                let Some(db) = databases.get_mut(&grant.database) else {
                    continue;
                };
                let privileges: BTreeSet<Privilege> =
                    grant.effective_privileges(major).into_iter().collect();
                if privileges.is_empty() {
                    continue;
                }
                let target = match (grant.objects, grant.schema.clone()) {
                    (ObjectKind::Database, _) => Some(PrivilegeTarget::Database),
                    (ObjectKind::Schema, Some(s)) => Some(PrivilegeTarget::Schema(s)),
                    (ObjectKind::Tables, Some(s)) => Some(PrivilegeTarget::Tables(s)),
                    (ObjectKind::Sequences, Some(s)) => Some(PrivilegeTarget::Sequences(s)),
                    (ObjectKind::Functions, Some(s)) => Some(PrivilegeTarget::Functions(s)),
                    _ => None,
                };
                match target {
                    Some(target) => {
                        db.privileges
                            .entry(target)
                            .or_default()
                            .entry(role.name.clone())
                            .or_default()
                            .extend(privileges);
                    }
                    None => {
                        // Validation requires a schema on every grant but the
                        // database's.
                        let Some(schema) = grant.schema.clone() else {
                            continue;
                        };
                        let objects = match grant.objects {
                            ObjectKind::DefaultTables => DefaultObjects::Tables,
                            ObjectKind::DefaultSequences => DefaultObjects::Sequences,
                            ObjectKind::DefaultFunctions => DefaultObjects::Functions,
                            _ => DefaultObjects::Types,
                        };
                        // PostgreSQL applies default privileges only to objects
                        // created by `for_role`; without one, the schema's owner.
                        let for_role = grant.for_owner.clone().unwrap_or_else(|| {
                            db.schemas
                                .get(&schema)
                                .cloned()
                                .unwrap_or_else(|| db.owner.clone())
                        });
                        db.default_privileges
                            .entry(DefaultScope {
                                for_role,
                                schema,
                                objects,
                            })
                            .or_default()
                            .entry(role.name.clone())
                            .or_default()
                            .extend(privileges);
                    }
                }
            }
        }

        let managed =
            plan.platform.is_managed() || plan.tuning.method == Some(SettingsMethod::ServiceApi);
        let settings = if managed {
            SettingsDelivery::Managed {
                platform: plan.platform.kind(),
                through: "the service's configuration API (the Azure backend sends them)",
            }
        } else if plan.topology.patroni.is_some() {
            SettingsDelivery::Managed {
                platform: "patroni",
                through: "Patroni's dynamic configuration (the HA backend writes it; every member applies it)",
            }
        } else {
            let resolved = plan.settings();
            let catalog = resolved.catalog();
            let mut settings = BTreeMap::new();
            let mut left_out = Vec::new();
            // A server on this machine was set up by someone: change only
            // what the plan asks for in so many words.
            let only_explicit = matches!(plan.platform, pgplan_core::Platform::Local(_));
            for s in resolved.iter() {
                if only_explicit && s.provenance != pgplan_core::Provenance::Explicit {
                    left_out.push(s.name.clone());
                    continue;
                }
                let spec = catalog.get(&s.name);
                if spec.is_some_and(|sp| sp.context == Context::Internal) {
                    // Fixed at initdb; ALTER SYSTEM cannot change it.
                    continue;
                }
                let sql_value = if is_list_parameter(&s.name) {
                    SettingValue::List(list_elements(&s.value))
                } else {
                    SettingValue::Single(s.value.clone())
                };
                settings.insert(
                    s.name.clone(),
                    DesiredSetting {
                        name: s.name.clone(),
                        value: s.value.clone(),
                        sql_value,
                        needs_restart: spec.is_some_and(|sp| sp.needs_restart()),
                        provenance: s.provenance.to_string(),
                    },
                );
            }
            SettingsDelivery::AlterSystem {
                settings,
                declared_method: plan
                    .tuning
                    .method
                    .or(Some(SettingsMethod::for_platform(&plan.platform)))
                    .filter(|m| *m != SettingsMethod::AlterSystem),
                left_out,
            }
        };

        DesiredState {
            major,
            role_marker: role_marker(plan),
            roles,
            databases,
            settings,
        }
    }

    /// Every role the plan refers to that it does not define (groups in
    /// `member_of`, owners, `for_owner`), with where it is referenced.
    pub fn external_roles(&self) -> BTreeMap<RoleName, String> {
        let mut out = BTreeMap::new();
        let mut note = |r: &RoleName, why: String| {
            if !self.roles.contains_key(r) {
                out.entry(r.clone()).or_insert(why);
            }
        };
        for role in self.roles.values() {
            for g in &role.member_of {
                note(g, format!("roles[{}].member_of", role.name));
            }
        }
        for db in self.databases.values() {
            note(&db.owner, format!("databases[{}].owner", db.name));
            for (s, o) in &db.schemas {
                note(o, format!("databases[{}].schemas[{s}].owner", db.name));
            }
            for scope in db.default_privileges.keys() {
                note(
                    &scope.for_role,
                    format!("default privileges in {}.{}", db.name, scope.schema),
                );
            }
        }
        out
    }
}

/// GRANT statements for one target, grantees with identical privileges
/// merged into one statement.
pub fn grant_statements(on: GrantObject, wanted: &GranteePrivileges) -> Vec<Statement> {
    group_by_privileges(wanted)
        .into_iter()
        .map(|(privileges, to)| Statement::Grant {
            privileges,
            on: on.clone(),
            to,
        })
        .collect()
}

/// ALTER DEFAULT PRIVILEGES … GRANT statements for one scope.
pub fn default_grant_statements(
    scope: &DefaultScope,
    wanted: &GranteePrivileges,
) -> Vec<Statement> {
    group_by_privileges(wanted)
        .into_iter()
        .map(|(privileges, to)| Statement::GrantDefault {
            for_role: scope.for_role.clone(),
            schema: scope.schema.clone(),
            objects: scope.objects,
            privileges,
            to,
        })
        .collect()
}

/// Groups grantees that get the same privileges.
pub fn group_by_privileges(wanted: &GranteePrivileges) -> Vec<(Vec<Privilege>, Vec<RoleName>)> {
    let mut groups: BTreeMap<Vec<Privilege>, Vec<RoleName>> = BTreeMap::new();
    for (role, privs) in wanted {
        if privs.is_empty() {
            continue;
        }
        groups
            .entry(privs.iter().copied().collect())
            .or_default()
            .push(role.clone());
    }
    groups.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgplan_core::Plan;

    fn plan(extra_grant: &str) -> Plan {
        Plan::from_yaml(&plan_text(extra_grant)).unwrap()
    }

    fn plan_text(extra_grant: &str) -> String {
        format!(
            r#"
service: s
environment: development
version: 14
platform: {{ local: {{}} }}
databases:
  - {{ name: d, owner: o, schemas: [{{ name: app }}] }}
roles:
  - {{ name: o, purpose: owner, login: true }}
  - name: r
    purpose: read_only
    grants:
      - {{ database: d, schema: app, objects: default_tables, privileges: [SELECT] }}
      - {{ database: d, schema: app, objects: schema, privileges: [USAGE] }}
{extra_grant}
"#
        )
    }

    #[test]
    fn default_privileges_are_scoped_to_the_owner_the_plan_names() {
        let plan = plan("").validate();
        // Without `for_owner` validation refuses the grant (the privileges
        // would reach only the script runner's objects).
        let report = plan.unwrap_err();
        assert!(
            report
                .errors()
                .any(|d| d.path == "roles[1].grants[0].for_owner"),
            "{report}"
        );
        let yaml = plan_text("").replace(
            "objects: default_tables,",
            "objects: default_tables, for_owner: o,",
        );
        let d = DesiredState::from_plan(&Plan::from_yaml(&yaml).unwrap().validate().unwrap());
        let db = d.databases.values().next().unwrap();
        let scope = db.default_privileges.keys().next().unwrap();
        assert_eq!(scope.for_role.as_str(), "o");
        assert!(db.harden_public_schema);
    }

    #[test]
    fn plans_the_renderer_could_not_render_never_validate() {
        for (grant, path) in [
            (
                "      - { database: nope, objects: database, privileges: [CONNECT] }",
                "roles[1].grants[2].database",
            ),
            (
                "      - { database: d, schema: app, objects: tables, privileges: [MAINTAIN] }",
                "roles[1].grants[2].privileges",
            ),
        ] {
            let report = plan(grant).validate().unwrap_err();
            assert!(report.errors().any(|d| d.path == path), "{path}: {report}");
        }
    }
}
