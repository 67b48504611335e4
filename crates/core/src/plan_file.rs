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

/// Examples of the mappings people most often write as a single value.
const MAPPING_EXAMPLES: &[(&str, &str)] = &[
    ("platform", "platform: { local: {} }"),
    ("memory", "memory: { request: 2Gi, limit: 4Gi }"),
    ("cpu", "cpu: { request: 2, limit: 4 }"),
    (
        "sizing",
        "sizing: { memory: { request: 4Gi }, cpu: { request: 2 } }",
    ),
    ("storage", "storage: { size: 256Gi }"),
    ("sku", "sku: { name: Standard_D4s_v3 }"),
    (
        "high_availability",
        "high_availability: { mode: zone_redundant, standby_zone: \"2\" }",
    ),
    ("pods", "pods: { min: 3, max: 15 }"),
    (
        "topology",
        "topology: { replicas: [{ name: orders-replica }] }",
    ),
    (
        "tuning",
        "tuning: { workload: oltp, parameters: { work_mem: 16MB } }",
    ),
    (
        "parameters",
        "parameters: { work_mem: 16MB, max_connections: 200 }",
    ),
    (
        "objectives",
        "objectives: { availability: 99.9%, rpo: 5min, rto: 30min }",
    ),
    (
        "backups",
        "backups: { logical: [{ name: nightly, schedule: \"0 2 * * *\", retention: 7d }] }",
    ),
    ("password", "password: { generated: {} }"),
    (
        "pooler",
        "pooler: { max_client_connections: 1000, default_pool_size: 20 }",
    ),
];

/// Says what shape the plan expects instead of serde's own words (`expected
/// mapping start`, `expected struct Resources`, `untagged enum`), and names
/// a missing field at its own path. Returns the field and the message.
fn humanize(
    field: Option<String>,
    message: String,
    index: &LineIndex,
    at: Option<(usize, usize)>,
) -> (Option<String>, String) {
    // "missing field `tier`" is reported where the mapping's keys are; the
    // field that is missing belongs to that mapping.
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        let mapping = match (&field, at) {
            (Some(f), Some((line, column)))
                if !f.ends_with(']') && index.is_key_at(f, line, column) =>
            {
                f.rfind(['.', '['])
                    .map(|i| f[..i].to_owned())
                    .filter(|p| !p.is_empty())
            }
            _ => field.clone(),
        };
        let path = match &mapping {
            Some(m) => format!("{m}.{missing}"),
            None => missing.to_owned(),
        };
        let within = mapping.as_deref().unwrap_or("the plan");
        return (
            Some(path),
            format!("`{missing}` is missing: {within} needs it"),
        );
    }
    let last = field
        .as_deref()
        .map(|f| {
            f.rsplit(['.', '['])
                .next()
                .unwrap_or(f)
                .trim_end_matches(']')
        })
        .unwrap_or("");
    let example = MAPPING_EXAMPLES
        .iter()
        .find(|(k, _)| *k == last)
        .map(|(_, e)| format!(", e.g. `{e}`"))
        .unwrap_or_default();
    let mapping = format!(
        "expected a mapping of fields (`key: value` lines indented below it, or `{{ key: value }}`), not a single value{example}"
    );
    let message = if message.contains("expected mapping start") {
        mapping
    } else if message.contains("expected sequence start") {
        "expected a list (`- item` lines indented below it, or `[a, b]`), not a single value or a mapping".to_owned()
    } else if message.contains("scalar") && message.starts_with("expected") {
        "expected a single value (a number, a word or a quoted string), not a list or a mapping"
            .to_owned()
    } else if let Some(i) = message.find("expected struct ") {
        format!(
            "{}{}",
            &message[..i],
            mapping.replacen(", not a single value", "", 1)
        )
    } else if message.contains("untagged enum") || message.contains("externally tagged enum") {
        format!("this value does not have a shape pgplan reads here{example}")
    } else {
        message
    };
    (field, message)
}

