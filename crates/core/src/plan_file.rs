//! Plan files: the model as YAML or JSON.
//!
//! Reading a plan file checks every field's type and every constrained value
//! (names, units, schedules) while parsing; an error names the line, column and
//! field. Cross-field checks are [`Plan::validate`]'s job.
//!
//! There is no separate, looser "plan file" type in front of [`Plan`]: every
//! constrained value is a newtype that checks itself while it is
//! deserialised, so parsing already yields a well-typed model, and the one
//! thing a loose layer would add — where a value stood in the file — comes
//! from the parser's location and [`LineIndex`](crate::locate::LineIndex),
//! which maps diagnostics' field paths back to lines. A parallel tree of
//! loose types would repeat every struct of the model for no gain.

use crate::locate::LineIndex;
use crate::model::plan::Plan;

/// serde-saphyr's message without its source snippet and location prefix
/// (pgplan reports both itself).
fn bare_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    // "line 7 column 22: message at line 7, column 22" → "message"
    let text = match text.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => rest,
        _ => text,
    };
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(", column ") => text[..i].to_owned(),
        _ => text.to_owned(),
    }
}

/// A plan file that cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanFileError {
    /// YAML that does not parse, or does not fit the model.
    #[error("{}", yaml_message(.line, .column, .field, .message))]
    Yaml {
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// The field at that position (`sizing.memory.request`), when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// JSON that does not parse, or does not fit the model.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The plan could not be written.
    #[error("cannot write the plan: {0}")]
    Write(String),
}

fn yaml_message(
    line: &Option<u64>,
    column: &Option<u64>,
    field: &Option<String>,
    message: &str,
) -> String {
    let at = match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}"),
        (Some(l), None) => format!("line {l}"),
        _ => return message.to_owned(),
    };
    match field {
        Some(f) => format!("{at}, field `{f}`: {message}"),
        None => format!("{at}: {message}"),
    }
}

impl PlanFileError {
    /// The 1-based line of the error, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            PlanFileError::Yaml { line, .. } => *line,
            PlanFileError::Json { line, .. } => Some(*line as u64),
            PlanFileError::Write(_) => None,
        }
    }
}

impl Plan {
    /// Reads a YAML plan file.
    pub fn from_yaml(text: &str) -> Result<Plan, PlanFileError> {
        serde_saphyr::from_str::<Plan>(text).map_err(|e| {
            let loc = e.location();
            let line = loc.map(|l| l.line()).filter(|l| *l > 0);
            let column = loc.map(|l| l.column()).filter(|c| *c > 0);
            let field = match (line, column) {
                (Some(l), Some(c)) => LineIndex::new(text).path_at(l as usize, c as usize),
                _ => None,
            };
            PlanFileError::Yaml {
                line,
                column,
                field,
                message: bare_message(&e),
            }
        })
    }
    /// Reads a JSON plan file.
    pub fn from_json(text: &str) -> Result<Plan, PlanFileError> {
        serde_json::from_str(text).map_err(|e| PlanFileError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }
    /// Writes the plan as YAML.
    pub fn to_yaml(&self) -> Result<String, PlanFileError> {
        serde_saphyr::to_string(self).map_err(|e| PlanFileError::Write(e.to_string()))
    }
    /// Writes the plan as pretty JSON.
    pub fn to_json(&self) -> Result<String, PlanFileError> {
        serde_json::to_string_pretty(self).map_err(|e| PlanFileError::Write(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "service: orders\nenvironment: dev\nversion: 17\nplatform:\n  local: {}\n";

    #[test]
    fn minimal_plan_reads_and_round_trips() {
        let plan = Plan::from_yaml(MINIMAL).unwrap();
        assert_eq!(plan.environment, crate::Environment::Development);
        let yaml = plan.to_yaml().unwrap();
        assert_eq!(Plan::from_yaml(&yaml).unwrap(), plan);
        let json = plan.to_json().unwrap();
        assert_eq!(Plan::from_json(&json).unwrap(), plan);
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let bad = MINIMAL.replace("version: 17", "version: 12");
        let e = Plan::from_yaml(&bad).unwrap_err();
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.to_string().contains("14–18"), "{e}");

        let typo = format!("{MINIMAL}sizng: {{}}\n");
        let e = Plan::from_yaml(&typo).unwrap_err();
        assert!(e.to_string().contains("sizng"), "{e}");
        assert_eq!(e.line(), Some(6), "{e}");

        let unit = format!("{MINIMAL}sizing:\n  data_volume: 20 parsecs\n");
        let e = Plan::from_yaml(&unit).unwrap_err();
        assert!(e.to_string().contains("unknown unit `parsecs`"), "{e}");
        assert!(e.to_string().contains("field `sizing.data_volume`"), "{e}");
        assert_eq!(e.line(), Some(7), "{e}");
    }
}
