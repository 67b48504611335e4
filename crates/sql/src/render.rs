//! Statement → SQL text. Identifiers, literals, comments and psql
//! meta-command arguments are quoted here, with the shared escaping of
//! [`pgplan_core::escape`] (one function per format, each checked against
//! the server and psql by property tests).

use std::fmt::Write as _;

use pgplan_core::Privilege;
use pgplan_core::escape::{psql, sql};

use crate::statement::{
    FunctionRef, GrantObject, PasswordSpec, RelationRef, RoleOptions, SettingValue, Statement,
};

/// Quotes an identifier: always double-quoted, so reserved words
/// (`"user"`), special role names (`"current_user"`), case, spaces and
/// quotes keep their meaning.
pub fn ident(name: &str) -> String {
    sql::identifier(name)
}

/// Quotes a string literal (`'…'`, or ` E'…'` when it holds backslashes).
pub fn literal(value: &str) -> String {
    sql::literal(value)
}

/// `schema.name`, both parts quoted.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A psql meta-command argument in single quotes (see
/// [`pgplan_core::escape::psql::argument`]).
pub fn psql_argument(value: &str) -> String {
    psql::argument(value)
}

/// Text for a `--` comment: control characters (a line break would end the
/// comment and turn the rest of a name into SQL) become `?`.
pub fn comment_text(text: &str) -> String {
    sql::comment(text)
}

/// A `\connect` line that switches to `database` keeping host, port and user,
/// whatever characters the name holds (see
/// [`pgplan_core::escape::psql::connect`]).
pub fn psql_connect(database: &str) -> String {
    psql::connect(database)
}

/// A psql variable reference that psql replaces with the variable's value as
/// a quoted literal (`:'name'`). Names are `[a-z0-9_]+`, made by pgplan.
pub fn psql_variable_literal(name: &str) -> String {
    psql::variable_literal(name)
}

/// Stops a psql script (under `ON_ERROR_STOP`) unless `condition`, a
/// boolean SQL expression, is true: psql reads it into the variable
/// `pgplan_ok` with `\gset`, and when it is false prints `message` (quoted
/// by [`psql_argument`]) and raises an error.
pub fn psql_stop_unless(condition: &str, message: &str) -> String {
    format!(
        "SELECT ({condition}) AS pgplan_ok \\gset\n\\if :pgplan_ok\n\\else\n  \\echo {}\n  DO $pgplan$ BEGIN RAISE EXCEPTION 'pgplan: stopped, see the message above'; END $pgplan$;\n\\endif\n",
        psql_argument(message)
    )
}

/// `SELECT '<statement>' WHERE NOT EXISTS (<probe>)\gexec`: psql runs the
/// statement only when the probe finds nothing. The way to make statements
/// idempotent that have no `IF NOT EXISTS` and may not run inside a `DO`
/// block or transaction (`CREATE DATABASE`).
pub fn psql_gexec_unless_exists(statement: &Statement, probe: &str) -> String {
    format!(
        "SELECT {} WHERE NOT EXISTS ({probe})\\gexec",
        literal(&statement.to_sql())
    )
}

/// Brings a role's attributes beyond LOGIN to `attributes` (every other one
/// off), changing only those that differ: psql builds the `ALTER ROLE` from
/// `pg_roles` and runs it with `\gexec` only when one differs. A role that
/// has them already gets no statement, so a script run by a non-superuser
/// (who may not even name SUPERUSER or BYPASSRLS) passes as long as nothing
/// needs changing.
pub fn psql_sync_role_attributes(
    role: &pgplan_core::RoleName,
    attributes: &std::collections::BTreeSet<pgplan_core::RoleAttribute>,
) -> String {
    let mut clauses = Vec::new();
    let mut differs = Vec::new();
    for attribute in pgplan_core::RoleAttribute::ALL {
        let column = attribute.catalog_column();
        if attributes.contains(&attribute) {
            clauses.push(format!(
                "CASE WHEN NOT {column} THEN ' {}' END",
                attribute.as_sql()
            ));
            differs.push(format!("NOT {column}"));
        } else {
            clauses.push(format!(
                "CASE WHEN {column} THEN ' {}' END",
                attribute.negated_sql()
            ));
            differs.push(column.to_owned());
        }
    }
    format!(
        "SELECT concat({}, {}) FROM pg_catalog.pg_roles WHERE rolname = {} AND ({})\\gexec",
        literal(&format!("ALTER ROLE {} WITH", ident(role.as_str()))),
        clauses.join(", "),
        literal(role.as_str()),
        differs.join(" OR ")
    )
}

