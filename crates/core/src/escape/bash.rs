//! bash words and comments.
//!
//! Inside single quotes bash takes every character literally except `'`,
//! which ends the quotes, so `'` is written `'\''` and nothing else needs
//! escaping — line breaks and control characters included.

/// One word: bare when it holds only characters bash never interprets,
/// else single-quoted.
///
/// ```
/// use pgplan_core::escape::bash::word;
/// assert_eq!(word("product_change_db"), "product_change_db");
/// assert_eq!(word("a b"), "'a b'");
/// assert_eq!(word("it's"), r"'it'\''s'");
/// assert_eq!(word("$(rm -rf /)"), "'$(rm -rf /)'");
/// assert_eq!(word(""), "''");
/// ```
pub fn word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
                )
        });
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Text for a `#` comment: control characters (a line break would end the
/// comment and run the rest) become spaces.
///
/// ```
/// assert_eq!(pgplan_core::escape::bash::comment("a\nrm -rf /"), "a rm -rf /");
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
