//! Typed field paths: where in a plan a diagnostic points.
//!
//! A path is a list of segments — a struct field, a list index, a map key —
//! so that a key holding dots (`pg_stat_statements.track`, a label key such as
//! `app.kubernetes.io/name`) stays one segment. It prints the way the plan
//! file is written (`roles[2].grants[0].privileges`,
//! `tuning.parameters.pg_stat_statements.track`), which is also how
//! [`LineIndex`](crate::locate::LineIndex) finds the line.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A struct field, as the plan file spells it (`sizing`, `data_volume`).
    Field(Cow<'static, str>),
    /// An item of a list.
    Index(usize),
    /// A key of a map (a parameter name, a label key).
    Key(String),
}

/// Where in a plan a value stands.
///
/// ```
/// use pgplan_core::FieldPath;
/// let p = FieldPath::root().field("roles").index(2).field("grants").index(0);
/// assert_eq!(p.to_string(), "roles[2].grants[0]");
/// let q = FieldPath::root().field("tuning").field("parameters").key("pg_stat_statements.track");
/// assert_eq!(q.to_string(), "tuning.parameters.pg_stat_statements.track");
/// assert_eq!(q.segments().len(), 3);
/// assert_eq!(FieldPath::parse("roles[2].grants[0]"), p);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

/// Map fields whose keys may contain dots: in a path written as text, what
/// follows them is one key.
const MAP_FIELDS: [&str; 4] = ["parameters", "labels", "namespace_labels", "pod_labels"];

impl FieldPath {
    /// The whole plan.
    pub fn root() -> Self {
        FieldPath::default()
    }
    /// The path one field further down.
    #[must_use]
    pub fn field(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.segments.push(Segment::Field(name.into()));
        self
    }
    /// The path of a list item.
    #[must_use]
    pub fn index(mut self, i: usize) -> Self {
        self.segments.push(Segment::Index(i));
        self
    }
    /// The path of a map entry.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.segments.push(Segment::Key(key.into()));
        self
    }
    /// This path followed by another (relative) one.
    #[must_use]
    pub fn join(mut self, rest: &FieldPath) -> Self {
        self.segments.extend(rest.segments.iter().cloned());
        self
    }
    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
    /// True for the path of the whole plan.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }
    /// True when `self` is `prefix` or lies under it.
    pub fn starts_with(&self, prefix: impl Into<FieldPath>) -> bool {
        self.segments.starts_with(&prefix.into().segments)
    }
    /// Reads a path written as text (`roles[2].name`,
    /// `tuning.parameters.pg_stat_statements.track`). What follows a map
    /// field (`parameters`, `labels`) is read as one key.
    pub fn parse(text: &str) -> Self {
        let mut path = FieldPath::root();
        let mut rest = text;
        while !rest.is_empty() {
            rest = rest.strip_prefix('.').unwrap_or(rest);
            if let Some(after) = rest.strip_prefix('[') {
                let (n, tail) = after.split_once(']').unwrap_or((after, ""));
                match n.parse() {
                    Ok(i) => path = path.index(i),
                    Err(_) => path = path.key(n.trim_matches('"')),
                }
                rest = tail;
                continue;
            }
            if matches!(path.segments.last(), Some(Segment::Field(f)) if MAP_FIELDS.contains(&f.as_ref()))
            {
                let end = rest.find('[').unwrap_or(rest.len());
                path = path.key(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            path = path.field(rest[..end].to_owned());
            rest = &rest[end..];
        }
        path
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Field(name) if i == 0 => f.write_str(name)?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl From<&str> for FieldPath {
    fn from(text: &str) -> Self {
        FieldPath::parse(text)
    }
}

impl From<String> for FieldPath {
    fn from(text: String) -> Self {
        FieldPath::parse(&text)
    }
}

impl From<&String> for FieldPath {
    fn from(text: &String) -> Self {
        FieldPath::parse(text)
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(path: &FieldPath) -> Self {
        path.clone()
    }
}

impl FieldPath {
    /// True when the path prints as `text`, compared as it is written out
    /// (no string is built).
    fn prints_as(&self, text: &str) -> bool {
        struct Rest<'a>(&'a str);
        impl fmt::Write for Rest<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Rest(text);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

impl PartialEq<str> for FieldPath {
    fn eq(&self, other: &str) -> bool {
        self.prints_as(other)
    }
}

impl PartialEq<&str> for FieldPath {
    fn eq(&self, other: &&str) -> bool {
        self.prints_as(other)
    }
}

impl PartialEq<String> for FieldPath {
    fn eq(&self, other: &String) -> bool {
        self.prints_as(other)
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_dots_stay_one_segment() {
        let p = FieldPath::parse("tuning.parameters.pg_stat_statements.track");
        assert_eq!(
            p.segments(),
            &[
                Segment::Field("tuning".into()),
                Segment::Field("parameters".into()),
                Segment::Key("pg_stat_statements.track".into())
            ]
        );
        let l = FieldPath::parse("clients[0].labels.app.kubernetes.io/name");
        assert_eq!(l.segments().len(), 4);
        assert_eq!(l.to_string(), "clients[0].labels.app.kubernetes.io/name");
    }

    #[test]
    fn prints_as_written() {
        for text in [
            "roles[2].grants[0].privileges",
            "topology.replicas[0]",
            "service",
            "",
        ] {
            assert_eq!(FieldPath::parse(text).to_string(), text);
        }
        assert!(FieldPath::parse("roles[1].name").starts_with(FieldPath::parse("roles[1]")));
        let p = FieldPath::parse("roles[1].name");
        let owned = String::from("roles[1].name");
        assert!(p == "roles[1].name" && p == *"roles[1].name" && p == owned);
        assert!(p != "roles[1].nam" && p != "roles[1].names" && p != "roles[1]");
    }
}
