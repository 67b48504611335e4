//! Rules' metadata, diagnostics, and the report that collects them.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::path::FieldPath;
use crate::locate::LineIndex;

/// How serious a finding is. Errors block rendering; warnings and infos do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan cannot be rendered or applied as it is.
    Error,
    /// Probably wrong, or risky; rendering goes ahead.
    Warning,
    /// Worth knowing.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A failing plan and its fix, both files under `tests/plans/` (so the
/// documentation is tested: the first must report the rule, the second must
/// not).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RuleExamples {
    /// Path of the failing plan, relative to the repository root.
    pub fail_path: &'static str,
    /// The failing plan (YAML).
    pub fail: &'static str,
    /// Path of the fixed plan, relative to the repository root.
    pub fixed_path: &'static str,
    /// The fixed plan (YAML).
    pub fixed: &'static str,
}

/// Includes a rule's example plans from `tests/plans/{fail,pass}/<stem>.yaml`.
#[macro_export]
#[doc(hidden)]
macro_rules! rule_examples {
    ($stem:literal) => {
        Some($crate::validate::RuleExamples {
            fail_path: concat!("tests/plans/fail/", $stem, ".yaml"),
            fail: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/plans/fail/",
                $stem,
                ".yaml"
            )),
            fixed_path: concat!("tests/plans/pass/", $stem, ".yaml"),
            fixed: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/plans/pass/",
                $stem,
                ".yaml"
            )),
        })
    };
}

/// What a rule is: its stable id, name and documentation.
#[derive(PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (`PGP001`). Never reused, never renumbered.
    pub id: &'static str,
    /// Short kebab-case name (`connection-budget`).
    pub name: &'static str,
    /// One sentence: what the rule checks.
    pub summary: &'static str,
    /// Why it matters: what goes wrong on a real server when the check fails.
    pub rationale: &'static str,
    /// A failing plan and its fix.
    pub examples: Option<RuleExamples>,
    /// Ids this rule was split out of (listed in the CHANGELOG).
    pub replaces: &'static [&'static str],
}

/// The paths only: the plans themselves would fill every debug print of a
/// diagnostic.
impl fmt::Debug for RuleExamples {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleExamples")
            .field("fail_path", &self.fail_path)
            .field("fixed_path", &self.fixed_path)
            .finish_non_exhaustive()
    }
}

/// The id and name only: a diagnostic's debug print names its rule, and
/// `{info:#?}` of the documentation is not what anyone debugs.
impl fmt::Debug for RuleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleInfo")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for RuleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.name)
    }
}

/// Where a diagnostic's field stands in the plan file it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte offset of the field in the file.
    pub offset: usize,
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: &'static RuleInfo,
    /// Severity.
    pub severity: Severity,
    /// The field in the plan (`tuning.parameters.max_connections`).
    pub path: FieldPath,
    /// Where that field is written in the plan file, when the plan came from one.
    pub span: Option<Span>,
    /// What is wrong, with the numbers.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic {
    /// A new diagnostic of a rule.
    pub fn new(
        rule: &'static RuleInfo,
        severity: Severity,
        path: impl Into<FieldPath>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            path: path.into(),
            span: None,
            message: message.into(),
            help: help.into(),
        }
    }
    /// The rule's stable id.
    pub fn id(&self) -> &'static str {
        self.rule.id
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Diagnostic", 8)?;
        st.serialize_field("id", self.rule.id)?;
        st.serialize_field("rule", self.rule.name)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("line", &self.span.map(|s| s.line))?;
        st.serialize_field("column", &self.span.map(|s| s.column))?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("help", &self.help)?;
        st.end()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.rule.id, self.path, self.message
        )?;
        write!(f, "  help: {}", self.help)
    }
}

/// What a rule writes its findings to: every finding carries the rule's own
/// metadata, so a rule cannot report under another rule's id.
pub struct Findings<'a> {
    rule: &'static RuleInfo,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Findings<'a> {
    /// Findings of `rule`, appended to `out`.
    pub fn new(rule: &'static RuleInfo, out: &'a mut Vec<Diagnostic>) -> Self {
        Findings { rule, out }
    }
    /// The rule being run.
    pub fn rule(&self) -> &'static RuleInfo {
        self.rule
    }
    /// Reports a finding.
    pub fn report(
        &mut self,
        severity: Severity,
        path: impl Into<FieldPath>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.out
            .push(Diagnostic::new(self.rule, severity, path, message, help));
    }
    /// Reports an error: the plan cannot be rendered as it is.
    pub fn error(
        &mut self,
        path: impl Into<FieldPath>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(Severity::Error, path, message, help);
    }
    /// Reports a warning.
    pub fn warning(
        &mut self,
        path: impl Into<FieldPath>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(Severity::Warning, path, message, help);
    }
    /// Reports something worth knowing.
    pub fn info(
        &mut self,
        path: impl Into<FieldPath>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(Severity::Info, path, message, help);
    }
    /// Number of findings reported so far by every rule.
    pub fn len(&self) -> usize {
        self.out.len()
    }
    /// True when nothing has been reported yet by any rule.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
}

/// Every diagnostic of a validation run, in rule order. Its `Debug` is its
/// `Display` (what `?` in `main` and `expect` print).
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// A report of these diagnostics.
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Report { diagnostics }
    }
    /// All diagnostics.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// Consumes the report.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
    /// Number of diagnostics of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
    /// Diagnostics of one rule.
    pub fn by_id<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| d.rule.id == id)
    }
    /// True when no diagnostic was produced.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }
    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }
    /// Points every diagnostic at the line of its field in the plan file the
    /// plan was read from (the longest prefix of the path that the file has).
    #[must_use]
    pub fn located(mut self, text: &str) -> Self {
        let index = LineIndex::new(text);
        for d in &mut self.diagnostics {
            d.span = index.span_of(&d.path.to_string());
        }
        self
    }
}

impl From<Vec<Diagnostic>> for Report {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Report { diagnostics }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "{} error(s), {} warning(s), {} info",
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info)
        )
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Report {}
