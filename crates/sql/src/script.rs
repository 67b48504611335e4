//! The psql script form of a plan: `init.sql` (roles, databases, schemas,
//! extensions, privileges), `settings.sql` (ALTER SYSTEM) and
//! `monitoring.sql`.
//!
//! Every script is ordered and idempotent (`IF NOT EXISTS`, and
//! `SELECT … WHERE NOT EXISTS … \gexec` for statements without such a
//! clause), stops at the first error (`ON_ERROR_STOP`), keeps statements that
//! cannot run in a transaction (`CREATE DATABASE`, `ALTER SYSTEM`) outside
//! `BEGIN … COMMIT`, and has one section per database (`\connect`).
//!
//! Passwords never appear in plain text. With a [`SecretResolver`] that knows
//! a role's password, the script carries its SCRAM-SHA-256 verifier. For every
//! other role with a password source the script reads the verifier from a psql
//! variable (`psql -v password_<role>=<verifier>`), checked at the top of
//! the script: it stops, naming the variable, when one is missing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::seams::InitScript;
use pgplan_core::{RoleName, SecretSource, ValidPlan};

use crate::desired::{DesiredState, SettingsDelivery, default_grant_statements, grant_statements};
use crate::error::Error;
use crate::monitoring;
use crate::render::{
    comment_text, literal, psql_argument, psql_connect, psql_gexec_unless_exists, psql_stop_unless,
    psql_sync_role_attributes,
};
use crate::secrets::{SecretResolver, new_verifier};
use crate::statement::{PasswordSpec, RoleOptions, Statement};

/// Options of a render.
#[derive(Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// Resolves passwords into SCRAM verifiers embedded in the script; roles
    /// it cannot resolve (and all roles without a resolver) read their
    /// verifier from a psql variable.
    pub secrets: Option<&'a dyn SecretResolver>,
    /// Create roles without a password and leave it to whoever runs the
    /// script to set them afterwards (see [`init_script_for_job`]).
    pub passwords_set_afterwards: bool,
}

impl std::fmt::Debug for RenderOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("secrets", &self.secrets.map(|_| "<resolver>"))
            .field("passwords_set_afterwards", &self.passwords_set_afterwards)
            .finish()
    }
}

/// The psql variable that holds a role's verifier, one per role, unique
/// within the plan: `password_` and the role name with every character other
/// than `a-z0-9` replaced by `_` (a numeric suffix keeps them apart).
pub fn password_variables(plan: &ValidPlan) -> BTreeMap<RoleName, String> {
    crate::entra::role_variables(
        "password_",
        plan.roles
            .iter()
            .filter(|r| needs_password(r.password.as_ref()))
            .map(|r| &r.name),
    )
}

fn needs_password(source: Option<&SecretSource>) -> bool {
    !matches!(source, None | Some(SecretSource::EntraIdentity { .. }))
}

/// `init.sql`, `settings.sql` and `monitoring.sql` for the plan, passwords
/// as psql variables. Pure: the same plan gives the same bytes.
///
/// # Errors
///
/// As for [`DesiredState::from_plan`].
pub fn render_files(plan: &ValidPlan) -> Result<BTreeMap<String, String>, Error> {
    render_files_with(plan, &RenderOptions::default())
}

/// `init.sql` alone, passwords as psql variables (see
/// [`init_script_for_job`] for the script the Kubernetes schema Job runs).
///
/// # Errors
///
/// As for [`DesiredState::from_plan`].
pub fn render_script(plan: &ValidPlan) -> Result<String, Error> {
    let desired = DesiredState::from_plan(plan);
    init_script(plan, &desired, &RenderOptions::default())
}

/// The init script a deployment job runs with plain `psql --file`: roles
/// with a password are created without one, and [`InitScript::passwords_to_set`]
/// lists them for the job to set afterwards from its own secrets (the
/// Kubernetes schema Job does it with psql's `\password`, which sends only a
/// SCRAM verifier). No psql variable is needed.
///
/// # Errors
///
/// Never today; a `Result` so that a secret resolver can join later.
pub fn init_script_for_job(plan: &ValidPlan) -> Result<InitScript, Error> {
    let desired = DesiredState::from_plan(plan);
    let options = RenderOptions {
        secrets: None,
        passwords_set_afterwards: true,
    };
    let sql = init_script(plan, &desired, &options)?;
    let passwords_to_set = desired
        .roles
        .values()
        .filter(|r| r.login && needs_password(r.password.as_ref()))
        .map(|r| r.name.clone())
        .collect();
    Ok(InitScript {
        sql,
        passwords_to_set,
    })
}

