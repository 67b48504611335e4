//! Keeping secrets out of what pgplan prints.
//!
//! A plan names where passwords come from, but a hand-written one may still
//! hold a literal (validation rejects it, rule PGP041), a connection string
//! with a password in a parameter value (PGP042), or a DSN with one. Every
//! excerpt of a plan file, every printed value and every connection string
//! in a message goes through this module first:
//!
//! - [`Excerpt`]: a plan file's text as it may be shown — the value of
//!   every key named like a password replaced with `<redacted>`, inline
//!   `password=…` and `user:password@` parts too, and control and bidi
//!   characters escaped for the terminal — with a map from offsets in the
//!   file to offsets in the shown text, so findings still point at their
//!   line;
//! - [`inline`]: one value with its inline secrets replaced;
//! - [`dsn`]: a connection string without its password.
//!
//! ```
//! use pgplan_core::redact::Excerpt;
//! let text = "roles:\n  - name: app\n    password: \"LiteralPw-31337\"\n";
//! let shown = Excerpt::new(text);
//! assert!(!shown.text().contains("LiteralPw"));
//! assert!(shown.text().contains("password: <redacted>"));
//! // Offsets before the secret are unchanged, and the line still starts
//! // where it did.
//! assert_eq!(shown.offset(text.find("    password").unwrap()), shown.text().find("    password").unwrap());
//! ```

use std::ops::Range;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// True for a key that names a secret value (`password`,
/// `administrator_password`, `PGPASSWORD`), not one about secrets
/// (`password_encryption`).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with("password") || k.ends_with("passwd") || k == "pwd"
}

/// A plan file's text as it may be printed (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    text: String,
    /// (range in the original, range in `text`), in order, for every change.
    edits: Vec<(Range<usize>, Range<usize>)>,
}

impl Excerpt {
    /// Redacts and escapes `original`.
    pub fn new(original: &str) -> Self {
        let mut secrets = secret_ranges(original);
        secrets.sort_by_key(|r| r.start);
        let mut text = String::with_capacity(original.len());
        let mut edits = Vec::new();
        let mut at = 0;
        let push_plain = |text: &mut String, edits: &mut Vec<_>, from: usize, to: usize| {
            for (i, c) in original[from..to].char_indices() {
                let i = from + i;
                if crate::escape::terminal::is_unsafe(c) && c != '\n' && c != '\t' {
                    let start = text.len();
                    text.push_str(&format!("\\u{{{:x}}}", c as u32));
                    edits.push((i..i + c.len_utf8(), start..text.len()));
                } else {
                    text.push(c);
                }
            }
        };
        for secret in secrets {
            if secret.start < at {
                continue;
            }
            push_plain(&mut text, &mut edits, at, secret.start);
            let start = text.len();
            text.push_str(REDACTED);
            edits.push((secret.clone(), start..text.len()));
            at = secret.end;
        }
        push_plain(&mut text, &mut edits, at, original.len());
        Excerpt { text, edits }
    }

    /// The text to show.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where an offset of the original text is in [`Excerpt::text`] (an
    /// offset inside a replaced part maps to the start of its
    /// replacement).
    pub fn offset(&self, original: usize) -> usize {
        let i = self
            .edits
            .partition_point(|(from, _)| from.start < original);
        // Edits wholly before `original` shift it; one that contains it
        // pins it to its replacement's start.
        if let Some((from, to)) = i.checked_sub(1).map(|j| &self.edits[j])
            && original < from.end
        {
            return to.start;
        }
        match i.checked_sub(1).map(|j| &self.edits[j]) {
            None => original,
            Some((from, to)) => original - from.end + to.end,
        }
    }

    /// True when something was redacted.
    pub fn redacted_anything(&self) -> bool {
        self.text.contains(REDACTED)
    }
}

/// `value` with inline secrets (`password=…`, `user:password@host`)
/// replaced.
///
/// ```
/// use pgplan_core::redact::inline;
/// assert_eq!(inline("host=db password=s3cret user=app"), "host=db password=<redacted> user=app");
/// assert_eq!(inline("postgresql://app:s3cret@db/x"), "postgresql://app:<redacted>@db/x");
/// assert_eq!(inline("PGPASSWORD='a b' pg_dump"), "PGPASSWORD=<redacted> pg_dump");
/// assert_eq!(inline("nothing here"), "nothing here");
/// ```
pub fn inline(value: &str) -> String {
    let mut ranges = inline_ranges(value);
    if ranges.is_empty() {
        return value.to_owned();
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            continue;
        }
        out.push_str(&value[at..r.start]);
        out.push_str(REDACTED);
        at = r.end;
    }
    out.push_str(&value[at..]);
    out
}

/// A connection string (URL or key/value) without its password, for
/// messages.
///
/// ```
/// use pgplan_core::redact::dsn;
/// assert_eq!(dsn("postgresql://admin:pw@db:5432/postgres"), "postgresql://admin:<redacted>@db:5432/postgres");
/// assert_eq!(dsn("host=db password='p w' user=admin"), "host=db password=<redacted> user=admin");
/// ```
pub fn dsn(text: &str) -> String {
    inline(text)
}

