//! Roles that log in as Microsoft Entra identities, on Azure Database for
//! PostgreSQL Flexible Server.
//!
//! Such a role is not created with `CREATE ROLE … LOGIN` (no token could log
//! in as it): it is an Entra principal, created by Azure's
//! `pg_catalog.pgaadauth_create_principal_with_oid(role, objectId,
//! objectType, isAdmin, isMfa)`, which exists only in the server's
//! `postgres` database and which only a Microsoft Entra administrator,
//! connected with an Entra access token, may run. pgplan maps each role to
//! its managed identity by object id (`objectType` `service`), so the role
//! keeps its own name and a re-created identity of the same name is not let
//! in.
//!
//! [`entra_principal_script`] writes that script, for the Azure backend's
//! deploy script to run (see [`EntraPrincipalScript`]). It is idempotent: a
//! role that exists is not created again, and one that exists without
//! being mapped to the identity's object id stops the script with a message
//! (it would otherwise stay unusable). Object ids come from psql variables
//! (`psql -v oid_<role>=<objectId>`), which psql substitutes as quoted
//! literals; psql does not substitute variables inside a `DO` block, so the
//! script has none that uses them. `init.sql` leaves these roles to it and
//! stops when one is missing, so their grants never name a missing role.
//!
//! The `pgaadauth` functions exist only on Azure; the tests run the script
//! on real PostgreSQL 14, 15 and 17 against stand-ins with the documented
//! signatures.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use pgplan_core::seams::{EntraPrincipal, EntraPrincipalScript};
use pgplan_core::{RoleName, SecretSource, ValidPlan};

use crate::desired::role_marker;
use crate::render::{comment_text, literal, psql_stop_unless};
use crate::statement::{RoleOptions, Statement};

/// The database the script runs in: the only one with the `pgaadauth_*`
/// functions.
pub const ENTRA_DATABASE: &str = "postgres";

/// The roles of an Azure plan that log in as Entra identities, with the
/// identity each names, in role name order. Empty for other platforms
/// (where rule PGP045 says such a role cannot log in).
pub fn entra_roles(plan: &ValidPlan) -> BTreeMap<RoleName, String> {
    if plan.platform.azure().is_none() {
        return BTreeMap::new();
    }
    plan.roles
        .iter()
        .filter_map(|r| match &r.password {
            Some(SecretSource::EntraIdentity { principal }) => {
                Some((r.name.clone(), principal.clone()))
            }
            _ => None,
        })
        .collect()
}

/// One psql variable per role, unique in the plan: `<prefix>` and the role
/// name with every character other than `a-z0-9` replaced by `_` (a
/// numeric suffix keeps them apart).
pub(crate) fn role_variables<'a>(
    prefix: &str,
    roles: impl IntoIterator<Item = &'a RoleName>,
) -> BTreeMap<RoleName, String> {
    let mut names: Vec<&RoleName> = roles.into_iter().collect();
    names.sort();
    let mut taken = BTreeSet::new();
    let mut out = BTreeMap::new();
    for name in names {
        let base: String = name
            .as_str()
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_alphanumeric() { c } else { '_' }
            })
            .collect();
        let mut var = format!("{prefix}{base}");
        let mut n = 2;
        while taken.contains(&var) {
            var = format!("{prefix}{base}_{n}");
            n += 1;
        }
        taken.insert(var.clone());
        out.insert(name.clone(), var);
    }
    out
}

