//! PGP009 azure (parameters): how server parameters reach a Flexible Server
//! (the configurations API, never ALTER SYSTEM), server properties mistaken
//! for parameters, read-only parameters, Azure's max_connections range
//! (shared_buffers' range is PGP003's), the extension
//! allow-list (`azure.extensions`), pg_stat_statements' preload and tracking,
//! and the libraries Azure lets a server preload.

use std::collections::BTreeSet;

use crate::azure_facts;
use crate::model::tuning::SettingsMethod;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP009, server parameters and extensions.
pub struct AzureParameters;

const ID: &str = "PGP009";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-parameters",
    summary: "Azure server parameters go through the configurations API, within Azure's ranges; extensions and preload libraries must be allow-listed",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if cx.plan.platform.azure().is_none() {
            return;
        }
        check_method(cx, out);
        check_server_properties(cx, out);
        check_read_only(cx, out);
        check_max_connections(cx, out);
        check_extensions(cx, out);
        check_pg_stat_statements(cx, out);
        check_preload_libraries(cx, out);
    }
}

const THROUGH_THE_SERVICE: &str = "remove tuning.method (or set it to service_api): pgplan sends every parameter through the configurations API, as `az postgres flexible-server parameter set` does; static parameters take effect at the next restart";

fn check_method(cx: &Context<'_>, out: &mut Findings<'_>) {
    let message = match cx.plan.tuning.method {
        Some(SettingsMethod::AlterSystem) => {
            "tuning.method is alter_system, but ALTER SYSTEM cannot run on Flexible Server: the administrator is not a superuser (it is a member of azure_pg_admin; only the service holds azuresu)"
        }
        Some(SettingsMethod::ConfigFile) => {
            "tuning.method is config_file, but Flexible Server has no postgresql.conf to edit, and ALTER SYSTEM cannot run there either: the administrator is not a superuser (it is a member of azure_pg_admin; only the service holds azuresu)"
        }
        Some(SettingsMethod::ServiceApi) | None => return,
    };
    out.error("tuning.method", message, THROUGH_THE_SERVICE);
}

fn check_server_properties(cx: &Context<'_>, out: &mut Findings<'_>) {
    let replicas = cx
        .plan
        .topology
        .replicas
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.parameters
                .iter()
                .map(move |(k, v)| (format!("topology.replicas[{i}].parameters"), k, v))
        });
    let params = cx
        .plan
        .tuning
        .parameters
        .iter()
        .map(|(k, v)| ("tuning.parameters".to_owned(), k, v))
        .chain(replicas);
    for (base, name, value) in params {
        if let Some(field) = azure_facts::server_property_for(name.as_str()) {
            out.error(                format!("{base}.{name}"),
                format!(
                    "`{name}` is a property of the server, not a server parameter: the configurations API has no parameter of that name"
                ),
                format!("remove it from {base} and set {field} instead (here: {value})"));
        }
    }
}

fn check_read_only(cx: &Context<'_>, out: &mut Findings<'_>) {
    for name in azure_facts::READ_ONLY_PARAMETERS {
        if cx.plan.tuning.explicit(name).is_some() {
            out.error(                cx.param_path(name),
                format!(
                    "`{name}` is read-only on Flexible Server (Azure holds {} connection slots back: reserved_connections 5, superuser_reserved_connections 10; ssl is always on)",
                    azure_facts::RESERVED_CONNECTIONS
                ),
                format!("remove {name} from tuning.parameters"));
        }
    }
}

fn check_max_connections(cx: &Context<'_>, out: &mut Findings<'_>) {
    let Some(max_connections) = cx.settings.int("max_connections") else {
        return;
    };
    let (lo, hi) = azure_facts::MAX_CONNECTIONS_RANGE;
    if (i64::from(lo)..=i64::from(hi)).contains(&max_connections) {
        return;
    }
    let explicit = cx.settings.is_explicit("max_connections");
    let (path, fix) = if explicit {
        (
            cx.param_path("max_connections"),
            format!(
                "set max_connections between {lo} and {hi}; if the clients need more, put a pooler in front (pooler:)"
            ),
        )
    } else {
        (
            FieldPath::from("clients"),
            format!(
                "pgplan derived it from the clients' peak: put a pooler in front (pooler:) or lower the pool sizes so that {hi} connections suffice"
            ),
        )
    };
    out.error(
        path,
        format!("max_connections {max_connections} is outside Azure's {lo}–{hi}"),
        fix,
    );
}

