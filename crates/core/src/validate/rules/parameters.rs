//! PGP015 parameters: every parameter the plan sets, and every value pgplan
//! derives, checked against the `pg_settings` catalog of the plan's major
//! version.
//!
//! - An unknown name is an error with "did you mean" (and the versions that
//!   do have it).
//! - A custom `prefix.name` parameter is fine when the catalog knows it
//!   (`pg_stat_statements.*`) or a planned extension or preloaded library
//!   defines the prefix; otherwise PostgreSQL keeps it as a placeholder that
//!   does nothing: warning.
//! - A value must fit the parameter's type, unit, range or enum; an
//!   `internal` parameter cannot be set at all.
//! - A derived value the catalog rejects is a pgplan bug: error, with the
//!   way around it.

use std::collections::BTreeSet;

use crate::azure_facts;
use crate::catalog::{Catalog, Context as GucContext, ParamSpec, VarType};
use crate::model::names::GucName;
use crate::model::tuning::ParamValue;
use crate::tuning::{Provenance, Setting};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP015.
pub struct Parameters;

const ID: &str = "PGP015";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "parameters",
    summary: "every parameter exists in the plan's major version and its value fits the parameter's type, unit and range",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for Parameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let prefixes = custom_prefixes(cx);
        for (name, value) in &cx.plan.tuning.parameters {
            check_parameter(cx, &prefixes, "tuning.parameters", name, value, out);
        }
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            let base = format!("topology.replicas[{i}].parameters");
            for (name, value) in &replica.parameters {
                check_parameter(cx, &prefixes, &base, name, value, out);
            }
        }
        check_derived(cx.settings.catalog(), cx.settings.iter(), out);
    }
}

/// The parameter prefix a library defines, where it differs from the
/// library's name.
fn prefix_of_library(library: &str) -> &str {
    match library {
        "pg_cron" => "cron",
        "pg_squeeze" => "squeeze",
        "pg_duckdb" => "duckdb",
        other => other,
    }
}

/// Prefixes of custom parameters that something in the plan defines.
fn custom_prefixes(cx: &Context<'_>) -> BTreeSet<String> {
    let mut prefixes: BTreeSet<String> = cx
        .settings
        .preload_libraries()
        .iter()
        .map(|l| prefix_of_library(l).to_owned())
        .collect();
    prefixes.extend(
        cx.plan
            .extensions()
            .map(|(_, e)| e.name.as_str().replace('-', "_")),
    );
    if cx.plan.platform.azure().is_some() {
        // azure.extensions, azure.accepted_password_auth_method, …, and
        // the service's metrics.* switches (metrics.collector_database_activity).
        prefixes.insert("azure".to_owned());
        prefixes.insert("metrics".to_owned());
    }
    prefixes
}

/// What a parameter accepts, for help texts.
fn accepted(spec: &ParamSpec) -> String {
    match spec.vartype {
        VarType::Bool => "on or off".to_owned(),
        VarType::Enum => format!("one of {}", spec.enumvals.join(", ")),
        VarType::String => "text".to_owned(),
        VarType::Integer | VarType::Real => match (spec.min, spec.max) {
            (Some(min), Some(max)) => format!(
                "a value from {} to {}",
                spec.describe_amount(min),
                spec.describe_amount(max)
            ),
            _ => "a number".to_owned(),
        },
    }
}

