//! Escaping, one module per text format pgplan writes. Every backend quotes
//! through these functions and nowhere else, so a value from a plan can
//! never become a second setting, statement, command or key in what is
//! rendered.
//!
//! | format | function | read back by |
//! |---|---|---|
//! | postgresql.conf | [`conf::value`], [`conf::comment`] | `postgres -C` |
//! | pg_hba.conf | [`hba::field`] | `pg_hba_file_rules` |
//! | SQL | [`sql::identifier`], [`sql::literal`], [`sql::comment`] | the server |
//! | psql meta-commands | [`psql::argument`], [`psql::connect`] | psql |
//! | bash | [`bash::word`], [`bash::comment`] | bash |
//! | YAML | [`yaml::scalar`], [`yaml::comment`] | a YAML parser |
//! | JSON | [`json::string`], [`json::terminal_safe`] | a JSON parser |
//! | Markdown | [`markdown::text`] | a CommonMark parser |
//! | terminal | [`terminal::text`], [`terminal::line`] | a person |
//!
//! Each has a property test that feeds it arbitrary strings (control
//! characters, quotes, backslashes, line breaks, unicode) and checks that
//! the real consumer reads back exactly the value and nothing else
//! (`crates/core/tests/escape.rs`, and the server-side ones in
//! `crates/sql/tests/sql/escaping.rs`).
//!
//! No format here can carry a NUL character; a plan refuses one when it is
//! read ([`unrepresentable`]). pg_hba.conf cannot carry a line break either,
//! and `ALTER SYSTEM` refuses one in a parameter value: those are refused by
//! the plan reader or a rule, with the field's path, before anything renders.
//!
//! ```
//! use pgplan_core::escape::{bash, conf, sql};
//! assert_eq!(conf::value("public\\'\nfsync = off"), r"'public\\''\nfsync = off'");
//! assert_eq!(bash::word("$(id)"), "'$(id)'");
//! assert_eq!(sql::identifier("a\"b"), "\"a\"\"b\"");
//! ```

pub mod bash;
pub mod conf;
pub mod hba;
pub mod json;
pub mod markdown;
pub mod psql;
pub mod sql;
pub mod terminal;
pub mod yaml;

/// Why a value has no spelling in a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format} cannot hold {what}")]
pub struct Unrepresentable {
    /// The format (`pg_hba.conf`).
    pub format: &'static str,
    /// What it cannot hold (`a line break`).
    pub what: &'static str,
}

/// Why a value read from a plan can be written in none of pgplan's formats,
/// or `None` when it can: a NUL character ends a string in PostgreSQL, in
/// its configuration files and in every shell.
///
/// ```
/// assert!(pgplan_core::escape::unrepresentable("a\0b").is_some());
/// assert!(pgplan_core::escape::unrepresentable("a\nb").is_none());
/// ```
pub fn unrepresentable(value: &str) -> Option<&'static str> {
    value
        .contains('\0')
        .then_some("a NUL character, which PostgreSQL, its configuration files and shells cannot hold; remove it")
}

/// `\ooo`: three octal digits for a byte (the escape postgresql.conf and
/// psql both read).
fn octal(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        out.push('\\');
        out.push(char::from(b'0' + (b >> 6)));
        out.push(char::from(b'0' + ((b >> 3) & 7)));
        out.push(char::from(b'0' + (b & 7)));
    }
}
