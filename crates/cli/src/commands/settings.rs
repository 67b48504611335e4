//! `pgplan settings FILE|DIR…`: every explicit and derived parameter with its
//! provenance.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pgplan_core::Provenance;
use serde::Serialize;

use crate::args::Output;
use crate::fleet::{self, Outcome};

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    /// The value with inline secrets (`password=…`) redacted.
    value: String,
    source: &'static str,
    restart: bool,
    why: String,
}

/// Runs the command; returns the exit code.
pub fn run(files: &[PathBuf], output: Output) -> u8 {
    let inputs = match fleet::expand(files) {
        Ok(i) => i,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    // Reports on stderr were escaped when they were made; stdout is escaped
    // here (JSON with `\u` escapes).
    let print = |out: &str, err: &str| {
        match output {
            Output::Json => crate::out::json_text(out),
            Output::Text => crate::out::text(out),
        }
        crate::out::findings(err);
    };
    if !inputs.fleet {
        let (code, out, err) = one(&inputs.plans[0].path, output);
        print(&out, &err);
        return code;
    }
    let done = fleet::parallel(&inputs.plans, |p| one(&p.path, output));
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut outcomes = Vec::new();
    match output {
        Output::Json => {
            stdout.push('{');
            for (i, (p, (code, out, err))) in inputs.plans.iter().zip(&done).enumerate() {
                if i > 0 {
                    stdout.push(',');
                }
                let out = if out.trim().is_empty() {
                    "null"
                } else {
                    out.trim()
                };
                let _ = write!(
                    stdout,
                    "\n{}: {out}",
                    serde_json::Value::from(p.name.as_str())
                );
                stderr.push_str(err);
                outcomes.push(Outcome::of_code(*code));
            }
            stdout.push_str("\n}\n");
        }
        Output::Text => {
            for (p, (code, out, err)) in inputs.plans.iter().zip(&done) {
                let _ = writeln!(stdout, "== {}", p.name);
                stdout.push_str(out);
                stderr.push_str(err);
                outcomes.push(Outcome::of_code(*code));
            }
        }
    }
    print(&stdout, &stderr);
    let (line, code) = fleet::summary("read", &inputs, &outcomes, "");
    crate::out::error(&line);
    code
}

/// One plan's settings: exit code, stdout (not yet escaped), stderr
/// (reports, escaped).
fn one(file: &Path, output: Output) -> (u8, String, String) {
    let (plan, _source) = match super::load(file) {
        Ok(x) => x,
        Err(e) => {
            // JSON: the `{"error": …}` object a single plan prints.
            return match output {
                Output::Json => (
                    super::EXIT_UNREADABLE,
                    serde_json::json!({ "error": e }).to_string(),
                    String::new(),
                ),
                Output::Text => (
                    super::EXIT_UNREADABLE,
                    String::new(),
                    format!("{:?}\n", e.report()),
                ),
            };
        }
    };
    let settings = plan.settings();
    let rows: Vec<Row<'_>> = settings
        .iter()
        .map(|s| Row {
            name: &s.name,
            value: pgplan_core::redact::inline(&s.value),
            source: match s.provenance {
                Provenance::Explicit => "explicit",
                Provenance::Derived { .. } => "derived",
                Provenance::Default { .. } => "default",
            },
            restart: settings.spec(&s.name).is_some_and(|p| p.needs_restart()),
            why: s.provenance.to_string(),
        })
        .collect();
    let mut out = String::new();
    match output {
        Output::Json => match serde_json::to_string_pretty(&rows) {
            Ok(json) => {
                let _ = writeln!(out, "{json}");
            }
            Err(e) => {
                return (
                    super::EXIT_UNREADABLE,
                    String::new(),
                    format!("cannot write JSON: {e}\n"),
                );
            }
        },
        Output::Text => {
            let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
            let vwidth = rows
                .iter()
                .map(|r| r.value.len())
                .max()
                .unwrap_or(0)
                .min(40);
            for r in &rows {
                let restart = if r.restart { " [restart]" } else { "" };
                let _ = writeln!(
                    out,
                    "{:width$}  {:vwidth$}  {}{restart}",
                    r.name,
                    r.value,
                    pgplan_core::redact::inline(&r.why)
                );
            }
        }
    }
    (0, out, String::new())
}
