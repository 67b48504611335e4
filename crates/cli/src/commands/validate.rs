//! `pgplan validate FILE|DIR… [--output json] [--verbose]`.

use std::fmt::Write as _;
use std::path::PathBuf;

use pgplan_core::Severity;
use pgplan_core::escape::terminal;
use serde_json::json;

use crate::args::Output;
use crate::fleet::{self, Outcome, PlanInput};
use crate::report::{summary, write_findings};

/// What validating one plan printed and how it went.
struct Checked {
    outcome: Outcome,
    /// Text for stderr (text output), or the report as JSON.
    text: String,
    json: serde_json::Value,
    counts: [usize; 3],
}

fn check(input: &PlanInput, output: Output, verbose: bool, fleet: bool) -> Checked {
    let (plan, source) = match super::load(&input.path) {
        Ok(x) => x,
        Err(e) => {
            // The same `{"error": …}` object a single plan prints, named
            // by its file in a fleet's list.
            let json = if fleet {
                json!({ "file": input.name, "error": e })
            } else {
                json!({ "error": e })
            };
            return Checked {
                outcome: Outcome::Unreadable,
                text: format!("{:?}\n", e.report()),
                json,
                counts: [0; 3],
            };
        }
    };
    let report = plan.report_with_options(&super::validate_options());
    let counts = [
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    ];
    let outcome = if report.has_errors() {
        Outcome::Failed
    } else {
        Outcome::Ok
    };
    match output {
        Output::Json => {
            let report = source.locate(report);
            let json = if fleet {
                json!({ "file": input.name, "findings": report })
            } else {
                serde_json::to_value(&report).unwrap_or_default()
            };
            Checked {
                outcome,
                text: String::new(),
                json,
                counts,
            }
        }
        Output::Text => {
            let mut text = String::new();
            if fleet && !verbose {
                // A fleet's overview: what needs fixing in full, infos
                // counted (`--verbose` or the plan alone shows them).
                write_findings(
                    &mut text,
                    report
                        .diagnostics()
                        .iter()
                        .filter(|d| d.severity != Severity::Info),
                    &source,
                    false,
                );
            } else {
                write_findings(&mut text, report.diagnostics(), &source, verbose);
            }
            let _ = writeln!(
                text,
                "{}: {}",
                terminal::line(&source.name),
                summary(report.diagnostics())
            );
            Checked {
                outcome,
                text,
                json: serde_json::Value::Null,
                counts,
            }
        }
    }
}

/// Runs the command; returns the exit code.
pub fn run(files: &[PathBuf], output: Output, verbose: bool) -> u8 {
    let inputs = match fleet::expand(files) {
        Ok(i) => i,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    let checked = fleet::parallel(&inputs.plans, |p| check(p, output, verbose, inputs.fleet));
    let outcomes: Vec<Outcome> = checked.iter().map(|c| c.outcome).collect();
    let mut counts = [0usize; 3];
    for c in &checked {
        for (sum, n) in counts.iter_mut().zip(c.counts) {
            *sum += n;
        }
    }
    match output {
        Output::Json => {
            let value = if inputs.fleet {
                serde_json::Value::Array(checked.into_iter().map(|c| c.json).collect())
            } else {
                checked
                    .into_iter()
                    .next()
                    .map(|c| c.json)
                    .unwrap_or_default()
            };
            if let Err(e) = crate::out::json(&value) {
                crate::out::error(&format!("cannot write the report as JSON: {e}"));
                return super::EXIT_UNREADABLE;
            }
        }
        Output::Text => {
            let mut err = String::new();
            for c in &checked {
                err.push_str(&c.text);
            }
            crate::out::findings(&err);
        }
    }
    if !inputs.fleet {
        return outcomes.first().map_or(0, |o| o.code());
    }
    let (line, code) = fleet::summary(
        "validated",
        &inputs,
        &outcomes,
        &format!(
            "{} error(s), {} warning(s), {} info",
            counts[0], counts[1], counts[2]
        ),
    );
    crate::out::error(&line);
    code
}