fn check_parameter(
    cx: &Context<'_>,
    prefixes: &BTreeSet<String>,
    base: &str,
    name: &GucName,
    value: &ParamValue,
    out: &mut Findings<'_>,
) {
    let catalog = cx.settings.catalog();
    let major = catalog.major();
    let path = format!("{base}.{name}");
    if let Some(spec) = catalog.get(name.as_str()) {
        if spec.context == GucContext::Internal {
            out.error(                path,
                format!(
                    "`{name}` cannot be set: it is fixed when PostgreSQL is built or the cluster is initialised (context internal)"
                ),
                format!("remove {name}"));
            return;
        }
        if let Err(e) = spec.parse_value(value.as_str()) {
            out.error(
                path,
                format!("{name} = {value} is not valid in PostgreSQL {major}: {e}"),
                format!("{name} takes {}", accepted(spec)),
            );
        }
        return;
    }
    if name.is_custom() {
        let prefix = name.as_str().split('.').next().unwrap_or_default();
        if !prefixes.contains(prefix) {
            out.warning(                path,
                format!(
                    "`{name}`: no planned extension or preloaded library defines `{prefix}.` parameters, so PostgreSQL keeps it as a placeholder that does nothing"
                ),
                format!(
                    "check the spelling, or add the extension or library that defines `{prefix}.` (databases[].extensions, shared_preload_libraries)"
                ));
        }
        return;
    }
    // Server properties on Azure are PGP009's, with the field they belong to.
    if cx.plan.platform.azure().is_some()
        && azure_facts::server_property_for(name.as_str()).is_some()
    {
        return;
    }
    // Parameters only Azure has (require_secure_transport) take on/off.
    if cx.plan.platform.azure().is_some()
        && azure_facts::AZURE_ONLY_PARAMETERS.contains(&name.as_str())
    {
        if crate::catalog::parse_bool(value.as_str()).is_none() {
            out.error(
                path,
                format!("{name} = {value} is not valid on Azure: it takes on or off"),
                format!("set {name} to on or off"),
            );
        }
        return;
    }
    let elsewhere: Vec<String> = (14..=18)
        .filter(|m| *m != major)
        .filter(|m| Catalog::for_major(*m).is_some_and(|c| c.get(name.as_str()).is_some()))
        .map(|m| m.to_string())
        .collect();
    let note = if elsewhere.is_empty() {
        String::new()
    } else {
        format!(" (PostgreSQL {} has it)", elsewhere.join(", "))
    };
    let suggestions = catalog.suggest(name.as_str());
    let help = if !suggestions.is_empty() {
        format!("did you mean {}?", suggestions.join(", "))
    } else if !elsewhere.is_empty() {
        format!(
            "remove it, or plan a version that has it ({})",
            elsewhere.join(", ")
        )
    } else {
        format!("remove it; the names PostgreSQL {major} knows are those in pg_settings")
    };
    out.error(
        path,
        format!("unknown parameter `{name}` in PostgreSQL {major}{note}"),
        help,
    );
}

