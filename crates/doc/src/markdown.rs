//! Markdown, escaped in one place.
//!
//! Every value that comes from a plan reaches a document through [`text`]
//! (inline text), [`code`] (an inline code span) or a [`Table`] cell, so a
//! name such as `bill_*` or a parameter value such as `%t|%p` reads back
//! exactly as written, whatever Markdown would make of it. Tables are GitHub
//! Flavored Markdown tables, which GitHub, GitLab and Azure DevOps wikis
//! render; everything else is plain CommonMark.

use std::fmt::Write as _;

/// Text with every character that could mean something to Markdown
/// escaped: it reads back as itself in a paragraph, a list item or a table
/// cell. Line breaks and other control characters become spaces (a table
/// cell cannot hold a line break), and the text is trimmed.
///
/// ```
/// use pgplan_doc::markdown::text;
/// assert_eq!(text("bill_* <admin>"), r"bill\_\* \<admin>");
/// assert_eq!(text("1. not a list"), r"1\. not a list");
/// assert_eq!(text("max_connections"), "max_connections");
/// ```
pub fn text(raw: &str) -> String {
    escape(&normalize(raw), true)
}

/// Like [`text`], for text that never starts a line: a table cell or a
/// heading's title, where `1.`, `-` or `>` cannot open a block.
pub fn inline(raw: &str) -> String {
    escape(&normalize(raw), false)
}

/// Text whose `backticked` parts become code spans (messages and help texts
/// name fields and values that way); text with an odd number of backticks is
/// escaped as a whole.
///
/// ```
/// use pgplan_doc::markdown::prose;
/// assert_eq!(prose("set `max_connections` to 200"), "set `max_connections` to 200");
/// assert_eq!(prose("a ` b"), r"a \` b");
/// ```
pub fn prose(raw: &str) -> String {
    prose_at(raw, true)
}

fn prose_at(raw: &str, line_start: bool) -> String {
    let clean = normalize(raw);
    let parts: Vec<&str> = clean.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(&clean, line_start);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(&code(part));
        } else {
            out.push_str(&escape(part, line_start && i == 0));
        }
    }
    out
}

fn escape(clean: &str, line_start: bool) -> String {
    let chars: Vec<char> = clean.chars().collect();
    let mut out = String::with_capacity(clean.len() + 8);
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let at_start = line_start && i == 0;
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '$' => true,
            // `_` between letters or digits never opens or closes emphasis.
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            // `&` only starts an entity before a name or `#`.
            '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
            // Only at the start of a line do these open a heading, a list
            // item, a block quote or a setext underline.
            '#' | '-' | '+' | '=' | '>' => at_start,
            // `1.` or `1)` at the start of a line opens an ordered list.
            '.' | ')' => line_start && i > 0 && i == leading_digits,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span holding `raw` exactly: the fence is one backtick
/// longer than the longest run inside, and the content is padded when it
/// starts or ends with a backtick or a space. Empty text is an empty string.
///
/// ```
/// use pgplan_doc::markdown::code;
/// assert_eq!(code("max_connections"), "`max_connections`");
/// assert_eq!(code("a`b"), "``a`b``");
/// ```
pub fn code(raw: &str) -> String {
    let clean = normalize_keep_edges(raw);
    if clean.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_run(&clean, '`') + 1);
    let pad = clean.starts_with('`')
        || clean.ends_with('`')
        || (clean.starts_with(' ') && clean.ends_with(' ') && !clean.trim().is_empty());
    if pad {
        format!("{fence} {clean} {fence}")
    } else {
        format!("{fence}{clean}{fence}")
    }
}

/// A fenced code block: the fence is longer than any backtick run inside.
pub fn code_block(language: &str, body: &str) -> String {
    let fence = "`".repeat((longest_run(body, '`') + 1).max(3));
    let mut out = format!("{fence}{language}\n{body}");
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// Control characters as spaces, trimmed: what a paragraph keeps.
fn normalize(raw: &str) -> String {
    normalize_keep_edges(raw).trim().to_owned()
}

/// Control characters as spaces (a code span keeps its edges).
fn normalize_keep_edges(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, escaped with [`text`].
    Text(String),
    /// A code span ([`code`]).
    Code(String),
    /// Text with code in backticks ([`prose`]).
    Prose(String),
    /// Markdown already escaped (built from [`text`] and [`code`]).
    Markdown(String),
}

impl Cell {
    fn render(&self) -> String {
        let md = match self {
            Cell::Text(t) => inline(t),
            // A GFM table reads `\|` as `|` even inside a code span; a
            // backslash right before a pipe cannot be written there, so such
            // a value is shown as escaped text.
            Cell::Code(c) if c.contains("\\|") => inline(c),
            Cell::Code(c) => code(c),
            Cell::Prose(p) => prose_at(p, false),
            Cell::Markdown(m) => m.clone(),
        };
        escape_pipes(&md)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// Pipes not already escaped (an even number of backslashes before them)
/// get a backslash: GFM splits cells on them, even inside code spans.
fn escape_pipes(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut backslashes = 0;
    for c in md.chars() {
        if c == '|' && backslashes % 2 == 0 {
            out.push('\\');
        }
        if c == '\\' {
            backslashes += 1;
        } else {
            backslashes = 0;
        }
        out.push(c);
    }
    out
}

/// A GitHub Flavored Markdown table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these column headers (plain text).
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(headers: I) -> Self {
        Table {
            headers: headers.into_iter().map(|h| h.as_ref().to_owned()).collect(),
            rows: Vec::new(),
        }
    }
    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row<I: IntoIterator<Item = C>, C: Into<Cell>>(&mut self, cells: I) -> &mut Self {
        let mut row: Vec<Cell> = cells.into_iter().map(Into::into).collect();
        row.resize(self.headers.len(), Cell::Text(String::new()));
        self.rows.push(row);
        self
    }
    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// The table as Markdown, ending with a line break.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self
            .headers
            .iter()
            .map(|h| escape_pipes(&inline(h)))
            .collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}|", vec!["---"; self.headers.len()].join("|"));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::render).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out
    }
}

