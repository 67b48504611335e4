//! Escaping for the HA backend. The formats every backend writes
//! (postgresql.conf, pg_hba.conf, YAML, shell) go through
//! [`pgplan_core::escape`], the one module that quotes them, so a value
//! from a plan cannot become a second setting, rule, key or command here
//! either. The formats only this backend writes stay here: haproxy.cfg
//! words, docker-compose interpolation and URL components.
//! `tests/escape.rs` feeds each function arbitrary strings and checks that
//! the real consumer reads back exactly the value: a YAML parser (and
//! PyYAML, which Patroni uses), HAProxy, and bash.

use std::fmt::Write as _;

use pgplan_core::escape::{bash, conf as conf_format, hba as hba_format, yaml as yaml_format};

/// A YAML scalar ([`pgplan_core::escape::yaml::scalar`]): bare for a plain
/// word YAML 1.1 and 1.2 both read as that string, else double-quoted with
/// line breaks, control characters and the characters YAML treats
/// specially (NEL, LS, PS, BOM) escaped.
///
/// ```
/// assert_eq!(pgplan_ha::escape::yaml("pg-0"), "pg-0");
/// assert_eq!(pgplan_ha::escape::yaml("off"), r#""off""#);
/// assert_eq!(pgplan_ha::escape::yaml("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
/// ```
pub fn yaml(s: &str) -> String {
    yaml_format::scalar(s)
}

/// A YAML comment's text: one line, without control or bidi characters
/// ([`pgplan_core::escape::yaml::comment`]).
pub fn yaml_comment(s: &str) -> String {
    yaml_format::comment(s)
}

/// Text as one line, for a `#` comment of haproxy.cfg, postgresql.conf or
/// an env file, and for messages: control, bidi and invisible characters
/// (line breaks included) become spaces
/// ([`pgplan_core::escape::bash::comment`], whose rule every `#`-comment
/// format shares).
pub fn one_line(s: &str) -> String {
    bash::comment(s)
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
/// `set -a; . FILE` is read by): [`pgplan_core::escape::bash::word`], bare
/// when it holds only characters the shell never interprets, else
/// single-quoted with `'` written as `'\''`.
///
/// ```
/// assert_eq!(pgplan_ha::escape::shell("pg-0"), "pg-0");
/// assert_eq!(pgplan_ha::escape::shell("it's $HOME"), r"'it'\''s $HOME'");
/// assert_eq!(pgplan_ha::escape::shell(""), "''");
/// ```
pub fn shell(s: &str) -> String {
    bash::word(s)
}

/// A postgresql.conf value ([`pgplan_core::escape::conf::value`]): bare for
/// numbers (with a unit) and simple words, else single-quoted with every
/// quote, backslash and control character escaped.
///
/// ```
/// assert_eq!(pgplan_ha::escape::conf("256MB"), "256MB");
/// assert_eq!(pgplan_ha::escape::conf("on"), "on");
/// assert_eq!(pgplan_ha::escape::conf("'$user', public"), r"'''$user'', public'");
/// ```
pub fn conf(s: &str) -> String {
    conf_format::value(s)
}

/// A role name in pg_hba.conf ([`pgplan_core::escape::hba::field`]): bare
/// when it is a plain lowercase word that is not a pg_hba keyword, else
/// double-quoted (`"` as `""`, which the server reads as one `"` inside a
/// quoted field). A name with a control character cannot be written:
/// validation refuses one (PGP307), and it would come out as `""`, a name
/// no role has.
///
/// ```
/// assert_eq!(pgplan_ha::escape::hba("replicator"), "replicator");
/// assert_eq!(pgplan_ha::escape::hba("all"), r#""all""#);
/// assert_eq!(pgplan_ha::escape::hba("Repl User"), r#""Repl User""#);
/// ```
pub fn hba(s: &str) -> String {
    hba_format::field(s).unwrap_or_else(|_| "\"\"".to_owned())
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
        assert_eq!(yaml("a\u{85}b"), "\"a\\u0085b\"");
        assert_eq!(yaml("\u{2028}"), "\"\\u2028\"");
        assert_eq!(yaml("\t"), "\"\\t\"");
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
        assert_eq!(conf("a\tb\u{7}"), "'a\\tb\\007'");
        assert_eq!(conf(""), "''");
        assert_eq!(hba("a\"b"), "\"a\"\"b\"");
        assert_eq!(hba("a\nhost all all 0.0.0.0/0 trust"), "\"\"");
    }

    #[test]
    fn one_line_comments() {
        assert_eq!(one_line("a\nb\r\nc\u{2028}d\u{7}\u{202e}"), "a b  c d  ");
    }
}
