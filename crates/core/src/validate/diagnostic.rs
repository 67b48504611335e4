//! Diagnostics and the report that collects them.

use std::fmt;

use serde::{Deserialize, Serialize};

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

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable rule id (`PGP001`).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Path of the field in the plan (`tuning.parameters.max_connections`).
    pub path: String,
    /// What is wrong, with the numbers.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic {
    /// A new diagnostic.
    pub fn new(
        id: &str,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            id: id.to_owned(),
            severity,
            path: path.into(),
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.id, self.path, self.message
        )?;
        write!(f, "  help: {}", self.help)
    }
}

/// Every diagnostic of a validation run, in rule order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
        self.diagnostics.iter().filter(move |d| d.id == id)
    }
    /// True when no diagnostic was produced.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }
    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
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