/// Like [`render_files`], with options (a secret resolver).
///
/// # Errors
///
/// As for [`DesiredState::from_plan`], and [`Error::Secret`] from the resolver.
pub fn render_files_with(
    plan: &ValidPlan,
    options: &RenderOptions<'_>,
) -> Result<BTreeMap<String, String>, Error> {
    let desired = DesiredState::from_plan(plan);
    let mut files = BTreeMap::new();
    files.insert("init.sql".to_owned(), init_script(plan, &desired, options)?);
    files.insert("settings.sql".to_owned(), settings_script(plan, &desired));
    files.insert("monitoring.sql".to_owned(), monitoring::script(plan));
    Ok(files)
}

fn header(out: &mut String, plan: &ValidPlan, what: &str) {
    let _ = writeln!(
        out,
        "-- pgplan: {what} for {} ({}), PostgreSQL {}.",
        plan.service, plan.environment, plan.version
    );
    let _ = writeln!(
        out,
        "-- Generated from the plan; idempotent: run it again and nothing changes."
    );
}

fn line(out: &mut String, s: &Statement) {
    out.push_str(&s.to_sql());
    out.push_str(";\n");
}

fn init_script(
    plan: &ValidPlan,
    desired: &DesiredState,
    options: &RenderOptions<'_>,
) -> Result<String, Error> {
    let variables = password_variables(plan);
    let mut passwords: BTreeMap<RoleName, PasswordSpec> = BTreeMap::new();
    let mut needed_variables: Vec<(&RoleName, &String)> = Vec::new();
    let mut set_afterwards: Vec<&RoleName> = Vec::new();
    for role in desired.roles.values() {
        let Some(source) = role.password.as_ref().filter(|s| needs_password(Some(s))) else {
            continue;
        };
        if options.passwords_set_afterwards {
            set_afterwards.push(&role.name);
            continue;
        }
        let resolved = match options.secrets {
            Some(r) => r
                .password(&role.name, source)?
                .map(|pw| PasswordSpec::Verifier(new_verifier(r, &role.name, &pw))),
            None => None,
        };
        let spec = match resolved {
            Some(v) => v,
            None => match variables.get(&role.name) {
                Some(var) => {
                    needed_variables.push((&role.name, var));
                    PasswordSpec::PsqlVariable(var.clone())
                }
                None => continue,
            },
        };
        passwords.insert(role.name.clone(), spec);
    }

    let mut out = String::new();
    header(&mut out, plan, "roles, databases and privileges");
    if !set_afterwards.is_empty() {
        out.push_str("--\n-- Run it with: psql --no-psqlrc --file=init.sql\n");
        out.push_str("-- These roles are created without a password; set each afterwards\n");
        out.push_str("-- (psql's \\password sends only a SCRAM-SHA-256 verifier):\n");
        for role in &set_afterwards {
            let _ = writeln!(out, "--   {}", comment_text(role.as_str()));
        }
    }
    if !needed_variables.is_empty() {
        out.push_str(
            "--\n-- Passwords are SCRAM-SHA-256 verifiers passed as psql variables, so no\n",
        );
        out.push_str("-- password reaches the server or its log:\n");
        out.push_str("--   psql");
        for (_, var) in &needed_variables {
            let _ = write!(out, " -v {var}=\"$VERIFIER\"");
        }
        out.push_str(" -f init.sql\n");
    }
    if set_afterwards.is_empty() && needed_variables.is_empty() {
        out.push_str("--\n-- Run it with: psql --no-psqlrc --file=init.sql\n");
    }
    out.push_str("\\set ON_ERROR_STOP on\n");

    if !needed_variables.is_empty() {
        out.push_str(
            "\n-- Stop before changing anything when a verifier is missing, or is not a\n-- SCRAM-SHA-256 verifier (a plain password would reach the server and its log).\n",
        );
        for (role, var) in &needed_variables {
            let _ = writeln!(out, "\\if :{{?{var}}}\n\\else");
            let _ = writeln!(
                out,
                "  \\echo {}",
                psql_argument(&format!(
                    "pgplan: psql variable {var} (SCRAM-SHA-256 verifier of role {}) is not set",
                    pgplan_core::escape::terminal::line(role.as_str())
                ))
            );
            let _ = writeln!(
                out,
                "  DO $pgplan$ BEGIN RAISE EXCEPTION 'psql variable {var} is not set'; END $pgplan$;"
            );
            out.push_str("\\endif\n");
            let _ = writeln!(
                out,
                "SELECT :'{var}' ~ {} AS pgplan_is_verifier \\gset",
                literal(SCRAM_VERIFIER_PATTERN)
            );
            out.push_str("\\if :pgplan_is_verifier\n\\else\n");
            let _ = writeln!(
                out,
                "  \\echo {}",
                psql_argument(&format!(
                    "pgplan: psql variable {var} (role {}) is not a SCRAM-SHA-256 verifier; pass the verifier (it starts with SCRAM-SHA-256), never the password",
                    pgplan_core::escape::terminal::line(role.as_str())
                ))
            );
            let _ = writeln!(
                out,
                "  DO $pgplan$ BEGIN RAISE EXCEPTION 'psql variable {var} is not a SCRAM-SHA-256 verifier'; END $pgplan$;"
            );
            out.push_str("\\endif\n");
        }
    }
    conflict_check(&mut out, desired);

    // Entra principals are created by the Entra principal script, as an
    // Entra administrator; their grants below need them.
    let entra: Vec<(&RoleName, &String)> = desired
        .roles
        .values()
        .filter_map(|r| r.entra_identity.as_ref().map(|i| (&r.name, i)))
        .collect();
    if !entra.is_empty() {
        out.push_str(
            "\n-- Roles that log in as Microsoft Entra identities are Entra principals, created\n-- by the Entra principal script (deploy.sh's Entra step, run as an Entra\n-- administrator) before this one. Stop when one is missing.\n",
        );
        for (role, identity) in entra {
            out.push_str(&psql_stop_unless(
                &format!(
                    "EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {})",
                    literal(role.as_str())
                ),
                &format!(
                    "pgplan: role {role} (Microsoft Entra identity {identity}) does not exist: run the Entra principal step first (deploy.sh runs it as an Entra administrator)"
                ),
            ));
        }
    }

    // Roles, attributes, memberships: one transaction.
    out.push_str("\n-- Roles and memberships (one transaction).\nBEGIN;\n");
    for role in desired
        .roles
        .values()
        .filter(|r| r.entra_identity.is_none())
    {
        let create = Statement::CreateRole {
            name: role.name.clone(),
            options: RoleOptions::default(),
        };
        let probe = format!(
            "SELECT FROM pg_catalog.pg_roles WHERE rolname = {}",
            literal(role.name.as_str())
        );
        out.push_str(&psql_gexec_unless_exists(&create, &probe));
        out.push('\n');
        line(
            &mut out,
            &Statement::AlterRole {
                name: role.name.clone(),
                options: RoleOptions {
                    login: Some(role.login),
                    connection_limit: Some(role.connection_limit),
                    valid_until: Some(
                        role.valid_until
                            .clone()
                            .unwrap_or_else(|| "infinity".into()),
                    ),
                    password: passwords.get(&role.name).cloned(),
                    ..RoleOptions::default()
                },
            },
        );
        line(
            &mut out,
            &Statement::CommentOnRole {
                name: role.name.clone(),
                comment: desired.role_marker.clone(),
            },
        );
    }
    // Attributes beyond LOGIN, Entra principals' too: only those that
    // differ are changed, so a non-superuser runs this as long as nothing
    // needs a superuser.
    for role in desired.roles.values() {
        out.push_str(&psql_sync_role_attributes(&role.name, &role.attributes));
        out.push('\n');
    }
    for role in desired.roles.values() {
        for group in &role.member_of {
            line(
                &mut out,
                &Statement::GrantMembership {
                    group: group.clone(),
                    member: role.name.clone(),
                },
            );
        }
    }
    out.push_str("COMMIT;\n");

    if !desired.databases.is_empty() {
        out.push_str(
            "\n-- Databases. CREATE DATABASE cannot run inside a transaction block, so each\n-- runs on its own, only when the database is missing.\n",
        );
        for db in desired.databases.values() {
            let create = Statement::CreateDatabase {
                name: db.name.clone(),
                owner: db.owner.clone(),
                encoding: db.encoding.clone(),
                locale: db.locale.clone(),
                template: db.template.clone(),
                connection_limit: (db.connection_limit >= 0).then_some(db.connection_limit),
            };
            let probe = format!(
                "SELECT FROM pg_catalog.pg_database WHERE datname = {}",
                literal(db.name.as_str())
            );
            out.push_str(&psql_gexec_unless_exists(&create, &probe));
            out.push('\n');
        }
        out.push_str("\n-- Database owners, settings and privileges (one transaction).\nBEGIN;\n");
        for db in desired.databases.values() {
            line(
                &mut out,
                &Statement::CommentOnDatabase {
                    name: db.name.clone(),
                    comment: desired.role_marker.clone(),
                },
            );
            line(
                &mut out,
                &Statement::AlterDatabaseOwner {
                    name: db.name.clone(),
                    owner: db.owner.clone(),
                },
            );
            line(
                &mut out,
                &Statement::AlterDatabaseConnectionLimit {
                    name: db.name.clone(),
                    limit: db.connection_limit,
                },
            );
            if let Some(tz) = &db.timezone {
                line(
                    &mut out,
                    &Statement::AlterDatabaseSet {
                        name: db.name.clone(),
                        parameter: "timezone".into(),
                        value: tz.clone(),
                    },
                );
            }
            if let Some(wanted) = db
                .privileges
                .get(&crate::desired::PrivilegeTarget::Database)
            {
                for s in grant_statements(
                    crate::statement::GrantObject::Database(db.name.clone()),
                    wanted,
                ) {
                    line(&mut out, &s);
                }
            }
        }
        out.push_str("COMMIT;\n");
    }

    for db in desired.databases.values() {
        let _ = writeln!(
            out,
            "\n-- Database {} (one transaction).",
            comment_text(db.name.as_str())
        );
        out.push_str(&psql_connect(db.name.as_str()));
        out.push_str("\nBEGIN;\n");
        schema_conflict_check(&mut out, desired, db);
        for (schema, owner) in &db.schemas {
            line(
                &mut out,
                &Statement::CreateSchema {
                    name: schema.clone(),
                    owner: owner.clone(),
                },
            );
            line(
                &mut out,
                &Statement::AlterSchemaOwner {
                    name: schema.clone(),
                    owner: owner.clone(),
                },
            );
            line(
                &mut out,
                &Statement::CommentOnSchema {
                    name: schema.clone(),
                    comment: desired.role_marker.clone(),
                },
            );
        }
        for ext in db.extensions.values() {
            line(
                &mut out,
                &Statement::CreateExtension {
                    name: ext.name.clone(),
                    schema: ext.schema.clone(),
                    version: ext.version.clone(),
                },
            );
        }
        if db.harden_public_schema {
            let _ = writeln!(
                out,
                "-- PostgreSQL {} still lets every role create objects in schema public.",
                desired.major
            );
            line(&mut out, &Statement::RevokeCreateOnPublicSchema);
        }
        for (target, wanted) in &db.privileges {
            if *target == crate::desired::PrivilegeTarget::Database {
                continue;
            }
            for s in grant_statements(target.grant_object(&db.name), wanted) {
                line(&mut out, &s);
            }
        }
        if !db.default_privileges.is_empty() {
            out.push_str("-- Objects these owners create later get the privileges too.\n");
        }
        for (scope, wanted) in &db.default_privileges {
            for s in default_grant_statements(scope, wanted) {
                line(&mut out, &s);
            }
        }
        out.push_str("COMMIT;\n");
    }
    Ok(out)
}

