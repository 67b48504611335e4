//! Databases, their schemas and extensions.

use super::builder;
use crate::model::databases::{Database, Extension, Schema};
use crate::model::input::Input;
use crate::model::locale::{Encoding, Locale, TimeZoneName};
use crate::model::migrations::MigrationScript;
use crate::model::names::{DatabaseName, ExtensionName, RoleName, SchemaName};
use crate::model::units::Bytes;
use crate::validate::FieldPath;

pub(super) fn new_database(name: DatabaseName, owner: RoleName) -> Database {
    Database {
        name,
        owner,
        encoding: Encoding::default(),
        locale: None,
        template: None,
        timezone: None,
        schemas: Vec::new(),
        extensions: Vec::new(),
        estimated_size: None,
        connection_limit: None,
        migrations: None,
    }
}

builder!(
    /// A database (`databases[]`).
    DatabaseBuilder => Database
);

impl DatabaseBuilder {
    /// Another owning role (it creates the schema objects).
    pub fn owner(self, role: impl Input<RoleName>) -> Self {
        self.set("owner", role, |d, v| d.owner = v)
    }
    /// Encoding (`UTF8`).
    pub fn encoding(self, e: impl Input<Encoding>) -> Self {
        self.set("encoding", e, |d, v| d.encoding = v)
    }
    /// Locale (`en_US.UTF-8`).
    pub fn locale(self, l: impl Input<Locale>) -> Self {
        self.set("locale", l, |d, v| d.locale = Some(v))
    }
    /// Template database (`template0` when locale or encoding differ from template1's).
    pub fn template(self, t: impl Input<DatabaseName>) -> Self {
        self.set("template", t, |d, v| d.template = Some(v))
    }
    /// Default time zone of sessions.
    pub fn timezone(self, tz: impl Input<TimeZoneName>) -> Self {
        self.set("timezone", tz, |d, v| d.timezone = Some(v))
    }
    /// Expected size (backup capacity).
    pub fn estimated_size(self, b: impl Input<Bytes>) -> Self {
        self.set("estimated_size", b, |d, v| d.estimated_size = Some(v))
    }
    /// Connection limit.
    pub fn connection_limit(mut self, n: i32) -> Self {
        self.value.connection_limit = Some(n);
        self
    }
    /// A migration script (`V<n>__<description>.sql`), run as the owner
    /// role by `apply`, the Kubernetes schema Job and the Azure deploy
    /// script, e.g. `.migration("V1__init.sql", include_str!("…"))`.
    pub fn migration(mut self, file: &str, sql: &str) -> Self {
        self.value
            .migrations
            .get_or_insert_with(Default::default)
            .scripts
            .push(MigrationScript::new(file, sql));
        self
    }
    /// A migrations directory relative to the plan file (read with
    /// `Plan::read_migrations`).
    pub fn migrations_directory(mut self, dir: &str) -> Self {
        self.value
            .migrations
            .get_or_insert_with(Default::default)
            .directory = Some(dir.to_owned());
        self
    }
    /// The role migrations run as (the owner when unset).
    pub fn migrations_run_as(self, role: impl Input<RoleName>) -> Self {
        self.set("migrations.run_as", role, |d, v| {
            d.migrations.get_or_insert_with(Default::default).run_as = Some(v)
        })
    }
    /// A schema besides `public`.
    pub fn schema(
        mut self,
        name: impl Input<SchemaName>,
        f: impl FnOnce(SchemaBuilder) -> SchemaBuilder,
    ) -> Self {
        let i = self.value.schemas.len();
        let path = FieldPath::root().field("schemas").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(SchemaName::placeholder);
        let schema = super::nest(
            &mut self.problems,
            path,
            Schema { name, owner: None },
            SchemaBuilder::from_value,
            f,
            SchemaBuilder::finish,
        );
        self.value.schemas.push(schema);
        self
    }
    /// Edits a schema the database has.
    pub fn schema_mut(
        mut self,
        name: &str,
        f: impl FnOnce(SchemaBuilder) -> SchemaBuilder,
    ) -> Self {
        match self
            .value
            .schemas
            .iter()
            .position(|s| s.name.as_str() == name)
        {
            Some(i) => {
                let schema = self.value.schemas[i].clone();
                self.value.schemas[i] = super::nest(
                    &mut self.problems,
                    FieldPath::root().field("schemas").index(i),
                    schema,
                    SchemaBuilder::from_value,
                    f,
                    SchemaBuilder::finish,
                );
            }
            None => {
                let known = super::names(self.value.schemas.iter().map(|s| s.name.as_str()));
                self.problems.push(
                    FieldPath::root().field("schemas"),
                    format!("schema_mut: the database has no schema `{name}` (it has {known})"),
                );
            }
        }
        self
    }
    /// Extensions, in the server's default schema and version.
    pub fn extensions<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        for name in names {
            let i = self.value.extensions.len();
            let path = FieldPath::root().field("extensions").index(i).field("name");
            if let Some(name) = self.problems.read::<ExtensionName>(path, name) {
                self.value.extensions.push(Extension {
                    name,
                    schema: None,
                    version: None,
                });
            }
        }
        self
    }
    /// An extension in a schema of its own.
    pub fn extension_in(mut self, name: &str, schema: &str) -> Self {
        let i = self.value.extensions.len();
        let path = FieldPath::root().field("extensions").index(i);
        let n = self
            .problems
            .read::<ExtensionName>(path.clone().field("name"), name);
        let s = self
            .problems
            .read::<SchemaName>(path.field("schema"), schema);
        if let (Some(name), Some(schema)) = (n, s) {
            self.value.extensions.push(Extension {
                name,
                schema: Some(schema),
                version: None,
            });
        }
        self
    }
}

builder!(
    /// A schema of a database.
    SchemaBuilder => Schema
);

impl SchemaBuilder {
    /// Its owner; the database owner when unset.
    pub fn owner(self, role: impl Input<RoleName>) -> Self {
        self.set("owner", role, |s, v| s.owner = Some(v))
    }
}