impl Plan {
    /// Reads a YAML plan file.
    pub fn from_yaml(text: &str) -> Result<Plan, PlanFileError> {
        serde_saphyr::from_str::<Plan>(text).map_err(|e| {
            let loc = e.location();
            let line = loc.map(|l| l.line()).filter(|l| *l > 0);
            let column = loc.map(|l| l.column()).filter(|c| *c > 0);
            let index = LineIndex::new(text);
            let at = match (line, column) {
                (Some(l), Some(c)) => Some((l as usize, c as usize)),
                _ => None,
            };
            let field = at.and_then(|(l, c)| index.path_at(l, c));
            let (field, message) = humanize(field, bare_message(&e), &index, at);
            // A missing field is pointed at the mapping it belongs in.
            let (line, column) = match field
                .as_deref()
                .filter(|_| message.contains(" is missing: "))
                .and_then(|f| index.span_of(f))
            {
                Some(span) => (Some(span.line as u64), Some(span.column as u64)),
                None => (line, column),
            };
            PlanFileError::Yaml {
                line,
                column,
                field,
                message,
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

    fn error(extra: &str) -> String {
        Plan::from_yaml(&format!("{MINIMAL}{extra}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_missing_field_is_reported_at_the_field_that_is_missing() {
        // It was reported at its neighbour: `clients[0].pods: missing field
        // `pool_size``.
        let e = error("clients:\n  - name: api\n    pods: { min: 1, max: 2 }\n");
        assert!(
            e.contains("field `clients[0].pool_size`: `pool_size` is missing: clients[0] needs it"),
            "{e}"
        );
        let e = error("clients:\n  - { name: api, pool_size: 5 }\n");
        assert!(e.contains("field `clients[0].pods`"), "{e}");
    }

    #[test]
    fn messages_say_what_shape_is_expected_without_serde_internals() {
        for (extra, expected) in [
            (
                "sizing:\n  memory: 2Gi\n",
                "e.g. `memory: { request: 2Gi, limit: 4Gi }`",
            ),
            ("topology: 5\n", "expected a mapping of fields"),
            (
                "tuning:\n  parameters:\n    work_mem: [1, 2]\n",
                "one string, number or boolean",
            ),
            ("roles: { name: x }\n", "expected a list (`- item` lines"),
            (
                "clients:\n  - name: api\n    pool_size: [1]\n    pods: { min: 1, max: 2 }\n",
                "expected a single value",
            ),
        ] {
            let e = error(extra);
            assert!(e.contains(expected), "{extra}: {e}");
            for internal in [
                "untagged",
                "externally tagged",
                "mapping start",
                "sequence start",
                "scalar",
                "struct ",
            ] {
                assert!(!e.contains(internal), "{extra}: {e}");
            }
        }
        let e = Plan::from_yaml(&MINIMAL.replace("version: 17", "version: [17]"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("a PostgreSQL major version, such as 17"), "{e}");
        let e = Plan::from_yaml(&MINIMAL.replace("platform:\n  local: {}", "platform: cloud"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown platform `cloud`"), "{e}");
        assert!(e.contains("platform: { local: {} }"), "{e}");
    }

    #[test]
    fn platform_local_alone_reads() {
        let plan =
            Plan::from_yaml(&MINIMAL.replace("platform:\n  local: {}", "platform: local")).unwrap();
        assert_eq!(plan.platform.kind(), "local");
    }

    #[test]
    fn sizes_without_a_unit_are_refused_with_the_units_named() {
        // `size: 256` was 256 bytes, and PGP027 then spoke of 26214400 %.
        let e = error("sizing:\n  data_volume: 256\n");
        assert!(e.contains("field `sizing.data_volume`"), "{e}");
        assert!(e.contains("`256` has no unit; write 256Gi or 256GB"), "{e}");
        assert!(e.contains("256B if bytes are meant"), "{e}");
        let e = error("sizing:\n  data_volume: \"256\"\n");
        assert!(e.contains("has no unit"), "{e}");
        assert!(Plan::from_yaml(&format!("{MINIMAL}sizing:\n  data_volume: 256B\n")).is_ok());
    }
}
