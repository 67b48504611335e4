//! The parts of a plan that refer to each other by name: databases, roles,
//! clients, the pooler and logical backups. They are drawn together so that
//! references can name what exists (or, for `Any`, now and then what does
//! not).

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::backups::{any_logical_backup, daily_dump};
use super::clients::{any_client, any_pooler, reasonable_client, reasonable_pooler};
use super::databases::{any_database, plain_extension_names, reasonable_database};
use super::names::{database_name, role_name, schema_name};
use super::roles::{any_grant, any_role, grant, login_role};
use super::secrets::{for_login, secret_source};
use super::units::{HOUR, MINUTE};
use super::{Profile, Target};
use crate::model::backups::LogicalBackup;
use crate::model::clients::{Client, PodRange, Pooler};
use crate::model::databases::Database;
use crate::model::names::{DatabaseName, RoleName, SchemaName, ServiceName};
use crate::model::roles::{Grant, ObjectKind, Privilege, Role, RolePurpose};
use crate::model::units::{Bytes, Interval};

/// The parts of a plan that refer to each other by name.
#[derive(Debug, Clone, Default)]
pub(super) struct Content {
    pub(super) databases: Vec<Database>,
    pub(super) roles: Vec<Role>,
    pub(super) clients: Vec<Client>,
    pub(super) pooler: Option<Pooler>,
    pub(super) logical: Vec<LogicalBackup>,
}

/// A name from `pool`, or now and then a fresh one that may name nothing.
fn name_from<T: Clone + std::fmt::Debug + 'static>(
    pool: &[T],
    fresh: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    if pool.is_empty() {
        fresh
    } else {
        prop_oneof![3 => select(pool.to_vec()), 1 => fresh].boxed()
    }
}

/// Up to four roles, three databases and two schemas, and everything that
/// refers to them: owners, grants, memberships, clients, dumps. References
/// mostly name what the plan has, now and then something it does not.
pub(super) fn any_content() -> BoxedStrategy<Content> {
    (
        vec(role_name(), 0..=4),
        vec(database_name(), 0..=3),
        vec(schema_name(), 0..=2),
    )
        .prop_flat_map(|(role_names, db_names, schema_names)| {
            let role = name_from(&role_names, role_name());
            let db = name_from(&db_names, database_name());
            let schema = name_from(&schema_names, schema_name());
            let databases: Vec<_> = db_names
                .into_iter()
                .map(|name| any_database(name, role.clone(), schema.clone()))
                .collect();
            let grant = any_grant(db.clone(), schema, role.clone());
            let roles: Vec<_> = role_names
                .into_iter()
                .map(|name| any_role(name, role.clone(), grant.clone()))
                .collect();
            (
                databases,
                roles,
                vec(any_client(db.clone(), role.clone()), 0..=3),
                option::of(any_pooler()),
                vec(any_logical_backup(db, role), 0..=2),
            )
                .prop_map(|(databases, roles, clients, pooler, logical)| Content {
                    databases,
                    roles,
                    clients,
                    pooler,
                    logical,
                })
        })
        .boxed()
}

/// What the application role of a reasonable plan needs in a database: to
/// connect, use the schema, read and write its tables and sequences, now and
/// in the future (default privileges for the objects `owner` creates).
fn application_grants(
    database: &DatabaseName,
    schema: Option<&SchemaName>,
    owner: &RoleName,
) -> Vec<Grant> {
    use Privilege::*;
    let read_write = [Select, Insert, Update, Delete];
    let future = |objects, privileges: &[Privilege]| Grant {
        for_owner: Some(owner.clone()),
        ..grant(database, schema, objects, privileges)
    };
    vec![
        grant(database, None, ObjectKind::Database, &[Connect]),
        grant(database, schema, ObjectKind::Schema, &[Usage]),
        grant(database, schema, ObjectKind::Tables, &read_write),
        grant(database, schema, ObjectKind::Sequences, &[Usage, Select]),
        future(ObjectKind::DefaultTables, &read_write),
        future(ObjectKind::DefaultSequences, &[Usage, Select]),
    ]
}

