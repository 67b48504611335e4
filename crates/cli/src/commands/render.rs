//! `pgplan render FILE --target T --out DIR`.

use std::collections::BTreeMap;
use std::path::Path;

use pgplan_core::ValidPlan;

use crate::args::Target;
use crate::report::print_blocking;

/// Renders a target's files (pure; no IO).
pub fn render_target(plan: &ValidPlan, target: Target) -> Result<BTreeMap<String, String>, String> {
    match target {
        Target::Sql => pgplan_sql::render_files(plan).map_err(|e| e.to_string()),
        Target::K8s => {
            let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
            let opts = pgplan_k8s::RenderOptions {
                init_script: Some(init_script),
                ..Default::default()
            };
            pgplan_k8s::render_files(plan, &opts).map_err(|e| e.to_string())
        }
        Target::Azure => {
            // The Entra principals' SQL comes from the SQL backend; deploy.sh
            // runs it with psql.
            let entra = pgplan_sql::entra_principal_script(plan);
            let opts = pgplan_azure::RenderOptions {
                entra_principals: entra.as_ref(),
            };
            pgplan_azure::render_files_with(plan, &opts).map_err(|e| e.to_string())
        }
        Target::Ha => {
            let layout = pgplan_ha::local::layout_for(plan, None);
            pgplan_ha::render_files(plan, &layout).map_err(|e| e.to_string())
        }
    }
}

/// Runs the command; returns the exit code.
pub fn run(file: &Path, target: Target, out: &Path) -> u8 {
    let (plan, source) = match super::load(file) {
        Ok(x) => x,
        Err(report) => {
            eprintln!("{report:?}");
            return super::EXIT_UNREADABLE;
        }
    };
    let plan = match plan.validate() {
        Ok(valid) => {
            print_blocking(&source.locate(valid.report().clone()), &source);
            valid
        }
        Err(report) => {
            let report = source.locate(report);
            print_blocking(&report, &source);
            eprintln!(
                "{}: not rendered: fix the {} error(s) above first",
                source.name,
                report.errors().count()
            );
            return super::EXIT_ERRORS;
        }
    };
    let files = match render_target(&plan, target) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: cannot render: {e}", source.name);
            return super::EXIT_ERRORS;
        }
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("cannot create {}: {e}", out.display());
        return super::EXIT_UNREADABLE;
    }
    for (name, contents) in &files {
        let path = out.join(name);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("cannot create {}: {e}", parent.display());
            return super::EXIT_UNREADABLE;
        }
        if let Err(e) = std::fs::write(&path, contents) {
            eprintln!("cannot write {}: {e}", path.display());
            return super::EXIT_UNREADABLE;
        }
        println!("wrote {}", path.display());
    }
    0
}
