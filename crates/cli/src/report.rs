//! Printing validation reports: readable (with the plan's own lines, through
//! miette) or JSON.

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};
use pgplan_core::{Diagnostic, Severity};

use pgplan_core::locate::LineIndex;

/// A plan file as read from disk.
pub struct Source {
    /// Path as given.
    pub name: String,
    /// Contents.
    pub text: String,
    /// Path → line index (YAML only).
    pub index: LineIndex,
}

impl Source {
    /// Wraps a file's contents.
    pub fn new(name: String, text: String) -> Self {
        let index = LineIndex::new(&text);
        Source { name, text, index }
    }

    /// Points every finding at the line of its field, in a YAML plan file (a
    /// JSON file has no line index: its findings keep only their paths).
    pub fn locate(&self, report: pgplan_core::Report) -> pgplan_core::Report {
        if self.name.to_ascii_lowercase().ends_with(".json") {
            report
        } else {
            report.located(&self.text)
        }
    }

    /// The byte range a finding's label covers: from its field to the end of
    /// that line.
    fn label_of(&self, d: &Diagnostic) -> Option<(usize, usize)> {
        let start = d.span?.offset.min(self.text.len());
        let len = self.text[start..]
            .find('\n')
            .unwrap_or(self.text.len() - start);
        Some((start, len))
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A diagnostic as a miette report pointing at the plan's line (when the
/// report was located with [`Source::locate`]).
pub fn to_miette(d: &Diagnostic, source: &Source) -> Report {
    let mut diag = MietteDiagnostic::new(d.message.clone())
        .with_code(d.id())
        .with_severity(miette_severity(d.severity))
        .with_help(d.help.clone());
    if let Some((offset, len)) = source.label_of(d) {
        diag = diag.with_label(LabeledSpan::at(offset..offset + len, d.path.to_string()));
    } else {
        diag = diag.with_help(format!("{} (at {})", d.help, d.path));
    }
    Report::new(diag).with_source_code(NamedSource::new(source.name.clone(), source.text.clone()))
}

/// Before rendering or applying: errors and warnings in full, infos counted.
pub fn print_blocking(report: &pgplan_core::Report, source: &Source) {
    for d in report
        .diagnostics()
        .iter()
        .filter(|d| d.severity != Severity::Info)
    {
        eprintln!("{:?}", to_miette(d, source));
    }
    let infos = report.count(Severity::Info);
    if infos > 0 {
        eprintln!(
            "{}: {infos} info finding(s); `pgplan validate {}` shows them",
            source.name, source.name
        );
    }
}

/// One line summing the report up.
pub fn summary(diags: &[Diagnostic]) -> String {
    let count = |s| diags.iter().filter(|d| d.severity == s).count();
    format!(
        "{} error(s), {} warning(s), {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}
