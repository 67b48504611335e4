//! One module per subcommand.

pub mod apply;
pub mod diff;
pub mod explain;
pub mod render;
pub mod settings;
pub mod up;
pub mod validate;

use std::path::Path;

use miette::{LabeledSpan, MietteDiagnostic, Report};
use pgplan_core::{Plan, PlanFileError, ValidPlan};

use crate::report::Source;

/// Exit code: the plan has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: the input could not be read (a plan file, or a rule id that is
/// no rule).
pub const EXIT_UNREADABLE: u8 = 2;

/// Reads and parses a plan file; JSON when the name ends in `.json`.
/// On failure, returns the report to print (with the offending line).
pub fn load(path: &Path) -> Result<(Plan, Source), Report> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| miette::miette!(code = "pgplan::read", "cannot read {name}: {e}"))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        Plan::from_json(&text)
    } else {
        Plan::from_yaml(&text)
    };
    let source = Source::new(name.clone(), text);
    match parsed {
        Ok(plan) => Ok((plan, source)),
        Err(e) => Err(parse_error(e, &source)),
    }
}

/// Loads a plan and validates it, printing every error and warning (a rule
/// that fires many times summed up unless `verbose`); `None` when it cannot
/// be read or has errors (nothing is applied then).
pub fn load_valid(path: &Path, verbose: bool) -> Option<ValidPlan> {
    let (plan, source) = match load(path) {
        Ok(x) => x,
        Err(report) => {
            eprintln!("{report:?}");
            return None;
        }
    };
    match plan.validate() {
        Ok(valid) => {
            eprint!(
                "{}",
                crate::report::blocking(valid.report(), &source, verbose, true)
            );
            Some(valid)
        }
        Err(report) => {
            eprint!(
                "{}",
                crate::report::blocking(&report, &source, verbose, true)
            );
            eprintln!(
                "{}: fix the {} error(s) above first",
                source.name,
                report.errors().count()
            );
            None
        }
    }
}

fn parse_error(e: PlanFileError, source: &Source) -> Report {
    let diag = MietteDiagnostic::new(format!("{} is not a valid plan: {e}", source.name))
        .with_code("pgplan::parse")
        .with_help(
            "fix the field at the marked line; `pgplan validate` reads YAML (or JSON for *.json)",
        );
    let excerpt = e
        .line()
        .and_then(|l| usize::try_from(l).ok())
        .and_then(|line| source.excerpt(line, 0));
    match excerpt {
        Some((excerpt, label)) => {
            let label = LabeledSpan::new(Some("here".into()), label.offset(), label.len());
            Report::new(diag.with_label(label)).with_source_code(excerpt)
        }
        None => Report::new(diag),
    }
}
