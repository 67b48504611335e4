//! One module per subcommand.

pub mod apply;
pub mod compare;
pub mod cost;
pub mod diff;
pub mod doc;
pub mod explain;
pub mod import;
pub mod render;
pub mod schema;
pub mod settings;
pub mod up;
pub mod validate;

use std::io::Read as _;
use std::path::Path;

use miette::{LabeledSpan, MietteDiagnostic, Report};
use pgplan_core::escape::terminal;
use pgplan_core::plan_file::MAX_PLAN_BYTES;
use pgplan_core::{Plan, PlanFileError, ValidPlan};
use serde::Serialize;

use crate::args::Output;
use crate::report::Source;

/// Exit code: the plan has errors (validation findings of severity error).
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: the input could not be read — a plan file that is missing,
/// too large or not a plan, a bad argument, a rule id that is no rule.
pub const EXIT_UNREADABLE: u8 = 2;
/// Exit code: the target failed — the server, cluster or Azure could not be
/// reached, refused the login, or a change failed (and was rolled back).
pub const EXIT_TARGET: u8 = 3;
/// Exit code: something was held back: roles, databases or schemas pgplan
/// does not manage were left alone (`--adopt`), or files it did not write
/// would have been overwritten (`--force`; nothing was written).
pub const EXIT_REFUSED: u8 = 4;

/// A plan file that could not be read, with what a report needs.
#[derive(Serialize)]
pub struct LoadError {
    /// `read`, `too_large` or `parse`.
    pub kind: &'static str,
    /// The file as given.
    pub file: String,
    /// What is wrong (never a secret: excerpts are redacted).
    pub message: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The field at that line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip)]
    source: Option<Box<Source>>,
}

impl LoadError {
    fn read(file: &str, message: String, kind: &'static str) -> Self {
        LoadError {
            kind,
            file: file.to_owned(),
            message,
            line: None,
            column: None,
            field: None,
            source: None,
        }
    }

    /// The error as a miette report (with the offending line, redacted).
    pub fn report(&self) -> Report {
        let name = terminal::line(&self.file);
        let message = terminal::text(&self.message);
        let Some(source) = &self.source else {
            return miette::miette!(code = "pgplan::read", "{message}");
        };
        let diag = MietteDiagnostic::new(format!("{name} is not a valid plan: {message}"))
            .with_code("pgplan::parse")
            .with_help(
                "fix the field at the marked line; `pgplan validate` reads YAML (or JSON for *.json)",
            );
        // Only the lines around the error are shown (redacted and escaped).
        let excerpt = self
            .line
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

    /// Prints the error the way the output format asks: a report on stderr,
    /// or `{"error": {…}}` on stdout for JSON.
    pub fn print(&self, output: Output) {
        match output {
            Output::Text => crate::out::report(&self.report()),
            Output::Json => {
                if crate::out::json(&serde_json::json!({ "error": self })).is_err() {
                    crate::out::report(&self.report());
                }
            }
        }
    }
}

/// Reads a plan file's text: at most [`MAX_PLAN_BYTES`] (a device or a
/// runaway file is refused without reading it all), UTF-8.
fn read_text(path: &Path) -> Result<String, Box<LoadError>> {
    let name = path.display().to_string();
    let cannot =
        |e: std::io::Error| LoadError::read(&name, format!("cannot read {name}: {e}"), "read");
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_dir() {
        return Err(Box::new(LoadError::read(
            &name,
            format!("cannot read {name}: it is a directory; name a plan file"),
            "read",
        )));
    }
    // Sized for the whole file (and one byte more, to see the end) so that
    // it is read in one go, not in ever larger pieces: a fleet reads
    // thousands. A pipe or a file that grows is still read to its end.
    let expected = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    let mut bytes = Vec::with_capacity(expected.min(MAX_PLAN_BYTES) + 1);
    file.take(MAX_PLAN_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(Box::new(LoadError::read(
            &name,
            format!(
                "cannot read {name}: it holds more than {} MiB, the most a plan file may hold; a plan for one server is a few kilobytes (is this the right file?)",
                MAX_PLAN_BYTES / (1024 * 1024)
            ),
            "too_large",
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Box::new(LoadError::read(
            &name,
            format!(
                "cannot read {name}: byte {} is not UTF-8 text; a plan file is YAML or JSON in UTF-8",
                e.utf8_error().valid_up_to()
            ),
            "read",
        ))
    })
}

/// Reads and parses a plan file; JSON when the name ends in `.json`.
pub fn load(path: &Path) -> Result<(Plan, Source), Box<LoadError>> {
    let text = read_text(path)?;
    let name = path.display().to_string();
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
        Ok(mut plan) => {
            // Migration directories are relative to the plan file.
            let dir = path.parent().unwrap_or_else(|| Path::new("."));
            match plan.read_migrations(dir) {
                Ok(()) => Ok((plan, source)),
                Err(e) => Err(Box::new(LoadError {
                    kind: "read",
                    file: name,
                    message: e.to_string(),
                    line: None,
                    column: None,
                    field: Some(format!("databases[{}].migrations.directory", e.database)),
                    source: None,
                })),
            }
        }
        Err(e) => {
            let (field, column) = match &e {
                PlanFileError::Yaml { field, column, .. } => (field.clone(), *column),
                PlanFileError::Json { column, .. } => (None, Some(*column as u64)),
                _ => (None, None),
            };
            Err(Box::new(LoadError {
                kind: "parse",
                file: name,
                message: e.to_string(),
                line: e.line().filter(|l| *l > 0),
                column: column.filter(|c| *c > 0),
                field,
                source: Some(Box::new(source)),
            }))
        }
    }
}

/// Loads a plan and validates it, printing every error and warning (a rule
/// that fires many times summed up unless `verbose`); the exit code when it
/// cannot be read or has errors (nothing is applied then).
pub fn load_valid(path: &Path, verbose: bool) -> Result<ValidPlan, u8> {
    let (plan, source) = match load(path) {
        Ok(x) => x,
        Err(e) => {
            e.print(Output::Text);
            return Err(EXIT_UNREADABLE);
        }
    };
    match plan.validate_with_options(&validate_options()) {
        Ok(valid) => {
            crate::out::findings(&crate::report::blocking(
                valid.report(),
                &source,
                verbose,
                true,
            ));
            Ok(valid)
        }
        Err(report) => {
            crate::out::findings(&crate::report::blocking(&report, &source, verbose, true));
            crate::out::error(&format!(
                "{}: fix the {} error(s) above first",
                source.name,
                report.errors().count()
            ));
            Err(EXIT_ERRORS)
        }
    }
}

/// The day plans are checked for: `--as-of`, `PGPLAN_AS_OF`, else today.
static AS_OF: std::sync::OnceLock<pgplan_core::lifecycle::CalendarDate> =
    std::sync::OnceLock::new();

/// Sets the day plans are checked for (once, from the arguments).
pub fn set_as_of(day: pgplan_core::lifecycle::CalendarDate) {
    let _ = AS_OF.set(day);
}

/// Today's date in UTC, from the system clock.
pub fn today() -> pgplan_core::lifecycle::CalendarDate {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    pgplan_core::lifecycle::CalendarDate::from_days_since_epoch((seconds / 86_400) as i64)
}

/// What validation takes: the day set by [`set_as_of`] (today when unset).
pub fn validate_options() -> pgplan_core::validate::ValidateOptions {
    pgplan_core::validate::ValidateOptions::as_of(*AS_OF.get_or_init(today))
}
