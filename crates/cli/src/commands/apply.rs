//! `pgplan apply FILE|DIR… --target T …`: converge the target to the plan
//! (several plans one after the other). Without `--yes` it only shows what
//! it would do.

use std::path::PathBuf;

use pgplan_core::ValidPlan;
use serde_json::json;

use pgplan_sql::Purpose;

use super::diff::{
    Connecting, Connection, changes_json, changes_text, exit_code_of, runtime, sql_options,
};
use crate::args::{Output, Target};
use crate::fleet::{self, Outcome};
use crate::progress::wait;

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
    /// How to connect, and what the SQL target may do.
    pub connection: Connection,
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
        crate::out::error("apply takes one target: sql, k8s or azure (ha: `pgplan up FILE`)");
        return super::EXIT_UNREADABLE;
    }
    let inputs = match fleet::expand(args.files) {
        Ok(i) => i,
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
    let mut outcomes = Vec::new();
    let mut json_out = Vec::new();
    for input in &inputs.plans {
        if inputs.fleet && args.output == Output::Text {
            crate::out::line(&format!("== {}", input.name));
        }
        // The SQL target connects while the plan is read.
        let connecting = match (args.target, args.dsn) {
            (Target::Sql, Some(dsn)) => {
                let purpose = if args.yes {
                    Purpose::Apply
                } else {
                    Purpose::Diff
                };
                Some(Connecting::start(&rt, dsn, &args.connection, purpose))
            }
            _ => None,
        };
        let plan = match super::load_valid(&input.path, args.verbose) {
            Ok(plan) => plan,
            Err(code) => {
                if let Some(c) = connecting {
                    c.abandon();
                }
                outcomes.push(Outcome::of_code(code));
                json_out.push(json!({
                    "file": input.name,
                    "error": "the plan has errors or cannot be read",
                }));
                continue;
            }
        };
        let (code, mut value) = match args.target {
            Target::Sql => apply_sql(&rt, &plan, args, connecting),
            _ => apply_elsewhere(&rt, &plan, args),
        };
        if value.is_object() {
            value["file"] = json!(input.name);
        }
        json_out.push(value);
        outcomes.push(Outcome::of_code(code));
    }
    let json = (args.output == Output::Json && args.target == Target::Sql).then_some(json_out);
    fleet::finish("applied", "report", &inputs, &outcomes, json)
}

/// Applies to Kubernetes or Azure; the exit code, and the error as JSON.
fn apply_elsewhere(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> (u8, serde_json::Value) {
    let result = match args.target {
        Target::K8s => apply_k8s(rt, plan, args),
        Target::Azure => apply_azure(rt, plan, args),
        Target::Ha | Target::Sql | Target::All => Err(
            "the ha target is applied with `pgplan up FILE`, which starts the plan on this machine"
                .into(),
        ),
    };
    match result {
        Ok(()) => (0, serde_json::Value::Null),
        Err(e) => {
            let message = format!("apply failed: {e}");
            crate::out::error(&message);
            (super::EXIT_TARGET, json!({ "error": message }))
        }
    }
}

/// Converges the server (or, without `--yes`, shows the changes); returns
/// the exit code and what happened as JSON (for `--output json`).
fn apply_sql(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
    connecting: Option<Connecting>,
) -> (u8, serde_json::Value) {
    let failed = |code: u8, message: String| {
        crate::out::error(&message);
        (code, json!({ "error": message }))
    };
    let Some(connecting) = connecting else {
        return failed(
            super::EXIT_UNREADABLE,
            "the SQL target needs --dsn postgresql://user@host:port/db (or PGPLAN_DSN)".into(),
        );
    };
    let opts = match sql_options(plan, &args.connection, args.yes) {
        Ok(o) => o,
        Err(e) => {
            connecting.abandon();
            return failed(super::EXIT_UNREADABLE, e);
        }
    };
    let sql_failure = |e: pgplan_sql::Error| (exit_code_of(&e), e.to_string());
    if !args.yes {
        let diffed = wait(rt, "reading the server", async {
            connecting
                .ready(&args.connection)
                .await?
                .diff(plan, &opts)
                .await
                .map_err(sql_failure)
        });
        return match diffed {
            Ok(changes) => {
                if args.output == Output::Json {
                    let mut v = changes_json(&changes);
                    v["dry_run"] = json!(true);
                    return (0, v);
                }
                crate::out::line(&changes_text(&changes, args.verbose));
                crate::out::line("(dry run: pass --yes to apply these changes)");
                (0, serde_json::Value::Null)
            }
            Err((code, message)) => failed(code, format!("apply failed: {message}")),
        };
    }
    let applied = wait(rt, "applying", async {
        connecting
            .ready(&args.connection)
            .await?
            .apply(plan, &opts)
            .await
            .map_err(sql_failure)
    });
    match applied {
        Ok(report) => {
            // Skipped destructive changes are the default and were listed;
            // objects pgplan does not manage that are in the way need a
            // decision.
            let code = if report.conflicts.is_empty() {
                0
            } else {
                super::EXIT_REFUSED
            };
            if args.output == Output::Json {
                return (
                    code,
                    json!({
                        "server": report.server,
                        "changes": report.changes,
                        "statements": report.statements,
                        "executed": report.executed,
                        "skipped_destructive": report.skipped_destructive,
                        "restart_needed": report.restart_needed,
                        "notes": report.notes,
                        "conflicts": report.conflicts,
                    }),
                );
            }
            crate::out::text(&report.to_string());
            if args.verbose && !report.executed.is_empty() {
                crate::out::line("statements run:");
                for s in &report.executed {
                    if s.starts_with("--") {
                        crate::out::line(&format!("  {s}"));
                    } else {
                        crate::out::line(&format!("  {};", s.trim_end_matches(';')));
                    }
                }
            }
            (code, serde_json::Value::Null)
        }
        Err((code, message)) => failed(code, format!("apply failed: {message}")),
    }
}

fn apply_k8s(
    rt: &tokio::runtime::Runtime,
    plan: &ValidPlan,
    args: &ApplyArgs<'_>,
) -> Result<(), String> {
    let render = super::render::k8s_options(plan)?;
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
