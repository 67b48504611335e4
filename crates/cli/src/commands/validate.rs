//! `pgplan validate FILE [--output json]`.

use std::path::Path;

use crate::args::Output;
use crate::report::{summary, to_miette};

/// Runs the command; returns the exit code.
pub fn run(file: &Path, output: Output) -> u8 {
    let (plan, source) = match super::load(file) {
        Ok(x) => x,
        Err(e) => {
            e.print(output);
            return super::EXIT_UNREADABLE;
        }
    };
    let report = source.locate(plan.report());
    match output {
        Output::Json => {
            if let Err(e) = crate::out::json(&report) {
                crate::out::error(&format!("cannot write the report as JSON: {e}"));
                return super::EXIT_UNREADABLE;
            }
        }
        Output::Text => {
            for d in report.diagnostics() {
                crate::out::report(&to_miette(d, &source));
            }
            crate::out::error(&format!(
                "{}: {}",
                source.name,
                summary(report.diagnostics())
            ));
        }
    }
    if report.has_errors() {
        super::EXIT_ERRORS
    } else {
        0
    }
}
