//! Printing validation reports: readable (with the plan's own lines, through
//! miette) or JSON.
//!
//! The excerpts miette shows come from [`pgplan_core::redact::Excerpt`]:
//! secret values replaced with `<redacted>`, control and bidi characters
//! escaped, findings still pointing at their lines. Messages and help texts
//! are escaped for the terminal before miette lays them out.

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};
use pgplan_core::escape::terminal;
use pgplan_core::locate::LineIndex;
use pgplan_core::redact::Excerpt;
use pgplan_core::{Diagnostic, Severity};

/// A plan file as read from disk.
pub struct Source {
    /// Path as given.
    pub name: String,
    /// Contents.
    pub text: String,
    /// Path → line index (YAML only).
    pub index: LineIndex,
    /// The contents as they may be shown: secrets redacted, control and
    /// bidi characters escaped. Excerpts are cut from this, never from
    /// `text`.
    pub shown: Excerpt,
}

impl Source {
    /// Wraps a file's contents.
    pub fn new(name: String, text: String) -> Self {
        let index = LineIndex::new(&text);
        let shown = Excerpt::new(&text);
        Source {
            name,
            text,
            index,
            shown,
        }
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

    /// The byte range in [`Source::shown`] a label covers: from the field
    /// at `offset` of the file to the end of that line.
    pub fn label_at(&self, offset: usize) -> (usize, usize) {
        let shown = self.shown.text();
        let start = self
            .shown
            .offset(offset.min(self.text.len()))
            .min(shown.len());
        let len = shown[start..].find('\n').unwrap_or(shown.len() - start);
        (start, len)
    }

    /// The file as miette shows it.
    pub fn named(&self) -> NamedSource<String> {
        NamedSource::new(terminal::line(&self.name), self.shown.text().to_owned())
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
    let help = terminal::text(&d.help).into_owned();
    let path = terminal::line(&d.path.to_string()).into_owned();
    let mut diag = MietteDiagnostic::new(terminal::text(&d.message).into_owned())
        .with_code(d.id())
        .with_severity(miette_severity(d.severity));
    if let Some(span) = d.span {
        let (offset, len) = source.label_at(span.offset);
        diag = diag
            .with_help(help)
            .with_label(LabeledSpan::at(offset..offset + len, path));
    } else {
        diag = diag.with_help(format!("{help} (at {path})"));
    }
    Report::new(diag).with_source_code(source.named())
}

/// Before rendering or applying: errors and warnings in full, infos counted.
pub fn print_blocking(report: &pgplan_core::Report, source: &Source) {
    for d in report
        .diagnostics()
        .iter()
        .filter(|d| d.severity != Severity::Info)
    {
        crate::out::report(&to_miette(d, source));
    }
    let infos = report.count(Severity::Info);
    if infos > 0 {
        crate::out::error(&format!(
            "{}: {infos} info finding(s); `pgplan validate {}` shows them",
            source.name, source.name
        ));
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