fn privilege_list(privileges: &[Privilege]) -> String {
    privileges
        .iter()
        .map(|p| p.as_sql())
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_list(roles: &[pgplan_core::RoleName]) -> String {
    roles
        .iter()
        .map(|r| ident(r.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn relation_list(relations: &[RelationRef]) -> String {
    relations
        .iter()
        .map(|r| qualified(r.schema.as_str(), &r.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn function_list(functions: &[FunctionRef]) -> String {
    functions
        .iter()
        .map(|f| {
            format!(
                "{}({})",
                qualified(f.schema.as_str(), &f.name),
                f.identity_arguments
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn object(on: &GrantObject) -> String {
    match on {
        GrantObject::Database(d) => format!("DATABASE {}", ident(d.as_str())),
        GrantObject::Schema(s) => format!("SCHEMA {}", ident(s.as_str())),
        GrantObject::AllTablesInSchema(s) => format!("ALL TABLES IN SCHEMA {}", ident(s.as_str())),
        GrantObject::AllSequencesInSchema(s) => {
            format!("ALL SEQUENCES IN SCHEMA {}", ident(s.as_str()))
        }
        GrantObject::AllFunctionsInSchema(s) => {
            format!("ALL FUNCTIONS IN SCHEMA {}", ident(s.as_str()))
        }
        GrantObject::Tables(t) => format!("TABLE {}", relation_list(t)),
        GrantObject::Sequences(t) => format!("SEQUENCE {}", relation_list(t)),
        GrantObject::Functions(f) => format!("FUNCTION {}", function_list(f)),
    }
}

fn role_options(options: &RoleOptions, redact: bool) -> String {
    let mut out = String::new();
    if let Some(login) = options.login {
        out.push_str(if login { " LOGIN" } else { " NOLOGIN" });
    }
    for (attribute, on) in &options.attributes {
        out.push(' ');
        out.push_str(if *on {
            attribute.as_sql()
        } else {
            attribute.negated_sql()
        });
    }
    if let Some(limit) = options.connection_limit {
        let _ = write!(out, " CONNECTION LIMIT {limit}");
    }
    if let Some(until) = &options.valid_until {
        let _ = write!(out, " VALID UNTIL {}", literal(until));
    }
    match &options.password {
        None => {}
        Some(PasswordSpec::Null) => out.push_str(" PASSWORD NULL"),
        Some(PasswordSpec::Verifier(_)) if redact => out.push_str(" PASSWORD '<redacted>'"),
        Some(PasswordSpec::Verifier(v)) => {
            let _ = write!(out, " PASSWORD {}", literal(v));
        }
        Some(PasswordSpec::PsqlVariable(v)) => {
            let _ = write!(out, " PASSWORD {}", psql_variable_literal(v));
        }
    }
    out
}

fn setting_value(value: &SettingValue) -> String {
    match value {
        SettingValue::Single(v) => literal(v),
        SettingValue::List(items) if items.is_empty() => literal(""),
        SettingValue::List(items) => items
            .iter()
            .map(|i| literal(i))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl Statement {
    /// The statement as SQL, without the terminating semicolon.
    pub fn to_sql(&self) -> String {
        self.render(false)
    }

    /// Like [`Statement::to_sql`], with password verifiers replaced by
    /// `<redacted>`: for messages and logs.
    pub fn to_redacted_sql(&self) -> String {
        self.render(true)
    }

    fn render(&self, redact: bool) -> String {
        match self {
            Statement::CreateRole { name, options } => {
                let opts = role_options(options, redact);
                if opts.is_empty() {
                    format!("CREATE ROLE {}", ident(name.as_str()))
                } else {
                    format!("CREATE ROLE {} WITH{opts}", ident(name.as_str()))
                }
            }
            Statement::AlterRole { name, options } => {
                format!(
                    "ALTER ROLE {} WITH{}",
                    ident(name.as_str()),
                    role_options(options, redact)
                )
            }
            Statement::CommentOnRole { name, comment } => {
                format!(
                    "COMMENT ON ROLE {} IS {}",
                    ident(name.as_str()),
                    literal(comment)
                )
            }
            Statement::CommentOnDatabase { name, comment } => format!(
                "COMMENT ON DATABASE {} IS {}",
                ident(name.as_str()),
                literal(comment)
            ),
            Statement::CommentOnSchema { name, comment } => format!(
                "COMMENT ON SCHEMA {} IS {}",
                ident(name.as_str()),
                literal(comment)
            ),
            Statement::DropRole { name } => format!("DROP ROLE {}", ident(name.as_str())),
            Statement::ReassignOwned { from, to } => format!(
                "REASSIGN OWNED BY {} TO {}",
                ident(from.as_str()),
                ident(to.as_str())
            ),
            Statement::DropOwned { role } => format!("DROP OWNED BY {}", ident(role.as_str())),
            Statement::GrantMembership { group, member } => format!(
                "GRANT {} TO {}",
                ident(group.as_str()),
                ident(member.as_str())
            ),
            Statement::RevokeMembership { group, member } => format!(
                "REVOKE {} FROM {}",
                ident(group.as_str()),
                ident(member.as_str())
            ),
            Statement::CreateDatabase {
                name,
                owner,
                encoding,
                locale,
                template,
                connection_limit,
            } => {
                let mut s = format!(
                    "CREATE DATABASE {} WITH OWNER {} ENCODING {}",
                    ident(name.as_str()),
                    ident(owner.as_str()),
                    literal(encoding)
                );
                if let Some(l) = locale {
                    let _ = write!(s, " LOCALE {}", literal(l));
                }
                if let Some(t) = template {
                    let _ = write!(s, " TEMPLATE {}", ident(t));
                }
                if let Some(c) = connection_limit {
                    let _ = write!(s, " CONNECTION LIMIT {c}");
                }
                s
            }
            Statement::AlterDatabaseOwner { name, owner } => format!(
                "ALTER DATABASE {} OWNER TO {}",
                ident(name.as_str()),
                ident(owner.as_str())
            ),
            Statement::AlterDatabaseConnectionLimit { name, limit } => format!(
                "ALTER DATABASE {} WITH CONNECTION LIMIT {limit}",
                ident(name.as_str())
            ),
            Statement::AlterDatabaseSet {
                name,
                parameter,
                value,
            } => format!(
                "ALTER DATABASE {} SET {} TO {}",
                ident(name.as_str()),
                ident(parameter),
                literal(value)
            ),
            Statement::AlterDatabaseReset { name, parameter } => format!(
                "ALTER DATABASE {} RESET {}",
                ident(name.as_str()),
                ident(parameter)
            ),
            Statement::CreateSchema { name, owner } => format!(
                "CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}",
                ident(name.as_str()),
                ident(owner.as_str())
            ),
            Statement::AlterSchemaOwner { name, owner } => format!(
                "ALTER SCHEMA {} OWNER TO {}",
                ident(name.as_str()),
                ident(owner.as_str())
            ),
            Statement::CreateExtension {
                name,
                schema,
                version,
            } => {
                let mut s = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(name.as_str()));
                if let Some(schema) = schema {
                    let _ = write!(s, " SCHEMA {}", ident(schema.as_str()));
                }
                if let Some(v) = version {
                    let _ = write!(s, " VERSION {}", literal(v));
                }
                s
            }
            Statement::AlterExtensionSchema { name, schema } => format!(
                "ALTER EXTENSION {} SET SCHEMA {}",
                ident(name.as_str()),
                ident(schema.as_str())
            ),
            Statement::AlterExtensionUpdate { name, version } => format!(
                "ALTER EXTENSION {} UPDATE TO {}",
                ident(name.as_str()),
                literal(version)
            ),
            Statement::RevokeCreateOnPublicSchema => {
                format!("REVOKE CREATE ON SCHEMA {} FROM PUBLIC", ident("public"))
            }
            Statement::Grant { privileges, on, to } => format!(
                "GRANT {} ON {} TO {}",
                privilege_list(privileges),
                object(on),
                role_list(to)
            ),
            Statement::Revoke {
                privileges,
                on,
                from,
            } => format!(
                "REVOKE {} ON {} FROM {}",
                privilege_list(privileges),
                object(on),
                role_list(from)
            ),
            Statement::GrantDefault {
                for_role,
                schema,
                objects,
                privileges,
                to,
            } => format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON {} TO {}",
                ident(for_role.as_str()),
                ident(schema.as_str()),
                privilege_list(privileges),
                objects.sql_noun(),
                role_list(to)
            ),
            Statement::RevokeDefault {
                for_role,
                schema,
                objects,
                privileges,
                from,
            } => format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE {} ON {} FROM {}",
                ident(for_role.as_str()),
                ident(schema.as_str()),
                privilege_list(privileges),
                objects.sql_noun(),
                role_list(from)
            ),
            Statement::AlterSystemSet { name, value } => format!(
                "ALTER SYSTEM SET {} = {}",
                ident(name),
                setting_value(value)
            ),
            Statement::AlterSystemReset { name } => {
                format!("ALTER SYSTEM RESET {}", ident(name))
            }
            Statement::ReloadConfiguration => "SELECT pg_catalog.pg_reload_conf()".to_owned(),
            Statement::CreateEntraPrincipal {
                role,
                object_id_variable,
            } => format!(
                "SELECT pg_catalog.pgaadauth_create_principal_with_oid({}, {}, 'service', false, false) WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {})",
                literal(role.as_str()),
                psql_variable_literal(object_id_variable),
                literal(role.as_str())
            ),
        }
    }
}

impl std::fmt::Display for Statement {
    /// The redacted form: safe for messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_redacted_sql())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgplan_core::{RoleName, SchemaName};

    fn role(s: &str) -> RoleName {
        RoleName::new(s).unwrap()
    }

    #[test]
    fn identifiers_are_always_quoted() {
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident("Mixed Case"), "\"Mixed Case\"");
    }

    #[test]
    fn literals_with_backslashes_use_escape_syntax() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b"), " E'a\\\\b'");
    }

    #[test]
    fn grants_render_with_every_name_quoted() {
        let s = Statement::GrantDefault {
            for_role: role("bill_owner"),
            schema: SchemaName::new("public").unwrap(),
            objects: crate::statement::DefaultObjects::Tables,
            privileges: vec![Privilege::Select, Privilege::Insert],
            to: vec![role("app"), role("ro")],
        };
        assert_eq!(
            s.to_sql(),
            "ALTER DEFAULT PRIVILEGES FOR ROLE \"bill_owner\" IN SCHEMA \"public\" GRANT SELECT, INSERT ON TABLES TO \"app\", \"ro\""
        );
    }

    #[test]
    fn verifiers_are_redacted_in_display() {
        let s = Statement::AlterRole {
            name: role("app"),
            options: RoleOptions {
                password: Some(PasswordSpec::Verifier("SCRAM-SHA-256$4096:x$y:z".into())),
                ..RoleOptions::default()
            },
        };
        assert!(s.to_sql().contains("SCRAM-SHA-256"));
        assert!(!s.to_string().contains("SCRAM-SHA-256"));
    }

    #[test]
    fn list_settings_quote_each_element() {
        let s = Statement::AlterSystemSet {
            name: "shared_preload_libraries".into(),
            value: SettingValue::List(vec!["pg_stat_statements".into(), "pg_cron".into()]),
        };
        assert_eq!(
            s.to_sql(),
            "ALTER SYSTEM SET \"shared_preload_libraries\" = 'pg_stat_statements', 'pg_cron'"
        );
    }

    #[test]
    fn line_breaks_never_escape_a_comment_or_meta_command() {
        assert_eq!(comment_text("a\nDROP TABLE x"), "a?DROP TABLE x");
        assert_eq!(psql_argument("a\nb"), "'a\\nb'");
    }

    #[test]
    fn psql_connect_survives_any_name() {
        assert_eq!(
            psql_connect("a'b\\c=d"),
            r#"\connect -reuse-previous=on '"dbname=''a\\''b\\\\c=d''"'"#
        );
        assert_eq!(
            psql_connect("plain"),
            r#"\connect -reuse-previous=on '"dbname=''plain''"'"#
        );
    }
}
