//! `pgplan render FILE --target T --out DIR [--force]`.

use std::collections::BTreeMap;
use std::path::Path;

use pgplan_core::ValidPlan;

use crate::args::Target;
use crate::write_out::{MANIFEST, WriteError, write_files};

/// Renders a target's files (pure; no IO).
pub fn render_target(plan: &ValidPlan, target: Target) -> Result<BTreeMap<String, String>, String> {
    match target {
        Target::Sql => pgplan_sql::render_files(plan).map_err(|e| e.to_string()),
        Target::K8s => {
            let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
            let opts = pgplan_k8s::RenderOptions {
                init_script: Some(init_script),
                migrations: pgplan_sql::migration_runner_for_job(plan),
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
pub fn run(file: &Path, target: Target, out: &Path, force: bool) -> u8 {
    let plan = match super::load_valid(file) {
        Ok(plan) => plan,
        Err(code) => {
            if code == super::EXIT_ERRORS {
                crate::out::error(&format!("{}: not rendered", file.display()));
            }
            return code;
        }
    };
    let files = match render_target(&plan, target) {
        Ok(f) => f,
        Err(e) => {
            crate::out::error(&format!("{}: cannot render: {e}", file.display()));
            return super::EXIT_ERRORS;
        }
    };
    match write_files(out, &files, force) {
        Ok(w) => {
            for name in &w.written {
                crate::out::line(&format!("wrote {}", out.join(name).display()));
            }
            for name in &w.removed {
                crate::out::line(&format!(
                    "removed {} (an earlier render wrote it; this one does not)",
                    out.join(name).display()
                ));
            }
            for name in &w.kept {
                crate::out::error(&format!(
                    "kept {}: an earlier render wrote it and it changed since; remove it if it is no longer needed",
                    out.join(name).display()
                ));
            }
            0
        }
        Err(WriteError::Refused(list)) => {
            crate::out::error(&format!(
                "nothing written to {}: these files are in the way and pgplan did not write them (its {MANIFEST} lists what it wrote):",
                out.display()
            ));
            for f in &list {
                crate::out::error(&format!("  {f}"));
            }
            crate::out::error(
                "move them away, render into another directory, or pass --force to replace them (a symbolic link is replaced, never followed)",
            );
            super::EXIT_REFUSED
        }
        Err(WriteError::Io { message }) => {
            crate::out::error(&format!(
                "{message}; files already in {} are as they were before this render unless listed as written above",
                out.display()
            ));
            super::EXIT_TARGET
        }
    }
}
