//! Server parameters through the configurations API
//! (`PUT flexibleServers/{name}/configurations/{parameter}`), one per
//! parameter, in the units Azure reports them in (`pg_settings` units:
//! `shared_buffers` in 8 kB pages, `work_mem` in kB, `max_wal_size` in MB).

use std::collections::BTreeMap;

use pgplan_core::azure_facts;
use pgplan_core::catalog::{ParamSpec, TypedValue, VarType, format_number};
use pgplan_core::{Catalog, Provenance, ValidPlan};
use serde::Serialize;

use super::{Ctx, plan_error};
use crate::Error;
use crate::models;
use crate::operation::{Body, Method, Operation, OperationKind};

/// `source` of a parameter the user sets (as in the service's examples).
pub const USER_OVERRIDE: &str = "user-override";

/// One server parameter as Azure takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Lowercase name.
    pub name: String,
    /// Value in Azure's form: numbers in the parameter's unit, `on`/`off`,
    /// lowercase enum values, comma-separated lists without spaces.
    pub value: String,
    /// A static parameter: the server must restart.
    pub needs_restart: bool,
    /// Where the value comes from (explicit, or the derivation).
    pub origin: String,
}

/// Parameters Azure sets itself and users cannot, with the reason.
fn managed_by_azure(name: &str) -> Option<&'static str> {
    Some(match name {
        "archive_mode" | "archive_command" | "archive_library" | "archive_timeout"
        | "restore_command" => "WAL archiving is part of the managed backups",
        "hot_standby" | "primary_conninfo" | "primary_slot_name" | "cluster_name" => {
            "standbys are the service's (high availability and read replicas)"
        }
        "ssl"
        | "ssl_cert_file"
        | "ssl_key_file"
        | "ssl_ca_file"
        | "ssl_crl_file"
        | "ssl_crl_dir"
        | "ssl_passphrase_command" => {
            "TLS is always on; use require_secure_transport and ssl_min_protocol_version"
        }
        "superuser_reserved_connections" | "reserved_connections" => {
            "Azure reserves 15 connection slots itself"
        }
        "listen_addresses"
        | "port"
        | "unix_socket_directories"
        | "unix_socket_group"
        | "unix_socket_permissions" => "the network endpoint is the service's",
        "data_directory" | "config_file" | "hba_file" | "ident_file" | "external_pid_file"
        | "logging_collector" | "log_directory" | "log_filename" | "log_file_mode" => {
            "files and server logs are the service's"
        }
        _ => return None,
    })
}

/// Extension parameters that need a restart (the catalog knows only core ones).
fn custom_needs_restart(name: &str) -> bool {
    matches!(
        name,
        "pg_stat_statements.max"
            | "cron.database_name"
            | "cron.max_running_jobs"
            | "cron.use_background_workers"
            | "timescaledb.max_background_workers"
    )
}

fn unquote(raw: &str) -> &str {
    let t = raw.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        &t[1..t.len() - 1]
    } else {
        raw
    }
}

