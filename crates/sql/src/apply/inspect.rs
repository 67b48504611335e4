//! Reading the server's state: roles, databases, schemas, objects, ACLs
//! and settings.

use std::collections::BTreeMap;

use super::session::{Session, error_text};
use crate::catalog::{
    self, AclEntry, ActualDatabase, ActualExtension, ActualRole, ActualSchema, ActualSetting,
    DatabaseContents, DefaultAclEntry, ObjectClass, SchemaObject, ServerState,
};
use crate::desired::DesiredState;
use crate::error::Error;
use crate::statement::DefaultObjects;
use pgplan_core::Privilege;
use tokio_postgres::Client;

impl Session {
    /// Everything the plan's databases need read from the server.
    pub(super) async fn inspect(&mut self, desired: &DesiredState) -> Result<ServerState, Error> {
        let mut state = self.inspect_server().await?;
        self.inspect_for_plan(desired, &mut state, BTreeMap::new())
            .await?;
        Ok(state)
    }

    /// What does not depend on the plan: the connected role, roles,
    /// memberships, databases and their privileges, extensions available,
    /// settings (read while the plan is still being read, see
    /// [`super::prepare`]).
    pub(super) async fn inspect_server(&mut self) -> Result<ServerState, Error> {
        let maintenance = self.maintenance.clone();
        let client = self.client(&maintenance).await?;
        read_server(&client, &self.server).await
    }

    /// What depends on the plan: its expiry times as the server reads them,
    /// and the contents of its databases (those not `prefetched` already).
    pub(super) async fn inspect_for_plan(
        &mut self,
        desired: &DesiredState,
        state: &mut ServerState,
        mut prefetched: BTreeMap<String, DatabaseContents>,
    ) -> Result<(), Error> {
        let maintenance = self.maintenance.clone();
        let client = self.client(&maintenance).await?;
        let valid_until: Vec<String> = desired
            .roles
            .values()
            .filter_map(|r| r.valid_until.clone())
            .collect();
        for v in &valid_until {
            let epoch = client
                .query_one(
                    "SELECT date_part('epoch', $1::text::timestamptz)::float8",
                    &[v],
                )
                .await
                .map_err(|e| {
                    let role = desired
                        .roles
                        .values()
                        .find(|r| r.valid_until.as_ref() == Some(v))
                        .map(|r| r.name.to_string())
                        .unwrap_or_default();
                    Error::ServerRefusesPlan {
                        field: format!("roles[{role}].valid_until"),
                        message: format!(
                            "`{v}` is not a timestamp the server reads: {} (write e.g. 2026-12-31T00:00:00Z)",
                            error_text(&e)
                        ),
                    }
                })?;
            state.valid_until_epochs.insert(v.clone(), epoch.get(0));
        }

        for name in desired.databases.keys() {
            if !state.databases.contains_key(name.as_str()) {
                continue;
            }
            let contents = match prefetched.remove(name.as_str()) {
                Some(contents) => contents,
                None => self.inspect_database(name.as_str()).await?,
            };
            if let Some(db) = state.databases.get_mut(name.as_str()) {
                db.contents = Some(contents);
            }
        }
        Ok(())
    }

    pub(super) async fn inspect_database(
        &mut self,
        database: &str,
    ) -> Result<DatabaseContents, Error> {
        let client = self.client(database).await?;
        read_database(&client, &self.server, database).await
    }
}

/// An ACL's items: each grantee (`None` for PUBLIC) with its privileges.
type AclItems = Vec<(Option<String>, Vec<Privilege>)>;

/// An ACL as the server prints it (`{grantee=privileges/grantor,…}`;
/// `None`: no explicit ACL), read into its entries.
fn acl_items(
    server: &str,
    text: Option<String>,
    what: impl FnOnce() -> String,
) -> Result<AclItems, Error> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    catalog::parse_acl_array(&text).ok_or_else(|| Error::Inspect {
        what: what(),
        server: server.to_owned(),
        message: format!("unreadable ACL `{text}`"),
    })
}

