//! `pgplan up FILE`, `pgplan status FILE`, `pgplan down FILE`: a local plan
//! on this machine.
//!
//! `up` is two steps, each by its own crate: the HA backend's runner starts
//! (or converges) the servers, then the SQL backend's apply — the same code
//! path as `pgplan apply --target sql` — creates the roles, databases and
//! privileges through the endpoint the runner returns (a cluster's write
//! port). Backends never call each other; the CLI joins them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgplan_core::{Password, RoleName, SecretSource};
use pgplan_ha::local::{Options, Runner, UpReport};
use pgplan_sql::{ApplyOptions, EnvSecretResolver, MapSecretResolver, SecretResolver};

use super::diff::runtime;
use crate::args::Output;

/// Passwords for the SQL apply: those the runner knows (it generated them or
/// read them for its own use), then the plan's environment variables and
/// `PGPLAN_PASSWORD_<ROLE>`, as `pgplan apply` reads them.
struct UpSecrets {
    runner: MapSecretResolver,
    env: EnvSecretResolver,
}

impl SecretResolver for UpSecrets {
    fn password(
        &self,
        role: &RoleName,
        source: &SecretSource,
    ) -> Result<Option<Password>, pgplan_sql::Error> {
        match self.runner.password(role, source)? {
            Some(p) => Ok(Some(p)),
            None => self.env.password(role, source),
        }
    }
}

fn sql_options(report: &UpReport) -> ApplyOptions {
    let mut runner = MapSecretResolver::new();
    for (role, password) in report.passwords.roles() {
        if let Ok(role) = role.parse::<RoleName>() {
            runner.insert(role, Password::new(password.expose()));
        }
    }
    ApplyOptions {
        secrets: Arc::new(UpSecrets {
            runner,
            env: EnvSecretResolver::new().with_fallback_prefix("PGPLAN_PASSWORD_"),
        }),
        // The runner writes the server parameters (postgresql.conf, or
        // Patroni's configuration and DCS): ALTER SYSTEM would be a second
        // source of truth that Patroni does not see.
        include_settings: false,
        ..ApplyOptions::default()
    }
}

fn runner(
    file: &Path,
    dir: Option<PathBuf>,
    user: Option<String>,
    quiet: bool,
) -> Result<Runner, u8> {
    let plan = super::load_valid(file, false)?;
    Runner::new(
        &plan,
        &Options {
            run_dir: dir,
            user,
            quiet,
            keep_cluster_settings: false,
        },
    )
    .map_err(|e| {
        crate::out::error(&format!("{}: {e}", file.display()));
        super::EXIT_ERRORS
    })
}

/// `pgplan up`.
pub fn run(file: &Path, dir: Option<PathBuf>, user: Option<String>, quiet: bool) -> u8 {
    let runner = match runner(file, dir, user, quiet) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = match runner.up() {
        Ok(r) => r,
        Err(e) => {
            crate::out::error(&format!("{}: up failed: {e}", file.display()));
            return super::EXIT_TARGET;
        }
    };
    crate::out::line(&report.to_string());
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::out::error(&e.to_string());
            return super::EXIT_TARGET;
        }
    };
    let dsn = report.endpoint.dsn("postgres");
    match rt.block_on(pgplan_sql::apply(
        runner.plan(),
        &dsn,
        &sql_options(&report),
    )) {
        Ok(applied) => {
            crate::out::text(&applied.to_string());
            // As `apply`: objects pgplan does not manage that are in the way
            // were left alone and need a decision.
            if applied.conflicts.is_empty() {
                0
            } else {
                super::EXIT_REFUSED
            }
        }
        Err(e) => {
            crate::out::error(&format!(
                "{}: the servers run, but applying the plan's SQL through {} failed: {e}",
                file.display(),
                report.endpoint.addr()
            ));
            super::EXIT_TARGET
        }
    }
}

/// `pgplan status`.
pub fn status(file: &Path, dir: Option<PathBuf>, output: Output) -> u8 {
    let runner = match runner(file, dir, None, true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runner.status() {
        Ok(status) => {
            match output {
                Output::Text => crate::out::text(&status.to_string()),
                Output::Json => {
                    if let Err(e) = crate::out::json(&status) {
                        crate::out::error(&e);
                        return super::EXIT_ERRORS;
                    }
                }
            }
            0
        }
        Err(e) => {
            crate::out::error(&format!("{}: {e}", file.display()));
            super::EXIT_TARGET
        }
    }
}

/// `pgplan down`.
pub fn down(file: &Path, dir: Option<PathBuf>, purge: bool) -> u8 {
    let runner = match runner(file, dir, None, true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match runner.down(purge) {
        Ok(report) => {
            crate::out::text(&report.to_string());
            0
        }
        Err(e) => {
            crate::out::error(&format!("{}: down failed: {e}", file.display()));
            super::EXIT_TARGET
        }
    }
}