/// Byte ranges of inline secrets in `text`.
fn inline_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    // key=value pairs whose key names a password.
    let mut from = 0;
    while let Some(i) = lower[from..].find("password").map(|i| from + i) {
        from = i + "password".len();
        let rest = &text[from..];
        let skip = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after = from + skip;
        if !text[after..].starts_with('=') {
            continue;
        }
        let start = after + 1;
        let start =
            start + (text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len());
        let end = value_end(
            text,
            start,
            &[' ', '\t', '\n', '"', ',', '}', ']', ';', '&'],
        );
        if end > start {
            out.push(start..end);
        }
    }
    // scheme://user:password@host
    let mut from = 0;
    while let Some(i) = text[from..].find("://").map(|i| from + i) {
        from = i + 3;
        let authority_end = text[from..]
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\''
            })
            .map_or(text.len(), |j| from + j);
        let authority = &text[from..authority_end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
            && colon + 1 < at
        {
            out.push(from + colon + 1..from + at);
        }
    }
    out
}

/// Where a value starting at `start` ends: a quoted value at its closing
/// quote (a doubled or backslashed quote inside does not end it), a bare
/// one at the first of `stops`.
fn value_end(text: &str, start: usize, stops: &[char]) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(start) {
        Some(&q @ (b'\'' | b'"')) => {
            let mut i = start + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b if b == q && bytes.get(i + 1) == Some(&q) => i += 2,
                    b if b == q => return i + 1,
                    b'\n' => return i,
                    _ => i += 1,
                }
            }
            bytes.len()
        }
        _ => text[start..]
            .find(|c: char| stops.contains(&c))
            .map_or(text.len(), |j| start + j),
    }
}

/// Byte ranges of secret values in a plan file (YAML or JSON).
fn secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = inline_ranges(text);
    let mut offset = 0;
    let mut block: Option<usize> = None; // indent of a key whose block scalar is secret
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        if let Some(key_indent) = block {
            if body.trim().is_empty() || indent > key_indent {
                if !body.trim().is_empty() {
                    out.push(offset + indent..offset + body.len());
                }
                offset += line.len();
                continue;
            }
            block = None;
        }
        for (key_start, value_start) in keys_in(body) {
            let key = body[key_start..]
                .split(|c: char| c == ':' || c == '"' || c == '\'' || c.is_whitespace())
                .find(|k| !k.is_empty())
                .unwrap_or_default();
            if !is_secret_key(key) {
                continue;
            }
            let value = &body[value_start..];
            match value.chars().next() {
                None | Some('{' | '[' | '#' | '&' | '*' | '!') => {}
                Some('|' | '>') => block = Some(indent),
                Some(_) => {
                    let end = value_end(body, value_start, &[',', '}', ']', '#']);
                    let end = body[..end].trim_end().len().max(value_start);
                    if end > value_start {
                        out.push(offset + value_start..offset + end);
                    }
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Every `key:` in a line (block or flow mapping, YAML or JSON): the byte
/// offset where the key starts and where its value starts.
fn keys_in(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut token_start: Option<usize> = None;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => {
                if token_start.is_none() {
                    token_start = Some(i);
                }
                quote = Some(b);
            }
            b'#' if i == 0 || bytes[i - 1] == b' ' => break,
            b':' if bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') => {
                if let Some(start) = token_start {
                    let value = i + 1;
                    let skip = line[value..].len() - line[value..].trim_start().len();
                    out.push((start, value + skip));
                }
                token_start = None;
            }
            b' ' | b'\t' | b',' | b'{' | b'[' | b'-' if token_start.is_none() => {}
            b',' | b'{' | b'[' => token_start = None,
            _ => {
                if token_start.is_none() {
                    token_start = Some(i);
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        Excerpt::new(text).text().to_owned()
    }

    #[test]
    fn literal_passwords_are_redacted_in_every_spelling() {
        for (text, secret) in [
            ("    password: \"LiteralPw-31337\"\n", "LiteralPw-31337"),
            ("    password: LiteralPw-31337\n", "LiteralPw-31337"),
            ("    password: 'it''s'\n", "it''s"),
            ("  - { name: a, password: \"x,y\", login: true }\n", "x,y"),
            ("  - { name: a, password: plain, login: true }\n", "plain"),
            ("      administrator_password: \"Adm!n\"  # note\n", "Adm!n"),
            (
                "{\"name\": \"a\", \"password\": \"js\\\"on\"}\n",
                "js\\\"on",
            ),
            (
                "    password: |\n      multi\n      line\n  next: 1\n",
                "multi",
            ),
            (
                "    primary_conninfo: \"host=db password=s3cret\"\n",
                "s3cret",
            ),
            (
                "    archive_command: \"curl https://u:tok3n@h/x\"\n",
                "tok3n",
            ),
        ] {
            let out = shown(text);
            assert!(!out.contains(secret), "{text:?} → {out:?}");
            assert!(out.contains(REDACTED), "{text:?} → {out:?}");
        }
        assert!(shown("    password: |\n      multi\n      line\n  next: 1\n").contains("next: 1"));
    }

    #[test]
    fn secret_sources_are_shown() {
        for text in [
            "    password: { env: { var: APP_PASSWORD } }\n",
            "    password:\n      generated: {}\n",
            "    password: { key_vault: { vault: kv, secret: app-password } }\n",
            "  password_encryption: scram-sha-256\n",
        ] {
            assert_eq!(shown(text), text);
        }
    }

    #[test]
    fn offsets_follow_the_replacements() {
        let text = "a: 1\npassword: \"0123456789abcdef\"\nb: \u{202e}x\nc: 2\n";
        let e = Excerpt::new(text);
        for needle in ["a: 1", "password", "b:", "c: 2"] {
            assert_eq!(
                &e.text()[e.offset(text.find(needle).unwrap())..][..needle.len()],
                needle
            );
        }
        assert!(e.text().contains("b: \\u{202e}x"));
        assert_eq!(e.offset(text.len()), e.text().len());
    }
}