/// `uuid_ossp` → `uuid-ossp`: an allow-listed name that differs only in
/// case, `_` or `-`.
fn allowed_spelling(name: &str) -> Option<&'static str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let wanted = norm(name);
    azure_facts::ALLOWED_EXTENSIONS
        .iter()
        .find(|a| norm(a) == wanted)
        .copied()
}

fn list_values(raw: &str) -> Vec<String> {
    raw.trim()
        .trim_matches('\'')
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn check_extensions(cx: &Context<'_>, out: &mut Findings<'_>) {
    let allowed = |name: &str| azure_facts::ALLOWED_EXTENSIONS.contains(&name);
    for (d, db) in cx.plan.databases.iter().enumerate() {
        for (e, ext) in db.extensions.iter().enumerate() {
            let name = ext.name.as_str();
            if allowed(name) {
                continue;
            }
            let help = match allowed_spelling(name) {
                Some(spelling) => format!("did you mean `{spelling}`?"),
                None => "Azure creates only allow-listed extensions (the allowed values of azure.extensions): remove it, use an allowed alternative, or run on the kubernetes platform".to_owned(),
            };
            out.error(                format!("databases[{d}].extensions[{e}].name"),
                format!(
                    "extension `{name}` in database {} is not on Azure's allow-list: CREATE EXTENSION fails",
                    db.name
                ),
                help);
        }
    }
    let Some(explicit) = cx.plan.tuning.explicit("azure.extensions") else {
        return;
    };
    let path = cx.param_path("azure.extensions");
    let listed = list_values(explicit.as_str());
    let not_allowed: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|l| !allowed(l))
        .collect();
    if !not_allowed.is_empty() {
        out.error(
            path.clone(),
            format!(
                "azure.extensions lists {} that Azure does not allow",
                not_allowed.join(", ")
            ),
            "remove them; the service rejects a value outside the allowed list",
        );
    }
    let used: BTreeSet<&str> = cx
        .plan
        .extensions()
        .map(|(_, e)| e.name.as_str())
        .filter(|n| *n != "plpgsql")
        .collect();
    let missing: Vec<&str> = used
        .iter()
        .copied()
        .filter(|u| !listed.iter().any(|l| l == &u.to_ascii_lowercase()))
        .collect();
    if !missing.is_empty() {
        let mut all: Vec<String> = listed.clone();
        all.extend(missing.iter().map(|m| (*m).to_owned()));
        out.error(            path,
            format!(
                "azure.extensions is set to `{explicit}` but the plan's databases also use {}: CREATE EXTENSION fails for extensions not on the list",
                missing.join(", ")
            ),
            format!(
                "set azure.extensions: '{}', or remove it and let pgplan derive it from the databases",
                all.join(",")
            ));
    }
}

fn check_pg_stat_statements(cx: &Context<'_>, out: &mut Findings<'_>) {
    let databases: Vec<&str> = cx
        .plan
        .extensions()
        .filter(|(_, e)| e.name.as_str() == "pg_stat_statements")
        .map(|(d, _)| d.name.as_str())
        .collect();
    if databases.is_empty() {
        return;
    }
    let libraries = cx.settings.preload_libraries();
    let preloaded = libraries.iter().any(|l| l == "pg_stat_statements");
    let track = cx
        .settings
        .text("pg_stat_statements.track")
        .unwrap_or_else(|| "none".into())
        .to_ascii_lowercase();
    let track_explicit = cx.settings.is_explicit("pg_stat_statements.track");
    let tracks = track_explicit && matches!(track.as_str(), "top" | "all");
    if preloaded && tracks {
        return;
    }
    let preload_state = if preloaded {
        "shared_preload_libraries includes it".to_owned()
    } else {
        format!(
            "shared_preload_libraries (`{}`) does not include it",
            libraries.join(",")
        )
    };
    let track_state = if !track_explicit {
        "pg_stat_statements.track is not set, and Azure's default is none".to_owned()
    } else {
        format!("pg_stat_statements.track is `{track}`")
    };
    let mut preload_fix = libraries.clone();
    if !preloaded {
        preload_fix.push("pg_stat_statements".into());
    }
    let path = if preloaded {
        cx.param_path("pg_stat_statements.track")
    } else {
        cx.param_path("shared_preload_libraries")
    };
    out.error(        path,
        format!(
            "database {} uses pg_stat_statements, but on Azure it collects nothing this way: {preload_state}; {track_state}",
            databases.join(", ")
        ),
        format!(
            "keep pg_stat_statements in shared_preload_libraries (shared_preload_libraries: '{}'; a restart) and set pg_stat_statements.track: top (or all) in tuning.parameters",
            preload_fix.join(",")
        ));
}

