//! Markdown (CommonMark) inline text: table cells, list items, headings.
//!
//! Every ASCII punctuation character is backslash-escaped (so nothing
//! becomes emphasis, a link, HTML, a heading, a list or a table column), and
//! control characters and spaces at either end, which Markdown would read
//! as structure or drop, are written as numeric character references.

/// Text that a CommonMark parser reads back as exactly `s`, in one
/// paragraph or table cell.
///
/// ```
/// use pgplan_core::escape::markdown::text;
/// assert_eq!(text("pg_cron"), r"pg\_cron");
/// assert_eq!(text("a|b"), r"a\|b");
/// assert_eq!(text("<script>"), r"\<script\>");
/// assert_eq!(text("a\nb"), "a&#10;b");
/// ```
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let first_kept = s.find(|c: char| c != ' ').unwrap_or(s.len());
    let last_kept = s.rfind(|c: char| c != ' ').map_or(0, |i| i + 1);
    for (i, c) in s.char_indices() {
        let at_edge = i < first_kept || i >= last_kept;
        match c {
            ' ' if at_edge => out.push_str("&#32;"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c.is_whitespace() && c != ' ' => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}
