//! Plans and paths shared by the test modules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pgplan_azure::RenderOptions;
use pgplan_core::seams::{EntraPrincipal, EntraPrincipalScript};
use pgplan_core::{Plan, SecretSource, ValidPlan};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The saved Azure REST specification (API 2024-08-01).
pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/azure-spec")
}

pub fn read_plan(path: &Path) -> Plan {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every plan of examples/plans and tests/plans/pass, sorted by path.
pub fn all_plans() -> Vec<(PathBuf, Plan)> {
    let mut paths = Vec::new();
    for dir in ["examples/plans", "tests/plans/pass"] {
        let Ok(entries) = std::fs::read_dir(workspace().join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let plan = read_plan(&p);
            (p, plan)
        })
        .collect()
}

/// True for a rule's fixed example plan (`tests/plans/pass/PGP150-….yaml`):
/// small variations of one plan, rendered and checked against the spec but
/// not snapshotted.
pub fn is_rule_example(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("PGP") && n.as_bytes().get(6) == Some(&b'-'))
}

/// The plans whose platform is Azure.
pub fn azure_plans() -> Vec<(PathBuf, Plan)> {
    let plans: Vec<_> = all_plans()
        .into_iter()
        .filter(|(_, p)| p.platform.azure().is_some())
        .collect();
    assert!(
        !plans.is_empty(),
        "no Azure plan in examples/plans or tests/plans/pass"
    );
    plans
}

/// Seed 001, corrected.
pub fn seed() -> Plan {
    read_plan(&workspace().join("examples/plans/prod-bill-inquiry.yaml"))
}

/// A short name for messages.
pub fn name(path: &Path) -> String {
    path.strip_prefix(workspace())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A stand-in for the SQL backend's Entra principal script of a plan: this
/// crate may not use the SQL backend (backends never depend on each other),
/// so its tests hand `deploy.sh` this script, which only names the
/// principals. The workspace test `tests/azure_deploy.rs` runs the real one.
pub fn entra_stand_in(plan: &ValidPlan) -> Option<EntraPrincipalScript> {
    let principals: Vec<EntraPrincipal> = plan
        .roles
        .iter()
        .filter_map(|r| match &r.password {
            Some(SecretSource::EntraIdentity { principal }) => Some(EntraPrincipal {
                role: r.name.clone(),
                identity: principal.clone(),
                object_id_variable: format!(
                    "oid_{}",
                    r.name
                        .as_str()
                        .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                ),
            }),
            _ => None,
        })
        .collect();
    if principals.is_empty() {
        return None;
    }
    let mut sql = String::from(
        "-- stand-in for pgplan_sql::entra_principal_script\n\\set ON_ERROR_STOP on\n",
    );
    for p in &principals {
        sql.push_str(&format!(
            "SELECT :'{}' AS object_id;\n",
            p.object_id_variable
        ));
    }
    Some(EntraPrincipalScript {
        sql,
        database: "postgres".into(),
        principals,
    })
}

/// `operations.json` and `deploy.sh` of a plan, with the Entra stand-in.
pub fn render(plan: &ValidPlan) -> BTreeMap<String, String> {
    let entra = entra_stand_in(plan);
    pgplan_azure::render_files_with(
        plan,
        &RenderOptions {
            entra_principals: entra.as_ref(),
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", plan.service))
}
