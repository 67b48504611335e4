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

/// The largest plan file pgplan reads, in bytes (8 MiB): a plan for one
/// server is a few kilobytes; anything near this is a mistake, or an attack.
pub const MAX_PLAN_BYTES: usize = 8 * 1024 * 1024;

/// The most YAML nodes (mappings, sequences and scalars) a plan file may
/// hold, and how deeply they may nest.
pub const MAX_PLAN_NODES: usize = 250_000;
/// See [`MAX_PLAN_NODES`].
pub const MAX_PLAN_DEPTH: usize = 64;

/// serde-saphyr's message without its source snippet and location suffixes
/// (pgplan reports the location itself), in pgplan's words where the
/// parser's would name its own types.
fn bare_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    // "line 7 column 22: message at line 7, column 22" → "message"
    let text = match text.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => rest,
        _ => text,
    };
    let mut text = text.to_owned();
    // " (used at line 3, column 7)", " (defined at line 1, column 10)"
    for marker in [" (used at line ", " (defined at line "] {
        while let Some(i) = text.find(marker) {
            match text[i..].find(')') {
                Some(j) => text.replace_range(i..i + j + 1, ""),
                None => break,
            }
        }
    }
    if let Some(i) = text.rfind(" at line ")
        && is_line_column(&text[i + " at line ".len()..])
    {
        text.truncate(i);
    }
    plain_words(&text)
}

/// True for `N, column M` (the tail of " at line N, column M").
fn is_line_column(tail: &str) -> bool {
    tail.split_once(", column ").is_some_and(|(l, c)| {
        !l.is_empty()
            && !c.is_empty()
            && l.bytes().all(|b| b.is_ascii_digit())
            && c.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The parser's wording for limits and duplicate keys, in the plan's terms.
fn plain_words(text: &str) -> String {
    if let Some(breach) = text.strip_prefix("budget breached: ") {
        let what = breach.split([' ', '{', '(']).next().unwrap_or_default();
        return match what {
            "Depth" => format!(
                "the plan file nests more than {MAX_PLAN_DEPTH} levels deep; a plan is a few levels of mappings and lists"
            ),
            "Nodes" | "Events" => format!(
                "the plan file holds more than {MAX_PLAN_NODES} values; a plan for one server holds a few hundred"
            ),
            "Aliases" | "Anchors" | "AliasAnchorRatio" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => {
                "the plan file uses too many YAML anchors and aliases; write the values out".into()
            }
            "Documents" => "the plan file holds more than one YAML document; put one plan in a file".into(),
            "ScalarBytes" | "InputBytes" | "CommentBytes" => format!(
                "the plan file's values add up to more than {} MiB; a plan is a few kilobytes",
                MAX_PLAN_BYTES / (1024 * 1024)
            ),
            _ => "the plan file is too large or too complex to read; a plan for one server is a few kilobytes".into(),
        };
    }
    if let Some(rest) = text.strip_prefix("duplicate mapping key") {
        let key = rest
            .strip_prefix(": ")
            .and_then(|r| r.split(", set DuplicateKeyPolicy").next())
            .filter(|k| !k.is_empty());
        return match key {
            Some(k) => format!("the key `{k}` appears twice in the same mapping; keep one"),
            None => "a key appears twice in the same mapping; keep one".into(),
        };
    }
    text.to_owned()
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
    /// The text is larger than any plan ([`MAX_PLAN_BYTES`]).
    #[error(
        "the plan file is {bytes} bytes, more than the {} MiB a plan may have; a plan for one server is a few kilobytes (is this the right file?)",
        limit / (1024 * 1024)
    )]
    TooLarge {
        /// Its size (or the bytes read before giving up).
        bytes: usize,
        /// The limit.
        limit: usize,
    },
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

fn too_large(len: usize) -> PlanFileError {
    PlanFileError::TooLarge {
        bytes: len,
        limit: MAX_PLAN_BYTES,
    }
}

impl PlanFileError {
    /// The 1-based line of the error, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            PlanFileError::Yaml { line, .. } => *line,
            PlanFileError::Json { line, .. } => Some(*line as u64),
            PlanFileError::Write(_) | PlanFileError::TooLarge { .. } => None,
        }
    }
}

