//! Roles, memberships and grants.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::Profile;
use super::locale::valid_until;
use super::secrets::secret_source;
use crate::model::names::{DatabaseName, RoleName, SchemaName};
use crate::model::roles::{Grant, ObjectKind, Privilege, Role, RoleAttribute, RolePurpose};
use crate::model::secrets::SecretSource;

const ROLE_PURPOSES: &[RolePurpose] = &[
    RolePurpose::Application,
    RolePurpose::ReadOnly,
    RolePurpose::Owner,
    RolePurpose::Admin,
    RolePurpose::Backup,
    RolePurpose::Monitoring,
    RolePurpose::Developer,
    RolePurpose::Auditor,
    RolePurpose::Replication,
];

const OBJECT_KINDS: &[ObjectKind] = &[
    ObjectKind::Database,
    ObjectKind::Schema,
    ObjectKind::Tables,
    ObjectKind::Sequences,
    ObjectKind::Functions,
    ObjectKind::DefaultTables,
    ObjectKind::DefaultSequences,
    ObjectKind::DefaultFunctions,
    ObjectKind::DefaultTypes,
];

const PRIVILEGES: &[Privilege] = &[
    Privilege::Select,
    Privilege::Insert,
    Privilege::Update,
    Privilege::Delete,
    Privilege::Truncate,
    Privilege::References,
    Privilege::Trigger,
    Privilege::Maintain,
    Privilege::Usage,
    Privilege::Create,
    Privilege::Connect,
    Privilege::Temporary,
    Privilege::Execute,
    Privilege::All,
];

/// A grant of `privileges` on `objects` in `database` (and `schema`).
pub(super) fn grant(
    database: &DatabaseName,
    schema: Option<&SchemaName>,
    objects: ObjectKind,
    privileges: &[Privilege],
) -> Grant {
    Grant {
        database: database.clone(),
        schema: schema.cloned(),
        objects,
        for_owner: None,
        privileges: privileges.to_vec(),
    }
}

/// Grants of any privileges on any kind of object, in databases and schemas
/// drawn from `database` and `schema`, default privileges for roles drawn
/// from `role`: privileges that do not apply to the kind, schemas missing
/// where one is needed, owners that do not exist.
pub(super) fn any_grant(
    database: BoxedStrategy<DatabaseName>,
    schema: BoxedStrategy<SchemaName>,
    role: BoxedStrategy<RoleName>,
) -> BoxedStrategy<Grant> {
    (
        database,
        option::of(schema),
        select(OBJECT_KINDS),
        option::of(role),
        vec(select(PRIVILEGES), 0..=4),
    )
        .prop_map(|(database, schema, objects, for_owner, privileges)| Grant {
            database,
            schema,
            objects,
            for_owner,
            privileges,
        })
        .boxed()
}

/// A role named `name` with any purpose, login or not, any password source
/// (literal ones included), any connection limit, memberships in roles drawn
/// from `member_of` and grants from `grant`.
pub(super) fn any_role(
    name: RoleName,
    member_of: BoxedStrategy<RoleName>,
    grant: BoxedStrategy<Grant>,
) -> BoxedStrategy<Role> {
    // `tomorrow` was drawn as an expiry too; a `ValidUntil` cannot hold it.
    (
        Just(name),
        select(ROLE_PURPOSES),
        any::<bool>(),
        option::of(secret_source(Profile::Any)),
        option::of(prop_oneof![-1i32..=200, any::<i32>()]),
        vec(member_of, 0..=2),
        option::of(valid_until()),
        vec(grant, 0..=3),
        proptest::sample::subsequence(RoleAttribute::ALL.to_vec(), 0..=2),
    )
        .prop_map(
            |(
                name,
                purpose,
                login,
                password,
                connection_limit,
                member_of,
                valid_until,
                grants,
                attributes,
            )| {
                Role {
                    name,
                    purpose,
                    login,
                    password,
                    connection_limit,
                    attributes: attributes.into_iter().collect(),
                    member_of,
                    valid_until,
                    grants,
                }
            },
        )
        .boxed()
}

/// A login role of a reasonable plan: a password from `password`, no
/// limits, no memberships.
pub(super) fn login_role(
    name: &RoleName,
    purpose: RolePurpose,
    grants: Vec<Grant>,
    password: &SecretSource,
) -> Role {
    Role {
        name: name.clone(),
        purpose,
        login: true,
        password: Some(password.clone()),
        connection_limit: None,
        attributes: Default::default(),
        member_of: Vec::new(),
        valid_until: None,
        grants,
    }
}
