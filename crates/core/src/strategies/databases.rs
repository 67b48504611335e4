//! Databases, schemas and extensions.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::locale::{encoding, locale, time_zone};
use super::units::bytes;
use super::{one_of, parsed};
use crate::azure_facts;
use crate::model::databases::{Database, Extension, Schema, preload_library_for};
use crate::model::names::{DatabaseName, ExtensionName, RoleName, SchemaName};
use crate::model::units::Bytes;

/// Extension names: Azure's allow-list ([`azure_facts::ALLOWED_EXTENSIONS`],
/// which holds the ones that need a preloaded library too) and names no
/// platform offers.
pub(super) fn any_extension_name() -> BoxedStrategy<ExtensionName> {
    let unknown = || parsed::<ExtensionName>("[a-z][a-z0-9_-]{0,12}");
    prop_oneof![
        4 => one_of(azure_facts::ALLOWED_EXTENSIONS, unknown()),
        1 => unknown(),
    ]
    .boxed()
}

/// Extensions a reasonable plan uses on any platform: on Azure's allow-list
/// and needing no preloaded library. (Whether a self-managed server's image
/// ships them is for applying the plan to find out: validation does not
/// know the image's contents.)
pub(super) fn plain_extension_names() -> Vec<ExtensionName> {
    azure_facts::ALLOWED_EXTENSIONS
        .iter()
        .filter(|e| preload_library_for(e).is_none())
        .filter_map(|e| ExtensionName::new(*e).ok())
        .collect()
}

/// A database named `name` whose owner, schema owners and extension schemas
/// come from `role` and `schema` (which may name roles and schemas the plan
/// does not have). Any encoding the server knows, with locales, templates
/// and time zones that may not exist or may not fit it.
pub(super) fn any_database(
    name: DatabaseName,
    role: BoxedStrategy<RoleName>,
    schema: BoxedStrategy<SchemaName>,
) -> BoxedStrategy<Database> {
    // `EBCDIC` and `utf-8` were drawn as encodings too: an `Encoding` cannot
    // hold the first and reads the second as `UTF8`.
    (
        (
            Just(name),
            role.clone(),
            encoding(),
            option::of(locale()),
            option::of(parsed::<DatabaseName>(
                select(&["template0", "template1", "mytemplate"][..]).prop_map(str::to_owned),
            )),
            option::of(time_zone()),
        ),
        (
            vec((schema.clone(), option::of(role)), 0..=2),
            vec(
                (
                    any_extension_name(),
                    option::of(schema),
                    option::of("[0-9.]{1,5}"),
                ),
                0..=3,
            ),
            option::of(bytes()),
            option::of(any::<i32>()),
        ),
    )
        .prop_map(
            |(
                (name, owner, encoding, locale, template, timezone),
                (schemas, extensions, estimated_size, connection_limit),
            )| Database {
                name,
                owner,
                encoding,
                locale,
                template,
                timezone,
                schemas: schemas
                    .into_iter()
                    .map(|(name, owner)| Schema { name, owner })
                    .collect(),
                extensions: extensions
                    .into_iter()
                    .map(|(name, schema, version)| Extension {
                        name,
                        schema,
                        version,
                    })
                    .collect(),
                estimated_size,
                connection_limit,
                migrations: None,
            },
        )
        .boxed()
}

/// A database a reasonable plan creates: owned by `owner`, with `schema`
/// (when it has one of its own) and `extensions` created in the default
/// schema.
pub(super) fn reasonable_database(
    name: DatabaseName,
    owner: &RoleName,
    schema: Option<&SchemaName>,
    extensions: &[ExtensionName],
    estimated_size: Option<Bytes>,
) -> Database {
    Database {
        name,
        owner: owner.clone(),
        encoding: Default::default(),
        locale: None,
        template: None,
        timezone: None,
        schemas: schema
            .map(|s| Schema {
                name: s.clone(),
                owner: None,
            })
            .into_iter()
            .collect(),
        extensions: extensions
            .iter()
            .map(|name| Extension {
                name: name.clone(),
                schema: None,
                version: None,
            })
            .collect(),
        estimated_size,
        connection_limit: None,
        migrations: None,
    }
}
