//! psql meta-command arguments (`\echo`, `\connect`, …) and variable
//! references.
//!
//! psql reads a meta-command up to the end of its line. In a single-quoted
//! argument it turns `''` into `'`, reads `\n`, `\r`, `\t`, `\b`, `\f` and
//! `\ooo` (octal) as the characters they name and any other `\c` as `c`,
//! and interpolates no variable and runs no backquoted command. So a
//! single-quoted argument with quotes, backslashes and control characters
//! escaped carries any text, and cannot end its line.

/// A meta-command argument in single quotes.
///
/// ```
/// use pgplan_core::escape::psql::argument;
/// assert_eq!(argument("it's"), "'it''s'");
/// assert_eq!(argument("a\nb"), r"'a\nb'");
/// assert_eq!(argument(":var `id`"), "':var `id`'");
/// ```
pub fn argument(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => super::octal(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A `\connect` line that switches to `database`, keeping host, port and
/// user, whatever characters the name holds.
///
/// The argument is a connection string (`dbname='…'`, where `\` escapes `'`
/// and `\`), so a name holding `=` is not misread as one. psql reads
/// `\connect`'s arguments as identifiers: after removing the single quotes
/// it removes double quotes too (`"template1"` would connect to
/// `template1`), unless they are doubled inside double quotes — so the
/// connection string is wrapped in double quotes with its own doubled.
///
/// ```
/// use pgplan_core::escape::psql::connect;
/// assert_eq!(
///     connect("plain"),
///     r#"\connect -reuse-previous=on '"dbname=''plain''"'"#
/// );
/// assert_eq!(
///     connect("\"template1\""),
///     r#"\connect -reuse-previous=on '"dbname=''""template1""''"'"#
/// );
/// ```
pub fn connect(database: &str) -> String {
    let mut conninfo = String::from("dbname='");
    for c in database.chars() {
        if c == '\'' || c == '\\' {
            conninfo.push('\\');
        }
        conninfo.push(c);
    }
    conninfo.push('\'');
    let identifier = format!("\"{}\"", conninfo.replace('"', "\"\""));
    format!("\\connect -reuse-previous=on {}", argument(&identifier))
}

/// A reference to a psql variable that psql replaces with its value as a
/// quoted SQL literal (`:'name'`).
///
/// # Panics
///
/// When the name is not `[a-z0-9_]+`: variable names are made by pgplan,
/// never read from a plan.
///
/// ```
/// assert_eq!(pgplan_core::escape::psql::variable_literal("password_app"), ":'password_app'");
/// ```
pub fn variable_literal(name: &str) -> String {
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "psql variable names are [a-z0-9_]+, made by pgplan: {name:?}"
    );
    format!(":'{name}'")
}
