//! YAML scalars and comments, for YAML pgplan writes by hand (configuration
//! files of other tools); objects pgplan serialises go through the
//! serialiser instead.
//!
//! A double-quoted scalar reads every escape YAML defines and folds raw line
//! breaks, so a value is written double-quoted with `"`, `\`, line breaks and
//! every character outside YAML's printable set escaped.

/// Words YAML 1.1 or 1.2 reads as something other than a string when bare.
const SPECIAL_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// A scalar: bare when it is a plain word no YAML version reads as a
/// boolean, null or number, else double-quoted.
///
/// ```
/// use pgplan_core::escape::yaml::scalar;
/// assert_eq!(scalar("postgres-0"), "postgres-0");
/// assert_eq!(scalar("on"), "\"on\"");
/// assert_eq!(scalar("017"), "\"017\"");
/// assert_eq!(scalar("a: b\n- c"), r#""a: b\n- c""#);
/// ```
pub fn scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && !SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s));
    if plain {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if printable(c) && !is_line_break(c) => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// YAML 1.2's printable characters (c-printable).
fn printable(c: char) -> bool {
    matches!(c as u32,
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
        && c != '\u{FEFF}'
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Text for a `#` comment: characters that end the line or are not
/// printable become spaces.
///
/// ```
/// assert_eq!(pgplan_core::escape::yaml::comment("a\nkey: value"), "a key: value");
/// ```
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if super::terminal::is_unsafe(c) || is_line_break(c) || !printable(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}