/// What a SCRAM-SHA-256 verifier looks like (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`).
pub const SCRAM_VERIFIER_PATTERN: &str =
    "^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$";

/// A `DO` block that stops the script, before it changes anything, when a
/// role or database the plan names exists without pgplan's marker: made by
/// hand or by another tool, it is not the script's to change (`pgplan apply
/// --adopt` takes it over).
fn conflict_check(out: &mut String, desired: &DesiredState) {
    let marker = literal(&desired.role_marker);
    let list = |names: Vec<&str>| {
        names
            .into_iter()
            .map(literal)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !desired.roles.is_empty() {
        parts.push(format!(
            "SELECT 'role ' || {} AS what FROM pg_catalog.pg_roles AS r WHERE r.rolname IN ({}) AND pg_catalog.shobj_description(r.oid, 'pg_authid') IS DISTINCT FROM {marker}",
            shown("r.rolname"),
            list(desired.roles.keys().map(|r| r.as_str()).collect())
        ));
    }
    if !desired.databases.is_empty() {
        parts.push(format!(
            "SELECT 'database ' || {} FROM pg_catalog.pg_database AS d WHERE d.datname IN ({}) AND pg_catalog.shobj_description(d.oid, 'pg_database') IS DISTINCT FROM {marker}",
            shown("d.datname"),
            list(desired.databases.keys().map(|d| d.as_str()).collect())
        ));
    }
    if parts.is_empty() {
        return;
    }
    raise_if_found(
        out,
        "\n-- Stop before changing anything when a role or database the plan names exists\n-- without pgplan's marker (made by hand or by another tool).\n",
        &parts.join(" UNION ALL "),
    );
}

/// The same check for the plan's schemas of one database, at the start of
/// its section.
fn schema_conflict_check(
    out: &mut String,
    desired: &DesiredState,
    db: &crate::desired::DesiredDatabase,
) {
    if db.schemas.is_empty() {
        return;
    }
    let names: Vec<String> = db.schemas.keys().map(|s| literal(s.as_str())).collect();
    let query = format!(
        "SELECT 'schema ' || {} AS what FROM pg_catalog.pg_namespace AS n WHERE n.nspname IN ({}) AND pg_catalog.obj_description(n.oid, 'pg_namespace') IS DISTINCT FROM {}",
        shown("n.nspname"),
        names.join(", "),
        literal(&desired.role_marker)
    );
    raise_if_found(out, "", &query);
}

/// A name as the conflict message shows it: quoted, with control characters
/// as `?` (psql prints the message on a terminal; `[[:cntrl:]]` works in
/// every server encoding, where a bidi character class would not).
fn shown(column: &str) -> String {
    format!(
        "pg_catalog.quote_ident(pg_catalog.regexp_replace({column}, {}, '?', 'g'))",
        UNSAFE_CHARACTERS
    )
}

/// A regular expression (as a literal) matching the control characters.
const UNSAFE_CHARACTERS: &str = "'[[:cntrl:]]'";

fn raise_if_found(out: &mut String, comment: &str, query: &str) {
    let body = format!(
        "DECLARE found text; BEGIN SELECT pg_catalog.string_agg(what, ', ') INTO found FROM ({query}) AS c; IF found IS NOT NULL THEN RAISE EXCEPTION 'pgplan: % exist without pgplan''s marker (made by hand or by another tool); nothing was changed: take them over with pgplan apply --adopt, or rename them in the plan', found; END IF; END"
    );
    out.push_str(comment);
    let _ = writeln!(
        out,
        "DO {};",
        pgplan_core::escape::sql::dollar_quoted(&body)
    );
}

fn settings_script(plan: &ValidPlan, desired: &DesiredState) -> String {
    let mut out = String::new();
    header(&mut out, plan, "server settings");
    match &desired.settings {
        SettingsDelivery::Managed { platform, through } => {
            let _ = writeln!(
                out,
                "--\n-- Nothing to run: on {platform} server parameters are not set with ALTER SYSTEM;\n-- they go through {through}."
            );
        }
        SettingsDelivery::AlterSystem {
            settings,
            declared_method,
            left_out,
        } => {
            if !left_out.is_empty() {
                let _ = writeln!(
                    out,
                    "--\n-- A server on this machine (platform: local) gets only the plan's own\n-- tuning.parameters; {} derived setting(s) are left as the server has them\n-- (`pgplan settings` lists what pgplan would derive).",
                    left_out.len()
                );
            }
            if let Some(method) = declared_method {
                let how = match method {
                    pgplan_core::SettingsMethod::ConfigFile => {
                        "a configuration file (postgresql.conf)"
                    }
                    _ => "the service's API",
                };
                let _ = writeln!(
                    out,
                    "--\n-- The plan delivers these settings through {how}. Run this file only on a\n-- server whose settings are managed over SQL: ALTER SYSTEM overrides postgresql.conf."
                );
            }
            out.push_str(
                "--\n-- Run it as a superuser with: psql --no-psqlrc --file=settings.sql\n",
            );
            out.push_str("\\set ON_ERROR_STOP on\n");
            out.push_str("-- ALTER SYSTEM cannot run inside a transaction block.\n");
            let (restart, reload): (Vec<_>, Vec<_>) =
                settings.values().partition(|s| s.needs_restart);
            if !reload.is_empty() {
                out.push_str("\n-- Take effect on reload.\n");
                for s in &reload {
                    let _ = writeln!(out, "-- {}: {}", s.name, comment_text(&s.provenance));
                    line(
                        &mut out,
                        &Statement::AlterSystemSet {
                            name: s.name.clone(),
                            value: s.sql_value.clone(),
                        },
                    );
                }
            }
            if !restart.is_empty() {
                out.push_str("\n-- Take effect after a server restart.\n");
                for s in &restart {
                    let _ = writeln!(out, "-- {}: {}", s.name, comment_text(&s.provenance));
                    line(
                        &mut out,
                        &Statement::AlterSystemSet {
                            name: s.name.clone(),
                            value: s.sql_value.clone(),
                        },
                    );
                }
            }
            out.push('\n');
            line(&mut out, &Statement::ReloadConfiguration);
            if !restart.is_empty() {
                let names: Vec<&str> = restart.iter().map(|s| s.name.as_str()).collect();
                let _ = writeln!(
                    out,
                    "-- Restart the server for: {}.\n-- Check: SELECT name FROM pg_settings WHERE pending_restart;",
                    names.join(", ")
                );
            }
        }
    }
    out
}
