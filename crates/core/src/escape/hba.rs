//! pg_hba.conf fields (database and user names).
//!
//! The server splits a line into fields at blanks and commas, starts a
//! comment at `#`, gives `all`, `sameuser`, `samerole`, `replication` and
//! names starting with `+`, `@` or `/` a special meaning — unless the field
//! is double-quoted, where `""` is a quote. A line break cannot be quoted:
//! it always ends the line.

use super::Unrepresentable;

/// A database or user name as one pg_hba.conf field: bare when it is a
/// plain lowercase word that is no keyword, else double-quoted.
///
/// # Errors
///
/// For a name with a control character (a line break would end the line;
/// the rules refuse such names before anything renders).
///
/// ```
/// use pgplan_core::escape::hba::field;
/// assert_eq!(field("replicator").unwrap(), "replicator");
/// assert_eq!(field("all").unwrap(), "\"all\"");
/// assert_eq!(field("+admins").unwrap(), "\"+admins\"");
/// assert_eq!(field("Bill \"x\"").unwrap(), "\"Bill \"\"x\"\"\"");
/// assert!(field("a\nhost all all 0.0.0.0/0 trust").is_err());
/// ```
pub fn field(name: &str) -> Result<String, Unrepresentable> {
    if let Some(what) = cannot_hold(name) {
        return Err(Unrepresentable {
            format: "pg_hba.conf",
            what,
        });
    }
    let keyword = matches!(
        name,
        "all" | "sameuser" | "samerole" | "samegroup" | "replication"
    );
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !keyword {
        Ok(name.to_owned())
    } else {
        Ok(format!("\"{}\"", name.replace('"', "\"\"")))
    }
}

/// What pg_hba.conf cannot hold in a name, if anything: a control character
/// (a line break ends the line; the others are unreadable in the file).
pub fn cannot_hold(name: &str) -> Option<&'static str> {
    name.chars()
        .any(char::is_control)
        .then_some("a control character (a line break would end the line)")
}
