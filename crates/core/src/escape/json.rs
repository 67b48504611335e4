//! JSON strings, and JSON fit for a terminal.

/// A JSON string literal.
///
/// ```
/// assert_eq!(pgplan_core::escape::json::string("a\"\n"), r#""a\"\n""#);
/// ```
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_char(&mut out, c);
    }
    out.push('"');
    out
}

fn push_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if super::terminal::is_unsafe(c) => unicode_escape(out, c),
        c => out.push(c),
    }
}

fn unicode_escape(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for u in c.encode_utf16(&mut units) {
        out.push_str(&format!("\\u{u:04x}"));
    }
}

/// JSON text (as a serialiser wrote it) with every control, bidi and
/// invisible character written as a `\u` escape: the same JSON value, and nothing in
/// it that moves a terminal's cursor or reorders its text. Such characters
/// occur only inside strings, where the escape means the same.
///
/// ```
/// let raw = serde_json::to_string("role\u{202e}x\u{9b}").unwrap();
/// let safe = pgplan_core::escape::json::terminal_safe(&raw);
/// assert_eq!(safe, r#""role\u202ex\u009b""#);
/// let back: String = serde_json::from_str(&safe).unwrap();
/// assert_eq!(back, "role\u{202e}x\u{9b}");
/// ```
pub fn terminal_safe(json: &str) -> String {
    if !json.chars().any(needs_escape) {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_escape(c) {
            unicode_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters a serialiser leaves raw that a terminal acts on or hides
/// (see [`super::terminal::is_unsafe`]). C0 controls are already escaped
/// inside strings; outside them, line breaks and tabs are structure.
fn needs_escape(c: char) -> bool {
    super::terminal::is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t')
}
