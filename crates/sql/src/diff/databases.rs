//! Databases: creation, ownership, encoding and locale, extensions,
//! schemas and the objects in them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::{Privilege, RoleName, SchemaName};

use super::privileges::{
    compare, diff_object_privileges, diff_privileges, held_by_plan_roles, join_privs, join_roles,
    plan_role,
};
use super::{Change, ChangeSet, Phase, Scope, unmanaged};
use crate::catalog::{ActualDatabase, DatabaseContents, ObjectClass, ServerState};
use crate::desired::{
    DesiredDatabase, DesiredState, GranteePrivileges, PrivilegeTarget, default_grant_statements,
    grant_statements, group_by_privileges,
};
use crate::statement::Statement;

pub(super) fn normalise_locale(s: &str) -> String {
    s.to_ascii_lowercase().replace("utf-8", "utf8")
}

/// The changes for one database, after setting aside what pgplan may not
/// change: a database or schema that exists without this plan's marker is a
/// conflict (left alone), unless the apply adopts it.
#[allow(clippy::too_many_arguments)]
pub(super) fn diff_database(
    desired: &DesiredState,
    db: &DesiredDatabase,
    actual: &ServerState,
    dropped: &[RoleName],
    adopt: bool,
    changes: &mut Vec<Change>,
    cs: &mut ChangeSet,
) {
    let marker = &desired.role_marker;
    let scope = Scope::Database(db.name.clone());
    // Borrowed: a copy of the server's database (every ACL entry of every
    // object) is made only when schemas are set aside from it.
    let mut existing = actual.database(&db.name).map(Cow::Borrowed);
    let mut marks = Vec::new();
    match &existing {
        None => marks.push(Statement::CommentOnDatabase {
            name: db.name.clone(),
            comment: marker.clone(),
        }),
        Some(have) => {
            if let Some(why) = unmanaged(have.comment.as_deref(), marker) {
                if !adopt {
                    cs.conflicts.push(format!(
                        "database {}: {why}; nothing in it is changed",
                        db.name
                    ));
                    return;
                }
                marks.push(Statement::CommentOnDatabase {
                    name: db.name.clone(),
                    comment: marker.clone(),
                });
            }
        }
    }
    // Schemas: the plan's new ones get the marker; unmarked existing ones
    // are conflicts, set aside from both sides of the comparison.
    let mut set_aside: BTreeSet<SchemaName> = BTreeSet::new();
    let contents = existing.as_ref().and_then(|d| d.contents.as_ref());
    for schema in db.schemas.keys() {
        match contents.and_then(|c| c.schema(schema)) {
            None => marks.push(Statement::CommentOnSchema {
                name: schema.clone(),
                comment: marker.clone(),
            }),
            Some(have) => match unmanaged(have.comment.as_deref(), marker) {
                None => {}
                Some(why) if !adopt => {
                    cs.conflicts.push(format!(
                        "schema {schema} of database {}: {why}; its owner and privileges are left as they are",
                        db.name
                    ));
                    set_aside.insert(schema.clone());
                }
                Some(_) => marks.push(Statement::CommentOnSchema {
                    name: schema.clone(),
                    comment: marker.clone(),
                }),
            },
        }
    }
    let narrowed;
    let db = if set_aside.is_empty() {
        db
    } else {
        narrowed = without_schemas(db, &set_aside);
        if let Some(c) = existing.as_mut().and_then(|d| d.to_mut().contents.as_mut()) {
            remove_schemas(c, &set_aside);
        }
        &narrowed
    };
    diff_managed_database(
        desired,
        db,
        existing.as_deref(),
        dropped,
        changes,
        &mut cs.notes,
    );
    if !marks.is_empty() {
        let what: Vec<String> = marks
            .iter()
            .map(|m| match m {
                Statement::CommentOnDatabase { name, .. } => format!("database {name}"),
                Statement::CommentOnSchema { name, .. } => format!("schema {name}"),
                _ => String::new(),
            })
            .collect();
        changes.push(Change {
            scope,
            phase: Phase::Databases,
            summary: format!("mark {} as managed ({marker})", what.join(", ")),
            destructive: false,
            statements: marks,
        });
    }
}

/// The database without the schemas in `set_aside`: their owners,
/// privileges and default privileges.
fn without_schemas(db: &DesiredDatabase, set_aside: &BTreeSet<SchemaName>) -> DesiredDatabase {
    let mut db = db.clone();
    db.schemas.retain(|s, _| !set_aside.contains(s));
    db.privileges.retain(|target, _| match target {
        PrivilegeTarget::Database => true,
        PrivilegeTarget::Schema(s)
        | PrivilegeTarget::Tables(s)
        | PrivilegeTarget::Sequences(s)
        | PrivilegeTarget::Functions(s) => !set_aside.contains(s),
    });
    db.default_privileges
        .retain(|scope, _| !set_aside.contains(&scope.schema));
    db
}

/// What the server holds, without the schemas in `set_aside`.
fn remove_schemas(c: &mut DatabaseContents, set_aside: &BTreeSet<SchemaName>) {
    let aside = |s: &str| set_aside.iter().any(|a| a.as_str() == s);
    c.schemas.retain(|s, _| !aside(s));
    c.objects.retain(|o| !aside(&o.schema));
    c.object_acl.retain(|o, _| !aside(&o.schema));
    c.default_acl.retain(|e| !aside(&e.schema));
}

fn diff_managed_database(
    desired: &DesiredState,
    db: &DesiredDatabase,
    existing: Option<&ActualDatabase>,
    dropped: &[RoleName],
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) {
    let scope = Scope::Database(db.name.clone());
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
        comment: None,
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

    let empty = DatabaseContents::default();
    let contents = have.contents.as_ref().unwrap_or(&empty);
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
    // The migration history's privileges are the migration runner's (its
    // readers are the roles that dump the database), not the plan's grants.
    managed_schemas.remove(crate::migrations::HISTORY_SCHEMA);
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
                desired, &db.name, &target, class, schema, &wanted, contents, &mut push,
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

pub(super) fn changes_push_create(db: &DesiredDatabase, changes: &mut Vec<Change>) {
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
