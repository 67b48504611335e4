//! Importing a live server as a plan: its version, the settings that differ
//! from the defaults, databases, schemas, extensions, roles, memberships,
//! grants and default privileges — read with the same inspection `diff`
//! uses, so that applying the imported plan to a fresh server and diffing it
//! shows nothing.
//!
//! What a plan cannot hold is left out and said in [`Imported::notes`]:
//! superusers and roles the platform owns, grants to PUBLIC, privileges on
//! some but not all tables of a schema, per-database settings other than the
//! time zone, passwords (a plan names where a password comes from; the
//! imported roles keep the one they have until the plan names a source).

use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::catalog::{Catalog, Context as ParamContext};
use pgplan_core::{
    Database, DatabaseName, Encoding, Environment, Extension, ExtensionName, Grant, Local, Locale,
    MajorVersion, ObjectKind, ParamValue, PasswordEncryption, Plan, Platform, Privilege, Role,
    RoleAttribute, RoleName, RolePurpose, Schema, SchemaName, ServiceName, StatementLogging,
    TimeZoneName, Tls, TlsVersion, ValidUntil,
};

use super::ApplyOptions;
use super::session::Session;
use crate::catalog::{AclEntry, DatabaseContents, ObjectClass, ServerState};
use crate::desired::{DesiredState, SettingsDelivery};
use crate::diff::settings::same_setting;
use crate::error::Error;
use crate::statement::DefaultObjects;

/// What to import as.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The plan's service.
    pub service: ServiceName,
    /// The plan's environment.
    pub environment: Environment,
    /// Connection options (timeout, application name).
    pub connection: ApplyOptions,
}

/// An imported plan and what could not be imported.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The plan (validate it before use).
    pub plan: Plan,
    /// What the server has that the plan does not say, one sentence each.
    pub notes: Vec<String>,
}

/// Parameters that say where and how this server runs, not what it is: a
/// plan that carried them would move the next server's port or files.
const RUNTIME_PARAMETERS: &[&str] = &[
    "port",
    "listen_addresses",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
    "data_directory",
    "config_file",
    "hba_file",
    "ident_file",
    "external_pid_file",
    "ssl_cert_file",
    "ssl_key_file",
    "ssl_ca_file",
    "ssl_crl_file",
    "ssl_crl_dir",
    "log_directory",
    "cluster_name",
];

/// Databases every server has.
const SYSTEM_DATABASES: &[&str] = &[
    "postgres",
    "template0",
    "template1",
    "azure_maintenance",
    "azure_sys",
];

/// Reads the server at `dsn` and writes it as a plan.
///
/// # Errors
///
/// Connection and inspection errors, as for [`crate::diff()`].
pub async fn import(dsn: &str, opts: &ImportOptions) -> Result<Imported, Error> {
    let mut session = Session::open(dsn, &opts.connection).await?;
    let nothing = DesiredState {
        major: 0,
        role_marker: String::new(),
        roles: BTreeMap::new(),
        databases: BTreeMap::new(),
        settings: SettingsDelivery::Managed {
            platform: "import",
            through: "nothing",
        },
    };
    let mut state = session.inspect(&nothing).await?;
    let names: Vec<String> = state
        .databases
        .keys()
        .filter(|d| !SYSTEM_DATABASES.contains(&d.as_str()))
        .cloned()
        .collect();
    for name in &names {
        let contents = session.inspect_database(name).await?;
        if let Some(db) = state.databases.get_mut(name) {
            db.contents = Some(contents);
        }
    }
    let client = session.client(&session.maintenance.clone()).await?;
    let mut valid_until = BTreeMap::new();
    for row in client
        .query(
            "SELECT rolname, to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM pg_catalog.pg_roles WHERE rolvaliduntil IS NOT NULL AND rolvaliduntil <> 'infinity'",
            &[],
        )
        .await
        .map_err(session.inspect_error("role expiry"))?
    {
        valid_until.insert(row.get::<_, String>(0), row.get::<_, String>(1));
    }
    let default_locale: Option<String> = client
        .query_one(
            "SELECT datcollate::text FROM pg_catalog.pg_database WHERE datname = 'template1'",
            &[],
        )
        .await
        .ok()
        .map(|r| r.get(0));
    Ok(build(&state, &valid_until, default_locale.as_deref(), opts))
}

