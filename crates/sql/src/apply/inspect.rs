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

impl Session {
    pub(super) async fn inspect(&mut self, desired: &DesiredState) -> Result<ServerState, Error> {
        let maintenance = self.maintenance.clone();
        let client = self.client(&maintenance).await?;
        let mut state = ServerState {
            server: self.server.clone(),
            ..ServerState::default()
        };
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int4, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb \
                 FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user",
                &[],
            )
            .await
            .map_err(self.inspect_error("the connected role"))?;
        state.version_num = row.get::<_, i32>(0) as u32;
        state.current_user = row.get(1);
        state.is_superuser = row.get(2);
        state.can_create_role = row.get(3);
        state.can_create_db = row.get(4);

        for row in client
            .query(&catalog::roles_query(), &[])
            .await
            .map_err(self.inspect_error("roles"))?
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
            .map_err(self.inspect_error("role memberships"))?
        {
            state.memberships.insert((row.get(0), row.get(1)));
        }
        let mut oids: BTreeMap<u32, String> = BTreeMap::new();
        for row in client
            .query(&catalog::databases_query(), &[])
            .await
            .map_err(self.inspect_error("databases"))?
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
            .map_err(self.inspect_error("database settings"))?
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
            .map_err(self.inspect_error("database privileges"))?
        {
            let name: String = row.get(0);
            let privilege: String = row.get(2);
            if let (Some(db), Some(p)) = (
                state.databases.get_mut(&name),
                catalog::parse_privilege(&privilege),
            ) {
                db.acl.push(AclEntry {
                    grantee: row.get(1),
                    privilege: p,
                });
            }
        }
        for row in client
            .query(&catalog::available_extensions_query(), &[])
            .await
            .map_err(self.inspect_error("available extensions"))?
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
            .map_err(self.inspect_error("settings"))?
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
            let contents = self
                .inspect_database(name.as_str(), &state.role_names)
                .await?;
            if let Some(db) = state.databases.get_mut(name.as_str()) {
                db.contents = Some(contents);
            }
        }
        Ok(state)
    }

    pub(super) async fn inspect_database(
        &mut self,
        database: &str,
        role_names: &BTreeMap<u32, String>,
    ) -> Result<DatabaseContents, Error> {
        let name_of = |oid: u32| {
            role_names
                .get(&oid)
                .cloned()
                .unwrap_or_else(|| oid.to_string())
        };
        let client = self.client(database).await?;
        let mut c = DatabaseContents::default();
        let err = |what: &str| self.inspect_error(&format!("{what} in database {database}"));
        for row in client
            .query(catalog::SCHEMAS_QUERY, &[])
            .await
            .map_err(err("schemas"))?
        {
            let name: String = row.get(0);
            let schema = c.schemas.entry(name).or_insert_with(|| ActualSchema {
                owner: row.get(1),
                comment: row.get(4),
                acl: Vec::new(),
            });
            let privilege: Option<String> = row.get(3);
            if let Some(p) = privilege.as_deref().and_then(catalog::parse_privilege) {
                schema.acl.push(AclEntry {
                    grantee: row.get(2),
                    privilege: p,
                });
            }
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
                owner: name_of(row.get(4)),
            };
            let acl: Option<String> = row.get(5);
            let items = match acl.as_deref() {
                None => Vec::new(),
                Some(text) => catalog::parse_acl_array(text).ok_or_else(|| Error::Inspect {
                    what: format!(
                        "privileges of {}.{} in database {database}",
                        object.schema, object.name
                    ),
                    server: self.server.clone(),
                    message: format!("unreadable ACL `{text}`"),
                })?,
            };
            let mut entries = Vec::new();
            for (grantee, privileges) in items {
                if grantee.as_deref() == Some(object.owner.as_str()) {
                    continue; // the owner's own privileges are implicit
                }
                for p in privileges {
                    entries.push(AclEntry {
                        grantee: grantee.clone(),
                        privilege: p,
                    });
                }
            }
            c.object_acl.entry(object).or_default().extend(entries);
        }
        c.objects = c.object_acl.keys().cloned().collect();
        for row in client
            .query(catalog::DEFAULT_ACL_QUERY, &[])
            .await
            .map_err(err("default privileges"))?
        {
            let objtype: String = row.get(2);
            let privilege: String = row.get(4);
            let (Some(objects), Some(p)) = (
                objtype
                    .chars()
                    .next()
                    .and_then(DefaultObjects::from_catalog_code),
                catalog::parse_privilege(&privilege),
            ) else {
                continue;
            };
            c.default_acl.push(DefaultAclEntry {
                for_role: row.get(0),
                schema: row.get(1),
                objects,
                grantee: row.get(3),
                privilege: p,
            });
        }
        Ok(c)
    }
}
