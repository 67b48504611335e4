//! The parameter catalog compiled into pgplan-core matches each server's
//! pg_settings: name, vartype, unit, min, max, enumvals and context.

use std::collections::BTreeMap;

use pgplan_core::Catalog;
use pgplan_core::catalog::VarType;

use super::support::{self, connect};

fn vartype(v: VarType) -> &'static str {
    match v {
        VarType::Bool => "bool",
        VarType::Integer => "integer",
        VarType::Real => "real",
        VarType::String => "string",
        VarType::Enum => "enum",
    }
}

fn number(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.parse().ok())
}

async fn catalog_matches(major: u32) {
    let pg = support::server(major);
    let client = connect(pg, "postgres").await;
    let rows = client
        .query(
            "SELECT name, vartype, unit, min_val, max_val, enumvals, context FROM pg_settings",
            &[],
        )
        .await
        .unwrap();
    let catalog = Catalog::for_major(major as u16).unwrap();
    let mut differences = Vec::new();
    let mut seen = BTreeMap::new();
    for r in &rows {
        let name: String = r.get(0);
        seen.insert(name.to_ascii_lowercase(), ());
        let Some(spec) = catalog.get(&name) else {
            differences.push(format!("{name}: on the server, not in the catalog"));
            continue;
        };
        let mut diff = |what: &str, server: String, ours: String| {
            if server != ours {
                differences.push(format!(
                    "{name}.{what}: server `{server}`, catalog `{ours}`"
                ));
            }
        };
        diff("name", name.clone(), spec.name.to_owned());
        diff(
            "vartype",
            r.get::<_, String>(1),
            vartype(spec.vartype).into(),
        );
        diff(
            "unit",
            r.get::<_, Option<String>>(2).unwrap_or_default(),
            spec.unit_text.unwrap_or_default().to_owned(),
        );
        let (min, max): (Option<String>, Option<String>) = (r.get(3), r.get(4));
        diff(
            "min",
            format!("{:?}", number(min.as_deref())),
            format!("{:?}", spec.min),
        );
        diff(
            "max",
            format!("{:?}", number(max.as_deref())),
            format!("{:?}", spec.max),
        );
        // The catalog lists the values PostgreSQL's sources define; a build
        // without lz4, zstd or liburing shows fewer (build-options.tsv).
        let built: Vec<&str> = spec
            .enumvals
            .iter()
            .copied()
            .filter(|v| {
                pgplan_core::catalog::build_option(&name, v, major as u16).is_none()
                    || r.get::<_, Option<Vec<String>>>(5)
                        .unwrap_or_default()
                        .iter()
                        .any(|s| s == v)
            })
            .collect();
        diff(
            "enumvals",
            r.get::<_, Option<Vec<String>>>(5)
                .unwrap_or_default()
                .join(","),
            built.join(","),
        );
        diff(
            "context",
            r.get::<_, String>(6),
            spec.context.as_str().into(),
        );
    }
    for (name, _) in catalog.iter() {
        if !seen.contains_key(name) {
            differences.push(format!("{name}: in the catalog, not on the server"));
        }
    }
    assert!(
        differences.is_empty(),
        "PostgreSQL {} ({}) differs from the catalog in {} place(s):\n{}",
        major,
        pg.version(),
        differences.len(),
        differences.join("\n")
    );
}

#[tokio::test]
async fn parameter_catalog_matches_pg_settings_postgres_14() {
    catalog_matches(14).await;
}
#[tokio::test]
async fn parameter_catalog_matches_pg_settings_postgres_15() {
    catalog_matches(15).await;
}
#[tokio::test]
async fn parameter_catalog_matches_pg_settings_postgres_17() {
    catalog_matches(17).await;
}
