//! `pgplan apply FILE|DIR… --target T …`: converge the target to the plan
//! (several plans one after the other). Without `--yes` it only shows what
//! it would do.

use std::path::PathBuf;

use pgplan_core::ValidPlan;
use serde_json::json;

use super::diff::{changes_json, changes_text, runtime, sql_options};
use crate::args::{Output, Target};
use crate::fleet::{self, Outcome};

/// What `apply` was asked to do.
pub struct ApplyArgs<'a> {
    /// Plan files or directories.
    pub files: &'a [PathBuf],
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
    /// Print the statements run, and every finding.
    pub verbose: bool,
    /// Output format (SQL target).
    pub output: Output,
}

/// Runs the command; returns the exit code.
pub fn run(args: &ApplyArgs<'_>) -> u8 {
    if args.target == Target::All {
        eprintln!("apply takes one target: sql, k8s or azure (ha: `pgplan up FILE`)");
        return super::EXIT_UNREADABLE;
    }
    let inputs = match fleet::expand(args.files) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let mut outcomes = Vec::new();
    let mut json_out = Vec::new();
    for input in &inputs.plans {
        if inputs.fleet && args.output == Output::Text {
            println!("== {}", input.name);
        }
        let Some(plan) = super::load_valid(&input.path, args.verbose) else {
            outcomes.push(Outcome::Failed);
            json_out.push(
                json!({ "file": input.name, "error": "the plan has errors or cannot be read" }),
            );
            continue;
        };
        let result = match args.target {
            Target::Sql => apply_sql(&rt, &plan, args),
            Target::K8s => apply_k8s(&rt, &plan, args).map(|()| serde_json::Value::Null),
            Target::Azure => apply_azure(&rt, &plan, args).map(|()| serde_json::Value::Null),
            Target::Ha => Err(
                "the ha target is applied with `pgplan up FILE`, which starts the plan on this machine"
                    .into(),
            ),
            Target::All => Err("apply takes one target".into()),
        };
        match result {
            Ok(mut value) => {
                if value.is_object() {
                    value["file"] = json!(input.name);
                }
                json_out.push(value);
                outcomes.push(Outcome::Ok);
            }
            Err(e) => {
                eprintln!("{}: apply failed: {e}", input.name);
                json_out.push(json!({ "file": input.name, "error": format!("apply failed: {e}") }));
                outcomes.push(Outcome::Failed);
            }
        }
    }
    if args.output == Output::Json && args.target == Target::Sql {
        let value = if inputs.fleet {
            serde_json::Value::Array(json_out)
        } else {
            json_out.pop().unwrap_or_default()
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    if !inputs.fleet {
        return match outcomes.first() {
            Some(Outcome::Ok) => 0,
            _ => super::EXIT_ERRORS,
        };
    }
    let (line, code) = fleet::summary("applied", &inputs, &outcomes, "");
    eprintln!("{line}");
    code
}

/// Converges the server (or, without `--yes`, shows the changes); returns
/// what happened as JSON (for `--output json`).
fn apply_sql(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<serde_json::Value, String> {
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
        if args.output == Output::Json {
            let mut v = changes_json(&changes);
            v["dry_run"] = json!(true);
            return Ok(v);
        }
        println!("{}", changes_text(&changes, args.verbose));
        println!("(dry run: pass --yes to apply these changes)");
        return Ok(serde_json::Value::Null);
    }
    let report = rt
        .block_on(pgplan_sql::apply(plan, dsn, &opts))
        .map_err(|e| e.to_string())?;
    if args.output == Output::Json {
        return Ok(json!({
            "server": report.server,
            "changes": report.changes,
            "statements": report.statements,
            "executed": report.executed,
            "skipped_destructive": report.skipped_destructive,
            "restart_needed": report.restart_needed,
            "notes": report.notes,
        }));
    }
    print!("{report}");
    if args.verbose && !report.executed.is_empty() {
        println!("statements run:");
        for s in &report.executed {
            println!("  {};", s.trim_end_matches(';'));
        }
    }
    Ok(serde_json::Value::Null)
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