/// A Markdown document being written: headings, paragraphs, lists, tables
/// and code blocks, separated by blank lines.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }
    fn block(&mut self, s: &str) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        self.out.push_str(s);
        if !s.ends_with('\n') {
            self.out.push('\n');
        }
    }
    /// A heading of `level` (1–6) with plain text.
    pub fn heading(&mut self, level: usize, title: &str) {
        let hashes = "#".repeat(level.clamp(1, 6));
        let mut title = inline(title);
        // A heading's trailing `#`s would be read as its closing sequence.
        if title.ends_with('#') {
            title.insert(title.len() - 1, '\\');
        }
        self.block(&format!("{hashes} {title}"));
    }
    /// A paragraph of Markdown built with [`text`] and [`code`].
    pub fn paragraph(&mut self, md: &str) {
        if !md.trim().is_empty() {
            self.block(md);
        }
    }
    /// A bulleted list; each item is Markdown.
    pub fn bullets<I: IntoIterator<Item = S>, S: AsRef<str>>(&mut self, items: I) {
        let mut s = String::new();
        for item in items {
            let _ = writeln!(s, "- {}", item.as_ref());
        }
        if !s.is_empty() {
            self.block(&s);
        }
    }
    /// A numbered list; each item is Markdown, optionally followed by a code
    /// block (indented under the item).
    pub fn steps<I: IntoIterator<Item = Step>>(&mut self, items: I) {
        let mut s = String::new();
        for (i, step) in items.into_iter().enumerate() {
            let marker = format!("{}. ", i + 1);
            let _ = writeln!(s, "{marker}{}", step.md);
            if let Some((lang, body)) = &step.code {
                s.push('\n');
                let indent = " ".repeat(marker.len());
                for line in code_block(lang, body).lines() {
                    if line.is_empty() {
                        s.push('\n');
                    } else {
                        let _ = writeln!(s, "{indent}{line}");
                    }
                }
                s.push('\n');
            }
        }
        if !s.is_empty() {
            self.block(s.trim_end());
        }
    }
    /// A table.
    pub fn table(&mut self, table: &Table) {
        if !table.is_empty() {
            self.block(&table.render());
        }
    }
    /// A fenced code block.
    pub fn code_block(&mut self, language: &str, body: &str) {
        self.block(&code_block(language, body));
    }
    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// One numbered step: Markdown, and the commands or file that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do (Markdown).
    pub md: String,
    /// A code block: its language and body.
    pub code: Option<(String, String)>,
}

impl Step {
    /// A step without a code block.
    pub fn new(md: impl Into<String>) -> Self {
        Step {
            md: md.into(),
            code: None,
        }
    }
    /// A step with commands.
    pub fn with_code(md: impl Into<String>, language: &str, body: impl Into<String>) -> Self {
        Step {
            md: md.into(),
            code: Some((language.to_owned(), body.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_are_escaped_once() {
        assert_eq!(escape_pipes("a|b"), r"a\|b");
        assert_eq!(escape_pipes(r"a\|b"), r"a\|b");
        assert_eq!(escape_pipes(r"a\\|b"), r"a\\\|b");
    }

    #[test]
    fn code_spans_pad_backticks_and_spaces() {
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("   "), "`   `");
        assert_eq!(code(""), "");
    }

    #[test]
    fn ordered_list_markers_only_after_digits() {
        assert_eq!(text("v1.2"), "v1.2");
        assert_eq!(text("12) x"), r"12\) x");
        assert_eq!(text("1.2.3"), r"1\.2.3");
        assert_eq!(inline("1.2"), "1.2");
        assert_eq!(text("- x - y"), r"\- x - y");
        assert_eq!(text("_a a_b b_"), r"\_a a_b b\_");
    }
}