fn check_preload_libraries(cx: &Context<'_>, out: &mut Findings<'_>) {
    let libraries = cx.settings.preload_libraries();
    let not_allowed: Vec<&str> = libraries
        .iter()
        .map(String::as_str)
        .filter(|l| !azure_facts::ALLOWED_PRELOAD_LIBRARIES.contains(l))
        .collect();
    if not_allowed.is_empty() {
        return;
    }
    let path = if cx.settings.is_explicit("shared_preload_libraries") {
        cx.param_path("shared_preload_libraries")
    } else {
        FieldPath::from("databases")
    };
    out.error(
        path,
        format!(
            "shared_preload_libraries has {} that Azure does not let a server preload",
            not_allowed.join(", ")
        ),
        format!(
            "remove {}; Azure preloads only {}",
            not_allowed.join(", "),
            azure_facts::ALLOWED_PRELOAD_LIBRARIES.join(", ")
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Extension, ReadReplica};

    fn messages(d: &[Diagnostic]) -> String {
        d.iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn reference_plan_passes() {
        let d = run(&AzureParameters, &azure_reference_plan());
        assert!(d.is_empty(), "{}", messages(&d));
        assert!(run(&AzureParameters, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn seed_001_alter_system_cannot_run_on_flexible_server() {
        for (method, word) in [
            (SettingsMethod::AlterSystem, "alter_system"),
            (SettingsMethod::ConfigFile, "config_file"),
        ] {
            let mut plan = azure_reference_plan();
            plan.tuning.method = Some(method);
            let d = run(&AzureParameters, &plan);
            assert_eq!(d.len(), 1, "{}", messages(&d));
            assert_eq!(d[0].severity, Severity::Error);
            assert_eq!(d[0].path, "tuning.method");
            assert!(d[0].message.contains(word), "{}", d[0].message);
            assert!(
                d[0].message.contains("ALTER SYSTEM cannot run")
                    && d[0].message.contains("not a superuser"),
                "{}",
                d[0].message
            );
            assert!(d[0].help.contains("configurations API"), "{}", d[0].help);
            assert!(
                d[0].help
                    .contains("az postgres flexible-server parameter set"),
                "{}",
                d[0].help
            );
        }
        let mut plan = azure_reference_plan();
        plan.tuning.method = Some(SettingsMethod::ServiceApi);
        assert!(run(&AzureParameters, &plan).is_empty());
    }

    #[test]
    fn seed_001_backup_retention_days_is_a_server_property() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("backup_retention_days", "35")]);
        plan.topology.replicas = vec![ReadReplica::builder().name("bill-replica").build()];
        plan.topology.replicas[0]
            .parameters
            .insert("sku_name".parse().unwrap(), "Standard_D2s_v3".into());
        let d = run(&AzureParameters, &plan);
        let p = diagnostic_at(&d, "tuning.parameters.backup_retention_days");
        assert_eq!(p.severity, Severity::Error);
        assert!(
            p.message.contains("property of the server"),
            "{}",
            p.message
        );
        assert!(
            p.help
                .contains("set backups.managed.retention_days instead (here: 35)"),
            "{}",
            p.help
        );
        let r = diagnostic_at(&d, "topology.replicas[0].parameters.sku_name");
        assert!(r.help.contains("platform.azure.sku"), "{}", r.help);
        assert_eq!(d.len(), 2, "{}", messages(&d));
    }

    #[test]
    fn read_only_parameters() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("superuser_reserved_connections", "3")]);
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        assert_eq!(
            d[0].path,
            "tuning.parameters.superuser_reserved_connections"
        );
        assert!(d[0].message.contains("read-only"), "{}", d[0].message);
    }

    #[test]
    fn max_connections_between_25_and_5000() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("max_connections", "6000")]);
        let d = run(&AzureParameters, &plan);
        let d = diagnostic_at(&d, "tuning.parameters.max_connections");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("max_connections 6000 is outside Azure's 25–5000")
        );

        // Derived from 400 pods × 15: pgplan's derivation overshoots the limit.
        let mut plan = azure_reference_plan();
        plan.tuning
            .parameters
            .remove(&crate::GucName::new("max_connections").unwrap());
        plan.clients[0].replicas.max = 400;
        plan.clients[0].pool_size = 15;
        let d = run(&AzureParameters, &plan);
        let d = diagnostic_at(&d, "clients");
        assert!(
            d.message.contains("outside Azure's 25–5000"),
            "{}",
            d.message
        );
        assert!(d.help.contains("pooler"), "{}", d.help);

        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("max_connections", "20")]);
        assert_eq!(run(&AzureParameters, &plan).len(), 1);
    }

    #[test]
    fn extensions_must_be_allow_listed() {
        let mut plan = azure_reference_plan();
        plan.databases[0].extensions.push(
            Extension::builder()
                .name("uuid_ossp".parse().unwrap())
                .build(),
        );
        plan.databases[0].extensions.push(
            Extension::builder()
                .name("pg_bigm".parse().unwrap())
                .build(),
        );
        let d = run(&AzureParameters, &plan);
        let typo = diagnostic_at(&d, "databases[0].extensions[3].name");
        assert_eq!(typo.severity, Severity::Error);
        assert!(
            typo.message
                .contains("`uuid_ossp` in database bill_inquiry_db")
        );
        assert_eq!(typo.help, "did you mean `uuid-ossp`?");
        let other = diagnostic_at(&d, "databases[0].extensions[4].name");
        assert!(other.help.contains("allow-listed"), "{}", other.help);
        assert_eq!(d.len(), 2, "{}", messages(&d));
    }

    #[test]
    fn explicit_azure_extensions_must_cover_every_extension() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("azure.extensions", "pg_trgm,pgcrypto")]);
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        assert_eq!(d[0].path, "tuning.parameters.azure.extensions");
        assert!(
            d[0].message
                .contains("also use pg_stat_statements, uuid-ossp"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("azure.extensions: 'pg_trgm,pgcrypto,pg_stat_statements,uuid-ossp'"),
            "{}",
            d[0].help
        );
        set_parameters(
            &mut plan,
            &[(
                "azure.extensions",
                "PG_TRGM, pg_stat_statements,uuid-ossp,timescale",
            )],
        );
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        assert!(d[0].message.contains("lists timescale"), "{}", d[0].message);
    }

    #[test]
    fn pg_stat_statements_needs_preload_and_track() {
        // Track not set: Azure's default `none` collects nothing.
        let mut plan = azure_reference_plan();
        plan.tuning
            .parameters
            .remove(&crate::GucName::new("pg_stat_statements.track").unwrap());
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "tuning.parameters.pg_stat_statements.track");
        assert!(
            d.message
                .contains("database bill_inquiry_db uses pg_stat_statements")
        );
        assert!(
            d.message.contains("shared_preload_libraries includes it"),
            "{}",
            d.message
        );
        assert!(
            d.message
                .contains("track is not set, and Azure's default is none"),
            "{}",
            d.message
        );
        assert!(
            d.help.contains("pg_stat_statements.track: top"),
            "{}",
            d.help
        );

        // Explicit preload without it, and track none.
        let mut plan = azure_reference_plan();
        set_parameters(
            &mut plan,
            &[
                ("shared_preload_libraries", "pg_cron"),
                ("pg_stat_statements.track", "none"),
            ],
        );
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        assert_eq!(d[0].path, "tuning.parameters.shared_preload_libraries");
        assert!(
            d[0].message
                .contains("shared_preload_libraries (`pg_cron`) does not include it"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("track is `none`"), "{}", d[0].message);
        assert!(
            d[0].help
                .contains("shared_preload_libraries: 'pg_cron,pg_stat_statements'"),
            "{}",
            d[0].help
        );

        set_parameters(
            &mut plan,
            &[
                ("shared_preload_libraries", "pg_cron,pg_stat_statements"),
                ("pg_stat_statements.track", "all"),
            ],
        );
        assert!(run(&AzureParameters, &plan).is_empty());
    }

    #[test]
    fn preload_libraries_must_be_allowed() {
        let mut plan = azure_reference_plan();
        set_parameters(
            &mut plan,
            &[(
                "shared_preload_libraries",
                "pg_stat_statements,pg_bigm,citus",
            )],
        );
        let d = run(&AzureParameters, &plan);
        assert_eq!(d.len(), 1, "{}", messages(&d));
        assert_eq!(d[0].path, "tuning.parameters.shared_preload_libraries");
        assert!(
            d[0].message.contains("has pg_bigm, citus"),
            "{}",
            d[0].message
        );
    }
}
