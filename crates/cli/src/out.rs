//! Everything the command line prints goes through here. Names from a plan
//! file or a server can hold control and bidi characters (a role named
//! `app\e[1A\e[2K` would erase the line above it); they are shown as
//! `\u{…}` escapes (`pgplan_core::escape::terminal`), and JSON is written
//! with them as `\u` escapes.

use std::io::Write as _;

use pgplan_core::escape::{json, terminal};

/// Prints a line on stdout, escaped for the terminal.
pub fn line(text: &str) {
    let _ = writeln!(std::io::stdout(), "{}", terminal::text(text));
}

/// Prints text on stdout as it is, escaped for the terminal (no line break
/// added).
pub fn text(text: &str) {
    let _ = write!(std::io::stdout(), "{}", terminal::text(text));
}

/// Prints a line on stderr, escaped for the terminal.
pub fn error(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", terminal::text(text));
}

/// Prints a miette report on stderr. Its parts were escaped when it was
/// made ([`crate::report`]), so its own colours survive.
pub fn report(report: &miette::Report) {
    let _ = writeln!(std::io::stderr(), "{report:?}");
}

/// Prints findings on stderr as [`crate::report`] wrote them: miette
/// reports and lines whose parts were escaped when they were made (a plan
/// of a fleet prints its findings in one piece, not mixed with another's).
pub fn findings(text: &str) {
    let _ = write!(std::io::stderr(), "{text}");
}

/// Prints JSON text on stdout as it is, every control, bidi and invisible
/// character as a `\u` escape (JSON put together from several parts).
pub fn json_text(text: &str) {
    let _ = write!(std::io::stdout(), "{}", json::terminal_safe(text));
}

/// Prints a value as pretty JSON on stdout, every control, bidi and
/// invisible character as a `\u` escape.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    let _ = writeln!(std::io::stdout(), "{}", json::terminal_safe(&text));
    Ok(())
}
