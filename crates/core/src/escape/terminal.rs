//! Text for a terminal.
//!
//! A terminal acts on control characters (an escape sequence can move the
//! cursor, erase the line above or hide what follows) and displays text in
//! the order bidi controls ask for, not the order it was written. Names
//! from a plan or a server reach the terminal in messages, so everything
//! pgplan prints goes through [`text`]: each such character is shown as
//! `\u{…}` instead of acting.

use std::borrow::Cow;

/// True for the Unicode bidirectional formatting characters (embeddings,
/// overrides, isolates and marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// True for a character printed as an escape: controls (C0, DEL, C1), bidi
/// controls, line and paragraph separators and invisible characters that
/// make one name look like another.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
        )
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text: line breaks and tabs kept, every other unsafe
/// character shown as `\u{…}`.
///
/// ```
/// use pgplan_core::escape::terminal::text;
/// assert_eq!(text("role \u{1b}[1A\u{1b}[2K (no changes)\nnext"), "role \\u{1b}[1A\\u{1b}[2K (no changes)\nnext");
/// assert_eq!(text("abc\u{202e}def"), "abc\\u{202e}def");
/// assert_eq!(text("plain"), "plain");
/// ```
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

/// One line: like [`text`], with line breaks and tabs escaped too.
///
/// ```
/// assert_eq!(pgplan_core::escape::terminal::line("a\nb"), "a\\u{a}b");
/// ```
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}
