//! postgresql.conf (and postgresql.auto.conf, Patroni's rendered
//! configuration): values and comments.
//!
//! The server's configuration lexer reads a quoted value up to the closing
//! `'`, turning `''` and `\'` into a quote and `\\`, `\n`, `\r`, `\t`, `\b`,
//! `\f` and `\ooo` (octal) into the character they name; a raw line break
//! ends the line. So a quoted value escapes every quote, backslash and
//! control character, and no value, whatever it holds, can end its line or
//! its quotes early.

/// A value for `name = <value>`: bare when it is a number with an optional
/// unit (`256MB`, `0.9`, `-1`) or a plain word (`on`, `replica`), else
/// single-quoted with every quote, backslash and control character escaped.
///
/// ```
/// use pgplan_core::escape::conf::value;
/// assert_eq!(value("256MB"), "256MB");
/// assert_eq!(value("replica"), "replica");
/// assert_eq!(value("%m [%p] "), "'%m [%p] '");
/// assert_eq!(value("it's"), "'it''s'");
/// assert_eq!(value("a\\b\nc"), r"'a\\b\nc'");
/// ```
pub fn value(s: &str) -> String {
    if is_number(s) || is_word(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
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

fn is_number(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    digits_end > 0
        && t[..digits_end].chars().any(|c| c.is_ascii_digit())
        && t[..digits_end].matches('.').count() <= 1
        && t[digits_end..].chars().all(|c| c.is_ascii_alphabetic())
}

fn is_word(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Text for a `#` comment: a comment ends at the line break, so every
/// control character becomes a space.
///
/// ```
/// assert_eq!(pgplan_core::escape::conf::comment("a\nfsync = off"), "a fsync = off");
/// ```
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if super::terminal::is_unsafe(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_values_stay_bare() {
        for bare in [
            "100", "256MB", "0.9", "-1", "on", "replica", "UTC", "1.1", "64kB",
        ] {
            assert_eq!(value(bare), bare);
        }
    }

    #[test]
    fn everything_else_is_quoted() {
        assert_eq!(value("TLSv1.2"), "'TLSv1.2'");
        assert_eq!(
            value("pg_stat_statements,auto_explain"),
            "'pg_stat_statements,auto_explain'"
        );
        assert_eq!(value(""), "''");
        assert_eq!(value("1.2.3"), "'1.2.3'");
        assert_eq!(value("\u{1b}[1A"), r"'\033[1A'");
        assert_eq!(value("é"), "'é'");
    }

    #[test]
    fn a_backslash_before_a_quote_cannot_end_the_value() {
        // Issue 15, finding 1: the quote was doubled but not the backslash,
        // so `\'` + `'` closed the value and the rest became settings.
        let injected = "public\\'\nfsync = off\nhba_file = pg_ident.conf\n#";
        let v = value(injected);
        assert_eq!(v.lines().count(), 1, "{v}");
        assert_eq!(v, r"'public\\''\nfsync = off\nhba_file = pg_ident.conf\n#'");
    }
}
