//! Printing validation reports: readable (with the plan's own lines, through
//! miette) or JSON.
//!
//! The cost is proportional to the findings: the file's line index and its
//! printable text are built once, and only when a finding has to be placed;
//! each finding carries only the few lines it shows ([`Excerpt`]); and a
//! rule that fires many times is printed once in full and summed up on one
//! line (unless `--verbose`).
//!
//! The lines shown come from [`pgplan_core::redact::Excerpt`]: secret values
//! replaced with `<redacted>`, control and bidi characters escaped, findings
//! still pointing at their lines. Messages, help texts and paths are escaped
//! for the terminal before miette lays them out.

use std::fmt::Write as _;
use std::sync::OnceLock;

use miette::{LabeledSpan, MietteDiagnostic, Report};
use pgplan_core::escape::terminal;
use pgplan_core::locate::LineIndex;
use pgplan_core::redact;
use pgplan_core::{Diagnostic, Severity, Span};

use crate::excerpt::Excerpt;

/// Findings of one rule printed in full before the rest are summed up.
const SHOWN_PER_RULE: usize = 3;
/// Places a summary line names before "and N more".
const NAMED_IN_SUMMARY: usize = 5;

/// A plan file as read from disk.
pub struct Source {
    /// Path as given.
    pub name: String,
    /// Contents.
    pub text: String,
    /// Path → line index (YAML only), built on first use.
    index: OnceLock<LineIndex>,
    /// The contents as they may be shown: secrets redacted, control and
    /// bidi characters escaped. Built on first use; excerpts are cut from
    /// this, never from `text`.
    shown: OnceLock<redact::Excerpt>,
}

impl Source {
    /// Wraps a file's contents.
    pub fn new(name: String, text: String) -> Self {
        Source {
            name,
            text,
            index: OnceLock::new(),
            shown: OnceLock::new(),
        }
    }

    fn is_json(&self) -> bool {
        self.name.to_ascii_lowercase().ends_with(".json")
    }

    /// The line index, built the first time a finding needs it.
    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The file as it may be printed, built the first time an excerpt is
    /// shown.
    fn shown(&self) -> &redact::Excerpt {
        self.shown.get_or_init(|| redact::Excerpt::new(&self.text))
    }

    /// Where a finding's field is written in a YAML plan file (a JSON file
    /// has no line index: its findings keep only their paths).
    pub fn span_of(&self, d: &Diagnostic) -> Option<Span> {
        if d.span.is_some() {
            return d.span;
        }
        if self.is_json() {
            return None;
        }
        self.index().span_of(&d.path.to_string())
    }

    /// Points every finding at the line of its field (for JSON reports).
    pub fn locate(&self, report: pgplan_core::Report) -> pgplan_core::Report {
        if self.is_json() || report.is_empty() {
            return report;
        }
        let mut diagnostics = report.into_diagnostics();
        for d in &mut diagnostics {
            d.span = self.span_of(d);
        }
        pgplan_core::Report::new(diagnostics)
    }

    /// Byte offset where a 1-based line starts.
    fn line_start(&self, line: usize) -> Option<usize> {
        if line == 0 {
            return None;
        }
        if self.is_json() {
            // JSON files have no line index; count lines directly (only
            // parse errors ask, once per file).
            if line == 1 {
                return Some(0);
            }
            return self
                .text
                .match_indices('\n')
                .nth(line - 2)
                .map(|(i, _)| i + 1);
        }
        self.index().offset_of_line(line)
    }

    /// End of the line that starts at `start` (its newline excluded).
    fn line_end(&self, start: usize) -> usize {
        self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i)
    }

    /// The lines around 1-based `line` with a label from `offset` to the end
    /// of that line: an excerpt to attach to a miette report.
    pub fn excerpt(&self, line: usize, offset: usize) -> Option<(Excerpt, LabeledSpan)> {
        let line_start = self.line_start(line)?;
        let first = line.saturating_sub(1).max(1);
        let start = self.line_start(first)?;
        let line_end = self.line_end(line_start);
        let end = if line_end < self.text.len() {
            self.line_end(line_end + 1)
        } else {
            line_end
        };
        // Offsets from here on are in the shown text, which the excerpt
        // stands for (miette reads its spans there).
        let shown = self.shown();
        let shown_start = shown.offset(start);
        let shown_end = shown.offset(end).max(shown_start);
        let label_start = shown.offset(offset.clamp(line_start, line_end));
        let label_end = shown.offset(line_end).max(label_start);
        let excerpt = Excerpt::new(
            &terminal::line(&self.name),
            shown.text()[shown_start..shown_end].to_owned(),
            shown_start,
            first - 1,
        );
        let label = LabeledSpan::at(label_start..label_end, "");
        Some((excerpt, label))
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A diagnostic as a miette report pointing at the plan's line.
pub fn to_miette(d: &Diagnostic, source: &Source) -> Report {
    let help = terminal::text(&d.help).into_owned();
    let path = terminal::line(&d.path.to_string()).into_owned();
    let mut diag = MietteDiagnostic::new(terminal::text(&d.message).into_owned())
        .with_code(d.id())
        .with_severity(miette_severity(d.severity))
        .with_help(help.clone());
    let excerpt = source
        .span_of(d)
        .and_then(|span| source.excerpt(span.line, span.offset));
    match excerpt {
        Some((excerpt, label)) => {
            let label = LabeledSpan::new(Some(path), label.offset(), label.len());
            Report::new(diag.with_label(label)).with_source_code(excerpt)
        }
        None => {
            diag = diag.with_help(format!("{help} (at {path})"));
            Report::new(diag)
        }
    }
}

/// Appends findings to `out`, escaped for the terminal: each rule's first
/// findings in full, the rest of a rule that fires more often summed up on
/// one line unless `verbose`.
pub fn write_findings<'a>(
    out: &mut String,
    findings: impl IntoIterator<Item = &'a Diagnostic>,
    source: &Source,
    verbose: bool,
) {
    // Group by rule and severity, in order of first appearance.
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
    let mut group_of: std::collections::HashMap<(&str, Severity), usize> =
        std::collections::HashMap::new();
    for d in findings {
        let key = (d.id(), d.severity);
        let i = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(d);
    }
    for group in groups {
        let full = if verbose || group.len() <= SHOWN_PER_RULE {
            group.len()
        } else {
            1
        };
        for d in &group[..full] {
            let _ = writeln!(out, "{:?}", to_miette(d, source));
        }
        let rest = &group[full..];
        if rest.is_empty() {
            continue;
        }
        let first = group[0];
        let _ = write!(
            out,
            "  {} {} ({}): {} more like this, at ",
            first.severity,
            first.id(),
            first.rule.name,
            rest.len()
        );
        for (i, d) in rest.iter().take(NAMED_IN_SUMMARY).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}", terminal::line(&d.path.to_string()));
            if let Some(span) = source.span_of(d) {
                let _ = write!(out, " (line {})", span.line);
            }
        }
        if rest.len() > NAMED_IN_SUMMARY {
            let _ = write!(out, " and {} more", rest.len() - NAMED_IN_SUMMARY);
        }
        let _ = writeln!(out, "; `--verbose` lists them all\n");
    }
}