/// The plan from what was read (pure; the tests feed it states).
fn build(
    state: &ServerState,
    valid_until: &BTreeMap<String, String>,
    default_locale: Option<&str>,
    opts: &ImportOptions,
) -> Imported {
    let mut notes = Vec::new();
    let major = u16::try_from(state.version_num / 10000).unwrap_or(0);
    let version = match MajorVersion::new(major) {
        Ok(v) => v,
        Err(_) => {
            notes.push(format!(
                "the server runs PostgreSQL {major}, which pgplan does not support; the plan says {}",
                MajorVersion::newest()
            ));
            MajorVersion::newest()
        }
    };

    // Roles a plan can hold: not the platform's, not superusers.
    let mut roles: BTreeMap<String, Role> = BTreeMap::new();
    for (name, r) in &state.roles {
        if name.starts_with("pg_") || name.starts_with("azure_") || name == &state.current_user {
            continue;
        }
        if r.superuser {
            notes.push(format!(
                "role {name} is a superuser; a plan holds no superusers, so it was left out"
            ));
            continue;
        }
        let Ok(role_name) = RoleName::new(name.as_str()) else {
            notes.push(format!("role {name}: not a name a plan can hold; left out"));
            continue;
        };
        roles.insert(
            name.clone(),
            Role {
                name: role_name,
                purpose: if r.replication {
                    RolePurpose::Replication
                } else if r.login {
                    RolePurpose::Application
                } else {
                    RolePurpose::Admin
                },
                login: r.login,
                password: None,
                connection_limit: (r.connection_limit >= 0).then_some(r.connection_limit),
                // A replication role has REPLICATION from its purpose.
                attributes: RoleAttribute::ALL
                    .into_iter()
                    .filter(|a| *a != RoleAttribute::Replication && r.has(*a))
                    .collect(),
                member_of: Vec::new(),
                valid_until: valid_until
                    .get(name)
                    .and_then(|v| ValidUntil::new(v.as_str()).ok()),
                grants: Vec::new(),
            },
        );
    }
    let mut memberships: Vec<(String, String)> = Vec::new();
    for (member, group) in &state.memberships {
        if !roles.contains_key(member) {
            continue;
        }
        if roles.contains_key(group) || group.starts_with("pg_") {
            memberships.push((member.clone(), group.clone()));
        } else {
            notes.push(format!(
                "role {member} is a member of {group}, which the plan does not hold; left out"
            ));
        }
    }
    for (member, group) in memberships {
        if let (Some(r), Ok(g)) = (roles.get_mut(&member), RoleName::new(group.as_str())) {
            r.member_of.push(g);
        }
    }

    let mut owners: BTreeSet<String> = BTreeSet::new();
    let mut databases = Vec::new();
    for (name, db) in &state.databases {
        if SYSTEM_DATABASES.contains(&name.as_str()) {
            continue;
        }
        if !roles.contains_key(&db.owner) {
            notes.push(format!(
                "database {name} is owned by {}, which a plan cannot hold; left out (give it to a role of its own with ALTER DATABASE … OWNER TO)",
                db.owner
            ));
            continue;
        }
        let (Ok(db_name), Ok(owner), Ok(encoding)) = (
            DatabaseName::new(name.as_str()),
            RoleName::new(db.owner.as_str()),
            Encoding::new(db.encoding.as_str()),
        ) else {
            notes.push(format!(
                "database {name}: a name or encoding a plan cannot hold; left out"
            ));
            continue;
        };
        owners.insert(db.owner.clone());
        if db.collate != db.ctype {
            notes.push(format!(
                "database {name} has LC_COLLATE {} and LC_CTYPE {}; the plan gives one locale ({})",
                db.collate, db.ctype, db.collate
            ));
        }
        let locale = (Some(db.collate.as_str()) != default_locale)
            .then(|| Locale::new(db.collate.as_str()).ok())
            .flatten();
        let timezone = db
            .settings
            .get("timezone")
            .and_then(|t| TimeZoneName::new(t.as_str()).ok());
        for key in db.settings.keys().filter(|k| k.as_str() != "timezone") {
            notes.push(format!(
                "database {name} sets {key} (ALTER DATABASE … SET); a plan sets only the time zone per database"
            ));
        }
        let mut database = Database {
            name: db_name.clone(),
            owner,
            encoding,
            locale,
            template: None,
            timezone,
            schemas: Vec::new(),
            extensions: Vec::new(),
            estimated_size: None,
            connection_limit: (db.connection_limit >= 0).then_some(db.connection_limit),
            // The application schema's scripts live with the application, not
            // in the catalog: a plan names their directory itself.
            migrations: None,
        };
        grant_all(
            &mut roles,
            &mut notes,
            &db_name,
            None,
            ObjectKind::Database,
            &db.acl,
        );
        if let Some(c) = &db.contents {
            contents(&mut database, c, &mut roles, &mut owners, &mut notes);
        }
        databases.push(database);
    }
    // What a role is for, as far as the server shows it: owners own,
    // pg_monitor's members monitor, logins granted only reading read.
    for (name, r) in &mut roles {
        if r.purpose == RolePurpose::Replication {
            continue;
        }
        let reads_only = r.grants.iter().all(|g| {
            g.privileges
                .iter()
                .all(|p| matches!(p, Privilege::Select | Privilege::Usage | Privilege::Connect))
        });
        if owners.contains(name) {
            r.purpose = RolePurpose::Owner;
        } else if r.member_of.iter().any(|g| g.as_str() == "pg_monitor") {
            r.purpose = RolePurpose::Monitoring;
        } else if r.login && !r.grants.is_empty() && reads_only {
            r.purpose = RolePurpose::ReadOnly;
        }
    }

    let mut plan = Plan::builder()
        .service(opts.service.clone())
        .environment(opts.environment)
        .version(version)
        .platform(Platform::Local(Local::default()))
        .databases(databases)
        .roles(roles.into_values().collect())
        .build();
    security(&mut plan, state);
    settings(&mut plan, state, major, &mut notes);
    Imported { plan, notes }
}

