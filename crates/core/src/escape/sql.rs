//! SQL identifiers, string literals and `--` comments.

/// An identifier, always double-quoted (`"` doubled), so reserved words
/// (`"user"`), special role names (`"current_user"`), case, spaces and
/// quotes keep their meaning.
///
/// ```
/// use pgplan_core::escape::sql::identifier;
/// assert_eq!(identifier("user"), "\"user\"");
/// assert_eq!(identifier("a\"b"), "\"a\"\"b\"");
/// ```
pub fn identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A string literal: `'…'` with `'` doubled, or ` E'…'` (with a leading
/// space, so it never joins a preceding word) when it holds a backslash,
/// which it then doubles — so the literal reads the same whether
/// `standard_conforming_strings` is on or off.
///
/// ```
/// use pgplan_core::escape::sql::literal;
/// assert_eq!(literal("it's"), "'it''s'");
/// assert_eq!(literal("a\\b"), " E'a\\\\b'");
/// ```
pub fn literal(value: &str) -> String {
    let backslash = value.contains('\\');
    let mut out = String::with_capacity(value.len() + 4);
    if backslash {
        out.push_str(" E");
    }
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A dollar-quoted string (`$pgplan$…$pgplan$`) for a function or `DO`
/// body, with a tag that does not occur in the body, so nothing inside it
/// can end it early.
///
/// ```
/// use pgplan_core::escape::sql::dollar_quoted;
/// assert_eq!(dollar_quoted("BEGIN END"), "$pgplan$BEGIN END$pgplan$");
/// assert_eq!(dollar_quoted("x $pgplan$ y"), "$pgplan_1$x $pgplan$ y$pgplan_1$");
/// ```
pub fn dollar_quoted(body: &str) -> String {
    let mut tag = "$pgplan$".to_owned();
    let mut n = 0;
    // The body followed by the tag must hold the tag only at its end.
    while format!("{body}{tag}").find(&tag) != Some(body.len()) {
        n += 1;
        tag = format!("$pgplan_{n}$");
    }
    format!("{tag}{body}{tag}")
}

/// Text for a `--` comment: control characters (a line break would end the
/// comment and turn the rest into SQL) and bidi controls (which make an
/// editor show the code around them out of order) become `?`.
///
/// ```
/// assert_eq!(pgplan_core::escape::sql::comment("a\nDROP TABLE x"), "a?DROP TABLE x");
/// ```
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if super::terminal::is_unsafe(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}