/// Turns a failed catalog query into an [`Error::Inspect`] naming what was
/// read.
pub(super) fn inspect_error(
    server: &str,
    what: &str,
) -> impl Fn(tokio_postgres::Error) -> Error + use<> {
    let what = what.to_owned();
    let server = server.to_owned();
    move |e| Error::Inspect {
        what: what.clone(),
        server: server.clone(),
        message: error_text(&e),
    }
}

/// What does not depend on the plan (see [`Session::inspect_server`]), on
/// `client`, a connection to the maintenance database.
pub(super) async fn read_server(client: &Client, server: &str) -> Result<ServerState, Error> {
    let mut state = ServerState {
        server: server.to_owned(),
        ..ServerState::default()
    };
    let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int4, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb \
                 FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user",
                &[],
            )
            .await
            .map_err(inspect_error(server, "the connected role"))?;
    state.version_num = row.get::<_, i32>(0) as u32;
    state.current_user = row.get(1);
    state.is_superuser = row.get(2);
    state.can_create_role = row.get(3);
    state.can_create_db = row.get(4);

    for row in client
        .query(&catalog::roles_query(), &[])
        .await
        .map_err(inspect_error(server, "roles"))?
    {
        state.role_names.insert(row.get(7), row.get(0));
        state.roles.insert(
            row.get(0),
            ActualRole {
                login: row.get(1),
                replication: row.get(2),
                superuser: row.get(3),
                create_db: row.get(8),
                create_role: row.get(9),
                bypass_rls: row.get(10),
                connection_limit: row.get(4),
                valid_until_epoch: row.get(5),
                comment: row.get(6),
            },
        );
    }
    state.passwords = match client.query(&catalog::passwords_query(), &[]).await {
        Ok(rows) => Some(rows.iter().map(|r| (r.get(0), r.get(1))).collect()),
        Err(_) => None,
    };
    for row in client
        .query(&catalog::memberships_query(), &[])
        .await
        .map_err(inspect_error(server, "role memberships"))?
    {
        state.memberships.insert((row.get(0), row.get(1)));
    }
    let mut oids: BTreeMap<u32, String> = BTreeMap::new();
    for row in client
        .query(&catalog::databases_query(), &[])
        .await
        .map_err(inspect_error(server, "databases"))?
    {
        let name: String = row.get(1);
        oids.insert(row.get(0), name.clone());
        state.databases.insert(
            name,
            ActualDatabase {
                owner: row.get(2),
                encoding: row.get(3),
                collate: row.get(4),
                ctype: row.get(5),
                connection_limit: row.get(6),
                settings: BTreeMap::new(),
                acl: Vec::new(),
                contents: None,
                comment: row.get(7),
            },
        );
    }
    for row in client
        .query(&catalog::database_settings_query(), &[])
        .await
        .map_err(inspect_error(server, "database settings"))?
    {
        let oid: u32 = row.get(0);
        let config: Vec<String> = row.get::<_, Option<Vec<String>>>(1).unwrap_or_default();
        if let Some(db) = oids.get(&oid).and_then(|n| state.databases.get_mut(n)) {
            for item in config {
                if let Some((k, v)) = item.split_once('=') {
                    db.settings.insert(k.to_ascii_lowercase(), v.to_owned());
                }
            }
        }
    }
    for row in client
        .query(catalog::DATABASE_ACL_QUERY, &[])
        .await
        .map_err(inspect_error(server, "database privileges"))?
    {
        let name: String = row.get(0);
        let items = acl_items(server, row.get(1), || {
            format!("privileges of database {name}")
        })?;
        if let Some(db) = state.databases.get_mut(&name) {
            db.acl = entries_of(items, &db.owner);
        }
    }
    for row in client
        .query(&catalog::available_extensions_query(), &[])
        .await
        .map_err(inspect_error(server, "available extensions"))?
    {
        state
            .available_extensions
            .entry(row.get(0))
            .or_default()
            .insert(row.get(1));
    }
    for row in client
        .query(&catalog::settings_query(), &[])
        .await
        .map_err(inspect_error(server, "settings"))?
    {
        let name: String = row.get(0);
        state.settings.insert(
            name.to_ascii_lowercase(),
            ActualSetting {
                setting: row.get::<_, Option<String>>(1).unwrap_or_default(),
                source: row.get::<_, Option<String>>(2).unwrap_or_default(),
                pending_restart: row.get::<_, Option<bool>>(3).unwrap_or(false),
            },
        );
    }
    state.auto_conf = match client.query(&catalog::auto_conf_query(), &[]).await {
        Ok(rows) => {
            let mut m = BTreeMap::new();
            for r in rows {
                let name: String = r.get(0);
                m.insert(
                    name.to_ascii_lowercase(),
                    r.get::<_, Option<String>>(1).unwrap_or_default(),
                );
            }
            Some(m)
        }
        Err(_) => None,
    };
    Ok(state)
}