/// What the read-only role of a reasonable plan needs in a database.
fn read_only_grants(
    database: &DatabaseName,
    schema: Option<&SchemaName>,
    owner: &RoleName,
) -> Vec<Grant> {
    use Privilege::*;
    vec![
        grant(database, None, ObjectKind::Database, &[Connect]),
        grant(database, schema, ObjectKind::Schema, &[Usage]),
        grant(database, schema, ObjectKind::Tables, &[Select]),
        Grant {
            for_owner: Some(owner.clone()),
            ..grant(database, schema, ObjectKind::DefaultTables, &[Select])
        },
    ]
}

/// Databases owned by an owner role, an application role (and maybe a
/// read-only one) with the grants they need, and clients that log in as the
/// application role with realistic pools.
pub(super) fn reasonable_content(target: Target) -> BoxedStrategy<Content> {
    let extensions = plain_extension_names();
    let extension_choice = if extensions.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        vec(select(extensions), 0..=2).boxed()
    };
    (
        (
            "[a-z]{3,8}",
            1usize..=2,
            any::<bool>(),
            extension_choice,
            option::of(1u64..=4),
            any::<bool>(),
        ),
        (
            vec((2u32..=15, 1u32..=3, 0u32..=5), 0..=3),
            option::of((1u32..=2, 10u32..=30)),
            option::of(select(&[30 * MINUTE, HOUR][..])),
            any::<bool>(),
            secret_source(Profile::Reasonable),
        ),
    )
        .prop_map(
            move |(
                (base, n_databases, with_schema, mut extensions, size_gib, with_readonly),
                (client_specs, pooler, lifetime, with_dump, password),
            )| {
                let role = |suffix: &str| RoleName::new(format!("{base}_{suffix}")).ok();
                let (Some(owner), Some(app), Some(readonly)) =
                    (role("owner"), role("app"), role("readonly"))
                else {
                    return Content::default();
                };
                let schema = if with_schema {
                    SchemaName::new(&base).ok()
                } else {
                    SchemaName::new("public").ok()
                };
                let own_schema = schema.as_ref().filter(|_| with_schema);
                extensions.sort_unstable();
                extensions.dedup();
                let databases: Vec<Database> = (0..n_databases)
                    .filter_map(|i| {
                        let name = match i {
                            0 => format!("{base}_db"),
                            _ => format!("{base}_db{i}"),
                        };
                        Some(reasonable_database(
                            DatabaseName::new(name).ok()?,
                            &owner,
                            own_schema,
                            &extensions,
                            size_gib.map(Bytes::gib),
                        ))
                    })
                    .collect();
                let mut app_grants = Vec::new();
                let mut readonly_grants = Vec::new();
                for d in &databases {
                    app_grants.extend(application_grants(&d.name, schema.as_ref(), &owner));
                    readonly_grants.extend(read_only_grants(&d.name, schema.as_ref(), &owner));
                }
                let password = |i| for_login(&password, i, target);
                let mut roles = vec![
                    login_role(&owner, RolePurpose::Owner, Vec::new(), &password(0)),
                    login_role(&app, RolePurpose::Application, app_grants, &password(1)),
                ];
                if with_readonly {
                    roles.push(login_role(
                        &readonly,
                        RolePurpose::ReadOnly,
                        readonly_grants,
                        &password(2),
                    ));
                }
                let first_db = databases.first().map(|d| d.name.clone());
                let clients: Vec<Client> = client_specs
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, (pool_size, min, extra))| {
                        let name = match i {
                            0 => format!("{base}-api"),
                            _ => format!("{base}-api-{i}"),
                        };
                        Some(reasonable_client(
                            ServiceName::new(name).ok()?,
                            pool_size,
                            PodRange {
                                min,
                                max: min + extra,
                            },
                            first_db.clone(),
                            &app,
                            lifetime.map(Interval::millis),
                        ))
                    })
                    .collect();
                let pooler = pooler
                    .filter(|_| !clients.is_empty())
                    .map(|(instances, pool)| reasonable_pooler(instances, pool));
                // A managed service backs itself up; dumps go to the backup
                // volume elsewhere.
                let logical = if with_dump && target != Target::Azure {
                    daily_dump().into_iter().collect()
                } else {
                    Vec::new()
                };
                Content {
                    databases,
                    roles,
                    clients,
                    pooler,
                    logical,
                }
            },
        )
        .boxed()
}