/// Before rendering or applying: errors and warnings (grouped as in
/// [`write_findings`]), infos counted (in a fleet's summary when
/// `count_infos` is false). Returns the text to print, already escaped
/// for the terminal ([`crate::out::findings`] prints it).
pub fn blocking(
    report: &pgplan_core::Report,
    source: &Source,
    verbose: bool,
    count_infos: bool,
) -> String {
    let mut out = String::new();
    write_findings(
        &mut out,
        report
            .diagnostics()
            .iter()
            .filter(|d| d.severity != Severity::Info),
        source,
        verbose,
    );
    let infos = report.count(Severity::Info);
    if infos > 0 && count_infos {
        let _ = writeln!(
            out,
            "{}: {infos} info finding(s); `pgplan validate {}` shows them",
            terminal::line(&source.name),
            terminal::line(&source.name)
        );
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(report: &Report) -> String {
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, report.as_ref())
            .unwrap();
        out
    }

    fn labelled(source: &Source, line: usize, offset: usize) -> String {
        let (excerpt, label) = source.excerpt(line, offset).unwrap();
        let diag = MietteDiagnostic::new("here").with_label(LabeledSpan::new(
            Some("the field".into()),
            label.offset(),
            label.len(),
        ));
        shown(&Report::new(diag).with_source_code(excerpt))
    }

    #[test]
    fn excerpts_show_the_files_line_numbers_and_only_the_lines_around() {
        let text: String = (1..=200).map(|i| format!("key_{i}: {i}\n")).collect();
        let source = Source::new("plan.yaml".into(), text.clone());
        let offset = text.find("key_150").unwrap();
        let out = labelled(&source, 150, offset);
        assert!(out.contains("plan.yaml:150:1"), "{out}");
        for line in [
            "149 │ key_149: 149",
            "150 │ key_150: 150",
            "151 │ key_151: 151",
        ] {
            assert!(out.contains(line), "{line}:\n{out}");
        }
        assert!(
            !out.contains("key_148") && !out.contains("key_152"),
            "{out}"
        );
        assert!(out.contains("the field"), "{out}");
    }

    #[test]
    fn excerpts_work_at_both_ends_of_a_file() {
        let source = Source::new("p.yaml".into(), "first: 1\nsecond: 2\nlast: 3".into());
        let out = labelled(&source, 1, 0);
        assert!(
            out.contains("p.yaml:1:1") && out.contains("1 │ first: 1"),
            "{out}"
        );
        let out = labelled(&source, 3, source.text.find("last").unwrap());
        assert!(
            out.contains("p.yaml:3:1") && out.contains("3 │ last: 3"),
            "{out}"
        );
        assert!(source.excerpt(4, 0).is_none());
        // A JSON file has no path index, but parse errors still get lines.
        let json = Source::new("p.json".into(), "{\n  \"service\": 1\n}".into());
        let out = labelled(&json, 2, 0);
        assert!(
            out.contains("p.json:2:1") && out.contains("\"service\": 1"),
            "{out}"
        );
    }

    #[test]
    fn excerpts_are_cut_from_the_redacted_escaped_text() {
        let text =
            "roles:\n  - name: app\u{1b}[2K\n    password: \"LiteralPw-31337\"\n    login: true\n";
        let source = Source::new("p.yaml".into(), text.into());
        let out = labelled(&source, 3, text.find("password").unwrap());
        assert!(!out.contains("LiteralPw"), "{out}");
        assert!(out.contains("password: <redacted>"), "{out}");
        assert!(!out.contains('\u{1b}') && out.contains("\\u{1b}"), "{out}");
        assert!(out.contains("p.yaml:3:5"), "{out}");
    }
}