/// Derived settings the catalog rejects. Takes the settings rather than the
/// context so that a bad derivation can be tested without one.
fn check_derived<'a>(
    catalog: &Catalog,
    settings: impl Iterator<Item = &'a Setting>,
    out: &mut Findings<'_>,
) {
    for setting in settings {
        let Provenance::Derived { formula, .. } = &setting.provenance else {
            continue;
        };
        let Some(spec) = catalog.get(&setting.name) else {
            continue;
        };
        if let Err(e) = spec.parse_value(&setting.value) {
            out.error(                format!("tuning.parameters.{}", setting.name),
                format!(
                    "pgplan derived {} = {} ({formula}), which PostgreSQL {} rejects: {e}",
                    setting.name,
                    setting.value,
                    catalog.major()
                ),
                format!(
                    "this is a pgplan bug: please report it with the plan; until it is fixed, set tuning.parameters.{} explicitly ({})",
                    setting.name,
                    accepted(spec)
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Bytes, Extension, MajorVersion, ReadReplica, Resources, Sizing};

    #[test]
    fn reference_plans_pass() {
        let d = run(&Parameters, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&Parameters, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&Parameters, &seed_000_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn unknown_names_get_did_you_mean() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("shared_buffer", "256MB")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_buffer");
        assert_eq!(
            d[0].message,
            "unknown parameter `shared_buffer` in PostgreSQL 14"
        );
        assert_eq!(d[0].help, "did you mean shared_buffers?");
    }

    #[test]
    fn names_from_other_versions_say_which() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("reserved_connections", "5")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("unknown parameter `reserved_connections` in PostgreSQL 14 (PostgreSQL 16, 17, 18 has it)"),
            "{}",
            d[0].message
        );
        plan.version = MajorVersion::new(16).unwrap();
        assert!(run(&Parameters, &plan).is_empty());
    }

    #[test]
    fn values_fit_type_unit_and_range() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(
            &mut plan,
            &[
                ("work_mem", "1kB"),
                ("wal_level", "archive"),
                ("fsync", "maybe"),
                ("max_connections", "lots"),
            ],
        );
        let d = run(&Parameters, &plan);
        let wm = diagnostic_at(&d, "tuning.parameters.work_mem");
        assert_eq!(wm.severity, Severity::Error);
        assert!(
            wm.message.contains(
                "work_mem = 1kB is not valid in PostgreSQL 14: `1kB` is below the minimum 64kB"
            ),
            "{}",
            wm.message
        );
        assert!(wm.help.contains("a value from 64kB to"), "{}", wm.help);
        let wal = diagnostic_at(&d, "tuning.parameters.wal_level");
        assert!(
            wal.message.contains("`archive` is not one of"),
            "{}",
            wal.message
        );
        assert!(
            wal.help.contains("one of minimal, replica, logical"),
            "{}",
            wal.help
        );
        assert!(
            diagnostic_at(&d, "tuning.parameters.fsync")
                .help
                .contains("on or off")
        );
        assert!(
            diagnostic_at(&d, "tuning.parameters.max_connections")
                .message
                .contains("`lots`")
        );
        assert_eq!(d.len(), 4, "{d:#?}");
    }

    #[test]
    fn internal_parameters_cannot_be_set() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("wal_segment_size", "64MB")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("context internal"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn custom_parameters_need_a_definer() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(
            &mut plan,
            &[
                ("pg_stat_statements.track", "all"),
                ("pgaudit.log", "ddl"),
                ("auto_explain.log_min_duration", "1s"),
            ],
        );
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let audit = diagnostic_at(&d, "tuning.parameters.pgaudit.log");
        assert_eq!(audit.severity, Severity::Warning);
        assert!(
            audit.message.contains("`pgaudit.` parameters"),
            "{}",
            audit.message
        );
        // Preloading the libraries defines their prefixes.
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "pgaudit,auto_explain")],
        );
        assert!(run(&Parameters, &plan).is_empty());
        // So does a planned extension.
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions.push(
            Extension::builder()
                .name("pg_trgm".parse().unwrap())
                .build(),
        );
        set_parameters(&mut plan, &[("pg_trgm.similarity_threshold", "0.4")]);
        assert!(run(&Parameters, &plan).is_empty());
        // And on Azure, the service's own.
        let mut plan = azure_reference_plan();
        set_parameters(
            &mut plan,
            &[("azure.accepted_password_auth_method", "SCRAM-SHA-256")],
        );
        assert!(run(&Parameters, &plan).is_empty());
    }

    #[test]
    fn catalog_values_are_checked_too() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("pg_stat_statements.track", "everything")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].help.contains("one of none, top, all"), "{}", d[0].help);
    }

    #[test]
    fn replica_parameters_are_checked() {
        let mut plan = kubernetes_reference_plan();
        let mut replica = ReadReplica::builder().name("replica-1").build();
        replica
            .parameters
            .insert("hot_standby_feedbak".parse().unwrap(), "on".into());
        plan.topology.replicas = vec![replica];
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(
            d[0].path,
            "topology.replicas[0].parameters.hot_standby_feedbak"
        );
        assert_eq!(d[0].help, "did you mean hot_standby_feedback?");
    }

    #[test]
    fn azure_server_properties_are_left_to_pgp009() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("backup_retention_days", "35")]);
        assert!(run(&Parameters, &plan).is_empty());
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("backup_retention_days", "35")]);
        assert_eq!(run(&Parameters, &plan).len(), 1);
    }

    #[test]
    fn derived_values_outside_the_catalog_are_reported_as_bugs() {
        let catalog = Catalog::for_major(14).unwrap();
        let derived = |name: &str, value: &str| Setting {
            name: name.to_owned(),
            value: value.to_owned(),
            provenance: Provenance::Derived {
                formula: "25% of RAM, in 8kB pages".to_owned(),
                inputs: vec![],
            },
        };
        let settings = [
            derived("shared_buffers", "16TB"),
            derived("work_mem", "4MB"),
            Setting {
                provenance: Provenance::Explicit,
                ..derived("work_mem", "1kB")
            },
        ];
        let mut d = Vec::new();
        check_derived(
            catalog,
            settings.iter(),
            &mut crate::validate::Findings::new(&INFO, &mut d),
        );
        assert_eq!(d.len(), 1, "{d:#?}");
        let sb = &d[0];
        assert_eq!(sb.severity, Severity::Error);
        assert_eq!(sb.path, "tuning.parameters.shared_buffers");
        assert!(
            sb.message
                .contains("pgplan derived shared_buffers = 16TB (25% of RAM, in 8kB pages), which PostgreSQL 14 rejects: `16TB` is above the maximum"),
            "{}",
            sb.message
        );
        assert!(sb.help.contains("this is a pgplan bug"), "{}", sb.help);
        assert!(
            sb.help
                .contains("set tuning.parameters.shared_buffers explicitly"),
            "{}",
            sb.help
        );
    }

    #[test]
    fn huge_servers_derive_values_the_catalog_accepts() {
        let mut plan = kubernetes_reference_plan();
        plan.sizing = Sizing::builder()
            .memory(Resources::builder().request(Bytes::tib(64)).build())
            .build();
        let d = run(&Parameters, &plan);
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn azure_only_parameters_are_known_on_azure_only() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("require_secure_transport", "off")]);
        assert!(run(&Parameters, &plan).is_empty());
        set_parameters(&mut plan, &[("require_secure_transport", "sometimes")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("on or off"), "{}", d[0].message);

        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("require_secure_transport", "on")]);
        let d = run(&Parameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("unknown parameter"),
            "{}",
            d[0].message
        );
    }
}
