//! Desired versus actual: the ordered list of changes that makes a server
//! match a plan. Pure: it compares a [`DesiredState`] with a
//! [`ServerState`] that `apply` read from the server.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use pgplan_core::catalog::{Catalog, TypedValue};
use pgplan_core::{DatabaseName, Privilege, RoleName, SchemaName};

use crate::catalog::{ActualDatabase, DatabaseContents, ObjectClass, SchemaObject, ServerState};
use crate::desired::{
    DesiredDatabase, DesiredRole, DesiredState, GranteePrivileges, PrivilegeTarget,
    SettingsDelivery, default_grant_statements, grant_statements, group_by_privileges,
    is_list_parameter, list_elements,
};
use crate::secrets::{Password, SecretResolver, new_verifier, verifier_matches};
use crate::statement::{
    FunctionRef, GrantObject, PasswordSpec, RelationRef, RoleOptions, Statement,
};

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
}

impl fmt::Display for ChangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runnable = self.runnable().count();
        let statements = self.statement_count();
        if self.changes.is_empty() {
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
        if !self.restart_needed.is_empty() {
            writeln!(f, "restart needed for: {}", self.restart_needed.join(", "))?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
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
}

/// The changes that make `actual` match `desired`.
pub fn compute(desired: &DesiredState, actual: &ServerState, inputs: &DiffInputs<'_>) -> ChangeSet {
    let mut cs = ChangeSet {
        server: actual.server.clone(),
        allow_destructive: inputs.allow_destructive,
        ..ChangeSet::default()
    };
    let mut changes: Vec<Change> = Vec::new();
    diff_roles(desired, actual, inputs, &mut changes, &mut cs.notes);
    let dropped = roles_to_drop(desired, actual);
    for db in desired.databases.values() {
        diff_database(desired, db, actual, &dropped, &mut changes, &mut cs.notes);
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

fn role_epoch_matches(actual: Option<f64>, desired: Option<&String>, state: &ServerState) -> bool {
    let never = |e: Option<f64>| e.is_none_or(|v| v.is_infinite() && v > 0.0);
    match desired {
        None => never(actual),
        Some(s) => match (state.valid_until_epochs.get(s), actual) {
            (Some(want), Some(have)) => {
                (want - have).abs() < 0.5 || (want.is_infinite() && have.is_infinite())
            }
            (Some(want), None) => want.is_infinite(),
            (None, _) => false,
        },
    }
}

fn diff_roles(
    desired: &DesiredState,
    actual: &ServerState,
    inputs: &DiffInputs<'_>,
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) {
    let mut unreadable_noted = false;
    for role in desired.roles.values() {
        let password = inputs.passwords.get(&role.name);
        if password.is_none()
            && role.login
            && let Some(src) = &role.password
            && !matches!(src, pgplan_core::SecretSource::EntraIdentity { .. })
        {
            notes.push(format!(
                "password of role {} ({}) is not known here; left as it is",
                role.name,
                src.describe()
            ));
        }
        let verifier =
            |pw: &Password| PasswordSpec::Verifier(new_verifier(inputs.resolver, &role.name, pw));
        match actual.roles.get(role.name.as_str()) {
            // An Entra principal is created by the Entra principal script;
            // apply's preflight stops when it is missing.
            None if role.entra_identity.is_some() => {}
            None => {
                let options = RoleOptions {
                    login: Some(role.login),
                    replication: role.replication.then_some(true),
                    connection_limit: (role.connection_limit != -1)
                        .then_some(role.connection_limit),
                    valid_until: role.valid_until.clone(),
                    password: password.map(verifier),
                };
                changes.push(Change {
                    scope: Scope::Cluster,
                    phase: Phase::Roles,
                    summary: format!(
                        "create role {} ({}{})",
                        role.name,
                        if role.login { "LOGIN" } else { "NOLOGIN" },
                        if password.is_some() {
                            ", SCRAM-SHA-256 password"
                        } else {
                            ""
                        }
                    ),
                    destructive: false,
                    statements: vec![
                        Statement::CreateRole {
                            name: role.name.clone(),
                            options,
                        },
                        Statement::CommentOnRole {
                            name: role.name.clone(),
                            comment: desired.role_marker.clone(),
                        },
                    ],
                });
            }
            Some(have) => {
                let mut options = RoleOptions::default();
                let mut what = Vec::new();
                if have.login != role.login {
                    options.login = Some(role.login);
                    what.push(if role.login { "LOGIN" } else { "NOLOGIN" }.to_owned());
                }
                if have.replication != role.replication {
                    options.replication = Some(role.replication);
                    what.push(
                        if role.replication {
                            "REPLICATION"
                        } else {
                            "NOREPLICATION"
                        }
                        .to_owned(),
                    );
                }
                if have.connection_limit != role.connection_limit {
                    options.connection_limit = Some(role.connection_limit);
                    what.push(format!(
                        "CONNECTION LIMIT {} (was {})",
                        role.connection_limit, have.connection_limit
                    ));
                }
                if !role_epoch_matches(have.valid_until_epoch, role.valid_until.as_ref(), actual) {
                    let v = role
                        .valid_until
                        .clone()
                        .unwrap_or_else(|| "infinity".into());
                    what.push(format!("VALID UNTIL {v}"));
                    options.valid_until = Some(v);
                }
                if let Some(pw) = password {
                    match &actual.passwords {
                        Some(map) => {
                            let ok = map
                                .get(role.name.as_str())
                                .and_then(|v| v.as_deref())
                                .is_some_and(|v| verifier_matches(pw.expose(), v));
                            if !ok {
                                options.password = Some(verifier(pw));
                                what.push("password".into());
                            }
                        }
                        None => {
                            if !unreadable_noted {
                                notes.push(format!(
                                    "{} cannot read pg_authid, so existing roles' passwords are not checked (connect as a superuser to converge them)",
                                    actual.current_user
                                ));
                                unreadable_noted = true;
                            }
                        }
                    }
                }
                if !options.is_empty() {
                    changes.push(Change {
                        scope: Scope::Cluster,
                        phase: Phase::Roles,
                        summary: format!("alter role {}: {}", role.name, what.join(", ")),
                        destructive: false,
                        statements: vec![Statement::AlterRole {
                            name: role.name.clone(),
                            options,
                        }],
                    });
                }
                if have.comment.as_deref() != Some(desired.role_marker.as_str()) {
                    changes.push(Change {
                        scope: Scope::Cluster,
                        phase: Phase::Roles,
                        summary: format!(
                            "mark role {} as managed ({})",
                            role.name, desired.role_marker
                        ),
                        destructive: false,
                        statements: vec![Statement::CommentOnRole {
                            name: role.name.clone(),
                            comment: desired.role_marker.clone(),
                        }],
                    });
                }
            }
        }
        diff_memberships(role, actual, changes);
    }
}

fn diff_memberships(role: &DesiredRole, actual: &ServerState, changes: &mut Vec<Change>) {
    let have: BTreeSet<&str> = actual
        .memberships
        .range((role.name.to_string(), String::new())..)
        .take_while(|(m, _)| m == role.name.as_str())
        .map(|(_, g)| g.as_str())
        .collect();
    for group in &role.member_of {
        if !have.contains(group.as_str()) {
            changes.push(Change {
                scope: Scope::Cluster,
                phase: Phase::Roles,
                summary: format!("grant membership in {group} to {}", role.name),
                destructive: false,
                statements: vec![Statement::GrantMembership {
                    group: group.clone(),
                    member: role.name.clone(),
                }],
            });
        }
    }
    for group in have {
        if role.member_of.iter().any(|g| g.as_str() == group) {
            continue;
        }
        let Ok(group) = RoleName::new(group) else {
            continue;
        };
        changes.push(Change {
            scope: Scope::Cluster,
            phase: Phase::Roles,
            summary: format!(
                "revoke membership in {group} from {} (not in the plan)",
                role.name
            ),
            destructive: true,
            statements: vec![Statement::RevokeMembership {
                group,
                member: role.name.clone(),
            }],
        });
    }
}

fn roles_to_drop(desired: &DesiredState, actual: &ServerState) -> Vec<RoleName> {
    actual
        .roles
        .iter()
        .filter(|(name, r)| {
            r.comment.as_deref() == Some(desired.role_marker.as_str())
                && plan_role(desired, name).is_none()
        })
        .filter_map(|(name, _)| RoleName::new(name.as_str()).ok())
        .collect()
}

fn normalise_locale(s: &str) -> String {
    s.to_ascii_lowercase().replace("utf-8", "utf8")
}

fn diff_database(
    desired: &DesiredState,
    db: &DesiredDatabase,
    actual: &ServerState,
    dropped: &[RoleName],
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) {
    let scope = Scope::Database(db.name.clone());
    let existing = actual.database(&db.name);
    if existing.is_none() {
        changes_push_create(db, changes);
    }
    let mut push = |summary: String, destructive: bool, statements: Vec<Statement>| {
        if !statements.is_empty() {
            changes.push(Change {
                scope: scope.clone(),
                phase: Phase::Databases,
                summary,
                destructive,
                statements,
            });
        }
    };
    let empty = ActualDatabase {
        owner: db.owner.to_string(),
        encoding: db.encoding.clone(),
        collate: String::new(),
        ctype: String::new(),
        connection_limit: db.connection_limit,
        settings: BTreeMap::new(),
        acl: Vec::new(),
        contents: Some(DatabaseContents::default()),
    };
    let have = match existing {
        None => &empty,
        Some(have) => {
            if have.owner != db.owner.as_str() {
                push(
                    format!(
                        "change owner of database {} to {} (was {})",
                        db.name, db.owner, have.owner
                    ),
                    false,
                    vec![Statement::AlterDatabaseOwner {
                        name: db.name.clone(),
                        owner: db.owner.clone(),
                    }],
                );
            }
            if have.connection_limit != db.connection_limit {
                push(
                    format!(
                        "set connection limit of database {} to {} (was {})",
                        db.name, db.connection_limit, have.connection_limit
                    ),
                    false,
                    vec![Statement::AlterDatabaseConnectionLimit {
                        name: db.name.clone(),
                        limit: db.connection_limit,
                    }],
                );
            }
            if !have.encoding.eq_ignore_ascii_case(&db.encoding) {
                notes.push(format!(
                    "database {} has encoding {}, the plan says {}: an encoding cannot change in place (dump, recreate, restore)",
                    db.name, have.encoding, db.encoding
                ));
            }
            if let Some(locale) = &db.locale
                && (normalise_locale(&have.collate) != normalise_locale(locale)
                    || normalise_locale(&have.ctype) != normalise_locale(locale))
            {
                notes.push(format!(
                    "database {} has locale {} / {}, the plan says {locale}: a locale cannot change in place (dump, recreate, restore)",
                    db.name, have.collate, have.ctype
                ));
            }
            have
        }
    };
    // Roles to drop: hand their objects to the database owner, drop their privileges.
    for role in dropped {
        push(
            format!(
                "reassign objects of {role} to {} and drop its privileges",
                db.owner
            ),
            true,
            vec![
                Statement::ReassignOwned {
                    from: role.clone(),
                    to: db.owner.clone(),
                },
                Statement::DropOwned { role: role.clone() },
            ],
        );
    }
    if let Some(tz) = &db.timezone
        && have.settings.get("timezone").map(String::as_str) != Some(tz.as_str())
    {
        push(
            format!("set timezone of database {} to {tz}", db.name),
            false,
            vec![Statement::AlterDatabaseSet {
                name: db.name.clone(),
                parameter: "timezone".into(),
                value: tz.clone(),
            }],
        );
    }
    // Database privileges (the owner holds them all implicitly).
    let mut wanted = db
        .privileges
        .get(&PrivilegeTarget::Database)
        .cloned()
        .unwrap_or_default();
    wanted.remove(&db.owner);
    let held = held_by_plan_roles(
        desired,
        have.acl.iter().map(|e| (e.grantee.as_deref(), e.privilege)),
    );
    diff_privileges(
        &PrivilegeTarget::Database,
        &db.name,
        &wanted,
        &held,
        &mut push,
    );

    let contents = have.contents.clone().unwrap_or_default();
    // Schemas.
    for (schema, owner) in &db.schemas {
        match contents.schema(schema) {
            None => push(
                format!("create schema {schema} owned by {owner}"),
                false,
                vec![Statement::CreateSchema {
                    name: schema.clone(),
                    owner: owner.clone(),
                }],
            ),
            Some(s) if s.owner != owner.as_str() => push(
                format!(
                    "change owner of schema {schema} to {owner} (was {})",
                    s.owner
                ),
                false,
                vec![Statement::AlterSchemaOwner {
                    name: schema.clone(),
                    owner: owner.clone(),
                }],
            ),
            Some(_) => {}
        }
    }
    // Extensions.
    for ext in db.extensions.values() {
        match contents.extensions.get(ext.name.as_str()) {
            None => push(
                format!("create extension {}", ext.name),
                false,
                vec![Statement::CreateExtension {
                    name: ext.name.clone(),
                    schema: ext.schema.clone(),
                    version: ext.version.clone(),
                }],
            ),
            Some(have_ext) => {
                if let Some(schema) = &ext.schema
                    && have_ext.schema != schema.as_str()
                {
                    push(
                        format!(
                            "move extension {} to schema {schema} (is in {})",
                            ext.name, have_ext.schema
                        ),
                        false,
                        vec![Statement::AlterExtensionSchema {
                            name: ext.name.clone(),
                            schema: schema.clone(),
                        }],
                    );
                }
                if let Some(version) = &ext.version
                    && &have_ext.version != version
                {
                    push(
                        format!(
                            "update extension {} to {version} (is {})",
                            ext.name, have_ext.version
                        ),
                        false,
                        vec![Statement::AlterExtensionUpdate {
                            name: ext.name.clone(),
                            version: version.clone(),
                        }],
                    );
                }
            }
        }
    }
    // Extensions created now bring tables, sequences and functions the
    // inspection could not see: grant on them in the same transaction, or
    // the next apply would find them missing.
    let creating_extensions = db
        .extensions
        .keys()
        .any(|e| !contents.extensions.contains_key(e.as_str()));
    if creating_extensions {
        for (target, wanted) in &db.privileges {
            if matches!(
                target,
                PrivilegeTarget::Tables(_)
                    | PrivilegeTarget::Sequences(_)
                    | PrivilegeTarget::Functions(_)
            ) {
                for s in grant_statements(target.grant_object(&db.name), wanted) {
                    if let Statement::Grant { privileges, to, .. } = &s {
                        let summary = format!(
                            "grant {} on {} to {} (covers objects of new extensions)",
                            join_privs(privileges),
                            target.describe(),
                            join_roles(to)
                        );
                        push(summary, false, vec![s]);
                    }
                }
            }
        }
    }
    // Public schema hardening.
    if db.harden_public_schema {
        let public_open = match existing {
            // A new database copies its template: before 15, CREATE for PUBLIC.
            None => true,
            Some(_) => contents.schemas.get("public").is_some_and(|s| {
                s.acl
                    .iter()
                    .any(|e| e.grantee.is_none() && e.privilege == Privilege::Create)
            }),
        };
        if public_open {
            push(
                format!(
                    "revoke CREATE on schema public from PUBLIC (PostgreSQL {} grants it to every role)",
                    desired.major
                ),
                false,
                vec![Statement::RevokeCreateOnPublicSchema],
            );
        }
    }
    // Schema privileges.
    let schema_owner = |s: &SchemaName| -> Option<String> {
        db.schemas
            .get(s)
            .map(|o| o.to_string())
            .or_else(|| contents.schema(s).map(|x| x.owner.clone()))
    };
    let mut managed_schemas: BTreeSet<String> = contents.schemas.keys().cloned().collect();
    managed_schemas.extend(db.schemas.keys().map(|s| s.to_string()));
    for target in db.privileges.keys() {
        match target {
            PrivilegeTarget::Database => {}
            PrivilegeTarget::Schema(s)
            | PrivilegeTarget::Tables(s)
            | PrivilegeTarget::Sequences(s)
            | PrivilegeTarget::Functions(s) => {
                managed_schemas.insert(s.to_string());
            }
        }
    }
    for schema in &managed_schemas {
        let Ok(schema_name) = SchemaName::new(schema.as_str()) else {
            continue;
        };
        let target = PrivilegeTarget::Schema(schema_name.clone());
        let mut wanted = db.privileges.get(&target).cloned().unwrap_or_default();
        if let Some(owner) = schema_owner(&schema_name) {
            wanted.retain(|r, _| r.as_str() != owner);
        }
        let acl = contents
            .schema(&schema_name)
            .map(|s| s.acl.clone())
            .unwrap_or_default();
        let held = held_by_plan_roles(
            desired,
            acl.iter().map(|e| (e.grantee.as_deref(), e.privilege)),
        );
        diff_privileges(&target, &db.name, &wanted, &held, &mut push);
    }
    // Privileges on every table, sequence and function.
    for class in [
        ObjectClass::Table,
        ObjectClass::Sequence,
        ObjectClass::Function,
    ] {
        for schema in &managed_schemas {
            let Ok(schema_name) = SchemaName::new(schema.as_str()) else {
                continue;
            };
            let target = match class {
                ObjectClass::Table => PrivilegeTarget::Tables(schema_name.clone()),
                ObjectClass::Sequence => PrivilegeTarget::Sequences(schema_name.clone()),
                ObjectClass::Function => PrivilegeTarget::Functions(schema_name.clone()),
            };
            let wanted = db.privileges.get(&target).cloned().unwrap_or_default();
            diff_object_privileges(
                desired, &db.name, &target, class, schema, &wanted, &contents, &mut push,
            );
        }
    }
    // Default privileges.
    let mut held_defaults: BTreeMap<crate::desired::DefaultScope, GranteePrivileges> =
        BTreeMap::new();
    for e in &contents.default_acl {
        let (Some(grantee), Ok(for_role), Ok(schema)) = (
            e.grantee.as_deref().and_then(|g| plan_role(desired, g)),
            RoleName::new(e.for_role.as_str()),
            SchemaName::new(e.schema.as_str()),
        ) else {
            continue;
        };
        held_defaults
            .entry(crate::desired::DefaultScope {
                for_role,
                schema,
                objects: e.objects,
            })
            .or_default()
            .entry(grantee)
            .or_default()
            .insert(e.privilege);
    }
    let mut scopes: BTreeSet<&crate::desired::DefaultScope> =
        db.default_privileges.keys().collect();
    scopes.extend(held_defaults.keys());
    for scope in scopes {
        let mut wanted = db
            .default_privileges
            .get(scope)
            .cloned()
            .unwrap_or_default();
        wanted.remove(&scope.for_role);
        let held = held_defaults.get(scope).cloned().unwrap_or_default();
        let (missing, extra) = compare(&wanted, &held);
        let what = format!(
            "{} that {} creates in schema {}",
            scope.objects.sql_noun().to_ascii_lowercase(),
            scope.for_role,
            scope.schema
        );
        for (privs, roles) in group_by_privileges(&extra) {
            push(
                format!(
                    "revoke default {} on {what} from {} (not in the plan)",
                    join_privs(&privs),
                    join_roles(&roles)
                ),
                true,
                vec![Statement::RevokeDefault {
                    for_role: scope.for_role.clone(),
                    schema: scope.schema.clone(),
                    objects: scope.objects,
                    privileges: privs,
                    from: roles,
                }],
            );
        }
        for s in default_grant_statements(scope, &missing) {
            if let Statement::GrantDefault { privileges, to, .. } = &s {
                let summary = format!(
                    "grant default {} on {what} to {}",
                    join_privs(privileges),
                    join_roles(to)
                );
                push(summary, false, vec![s]);
            }
        }
    }
}

fn changes_push_create(db: &DesiredDatabase, changes: &mut Vec<Change>) {
    changes.push(Change {
        scope: Scope::Cluster,
        phase: Phase::CreateDatabases,
        summary: format!(
            "create database {} (owner {}, encoding {}{}{})",
            db.name,
            db.owner,
            db.encoding,
            db.locale
                .as_ref()
                .map(|l| format!(", locale {l}"))
                .unwrap_or_default(),
            db.template
                .as_ref()
                .map(|t| format!(", template {t}"))
                .unwrap_or_default()
        ),
        destructive: false,
        statements: vec![Statement::CreateDatabase {
            name: db.name.clone(),
            owner: db.owner.clone(),
            encoding: db.encoding.clone(),
            locale: db.locale.clone(),
            template: db.template.clone(),
            connection_limit: (db.connection_limit >= 0).then_some(db.connection_limit),
        }],
    });
}

fn plan_role(desired: &DesiredState, name: &str) -> Option<RoleName> {
    // A map lookup: this runs once per ACL entry, and a server may hold
    // hundreds of thousands.
    let role = RoleName::new(name).ok()?;
    desired.roles.contains_key(&role).then_some(role)
}

fn held_by_plan_roles<'a>(
    desired: &DesiredState,
    entries: impl Iterator<Item = (Option<&'a str>, Privilege)>,
) -> GranteePrivileges {
    let mut out = GranteePrivileges::new();
    for (grantee, p) in entries {
        if let Some(role) = grantee.and_then(|g| plan_role(desired, g)) {
            out.entry(role).or_default().insert(p);
        }
    }
    out
}

/// (missing, extra) privileges per grantee.
fn compare(
    wanted: &GranteePrivileges,
    held: &GranteePrivileges,
) -> (GranteePrivileges, GranteePrivileges) {
    let mut missing = GranteePrivileges::new();
    let mut extra = GranteePrivileges::new();
    let none = BTreeSet::new();
    for (role, privs) in wanted {
        let have = held.get(role).unwrap_or(&none);
        let m: BTreeSet<Privilege> = privs.difference(have).copied().collect();
        if !m.is_empty() {
            missing.insert(role.clone(), m);
        }
    }
    for (role, privs) in held {
        let want = wanted.get(role).unwrap_or(&none);
        let x: BTreeSet<Privilege> = privs.difference(want).copied().collect();
        if !x.is_empty() {
            extra.insert(role.clone(), x);
        }
    }
    (missing, extra)
}

fn join_privs(p: &[Privilege]) -> String {
    p.iter().map(|p| p.as_sql()).collect::<Vec<_>>().join(", ")
}

fn join_roles(r: &[RoleName]) -> String {
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

fn diff_privileges(
    target: &PrivilegeTarget,
    database: &DatabaseName,
    wanted: &GranteePrivileges,
    held: &GranteePrivileges,
    push: &mut impl FnMut(String, bool, Vec<Statement>),
) {
    let (missing, extra) = compare(wanted, held);
    for (privs, roles) in group_by_privileges(&extra) {
        push(
            format!(
                "revoke {} on {} from {} (not in the plan)",
                join_privs(&privs),
                target.describe(),
                join_roles(&roles)
            ),
            true,
            vec![Statement::Revoke {
                privileges: privs,
                on: target.grant_object(database),
                from: roles,
            }],
        );
    }
    for s in grant_statements(target.grant_object(database), &missing) {
        if let Statement::Grant { privileges, to, .. } = &s {
            let summary = format!(
                "grant {} on {} to {}",
                join_privs(privileges),
                target.describe(),
                join_roles(to)
            );
            push(summary, false, vec![s]);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn diff_object_privileges(
    desired: &DesiredState,
    database: &DatabaseName,
    target: &PrivilegeTarget,
    class: ObjectClass,
    schema: &str,
    wanted: &GranteePrivileges,
    contents: &DatabaseContents,
    push: &mut impl FnMut(String, bool, Vec<Statement>),
) {
    let objects: Vec<&SchemaObject> = contents
        .objects
        .iter()
        .filter(|o| o.class == class && o.schema == schema)
        .collect();
    if objects.is_empty() {
        return;
    }
    let none = Vec::new();
    // Missing: a grantee lacks a wanted privilege on some object it does not own.
    let mut missing = GranteePrivileges::new();
    let mut missing_on: BTreeMap<RoleName, usize> = BTreeMap::new();
    // Extra: a plan role holds a privilege the plan does not give it here.
    let mut extra: BTreeMap<(RoleName, Vec<Privilege>), Vec<&SchemaObject>> = BTreeMap::new();
    for o in &objects {
        let acl = contents.object_acl.get(*o).unwrap_or(&none);
        let held = held_by_plan_roles(
            desired,
            acl.iter().map(|e| (e.grantee.as_deref(), e.privilege)),
        );
        for (role, privs) in wanted {
            if role.as_str() == o.owner {
                continue;
            }
            let have = held.get(role);
            let lacking: Vec<Privilege> = privs
                .iter()
                .filter(|p| !have.is_some_and(|h| h.contains(p)))
                .copied()
                .collect();
            if !lacking.is_empty() {
                missing.entry(role.clone()).or_default().extend(lacking);
                *missing_on.entry(role.clone()).or_default() += 1;
            }
        }
        for (role, privs) in &held {
            if role.as_str() == o.owner {
                continue;
            }
            let want = wanted.get(role);
            let x: Vec<Privilege> = privs
                .iter()
                .filter(|p| !want.is_some_and(|w| w.contains(p)))
                .copied()
                .collect();
            if !x.is_empty() {
                extra.entry((role.clone(), x)).or_default().push(o);
            }
        }
    }
    for ((role, privs), objs) in extra {
        let on = match class {
            ObjectClass::Table => GrantObject::Tables(relations(&objs)),
            ObjectClass::Sequence => GrantObject::Sequences(relations(&objs)),
            ObjectClass::Function => GrantObject::Functions(
                objs.iter()
                    .filter_map(|o| {
                        Some(FunctionRef {
                            schema: SchemaName::new(o.schema.as_str()).ok()?,
                            name: o.name.clone(),
                            identity_arguments: o.identity_arguments.clone(),
                        })
                    })
                    .collect(),
            ),
        };
        push(
            format!(
                "revoke {} on {} object{} in schema {schema} from {role} (not in the plan)",
                join_privs(&privs),
                objs.len(),
                plural(objs.len())
            ),
            true,
            vec![Statement::Revoke {
                privileges: privs,
                on,
                from: vec![role],
            }],
        );
    }
    for s in grant_statements(target.grant_object(database), &missing) {
        if let Statement::Grant { privileges, to, .. } = &s {
            let counts: Vec<String> = to
                .iter()
                .map(|r| format!("{r}: {}", missing_on.get(r).copied().unwrap_or(0)))
                .collect();
            let summary = format!(
                "grant {} on {} to {} (missing on {} of {} objects)",
                join_privs(privileges),
                target.describe(),
                join_roles(to),
                counts.join(", "),
                objects.len()
            );
            push(summary, false, vec![s]);
        }
    }
}

fn relations(objs: &[&SchemaObject]) -> Vec<RelationRef> {
    objs.iter()
        .filter_map(|o| {
            Some(RelationRef {
                schema: SchemaName::new(o.schema.as_str()).ok()?,
                name: o.name.clone(),
            })
        })
        .collect()
}

/// True when a setting's configured value equals the plan's.
pub fn same_setting(major: u16, name: &str, wanted: &str, have: &str) -> bool {
    if is_list_parameter(name) {
        return list_elements(wanted) == list_elements(have);
    }
    let spec = Catalog::for_major(major).and_then(|c| c.get(name));
    let case_insensitive = matches!(name, "timezone" | "log_timezone" | "datestyle");
    match spec.map(|s| (s.parse_value(wanted), s.parse_value(have))) {
        Some((Ok(TypedValue::Number(a)), Ok(TypedValue::Number(b)))) => {
            (a - b).abs() <= 1e-9 * a.abs().max(1.0)
        }
        Some((Ok(TypedValue::Text(a)), Ok(TypedValue::Text(b)))) if case_insensitive => {
            a.eq_ignore_ascii_case(&b)
        }
        Some((Ok(a), Ok(b))) => a == b,
        _ => wanted.trim().trim_matches('\'') == have.trim().trim_matches('\''),
    }
}

fn diff_settings(
    desired: &DesiredState,
    actual: &ServerState,
    inputs: &DiffInputs<'_>,
    changes: &mut Vec<Change>,
    cs: &mut ChangeSet,
) {
    let settings = match &desired.settings {
        SettingsDelivery::Managed { platform, through } => {
            cs.notes.push(format!(
                "server settings are not changed over SQL on {platform}: they go through {through}"
            ));
            return;
        }
        SettingsDelivery::AlterSystem {
            settings,
            declared_method,
        } => {
            if *declared_method == Some(pgplan_core::SettingsMethod::ConfigFile)
                && inputs.include_settings
            {
                cs.notes.push(
                    "the plan delivers settings in postgresql.conf (tuning.method = config_file); ALTER SYSTEM values override that file".into(),
                );
            }
            settings
        }
    };
    if !inputs.include_settings {
        cs.notes
            .push("server settings were left out (settings not included in this apply)".into());
        return;
    }
    let mut restart = BTreeSet::new();
    for (name, s) in &actual.settings {
        if s.pending_restart {
            restart.insert(name.clone());
        }
    }
    let mut any = false;
    for s in settings.values() {
        let configured = actual
            .auto_conf
            .as_ref()
            .and_then(|m| m.get(&s.name))
            .or_else(|| actual.settings.get(&s.name).map(|a| &a.setting));
        let same =
            configured.is_some_and(|have| same_setting(desired.major, &s.name, &s.value, have));
        if same {
            continue;
        }
        any = true;
        if s.needs_restart {
            restart.insert(s.name.clone());
        }
        changes.push(Change {
            scope: Scope::Settings,
            phase: Phase::Settings,
            summary: format!(
                "set {} = {}{} (is {}; {})",
                s.name,
                s.value,
                if s.needs_restart {
                    ", needs a restart"
                } else {
                    ""
                },
                configured.map(String::as_str).unwrap_or("unset"),
                s.provenance
            ),
            destructive: false,
            statements: vec![Statement::AlterSystemSet {
                name: s.name.clone(),
                value: s.sql_value.clone(),
            }],
        });
    }
    if let Some(auto) = &actual.auto_conf {
        for (name, value) in auto {
            if settings.contains_key(name) {
                continue;
            }
            any = true;
            changes.push(Change {
                scope: Scope::Settings,
                phase: Phase::Settings,
                summary: format!("reset {name} (= {value} by ALTER SYSTEM, not in the plan)"),
                destructive: true,
                statements: vec![Statement::AlterSystemReset { name: name.clone() }],
            });
        }
    }
    if any {
        changes.push(Change {
            scope: Scope::Settings,
            phase: Phase::Settings,
            summary: "reload the configuration".into(),
            destructive: false,
            statements: vec![Statement::ReloadConfiguration],
        });
    }
    for (name, s) in &actual.settings {
        if s.source == "command line"
            && let Some(d) = settings.get(name)
            && !same_setting(desired.major, name, &d.value, &s.setting)
        {
            cs.notes.push(format!(
                "{name} is set on the server's command line ({}), which overrides ALTER SYSTEM",
                s.setting
            ));
        }
    }
    cs.restart_needed = restart.into_iter().collect();
}

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