fn contents(
    database: &mut Database,
    c: &DatabaseContents,
    roles: &mut BTreeMap<String, Role>,
    owners: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) {
    let db = database.name.clone();
    for (name, schema) in &c.schemas {
        let owned = roles.contains_key(&schema.owner);
        let Ok(schema_name) = SchemaName::new(name.as_str()) else {
            continue;
        };
        if name == "public" {
            // Every database has it; only an owner the plan holds is said.
            if owned && schema.owner != database.owner.as_str() {
                database.schemas.push(Schema {
                    name: schema_name.clone(),
                    owner: RoleName::new(schema.owner.as_str()).ok(),
                });
                owners.insert(schema.owner.clone());
            }
        } else if owned {
            database.schemas.push(Schema {
                name: schema_name.clone(),
                owner: (schema.owner != database.owner.as_str())
                    .then(|| RoleName::new(schema.owner.as_str()).ok())
                    .flatten(),
            });
            owners.insert(schema.owner.clone());
        } else {
            notes.push(format!(
                "schema {db}.{name} is owned by {}, which the plan does not hold; left out",
                schema.owner
            ));
            continue;
        }
        let acl: Vec<AclEntry> = schema
            .acl
            .iter()
            .filter(|e| e.grantee.as_deref() != Some("pg_database_owner"))
            .cloned()
            .collect();
        grant_all(
            roles,
            notes,
            &db,
            Some(&schema_name),
            ObjectKind::Schema,
            &acl,
        );
    }
    for (name, ext) in &c.extensions {
        if name == "plpgsql" {
            continue;
        }
        let Ok(ext_name) = ExtensionName::new(name.as_str()) else {
            continue;
        };
        database.extensions.push(Extension {
            name: ext_name,
            schema: (ext.schema != "public")
                .then(|| SchemaName::new(ext.schema.as_str()).ok())
                .flatten(),
            version: None,
        });
    }
    // Privileges on every object of a kind in a schema become one grant
    // (`tables` in the schema); privileges on only some are not a plan's.
    let mut classes: BTreeMap<(String, ObjectClass), usize> = BTreeMap::new();
    let mut held: BTreeMap<(String, ObjectClass, Option<String>, Privilege), usize> =
        BTreeMap::new();
    for (object, acl) in &c.object_acl {
        *classes
            .entry((object.schema.clone(), object.class))
            .or_default() += 1;
        let unique: BTreeSet<&AclEntry> = acl.iter().collect();
        for e in unique {
            *held
                .entry((
                    object.schema.clone(),
                    object.class,
                    e.grantee.clone(),
                    e.privilege,
                ))
                .or_default() += 1;
        }
    }
    let mut by_grant: BTreeMap<(String, ObjectClass, String), Vec<Privilege>> = BTreeMap::new();
    for ((schema, class, grantee, privilege), n) in held {
        let total = classes.get(&(schema.clone(), class)).copied().unwrap_or(0);
        let Some(grantee) = grantee else {
            notes.push(format!(
                "{privilege} on {} {class:?} objects in {db}.{schema} is granted to PUBLIC; a plan grants to roles",
                if n == total { "all" } else { "some" }
            ));
            continue;
        };
        if n != total {
            notes.push(format!(
                "{grantee} holds {privilege} on {n} of {total} {class:?} objects in {db}.{schema}; a plan grants on all of them or none, so it was left out"
            ));
            continue;
        }
        by_grant
            .entry((schema, class, grantee))
            .or_default()
            .push(privilege);
    }
    for ((schema, class, grantee), privileges) in by_grant {
        let kind = match class {
            ObjectClass::Table => ObjectKind::Tables,
            ObjectClass::Sequence => ObjectKind::Sequences,
            ObjectClass::Function => ObjectKind::Functions,
        };
        push_grant(
            roles,
            notes,
            &grantee,
            &db,
            SchemaName::new(schema.as_str()).ok(),
            kind,
            None,
            privileges,
        );
    }
    let mut defaults: BTreeMap<(String, String, DefaultObjects, String), Vec<Privilege>> =
        BTreeMap::new();
    for e in &c.default_acl {
        let Some(grantee) = &e.grantee else {
            notes.push(format!(
                "default privileges of {} in {db}.{} grant to PUBLIC; a plan grants to roles",
                e.for_role, e.schema
            ));
            continue;
        };
        defaults
            .entry((
                e.for_role.clone(),
                e.schema.clone(),
                e.objects,
                grantee.clone(),
            ))
            .or_default()
            .push(e.privilege);
    }
    for ((for_role, schema, objects, grantee), privileges) in defaults {
        if !roles.contains_key(&for_role) {
            notes.push(format!(
                "default privileges for objects {for_role} creates in {db}.{schema}: {for_role} is not in the plan; left out"
            ));
            continue;
        }
        let kind = match objects {
            DefaultObjects::Tables => ObjectKind::DefaultTables,
            DefaultObjects::Sequences => ObjectKind::DefaultSequences,
            DefaultObjects::Functions => ObjectKind::DefaultFunctions,
            DefaultObjects::Types => ObjectKind::DefaultTypes,
        };
        push_grant(
            roles,
            notes,
            &grantee,
            &db,
            SchemaName::new(schema.as_str()).ok(),
            kind,
            RoleName::new(for_role.as_str()).ok(),
            privileges,
        );
    }
}