/// The script that creates the plan's Entra principals, or `None` when the
/// plan has none (or is not on Azure).
///
/// ```
/// let plan = pgplan_core::Plan::from_yaml(r#"
/// service: orders
/// environment: production
/// version: 16
/// platform:
///   azure:
///     resource_group: orders-rg
///     server_name: orders-prod-pg
///     region: koreacentral
///     sku: { name: Standard_D4ds_v5 }
///     storage: { size: 128Gi }
///     auth: { password: true, entra: true, administrators: [{ principal_name: orders-dba, principal_type: Group }] }
///     administrator_login: ordersadmin
///     administrator_password: { env: { var: ORDERS_PG_ADMIN_PASSWORD } }
///     managed_identities: [orders-api-identity]
/// roles:
///   - { name: orders_app, purpose: application, login: true, password: { entra_identity: { principal: orders-api-identity } } }
/// "#).unwrap().validate().unwrap_or_else(|r| panic!("{r}"));
/// let script = pgplan_sql::entra_principal_script(&plan).unwrap();
/// assert_eq!(script.database, "postgres");
/// assert_eq!(script.principals[0].object_id_variable, "oid_orders_app");
/// assert!(script.sql.contains(
///     "SELECT pg_catalog.pgaadauth_create_principal_with_oid('orders_app', :'oid_orders_app', 'service', false, false)"
/// ));
/// ```
pub fn entra_principal_script(plan: &ValidPlan) -> Option<EntraPrincipalScript> {
    let roles = entra_roles(plan);
    if roles.is_empty() {
        return None;
    }
    let variables = role_variables("oid_", roles.keys());
    let marker = role_marker(plan);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgplan: Microsoft Entra principals for {} ({}), PostgreSQL {}.",
        comment_text(plan.service.as_str()),
        plan.environment,
        plan.version
    );
    out.push_str(
        "-- Generated from the plan; idempotent: run it again and nothing changes.\n\
         --\n\
         -- Run it in the `postgres` database as a Microsoft Entra administrator of the\n\
         -- server, with an Entra access token as the password (az account\n\
         -- get-access-token --resource-type oss-rdbms), before init.sql, and give each\n\
         -- identity's object id (a managed identity's principalId) in a variable:\n\
         --   psql \"host=<server>.postgres.database.azure.com dbname=postgres user=<admin> sslmode=require\"",
    );
    for var in variables.values() {
        let _ = write!(out, " -v {var}=\"$OBJECT_ID\"");
    }
    out.push_str(
        " -f entra-principals.sql\n\
         -- The pgaadauth_* functions exist only on Azure Database for PostgreSQL.\n\
         \\set ON_ERROR_STOP on\n",
    );
    out.push_str("\n-- Stop before changing anything when an object id is missing.\n");
    for (role, var) in &variables {
        let identity = &roles[role];
        let _ = writeln!(out, "\\if :{{?{var}}}\n\\else");
        let _ = writeln!(
            out,
            "  \\echo {}",
            crate::render::psql_argument(&format!(
                "pgplan: psql variable {var} (object id of Entra identity {identity}, for role {role}) is not set"
            ))
        );
        let _ = writeln!(
            out,
            "  DO $pgplan$ BEGIN RAISE EXCEPTION 'psql variable {var} is not set'; END $pgplan$;"
        );
        out.push_str("\\endif\n");
    }
    let mut principals = Vec::new();
    for (role, var) in &variables {
        let identity = &roles[role];
        let _ = writeln!(
            out,
            "\n-- Role {} logs in as the Entra identity {}.",
            comment_text(role.as_str()),
            comment_text(identity)
        );
        let create = Statement::CreateEntraPrincipal {
            role: role.clone(),
            object_id_variable: var.clone(),
        };
        let _ = writeln!(out, "{};", create.to_sql());
        // A role of that name that is not this identity's principal (a
        // plain role, or another identity's) stays unusable: stop.
        let mapped = format!(
            "EXISTS (SELECT FROM pg_catalog.pgaadauth_list_principals(false) WHERE rolename = {} AND objectid = :'{var}')",
            literal(role.as_str())
        );
        out.push_str(&psql_stop_unless(
            &mapped,
            &format!(
                "pgplan: role {role} exists but is not the Microsoft Entra principal of identity {identity} (object id in {var}); drop it, or map it with SECURITY LABEL FOR \"pgaadauth\" ON ROLE, then run this again"
            ),
        ));
        let role_def = plan.roles.iter().find(|r| &r.name == role);
        let options = RoleOptions {
            connection_limit: Some(role_def.and_then(|r| r.connection_limit).unwrap_or(-1)),
            valid_until: Some(
                role_def
                    .and_then(|r| r.valid_until.as_ref())
                    .map_or_else(|| "infinity".to_owned(), ToString::to_string),
            ),
            ..RoleOptions::default()
        };
        for s in [
            Statement::AlterRole {
                name: role.clone(),
                options,
            },
            Statement::CommentOnRole {
                name: role.clone(),
                comment: marker.clone(),
            },
        ] {
            let _ = writeln!(out, "{};", s.to_sql());
        }
        principals.push(EntraPrincipal {
            role: role.clone(),
            identity: identity.clone(),
            object_id_variable: var.clone(),
        });
    }
    Some(EntraPrincipalScript {
        sql: out,
        database: ENTRA_DATABASE.to_owned(),
        principals,
    })
}
