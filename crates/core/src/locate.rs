//! Finds the line of a field path (`roles[2].grants[0]`) in a YAML plan file,
//! so diagnostics can point at the text the user wrote.
//!
//! Plans are block YAML with the occasional one-line flow mapping; this scan
//! follows indentation and sequence dashes, which is all the plan files need.
//! A path that cannot be found falls back to its longest found prefix.

use std::collections::BTreeMap;

/// Positions (1-based line and column) of every path in a YAML document.
///
/// ```
/// use pgplan_core::locate::LineIndex;
/// let idx = LineIndex::new("tuning:\n  parameters:\n    work_mem: 64MB\n");
/// assert_eq!(idx.line_of("tuning.parameters.work_mem"), Some(3));
/// assert_eq!(idx.path_at(3, 15).as_deref(), Some("tuning.parameters.work_mem"));
/// ```
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: BTreeMap<String, (usize, usize)>,
    offsets: Vec<usize>,
}

struct Frame {
    indent: usize,
    path: String,
    is_item: bool,
    /// Sequence items seen under this path so far (the next item's index).
    items: usize,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The key of `key: value` (unquoted), if the text is a mapping entry.
fn key_of(text: &str) -> Option<&str> {
    if text.starts_with('{') || text.starts_with('[') || text.starts_with('#') {
        return None;
    }
    let (k, _) = text.split_once(':')?;
    let k = k.trim().trim_matches('"').trim_matches('\'');
    (!k.is_empty() && !k.contains(' ') || k.contains('.')).then_some(k)
}

/// Top-level keys of a one-line flow mapping `{ a: 1, b: [x, y] }`, with
/// their byte offsets in `text`.
fn flow_keys(text: &str) -> Vec<(&str, usize)> {
    let lead = text.len() - text.trim_start().len();
    let Some(inner) = text.trim().strip_prefix('{') else {
        return Vec::new();
    };
    let base = lead + 1;
    let key_at = |from: usize, to: usize| {
        let part = &inner[from..to];
        let skip = part.len() - part.trim_start().len();
        key_of(part.trim()).map(|k| (k, base + from + skip))
    };
    let mut keys = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = inner.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    keys.extend(key_at(start, i));
                    break;
                }
                depth -= 1;
            }
            b',' if depth == 0 => {
                keys.extend(key_at(start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    keys
}

impl LineIndex {
    /// Indexes a YAML document.
    pub fn new(text: &str) -> Self {
        let mut lines = BTreeMap::new();
        let mut offsets = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Items of a sequence at the top level (no parent frame to count them).
        let mut top_items = 0;
        let mut offset = 0;
        for (n, raw) in text.split('\n').enumerate() {
            offsets.push(offset);
            offset += raw.len() + 1;
            let line_no = n + 1;
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
                continue;
            }
            let mut indent = raw.len() - trimmed.len();
            let mut rest = trimmed;
            // A sequence item, possibly with a mapping entry on the same line.
            if rest == "-" || rest.starts_with("- ") {
                while stack
                    .last()
                    .is_some_and(|f| f.indent > indent || (f.indent == indent && f.is_item))
                {
                    stack.pop();
                }
                let (parent, counter) = match stack.last_mut() {
                    Some(f) => (f.path.as_str(), &mut f.items),
                    None => ("", &mut top_items),
                };
                let item = format!("{parent}[{counter}]");
                *counter += 1;
                lines.entry(item.clone()).or_insert((line_no, indent + 1));
                let after = rest.strip_prefix('-').unwrap_or("").trim_start();
                let after_col = indent + (rest.len() - after.len());
                for (k, at) in flow_keys(after) {
                    lines
                        .entry(join(&item, k))
                        .or_insert((line_no, after_col + at + 1));
                }
                stack.push(Frame {
                    indent,
                    path: item,
                    is_item: true,
                    items: 0,
                });
                indent = after_col;
                rest = after;
                if rest.is_empty() || key_of(rest).is_none() {
                    continue;
                }
            }
            let Some(key) = key_of(rest) else {
                continue;
            };
            while stack.last().is_some_and(|f| f.indent >= indent) {
                stack.pop();
            }
            let path = join(stack.last().map_or("", |f| f.path.as_str()), key);
            lines.entry(path.clone()).or_insert((line_no, indent + 1));
            let colon = rest.find(':').unwrap_or(rest.len());
            let value = rest.get(colon + 1..).unwrap_or("");
            for (k, at) in flow_keys(value) {
                lines
                    .entry(join(&path, k))
                    .or_insert((line_no, indent + colon + 1 + at + 1));
            }
            stack.push(Frame {
                indent,
                path,
                is_item: false,
                items: 0,
            });
        }
        LineIndex { lines, offsets }
    }

    /// The line of a path, or of its longest prefix that exists.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.span_of(path).map(|s| s.line)
    }

    /// The line, column and byte offset of a path, or of its longest prefix
    /// that exists.
    pub fn span_of(&self, path: &str) -> Option<crate::validate::Span> {
        let mut p = path.to_owned();
        loop {
            if let Some((line, column)) = self.lines.get(&p) {
                let offset = self.offset_of_line(*line)? + column.saturating_sub(1);
                return Some(crate::validate::Span {
                    line: *line,
                    column: *column,
                    offset,
                });
            }
            let cut = p.rfind(['.', '['])?;
            p.truncate(cut);
            if p.is_empty() {
                return None;
            }
        }
    }

    /// The field at a 1-based line and column: the path on that line whose
    /// key starts last at or before the column.
    pub fn path_at(&self, line: usize, column: usize) -> Option<String> {
        self.lines
            .iter()
            .filter(|(_, (l, c))| *l == line && *c <= column.max(1))
            .max_by_key(|(p, (_, c))| (*c, p.len()))
            .or_else(|| {
                self.lines
                    .iter()
                    .filter(|(_, (l, _))| *l == line)
                    .min_by_key(|(_, (_, c))| *c)
            })
            .map(|(p, _)| p.clone())
    }

    /// True when `path` is a key written exactly at this line and column.
    pub fn is_key_at(&self, path: &str, line: usize, column: usize) -> bool {
        self.lines.get(path) == Some(&(line, column))
    }

    /// Byte offset where a 1-based line starts.
    pub fn offset_of_line(&self, line: usize) -> Option<usize> {
        self.offsets.get(line.checked_sub(1)?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "\
service: x
tuning:
  parameters:
    work_mem: 64MB
    pg_stat_statements.track: top
roles:
  - name: a
    grants:
      - { database: d, objects: database, privileges: [CONNECT] }
      - database: d
        objects: tables
  - name: b
    password: \"secret\"
";

    #[test]
    fn finds_nested_paths() {
        let idx = LineIndex::new(YAML);
        assert_eq!(idx.line_of("tuning.parameters.work_mem"), Some(4));
        assert_eq!(
            idx.line_of("tuning.parameters.pg_stat_statements.track"),
            Some(5)
        );
        assert_eq!(idx.line_of("roles[0]"), Some(7));
        assert_eq!(idx.line_of("roles[0].grants[0].privileges"), Some(9));
        assert_eq!(idx.line_of("roles[0].grants[1].objects"), Some(11));
        assert_eq!(idx.line_of("roles[1].password"), Some(13));
        assert_eq!(idx.line_of("roles[1].grants"), Some(12));
        assert_eq!(idx.line_of("tuning.parameters.max_connections"), Some(3));
        assert_eq!(idx.line_of("nowhere"), None);
        assert_eq!(
            idx.path_at(9, 60).as_deref(),
            Some("roles[0].grants[0].privileges")
        );
        assert_eq!(
            idx.path_at(9, 20).as_deref(),
            Some("roles[0].grants[0].database")
        );
        assert_eq!(
            idx.path_at(4, 15).as_deref(),
            Some("tuning.parameters.work_mem")
        );
    }
}
