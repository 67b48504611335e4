//! `pgplan diff FILE|DIR… --dsn URL`: what `apply --target sql` would change on a
//! live server. Always a dry run.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use pgplan_core::{SettingsMethod, ValidPlan};
use pgplan_sql::{ApplyOptions, ChangeSet, EnvSecretResolver};
use serde_json::json;

use crate::args::Output;
use crate::fleet::{self, Outcome};

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

/// The changes as JSON, with the statements each runs (passwords redacted).
pub fn changes_json(changes: &ChangeSet) -> serde_json::Value {
    let list: Vec<serde_json::Value> = changes
        .changes
        .iter()
        .map(|c| {
            json!({
                "scope": c.scope.to_string(),
                "phase": format!("{:?}", c.phase),
                "summary": c.summary,
                "destructive": c.destructive,
                "runs": !c.destructive || changes.allow_destructive,
                "statements": c.statements.iter().map(|s| s.to_redacted_sql()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "server": changes.server,
        "statements": changes.statement_count(),
        "changes": list,
        "notes": changes.notes,
        "restart_needed": changes.restart_needed,
    })
}

/// The changes for people; with `verbose`, every statement that would run.
pub fn changes_text(changes: &ChangeSet, verbose: bool) -> String {
    let mut out = changes.to_string();
    if verbose && changes.statement_count() > 0 {
        out.push_str("statements:\n");
        for c in changes.runnable() {
            for s in &c.statements {
                let _ = writeln!(out, "  {};", s.to_redacted_sql().trim_end_matches(';'));
            }
        }
    }
    out
}

/// What `diff` was asked to do.
pub struct DiffArgs<'a> {
    /// Plan files or directories.
    pub files: &'a [PathBuf],
    /// Connection string.
    pub dsn: &'a str,
    /// Include destructive changes.
    pub allow_destructive: bool,
    /// Print statements and every finding.
    pub verbose: bool,
    /// Output format.
    pub output: Output,
}

/// Runs the command; returns the exit code.
pub fn run(args: &DiffArgs<'_>) -> u8 {
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
        match rt.block_on(pgplan_sql::diff(
            &plan,
            args.dsn,
            &sql_options(&plan, args.allow_destructive),
        )) {
            Ok(changes) => {
                match args.output {
                    Output::Text => println!("{}", changes_text(&changes, args.verbose)),
                    Output::Json => {
                        let mut v = changes_json(&changes);
                        v["file"] = json!(input.name);
                        json_out.push(v);
                    }
                }
                outcomes.push(Outcome::Ok);
            }
            Err(e) => {
                eprintln!("{}: diff failed: {e}", input.name);
                json_out.push(json!({ "file": input.name, "error": format!("diff failed: {e}") }));
                outcomes.push(Outcome::Failed);
            }
        }
    }
    if args.output == Output::Json {
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
    let (line, code) = fleet::summary("diffed", &inputs, &outcomes, "");
    eprintln!("{line}");
    code
}