/// A database's schemas, extensions, objects with their privileges, and
/// default privileges, on `client`, a connection to it.
pub(super) async fn read_database(
    client: &Client,
    server: &str,
    database: &str,
) -> Result<DatabaseContents, Error> {
    let mut c = DatabaseContents::default();
    let err = |what: &str| inspect_error(server, &format!("{what} in database {database}"));
    for row in client
        .query(catalog::SCHEMAS_QUERY, &[])
        .await
        .map_err(err("schemas"))?
    {
        let name: String = row.get(0);
        let owner: String = row.get(1);
        let items = acl_items(server, row.get(2), || {
            format!("privileges of schema {name} in database {database}")
        })?;
        c.schemas.insert(
            name,
            ActualSchema {
                acl: entries_of(items, &owner),
                owner,
                comment: row.get(3),
            },
        );
    }
    for row in client
        .query(&catalog::installed_extensions_query(), &[])
        .await
        .map_err(err("extensions"))?
    {
        c.extensions.insert(
            row.get(0),
            ActualExtension {
                version: row.get(1),
                schema: row.get(2),
            },
        );
    }
    for row in client
        .query(catalog::OBJECTS_QUERY, &[])
        .await
        .map_err(err("privileges on tables, sequences and functions"))?
    {
        let class: String = row.get(0);
        let object = SchemaObject {
            class: match class.as_str() {
                "S" => ObjectClass::Sequence,
                "f" => ObjectClass::Function,
                _ => ObjectClass::Table,
            },
            schema: row.get(1),
            name: row.get(2),
            identity_arguments: row.get(3),
            owner: row.get(4),
        };
        let items = acl_items(server, row.get(5), || {
            format!(
                "privileges of {}.{} in database {database}",
                object.schema, object.name
            )
        })?;
        // The owner's own privileges are implicit.
        let entries = entries_of(items, &object.owner);
        c.object_acl.entry(object).or_default().extend(entries);
    }
    c.objects = c.object_acl.keys().cloned().collect();
    for row in client
        .query(catalog::DEFAULT_ACL_QUERY, &[])
        .await
        .map_err(err("default privileges"))?
    {
        let for_role: String = row.get(0);
        let schema: String = row.get(1);
        let objtype: String = row.get(2);
        let Some(objects) = objtype
            .chars()
            .next()
            .and_then(DefaultObjects::from_catalog_code)
        else {
            continue;
        };
        let items = acl_items(server, row.get(3), || {
            format!("default privileges of {for_role} in schema {schema} in database {database}")
        })?;
        for (grantee, privileges) in items {
            for privilege in privileges {
                c.default_acl.push(DefaultAclEntry {
                    for_role: for_role.clone(),
                    schema: schema.clone(),
                    objects,
                    grantee: grantee.clone(),
                    privilege,
                });
            }
        }
    }
    Ok(c)
}

/// One entry per grantee and privilege, leaving out the owner's own (which
/// are implicit).
fn entries_of(items: AclItems, owner: &str) -> Vec<AclEntry> {
    let mut entries = Vec::new();
    for (grantee, privileges) in items {
        if grantee.as_deref() == Some(owner) {
            continue;
        }
        for privilege in privileges {
            entries.push(AclEntry {
                grantee: grantee.clone(),
                privilege,
            });
        }
    }
    entries
}
