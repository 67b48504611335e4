//! `pgplan apply FILE --target T …`: converge the target to the plan.
//! Without `--yes` it only shows what it would do.

use std::path::Path;

use pgplan_core::ValidPlan;

use super::diff::{runtime, sql_options};
use crate::args::Target;

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
    /// Allow destructive changes (SQL).
    pub allow_destructive: bool,
    /// Dry run: server-side (Kubernetes), or the live state read and the
    /// changes printed, nothing sent (Azure).
    pub dry_run: bool,
    /// Kubernetes context.
    pub context: Option<&'a str>,
}

/// Runs the command; returns the exit code.
pub fn run(args: &ApplyArgs<'_>) -> u8 {
    let Some(plan) = super::load_valid(args.file) else {
        return super::EXIT_ERRORS;
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let result = match args.target {
        Target::Sql => apply_sql(&rt, &plan, args),
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
            eprintln!("apply failed: {e}");
            super::EXIT_ERRORS
        }
    }
}

fn apply_sql(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    let Some(dsn) = args.dsn else {
        return Err(
            "the SQL target needs --dsn postgresql://user@host:port/db (or PGPLAN_DSN)".into(),
        );
    };
    let opts = sql_options(plan, args.allow_destructive);
    if !args.yes {
        let changes = rt
            .block_on(pgplan_sql::diff(plan, dsn, &opts))
            .map_err(|e| e.to_string())?;
        println!("{changes}");
        println!("(dry run: pass --yes to apply these changes)");
        return Ok(());
    }
    let report = rt
        .block_on(pgplan_sql::apply(plan, dsn, &opts))
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

fn apply_k8s(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
    let render = pgplan_k8s::RenderOptions {
        init_script: Some(init_script),
        ..Default::default()
    };
    if !args.yes && !args.dry_run {
        let objects = pgplan_k8s::render_objects(plan, &render).map_err(|e| e.to_string())?;
        println!("would apply {} object(s), in this order:", objects.len());
        for o in &objects {
            match o.namespace() {
                Some(ns) => println!("  {} {}/{}", o.kind(), ns, o.name()),
                None => println!("  {} {}", o.kind(), o.name()),
            }
        }
        println!("(pass --dry-run for a server-side dry run, or --yes to apply)");
        return Ok(());
    }
    let options = pgplan_k8s::ApplyOptions {
        dry_run: args.dry_run,
        context: args.context.map(str::to_owned),
        ..Default::default()
    };
    let report = rt
        .block_on(pgplan_k8s::apply(plan, &render, options))
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

fn apply_azure(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    if !args.yes && !args.dry_run {
        let ops = pgplan_azure::render_operations(plan).map_err(|e| e.to_string())?;
        println!(
            "would send {} request(s), in this order (only those that differ from the server are sent):",
            ops.len()
        );
        for op in &ops {
            println!("  {:<6} {}", op.method, op.summary);
        }
        println!(
            "(pass --dry-run to read the server and see what would change, or --yes to apply)"
        );
        return Ok(());
    }
    let applier =
        pgplan_azure::apply::Applier::from_environment(pgplan_azure::apply::ApplyOptions::new())
            .map_err(|e| e.to_string())?;
    if args.dry_run {
        let dry = rt
            .block_on(applier.dry_run(plan))
            .map_err(|e| e.to_string())?;
        println!("{dry}");
        return Ok(());
    }
    let report = rt
        .block_on(applier.apply(plan))
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}