/// The first text in a plan that no format pgplan writes can hold (see
/// [`crate::escape::unrepresentable`]): its field path and why. The plan
/// reader and the builders refuse such a plan with that path.
///
/// ```
/// use pgplan_core::Plan;
/// let e = Plan::from_yaml(
///     "service: x\nenvironment: development\nversion: 17\nplatform: { local: {} }\nroles:\n  - { name: \"a\\0b\", purpose: application }\n",
/// )
/// .unwrap_err();
/// assert!(e.to_string().contains("field `roles[0].name`"), "{e}");
/// ```
pub fn unrepresentable_text(plan: &Plan) -> Option<(String, &'static str)> {
    fn walk(value: &serde_json::Value, path: &mut String) -> Option<(String, &'static str)> {
        match value {
            serde_json::Value::String(s) => {
                crate::escape::unrepresentable(s).map(|why| (path.clone(), why))
            }
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(v, path);
                path.truncate(len);
                found
            }),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = crate::escape::unrepresentable(k)
                    .map(|why| (path.clone(), why))
                    .or_else(|| walk(v, path));
                path.truncate(len);
                found
            }),
            _ => None,
        }
    }
    let value = serde_json::to_value(plan).ok()?;
    walk(&value, &mut String::new())
}

/// Whether a value parsed from `text` (YAML or JSON) can hold a NUL: only
/// a NUL in the text itself, an escape sequence (`"\0"`, `"\x00"`,
/// `"\u0000"`) or a `!!binary` value decodes to one. Most plans have none of
/// these, and the walk over every value of the plan is then skipped.
fn may_decode_to_nul(text: &str) -> bool {
    text.contains(['\0', '\\']) || text.contains("binary")
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
        let plan = Self::from_yaml_unchecked(text)?;
        if !may_decode_to_nul(text) {
            return Ok(plan);
        }
        match unrepresentable_text(&plan) {
            None => Ok(plan),
            Some((field, why)) => {
                let index = LineIndex::new(text);
                let (line, column) = index.span_of(&field).map_or((None, None), |s| {
                    (Some(s.line as u64), Some(s.column as u64))
                });
                Err(PlanFileError::Yaml {
                    line,
                    column,
                    field: Some(field),
                    message: format!("the value holds {why}"),
                })
            }
        }
    }

    fn from_yaml_unchecked(text: &str) -> Result<Plan, PlanFileError> {
        if text.len() > MAX_PLAN_BYTES {
            return Err(too_large(text.len()));
        }
        // Comments are not kept (no field is `Commented`) and pgplan draws
        // its own excerpt for an error: neither is worth the parser's time.
        let options = serde_saphyr::options! {
            emit_comments: false,
            with_snippet: false,
            budget: serde_saphyr::budget! {
                max_nodes: MAX_PLAN_NODES,
                max_depth: MAX_PLAN_DEPTH,
                max_total_scalar_bytes: MAX_PLAN_BYTES,
            },
        };
        serde_saphyr::from_str_with_options::<Plan>(text, options).map_err(|e| {
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
        if text.len() > MAX_PLAN_BYTES {
            return Err(too_large(text.len()));
        }
        let plan: Plan = serde_json::from_str(text).map_err(|e| PlanFileError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if !may_decode_to_nul(text) {
            return Ok(plan);
        }
        match unrepresentable_text(&plan) {
            None => Ok(plan),
            Some((field, why)) => Err(PlanFileError::Json {
                line: 0,
                column: 0,
                message: format!("field `{field}`: the value holds {why}"),
            }),
        }
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
    fn values_no_format_can_hold_are_refused_with_their_field() {
        // Issue 15, finding 1: a parameter value with line breaks became
        // new settings in postgresql.conf; ALTER SYSTEM refuses it anyway.
        let injected = format!(
            "{MINIMAL}tuning:\n  parameters:\n    search_path: \"public\\\\'\\nfsync = off\\n#\"\n"
        );
        let e = Plan::from_yaml(&injected).unwrap_err();
        assert!(e.to_string().contains("line break"), "{e}");
        assert!(
            e.to_string().contains("tuning.parameters.search_path"),
            "{e}"
        );
        assert_eq!(e.line(), Some(8), "{e}");
        let nul = MINIMAL.replace(
            "service: orders",
            "service: orders\nlabels: { team: \"a\\0\" }",
        );
        assert!(Plan::from_yaml(&nul).is_err());
        // The builders refuse the same.
        let built = Plan::development("orders")
            .version(17)
            .local(|l| l)
            .tuning(|t| t.parameter("search_path", "a\nfsync = off"))
            .build()
            .unwrap_err();
        assert!(built.to_string().contains("line break"), "{built}");
    }

    #[test]
    fn parser_wording_is_replaced_with_the_plans() {
        let e = Plan::from_yaml("service: a\nservice: b\n").unwrap_err();
        assert!(
            e.to_string().contains("the key `service` appears twice"),
            "{e}"
        );
        let deep = format!("n: {}1{}\n", "[".repeat(100), "]".repeat(100));
        let e = Plan::from_yaml(&deep).unwrap_err();
        assert!(!e.to_string().contains("budget"), "{e}");
        assert!(Plan::from_yaml(&" ".repeat(MAX_PLAN_BYTES + 1)).is_err());
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