fn grant_all(
    roles: &mut BTreeMap<String, Role>,
    notes: &mut Vec<String>,
    db: &DatabaseName,
    schema: Option<&SchemaName>,
    kind: ObjectKind,
    acl: &[AclEntry],
) {
    let mut by_grantee: BTreeMap<Option<String>, Vec<Privilege>> = BTreeMap::new();
    for e in acl {
        by_grantee
            .entry(e.grantee.clone())
            .or_default()
            .push(e.privilege);
    }
    for (grantee, privileges) in by_grantee {
        match grantee {
            Some(g) => push_grant(
                roles,
                notes,
                &g,
                db,
                schema.cloned(),
                kind,
                None,
                privileges,
            ),
            None => {
                let on = match schema {
                    Some(s) => format!("schema {db}.{s}"),
                    None => format!("database {db}"),
                };
                let list: Vec<&str> = privileges.iter().map(|p| p.as_sql()).collect();
                notes.push(format!(
                    "{} on {on} is granted to PUBLIC; a plan grants to roles",
                    list.join(", ")
                ));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn push_grant(
    roles: &mut BTreeMap<String, Role>,
    notes: &mut Vec<String>,
    grantee: &str,
    db: &DatabaseName,
    schema: Option<SchemaName>,
    objects: ObjectKind,
    for_owner: Option<RoleName>,
    mut privileges: Vec<Privilege>,
) {
    let Some(role) = roles.get_mut(grantee) else {
        notes.push(format!(
            "{grantee} is granted {objects} privileges in {db} but is not in the plan; left out"
        ));
        return;
    };
    privileges.sort();
    privileges.dedup();
    role.grants.push(Grant {
        database: db.clone(),
        schema,
        objects,
        for_owner,
        privileges,
    });
}

/// TLS, password hashing and statement logging as the server has them.
fn security(plan: &mut Plan, state: &ServerState) {
    let setting = |name: &str| state.settings.get(name).map(|s| s.setting.as_str());
    let ssl = setting("ssl") == Some("on");
    // A plan's floor is TLS 1.2 or 1.3; an older floor is raised to 1.2.
    let min_version = match setting("ssl_min_protocol_version") {
        Some("TLSv1.3") => TlsVersion::Tls13,
        _ => TlsVersion::Tls12,
    };
    plan.security.tls = Tls {
        required: ssl,
        min_version,
    };
    if setting("password_encryption") == Some("md5") {
        plan.security.password_encryption = PasswordEncryption::Md5;
    }
    plan.security.statement_logging = match setting("log_statement") {
        Some("ddl") => StatementLogging::Ddl,
        Some("mod") => StatementLogging::Mod,
        Some("all") => StatementLogging::All,
        _ => StatementLogging::None,
    };
}

/// Settings that differ from the defaults, then every value pgplan would
/// derive differently from the server's, pinned to the server's.
fn settings(plan: &mut Plan, state: &ServerState, major: u16, notes: &mut Vec<String>) {
    let Some(catalog) = Catalog::for_major(major) else {
        return;
    };
    let configured = |name: &str| -> Option<String> {
        state
            .auto_conf
            .as_ref()
            .and_then(|m| m.get(name).cloned())
            .or_else(|| state.settings.get(name).map(|s| s.setting.clone()))
    };
    for (name, s) in &state.settings {
        if !matches!(s.source.as_str(), "configuration file" | "command line") {
            continue;
        }
        if RUNTIME_PARAMETERS.contains(&name.as_str()) {
            continue;
        }
        let Some(spec) = catalog.get(name) else {
            continue;
        };
        if spec.context == ParamContext::Internal
            || same_setting(major, name, spec.boot_val, &s.setting)
        {
            continue;
        }
        set(plan, catalog, name, &s.setting);
    }
    // Pin what derivation would change: a derived value that differs from
    // the server's would be applied to the next server.
    for _ in 0..5 {
        let resolved = plan.settings();
        let mut pinned = false;
        for s in resolved.iter() {
            if plan.tuning.parameters.keys().any(|k| k.as_str() == s.name) {
                continue;
            }
            let Some(have) = configured(&s.name) else {
                notes.push(format!(
                    "pgplan derives {} = {}, which this server does not have; left to derivation",
                    s.name, s.value
                ));
                continue;
            };
            if !same_setting(major, &s.name, &s.value, &have) {
                set(plan, catalog, &s.name, &have);
                pinned = true;
            }
        }
        if !pinned {
            break;
        }
    }
}

/// Sets a parameter in the plan, in a unit people read (`128MB`, `5min`).
fn set(plan: &mut Plan, catalog: &Catalog, name: &str, raw: &str) {
    let spec = catalog.get(name);
    let value = spec
        .and_then(|sp| {
            sp.value_bytes(raw)
                .filter(|b| b.as_u64() > 0)
                .map(|b| b.to_postgres())
                .or_else(|| {
                    sp.value_duration(raw)
                        .filter(|d| d.as_millis() > 0)
                        .map(|d| d.to_postgres())
                })
        })
        .unwrap_or_else(|| raw.to_owned());
    if let Ok(key) = name.parse() {
        plan.tuning.parameters.insert(key, ParamValue::new(value));
    }
}
