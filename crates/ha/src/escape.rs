//! Escaping, once per output format. Every user-controlled value (a name, a
//! path, an address, a parameter value) goes through one of these functions
//! on its way into a rendered file, and `tests/escape.rs` feeds each one
//! arbitrary strings and checks that the real consumer reads back exactly the
//! value: a YAML parser (and PyYAML, which Patroni uses), HAProxy, and bash.

use std::fmt::Write as _;

/// A YAML double-quoted scalar (YAML 1.1 and 1.2 read it alike). Printable
/// ASCII stays as it is; `"` and `\` are escaped, and every other character
/// is written as `\xXX`, `\uXXXX` or `\UXXXXXXXX`, so that line breaks,
/// control characters and the characters YAML treats specially (NEL, LS,
/// PS, BOM) can never end the scalar or be changed by the parser.
///
/// ```
/// assert_eq!(pgplan_ha::escape::yaml("pg-0"), r#""pg-0""#);
/// assert_eq!(pgplan_ha::escape::yaml("a\"b\\c\nd"), r#""a\"b\\c\x0Ad""#);
/// assert_eq!(pgplan_ha::escape::yaml("한"), r#""\uD55C""#);
/// ```
pub fn yaml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// A YAML comment's text: one line, whatever the text holds.
pub fn yaml_comment(s: &str) -> String {
    one_line(s)
}

/// Text as one line: line breaks (including Unicode's) become spaces and
/// other control characters are dropped. For comments, whose end is the end
/// of the line in every format pgplan writes.
pub fn one_line(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// A word of haproxy.cfg: bare when it holds only characters HAProxy's
/// tokenizer never interprets (letters, digits, `.`, `-`, `_`, `:`, `/`),
/// else double-quoted with `\`, `"`, `$` (environment expansion) and `#`
/// escaped and line breaks and tabs as `\n`, `\r`, `\t`. `None` for text
/// HAProxy cannot carry: NUL ends its strings, and other control characters
/// have no escape.
///
/// ```
/// assert_eq!(pgplan_ha::escape::haproxy("pg-0").as_deref(), Some("pg-0"));
/// assert_eq!(pgplan_ha::escape::haproxy("a b$c").as_deref(), Some(r#""a b\$c""#));
/// assert_eq!(pgplan_ha::escape::haproxy("a\0b"), None);
/// ```
pub fn haproxy(s: &str) -> Option<String> {
    let bare = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'/'));
    if bare {
        return Some(s.to_owned());
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '#' => out.push_str("\\#"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => return None,
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

/// A POSIX shell word (sh, bash; what an env file sourced with
/// `set -a; . FILE` is read by): bare when it holds only characters the
/// shell never interprets, else single-quoted with `'` written as `'\''`.
/// Every string but one holding NUL (which no environment variable can
/// hold) round-trips.
///
/// ```
/// assert_eq!(pgplan_ha::escape::shell("pg-0"), "pg-0");
/// assert_eq!(pgplan_ha::escape::shell("it's $HOME"), r"'it'\''s $HOME'");
/// assert_eq!(pgplan_ha::escape::shell(""), "''");
/// ```
pub fn shell(s: &str) -> String {
    let bare = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b'@' | b'%' | b'+' | b','
                )
        });
    if bare {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A postgresql.conf value: bare for numbers (with a unit) and simple words,
/// else single-quoted with `''` for a quote, `\\` for a backslash and `\n`,
/// `\r` for line breaks (the server's configuration lexer reads backslash
/// escapes inside quotes, and a quoted value cannot span lines).
///
/// ```
/// assert_eq!(pgplan_ha::escape::conf("256MB"), "256MB");
/// assert_eq!(pgplan_ha::escape::conf("on"), "on");
/// assert_eq!(pgplan_ha::escape::conf("'$user', public"), r"'''$user'', public'");
/// ```
pub fn conf(s: &str) -> String {
    let number = {
        let t = s.strip_prefix('-').unwrap_or(s);
        let digits_end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        digits_end > 0
            && t[..digits_end].chars().any(|c| c.is_ascii_digit())
            && t[..digits_end].matches('.').count() <= 1
            && t[digits_end..].chars().all(|c| c.is_ascii_alphabetic())
    };
    let word = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if number || word {
        s.to_owned()
    } else {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("''"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }
}

/// A role name in pg_hba.conf: bare when it is a plain lowercase word that is
/// not a pg_hba keyword, else double-quoted (`"` as `""`).
///
/// ```
/// assert_eq!(pgplan_ha::escape::hba("replicator"), "replicator");
/// assert_eq!(pgplan_ha::escape::hba("all"), r#""all""#);
/// assert_eq!(pgplan_ha::escape::hba("Repl User"), r#""Repl User""#);
/// ```
pub fn hba(s: &str) -> String {
    let keyword = matches!(
        s,
        "all" | "sameuser" | "samerole" | "samegroup" | "replication"
    );
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !keyword {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// A value of a docker-compose file, before YAML quoting: Compose
/// interpolates `$VAR` and `${VAR}` in every value, and `$$` is a literal `$`.
pub fn compose_literal(s: &str) -> String {
    s.replace('$', "$$")
}

/// A URL component, percent-encoded (everything but RFC 3986's unreserved
/// characters), for connection URLs that carry a user name or password.
///
/// ```
/// assert_eq!(pgplan_ha::escape::url_component("a b@c"), "a%20b%40c");
/// ```
pub fn url_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_escapes_what_would_end_or_change_the_scalar() {
        assert_eq!(yaml(""), "\"\"");
        assert_eq!(yaml("off"), "\"off\"");
        assert_eq!(yaml("a\u{85}b"), "\"a\\x85b\"");
        assert_eq!(yaml("\u{2028}"), "\"\\u2028\"");
        assert_eq!(yaml("😀"), "\"\\U0001F600\"");
        assert_eq!(yaml("\t"), "\"\\x09\"");
    }

    #[test]
    fn haproxy_words() {
        assert_eq!(
            haproxy("127.0.0.11:5432").as_deref(),
            Some("127.0.0.11:5432")
        );
        assert_eq!(haproxy("").as_deref(), Some("\"\""));
        assert_eq!(haproxy("a#b").as_deref(), Some("\"a\\#b\""));
        assert_eq!(haproxy("tab\there").as_deref(), Some("\"tab\\there\""));
        assert_eq!(haproxy("\u{7f}"), None);
    }

    #[test]
    fn conf_and_hba() {
        assert_eq!(conf("0.9"), "0.9");
        assert_eq!(conf("-1"), "-1");
        assert_eq!(conf("a\\b"), "'a\\\\b'");
        assert_eq!(conf(""), "''");
        assert_eq!(hba("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn one_line_comments() {
        assert_eq!(one_line("a\nb\r\nc\u{2028}d\u{7}"), "a b  c d");
    }
}
