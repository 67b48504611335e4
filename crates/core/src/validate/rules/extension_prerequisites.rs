//! PGP016 extension-prerequisites (all platforms): what an extension needs
//! before `CREATE EXTENSION` works.
//!
//! - An extension that needs a library in `shared_preload_libraries`
//!   ([`preload_library_for`]): when the plan sets the parameter explicitly,
//!   the library must be in it (error). When the parameter is derived, pgplan
//!   adds the library itself, so there is nothing to report. (On Azure,
//!   pg_stat_statements is PGP009's, which also checks its tracking.)
//! - An extension's schema must be `public`, `pg_catalog` or a planned schema
//!   of its database (error).
//! - An extension is listed once per database (error).

use std::collections::BTreeMap;

use crate::model::databases::preload_library_for;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP016.
pub struct ExtensionPrerequisites;

const ID: &str = "PGP016";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "extension-prerequisites",
    summary: "extensions that need a preloaded library have it in shared_preload_libraries, and live in a planned schema",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for ExtensionPrerequisites {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        check_preload(cx, out);
        check_schemas(cx, out);
    }
}

fn check_preload(cx: &Context<'_>, out: &mut Findings<'_>) {
    if !cx.settings.is_explicit("shared_preload_libraries") {
        return;
    }
    let libraries = cx.settings.preload_libraries();
    let on_azure = cx.plan.platform.azure().is_some();
    // Missing library → the extensions (with their databases) that need it.
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (db, ext) in cx.plan.extensions() {
        let Some(library) = preload_library_for(ext.name.as_str()) else {
            continue;
        };
        if on_azure && library == "pg_stat_statements" {
            continue;
        }
        if !libraries.iter().any(|l| l == library) {
            missing
                .entry(library)
                .or_default()
                .push(format!("{} in {}", ext.name, db.name));
        }
    }
    if missing.is_empty() {
        return;
    }
    let mut fixed = libraries.clone();
    fixed.extend(missing.keys().map(|l| (*l).to_owned()));
    let needs: Vec<String> = missing
        .iter()
        .map(|(library, users)| format!("{library} (for {})", users.join(", ")))
        .collect();
    out.error(        cx.param_path("shared_preload_libraries"),
        format!(
            "shared_preload_libraries is `{}` but the plan's extensions need {}: CREATE EXTENSION fails or the extension does nothing without its library",
            libraries.join(","),
            needs.join("; ")
        ),
        format!(
            "set shared_preload_libraries: '{}' (a restart), or remove it and let pgplan derive it",
            fixed.join(",")
        ));
}

fn check_schemas(cx: &Context<'_>, out: &mut Findings<'_>) {
    for (d, db) in cx.plan.databases.iter().enumerate() {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (e, ext) in db.extensions.iter().enumerate() {
            let path = format!("databases[{d}].extensions[{e}]");
            if let Some(first) = seen.insert(ext.name.as_str(), e) {
                seen.insert(ext.name.as_str(), first);
                out.error(                    format!("{path}.name"),
                    format!(
                        "extension {} is listed twice in {} (extensions[{first}] and extensions[{e}])",
                        ext.name, db.name
                    ),
                    "keep one entry; an extension exists once per database");
            }
            let Some(schema) = &ext.schema else {
                continue;
            };
            let name = schema.as_str();
            if name == "public"
                || name == "pg_catalog"
                || db.schemas.iter().any(|s| &s.name == schema)
            {
                continue;
            }
            let planned: Vec<&str> = std::iter::once("public")
                .chain(db.schemas.iter().map(|s| s.name.as_str()))
                .collect();
            out.error(                format!("{path}.schema"),
                format!(
                    "extension {} is to be created in schema {schema}, which {} does not have: CREATE EXTENSION … SCHEMA {schema} fails",
                    ext.name, db.name
                ),
                format!(
                    "add schema {schema} to the database's schemas, or use a planned schema ({})",
                    planned.join(", ")
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Extension, Schema};

    fn extension(name: &str) -> Extension {
        Extension::builder().name(name.parse().unwrap()).build()
    }

    #[test]
    fn reference_plans_pass() {
        assert!(run(&ExtensionPrerequisites, &azure_reference_plan()).is_empty());
        assert!(run(&ExtensionPrerequisites, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn derived_preload_adds_the_library() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions = vec![extension("pg_cron"), extension("pgaudit")];
        assert!(run(&ExtensionPrerequisites, &plan).is_empty());
        let settings = plan.settings();
        assert_eq!(settings.preload_libraries(), ["pg_cron", "pgaudit"]);
    }

    #[test]
    fn explicit_preload_must_include_the_library() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions = vec![
            extension("pg_cron"),
            extension("pg_stat_statements"),
            extension("pgaudit"),
            extension("pg_trgm"),
        ];
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "pg_stat_statements")],
        );
        let d = run(&ExtensionPrerequisites, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "tuning.parameters.shared_preload_libraries");
        assert!(
            d.message.contains(
                "is `pg_stat_statements` but the plan's extensions need pg_cron (for pg_cron in product_change_db); pgaudit (for pgaudit in product_change_db)"
            ),
            "{}",
            d.message
        );
        assert!(
            d.help
                .contains("shared_preload_libraries: 'pg_stat_statements,pg_cron,pgaudit'"),
            "{}",
            d.help
        );
    }

    #[test]
    fn azure_pg_stat_statements_is_left_to_pgp009() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("shared_preload_libraries", "pg_cron")]);
        assert!(run(&ExtensionPrerequisites, &plan).is_empty());
        plan.databases[0].extensions.push(extension("pgaudit"));
        let d = run(&ExtensionPrerequisites, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("need pgaudit"), "{}", d[0].message);
    }

    #[test]
    fn extension_schema_must_be_planned() {
        let mut plan = kubernetes_reference_plan();
        let mut trgm = extension("pg_trgm");
        trgm.schema = Some("extensions".parse().unwrap());
        let mut crypto = extension("pgcrypto");
        crypto.schema = Some("product_change".parse().unwrap());
        plan.databases[0].extensions = vec![trgm, crypto];
        let d = run(&ExtensionPrerequisites, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "databases[0].extensions[0].schema");
        assert!(
            d[0].message
                .contains("schema extensions, which product_change_db does not have"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("public, product_change"),
            "{}",
            d[0].help
        );
        plan.databases[0].schemas.push(
            Schema::builder()
                .name("extensions".parse().unwrap())
                .build(),
        );
        assert!(run(&ExtensionPrerequisites, &plan).is_empty());
    }

    #[test]
    fn extensions_are_listed_once() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].extensions = vec![extension("pg_trgm"), extension("pg_trgm")];
        let d = run(&ExtensionPrerequisites, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "databases[0].extensions[1].name");
    }
}
