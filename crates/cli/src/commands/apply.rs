//! `pgplan apply FILE --target T …`: converge the target to the plan.
//! Without `--yes` it only shows what it would do.

use std::path::Path;

use pgplan_core::ValidPlan;

use super::diff::{Connection, exit_code_of, runtime, sql_options};
use crate::args::Target;
use crate::progress::wait;

/// What `apply` was asked to do.
pub struct ApplyArgs<'a> {
    /// Plan file.
    pub file: &'a Path,
    /// Target.
    pub target: Target,
    /// Connection string (SQL).
    pub dsn: Option<&'a str>,
    /// Apply for real.
    pub yes: bool,
    /// How to connect, and what the SQL target may do.
    pub connection: Connection,
    /// Dry run: server-side (Kubernetes), or the live state read and the
    /// changes printed, nothing sent (Azure).
    pub dry_run: bool,
    /// Kubernetes context.
    pub context: Option<&'a str>,
}

/// Runs the command; returns the exit code.
pub fn run(args: &ApplyArgs<'_>) -> u8 {
    let plan = match super::load_valid(args.file) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_TARGET;
        }
    };
    let result = match args.target {
        Target::Sql => return apply_sql(&rt, &plan, args),
        Target::K8s => apply_k8s(&rt, &plan, args),
        Target::Azure => apply_azure(&rt, &plan, args),
        Target::Ha => Err(
            "the ha target is applied with `pgplan up FILE`, which starts the plan on this machine"
                .into(),
        ),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::out::error(&format!("apply failed: {e}"));
            super::EXIT_TARGET
        }
    }
}

fn apply_sql(rt: &tokio::runtime::Runtime, plan: &ValidPlan, args: &ApplyArgs<'_>) -> u8 {
    let Some(dsn) = args.dsn else {
        crate::out::error(
            "the SQL target needs --dsn postgresql://user@host:port/db (or PGPLAN_DSN)",
        );
        return super::EXIT_UNREADABLE;
    };
    let opts = match sql_options(plan, &args.connection, args.yes) {
        Ok(o) => o,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    if !args.yes {
        return match wait(rt, "reading the server", pgplan_sql::diff(plan, dsn, &opts)) {
            Ok(changes) => {
                crate::out::text(&changes.to_string());
                crate::out::line("(dry run: pass --yes to apply these changes)");
                0
            }
            Err(e) => {
                crate::out::error(&format!("apply failed: {e}"));
                exit_code_of(&e)
            }
        };
    }
    match wait(rt, "applying", pgplan_sql::apply(plan, dsn, &opts)) {
        Ok(report) => {
            crate::out::text(&report.to_string());
            // Skipped destructive changes are the default and were listed;
            // objects pgplan does not manage that are in the way need a
            // decision.
            if report.conflicts.is_empty() {
                0
            } else {
                super::EXIT_REFUSED
            }
        }
        Err(e) => {
            crate::out::error(&format!("apply failed: {e}"));
            exit_code_of(&e)
        }
    }
}

fn apply_k8s(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
    let render = pgplan_k8s::RenderOptions {
        init_script: Some(init_script),
        migrations: pgplan_sql::migration_runner_for_job(plan),
        ..Default::default()
    };
    if !args.yes && !args.dry_run {
        let objects = pgplan_k8s::render_objects(plan, &render).map_err(|e| e.to_string())?;
        crate::out::line(&format!(
            "would apply {} object(s), in this order:",
            objects.len()
        ));
        for o in &objects {
            match o.namespace() {
                Some(ns) => crate::out::line(&format!("  {} {}/{}", o.kind(), ns, o.name())),
                None => crate::out::line(&format!("  {} {}", o.kind(), o.name())),
            }
        }
        crate::out::line("(pass --dry-run for a server-side dry run, or --yes to apply)");
        return Ok(());
    }
    let options = pgplan_k8s::ApplyOptions {
        dry_run: args.dry_run,
        context: args.context.map(str::to_owned),
        progress: std::sync::Arc::new(crate::progress::Terminal::default()),
        ..Default::default()
    };
    let report = rt
        .block_on(pgplan_k8s::apply(plan, &render, options))
        .map_err(|e| e.to_string())?;
    crate::out::text(&format!("{report}\n"));
    Ok(())
}

fn apply_azure(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    if !args.yes && !args.dry_run {
        let ops = pgplan_azure::render_operations(plan).map_err(|e| e.to_string())?;
        crate::out::line(&format!(
            "would send {} request(s), in this order (only those that differ from the server are sent):",
            ops.len()
        ));
        for op in &ops {
            crate::out::line(&format!("  {:<6} {}", op.method, op.summary));
        }
        crate::out::line(
            "(pass --dry-run to read the server and see what would change, or --yes to apply)",
        );
        return Ok(());
    }
    let applier = pgplan_azure::apply::Applier::from_environment(
        pgplan_azure::apply::ApplyOptions::new()
            .progress(std::sync::Arc::new(crate::progress::Terminal::default())),
    )
    .map_err(|e| e.to_string())?;
    if args.dry_run {
        let dry =
            wait(rt, "reading the server", applier.dry_run(plan)).map_err(|e| e.to_string())?;
        crate::out::text(&format!("{dry}\n"));
        return Ok(());
    }
    let report = rt
        .block_on(applier.apply(plan))
        .map_err(|e| e.to_string())?;
    crate::out::text(&format!("{report}\n"));
    Ok(())
}
