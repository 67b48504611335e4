//! Server parameters through the configurations API
//! (`PUT flexibleServers/{name}/configurations/{parameter}`), one per
//! parameter, in the units Azure reports them in (`pg_settings` units:
//! `shared_buffers` in 8 kB pages, `work_mem` in kB, `max_wal_size` in MB).

use std::collections::BTreeMap;

use pgplan_core::{Catalog, ValidPlan};
use pgplan_core::{azure_facts, azure_monitor};
use serde::Serialize;

use super::Ctx;
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

/// The plan's settings (explicit and derived) that Azure lets users set, in
/// Azure's form, sorted by name. Derived settings Azure manages itself are
/// left to Azure; explicit ones never reach here (rules PGP162 and PGP163).
pub fn azure_parameters(plan: &ValidPlan) -> Vec<Parameter> {
    let settings = plan.settings();
    let catalog = settings.catalog();
    let mut out: BTreeMap<String, Parameter> = BTreeMap::new();
    for setting in settings.iter() {
        if let Some(p) = convert(
            catalog,
            &setting.name,
            &setting.value,
            setting.provenance.to_string(),
        ) {
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
    // Azure collects longest_query_time_sec, which the slow-query alert
    // watches, only with metrics.collector_database_activity on (rule
    // PGP177 reports a plan that sets it off; no alert renders then).
    let activity = azure_monitor::DATABASE_ACTIVITY_PARAMETER;
    if plan.monitoring.thresholds.slow_query.is_some()
        && !azure_monitor::database_activity_off(plan)
        && !out.contains_key(activity)
    {
        out.insert(
            activity.into(),
            Parameter {
                name: activity.into(),
                value: "on".into(),
                needs_restart: false,
                origin: "derived: on, because the slow-query alert watches longest_query_time_sec, which Azure collects only with it on".into(),
            },
        );
    }
    out.into_values().collect()
}

/// A read replica's own parameters (`topology.replicas[i].parameters`).
pub(super) fn replica_parameters(plan: &ValidPlan, index: usize) -> Vec<Parameter> {
    let Some(replica) = plan.topology.replicas.get(index) else {
        return Vec::new();
    };
    let catalog = plan.settings().catalog();
    replica
        .parameters
        .iter()
        .filter_map(|(name, value)| {
            convert(
                catalog,
                name.as_str(),
                value.as_str(),
                "explicit in the plan (replica)".into(),
            )
        })
        .collect()
}

/// One parameter in Azure's form, `None` for one Azure does not take as a
/// parameter: a server property or a parameter the service manages. Plans
/// that set those are refused by rules PGP162 and PGP163, names and values
/// the catalog does not know by PGP077, so what is dropped here is only
/// ever derived.
fn convert(catalog: &Catalog, name: &str, raw: &str, origin: String) -> Option<Parameter> {
    let name = name.to_ascii_lowercase();
    if azure_facts::server_property_for(&name).is_some()
        || azure_facts::managed_parameter(&name).is_some()
    {
        return None;
    }
    let spec = catalog.get(&name);
    let needs_restart = spec.map_or_else(|| custom_needs_restart(&name), |s| s.needs_restart());
    Some(Parameter {
        value: azure_facts::configuration_value(spec, &name, raw),
        name,
        needs_restart,
        origin,
    })
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
            prerequisites: Vec::new(),
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
        let v = |name: &str, raw: &str| {
            convert(c, name, raw, String::new())
                .map(|p| (p.value, p.needs_restart))
                .unwrap()
        };
        assert_eq!(v("shared_buffers", "4GB"), ("524288".into(), true));
        assert_eq!(v("work_mem", "64MB"), ("65536".into(), false));
        assert_eq!(v("max_wal_size", "4GB").0, "4096");
        assert_eq!(v("log_min_duration_statement", "500ms").0, "500");
        assert_eq!(v("random_page_cost", "1.1").0, "1.1");
        assert_eq!(v("log_checkpoints", "true").0, "on");
        assert_eq!(v("log_statement", "DDL").0, "ddl");
        assert_eq!(v("ssl_min_protocol_version", "tlsv1.2").0, "TLSv1.2");
        assert_eq!(
            v("shared_preload_libraries", "'pg_cron, pg_stat_statements'"),
            ("pg_cron,pg_stat_statements".into(), true)
        );
        assert_eq!(v("log_line_prefix", "%t [%p] ").0, "%t [%p] ");
        assert_eq!(v("require_secure_transport", "true"), ("on".into(), false));
        assert_eq!(v("pg_stat_statements.max", "10000"), ("10000".into(), true));
        assert!(convert(c, "archive_mode", "on", String::new()).is_none());
        assert!(convert(c, "backup_retention_days", "35", String::new()).is_none());
    }
}
