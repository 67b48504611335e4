//! `pgplan diff FILE --dsn URL`: what `apply --target sql` would change on a
//! live server. Always a dry run.

use std::path::Path;
use std::sync::Arc;

use pgplan_core::{SettingsMethod, ValidPlan};
use pgplan_sql::{ApplyOptions, EnvSecretResolver};

/// Options of the SQL target from the command line. Passwords come from the
/// plan's `env` sources, or `PGPLAN_PASSWORD_<ROLE>` for other sources.
/// Settings are converged with ALTER SYSTEM only where that is how they
/// reach the server (a ConfigMap or the Azure API owns them elsewhere).
pub fn sql_options(plan: &ValidPlan, allow_destructive: bool) -> ApplyOptions {
    let method = plan
        .tuning
        .method
        .unwrap_or_else(|| SettingsMethod::for_platform(&plan.platform));
    ApplyOptions {
        allow_destructive,
        secrets: Arc::new(EnvSecretResolver::new().with_fallback_prefix("PGPLAN_PASSWORD_")),
        include_settings: method == SettingsMethod::AlterSystem,
        ..ApplyOptions::default()
    }
}

/// A runtime for the backends' async clients.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Runs the command; returns the exit code.
pub fn run(file: &Path, dsn: &str, allow_destructive: bool) -> u8 {
    let Some(plan) = super::load_valid(file) else {
        return super::EXIT_ERRORS;
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    match crate::progress::wait(
        &rt,
        "reading the server",
        pgplan_sql::diff(&plan, dsn, &sql_options(&plan, allow_destructive)),
    ) {
        Ok(changes) => {
            println!("{changes}");
            0
        }
        Err(e) => {
            eprintln!("diff failed: {e}");
            super::EXIT_ERRORS
        }
    }
}
