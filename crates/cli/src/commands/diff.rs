//! `pgplan diff FILE --dsn URL`: what `apply --target sql` would change on a
//! live server. Always a dry run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pgplan_core::{SettingsMethod, ValidPlan};
use pgplan_sql::{ApplyOptions, EnvSecretResolver};

use crate::passwords::GeneratedPasswords;

/// How to connect and what `apply` may do, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Read the login password from standard input.
    pub password_stdin: bool,
    /// Adopt unmarked objects the plan names.
    pub adopt: bool,
    /// Allow destructive changes.
    pub allow_destructive: bool,
    /// Where generated passwords live.
    pub password_dir: Option<PathBuf>,
    /// Seconds to wait for another apply.
    pub lock_timeout: u64,
}

/// Options of the SQL target from the command line. Passwords come from the
/// plan's `env` sources, generated ones from `--password-dir`, or
/// `PGPLAN_PASSWORD_<ROLE>` for other sources. Settings are converged with
/// ALTER SYSTEM only where that is how they reach the server (a ConfigMap
/// or the Azure API owns them elsewhere). `create` makes missing generated
/// passwords (apply).
pub fn sql_options(
    plan: &ValidPlan,
    conn: &Connection,
    create: bool,
) -> Result<ApplyOptions, String> {
    let method = plan
        .tuning
        .method
        .unwrap_or_else(|| SettingsMethod::for_platform(&plan.platform));
    let secrets = GeneratedPasswords::new(
        conn.password_dir.as_deref(),
        plan.service.as_str(),
        &plan.environment.to_string(),
        create,
        EnvSecretResolver::new().with_fallback_prefix("PGPLAN_PASSWORD_"),
    );
    let mut opts = ApplyOptions {
        allow_destructive: conn.allow_destructive,
        secrets,
        include_settings: method == SettingsMethod::AlterSystem,
        adopt: conn.adopt,
        lock_timeout: Duration::from_secs(conn.lock_timeout),
        on_wait: Some(Arc::new(|message: &str| crate::out::error(message))),
        application_name: format!(
            "pgplan {}/{} (pid {})",
            plan.service,
            plan.environment,
            std::process::id()
        ),
        ..ApplyOptions::default()
    };
    if conn.password_stdin {
        opts.login_password = Some(crate::passwords::from_stdin()?);
    }
    Ok(opts)
}

/// A runtime for the backends' async clients.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The exit code for a failure of the SQL backend.
pub fn exit_code_of(e: &pgplan_sql::Error) -> u8 {
    match e {
        pgplan_sql::Error::Dsn { .. } => super::EXIT_UNREADABLE,
        _ => super::EXIT_TARGET,
    }
}

/// Runs the command; returns the exit code.
pub fn run(file: &Path, dsn: &str, conn: &Connection) -> u8 {
    let plan = match super::load_valid(file) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    let opts = match sql_options(&plan, conn, false) {
        Ok(o) => o,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_TARGET;
        }
    };
    match crate::progress::wait(
        &rt,
        "reading the server",
        pgplan_sql::diff(&plan, dsn, &opts),
    ) {
        Ok(changes) => {
            crate::out::text(&changes.to_string());
            0
        }
        Err(e) => {
            crate::out::error(&format!("diff failed: {e}"));
            exit_code_of(&e)
        }
    }
}