fn list(raw: &str) -> String {
    unquote(raw)
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// A value in Azure's form for a catalog parameter.
fn azure_value(spec: &ParamSpec, raw: &str) -> Result<String, String> {
    if spec.name.eq_ignore_ascii_case("shared_preload_libraries") {
        return Ok(list(raw));
    }
    if spec.vartype == VarType::String {
        // Kept as written: a trailing space in log_line_prefix matters.
        return Ok(unquote(raw).to_owned());
    }
    match spec.parse_value(raw).map_err(|e| e.0)? {
        TypedValue::Bool(b) => Ok(if b { "on" } else { "off" }.to_owned()),
        TypedValue::Number(n) => Ok(format_number(n)),
        // Enum values in the catalog's spelling (`TLSv1.2`, not `tlsv1.2`):
        // Azure lists them so in allowedValues.
        TypedValue::Text(t) if spec.vartype == VarType::Enum => Ok(spec
            .enumvals
            .iter()
            .find(|e| e.eq_ignore_ascii_case(&t))
            .cloned()
            .unwrap_or(t)),
        TypedValue::Text(t) => Ok(t),
    }
}

/// The plan's settings (explicit and derived) that Azure lets users set, in
/// Azure's form, sorted by name. Explicit settings Azure does not take are
/// errors (with the fix); derived ones are left to Azure.
pub fn azure_parameters(plan: &ValidPlan) -> Result<Vec<Parameter>, Error> {
    let settings = plan.settings();
    let catalog = settings.catalog();
    let mut out: BTreeMap<String, Parameter> = BTreeMap::new();
    for setting in settings.iter() {
        let explicit = setting.provenance == Provenance::Explicit;
        let field = format!("tuning.parameters.{}", setting.name);
        if let Some(p) = convert(
            plan,
            catalog,
            &setting.name,
            &setting.value,
            explicit,
            &field,
            setting.provenance.to_string(),
        )? {
            out.insert(p.name.clone(), p);
        }
    }
    // On Azure pg_stat_statements.track defaults to `none`: the library is
    // preloaded but records nothing until it is set.
    if plan.uses_extension("pg_stat_statements") && !out.contains_key("pg_stat_statements.track") {
        out.insert(
            "pg_stat_statements.track".into(),
            Parameter {
                name: "pg_stat_statements.track".into(),
                value: "top".into(),
                needs_restart: false,
                origin: "derived: top, because Azure's default `none` records nothing and the plan uses pg_stat_statements".into(),
            },
        );
    }
    Ok(out.into_values().collect())
}

/// A read replica's own parameters (`topology.replicas[i].parameters`).
pub(super) fn replica_parameters(plan: &ValidPlan, index: usize) -> Result<Vec<Parameter>, Error> {
    let Some(replica) = plan.topology.replicas.get(index) else {
        return Ok(Vec::new());
    };
    let Some(catalog) = Catalog::for_major(plan.version.get()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, value) in &replica.parameters {
        let field = format!("topology.replicas[{index}].parameters.{}", name.as_str());
        if let Some(p) = convert(
            plan,
            catalog,
            name.as_str(),
            value.as_str(),
            true,
            &field,
            "explicit in the plan (replica)".into(),
        )? {
            out.push(p);
        }
    }
    Ok(out)
}

/// One parameter in Azure's form; `None` for a derived parameter Azure
/// manages itself; an error for an explicit one Azure does not take.
fn convert(
    plan: &ValidPlan,
    catalog: &Catalog,
    name: &str,
    raw: &str,
    explicit: bool,
    field: &str,
    origin: String,
) -> Result<Option<Parameter>, Error> {
    let name = name.to_ascii_lowercase();
    if let Some(property) = azure_facts::server_property_for(&name) {
        if explicit {
            return Err(plan_error(
                field,
                format!("`{name}` is not a server parameter on Azure but a server property"),
                format!("set {property} instead and remove it from the parameters"),
            ));
        }
        return Ok(None);
    }
    if let Some(why) = managed_by_azure(&name) {
        if explicit {
            return Err(plan_error(
                field,
                format!("Azure manages `{name}` ({why}); it cannot be set"),
                "remove it from the parameters",
            ));
        }
        return Ok(None);
    }
    let (value, needs_restart) = match catalog.get(&name) {
        Some(spec) => {
            let value = azure_value(spec, raw).map_err(|why| {
                plan_error(
                    if explicit {
                        field.to_owned()
                    } else {
                        format!("{field} (derived)")
                    },
                    format!("`{raw}` does not fit {name}: {why}"),
                    "write a value PostgreSQL accepts for this parameter",
                )
            })?;
            (value, spec.needs_restart())
        }
        None if name == "require_secure_transport" => {
            // Azure's own switch (not a PostgreSQL parameter): dynamic, on/off.
            let value = pgplan_core::catalog::parse_bool(raw).ok_or_else(|| {
                plan_error(
                    field,
                    format!("`{raw}` is not on or off"),
                    "write on or off",
                )
            })?;
            (if value { "on" } else { "off" }.to_owned(), false)
        }
        None if name.contains('.') => {
            let value = if name == "azure.extensions" {
                list(raw)
            } else {
                unquote(raw).trim().to_owned()
            };
            (value, custom_needs_restart(&name))
        }
        None => {
            let suggestions = catalog.suggest(&name);
            return Err(plan_error(
                field,
                format!("`{name}` is not a PostgreSQL {} parameter", plan.version),
                if suggestions.is_empty() {
                    "remove it or check the spelling".to_owned()
                } else {
                    format!("did you mean {}?", suggestions.join(", "))
                },
            ));
        }
    };
    Ok(Some(Parameter {
        name,
        value,
        needs_restart,
        origin,
    }))
}

/// One `Configurations_Put` per parameter.
pub(super) fn operations(cx: &Ctx<'_>, server: &str, parameters: &[Parameter]) -> Vec<Operation> {
    let primary = server == cx.azure.server_name.as_str();
    parameters
        .iter()
        .map(|p| Operation {
            id: if primary {
                format!("configuration:{}", p.name)
            } else {
                format!("configuration:{server}:{}", p.name)
            },
            kind: OperationKind::Configuration,
            server: server.to_owned(),
            summary: format!(
                "set {} = {} on {server}{} ({})",
                p.name,
                p.value,
                if p.needs_restart { ", static" } else { "" },
                p.origin
            ),
            method: Method::Put,
            path: cx.path(server, &format!("/configurations/{}", p.name)),
            body: Some(Body::Configuration(models::Configuration {
                proxy_resource: Default::default(),
                properties: Some(models::ConfigurationProperties {
                    value: Some(p.value.clone()),
                    source: Some(USER_OVERRIDE.into()),
                    ..Default::default()
                }),
            })),
            needs_restart: p.needs_restart,
            secrets: Vec::new(),
            placeholders: cx.placeholders(),
            notes: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgplan_core::Catalog;

    #[test]
    fn values_are_in_azure_units() {
        let c = Catalog::for_major(14).unwrap();
        let v = |name: &str, raw: &str| azure_value(c.get(name).unwrap(), raw).unwrap();
        assert_eq!(v("shared_buffers", "4GB"), "524288");
        assert_eq!(v("work_mem", "64MB"), "65536");
        assert_eq!(v("max_wal_size", "4GB"), "4096");
        assert_eq!(v("log_min_duration_statement", "500ms"), "500");
        assert_eq!(v("random_page_cost", "1.1"), "1.1");
        assert_eq!(v("log_checkpoints", "true"), "on");
        assert_eq!(v("log_statement", "DDL"), "ddl");
        assert_eq!(
            v("shared_preload_libraries", "'pg_cron, pg_stat_statements'"),
            "pg_cron,pg_stat_statements"
        );
        assert_eq!(v("log_line_prefix", "%t [%p] "), "%t [%p] ");
        assert!(azure_value(c.get("work_mem").unwrap(), "lots").is_err());
    }
}
