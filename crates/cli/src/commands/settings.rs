//! `pgplan settings FILE`: every explicit and derived parameter with its provenance.

use std::path::Path;

use pgplan_core::Provenance;
use serde::Serialize;

use crate::args::Output;

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
pub fn run(file: &Path, output: Output) -> u8 {
    let (plan, _source) = match super::load(file) {
        Ok(x) => x,
        Err(e) => {
            e.print(output);
            return super::EXIT_UNREADABLE;
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
    match output {
        Output::Json => {
            if let Err(e) = crate::out::json(&rows) {
                crate::out::error(&format!("cannot write JSON: {e}"));
                return super::EXIT_UNREADABLE;
            }
        }
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
                crate::out::line(&format!(
                    "{:width$}  {:vwidth$}  {}{restart}",
                    r.name,
                    r.value,
                    pgplan_core::redact::inline(&r.why)
                ));
            }
        }
    }
    0
}
