//! What differs between two plans, field by field: the basis of a
//! development-versus-production comparison and of "is this file the plan I
//! built" checks.

use std::fmt;

use serde_json::Value;

use super::plan::Plan;
use crate::validate::FieldPath;

/// One field that differs between two plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where (`topology.replicas[0].sku.name`).
    pub path: FieldPath,
    /// The first plan's value as the plan file writes it; `None` when absent.
    pub left: Option<String>,
    /// The second plan's value; `None` when absent.
    pub right: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        write!(
            f,
            "{}: {} → {}",
            self.path,
            show(&self.left),
            show(&self.right)
        )
    }
}

/// Two plans that should be the same and are not: every difference.
#[derive(Clone, PartialEq, Eq)]
pub struct Mismatch(pub Vec<Difference>);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the plans differ in {} field(s):", self.0.len())?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Mismatch {}

impl Plan {
    /// `Ok` when `other` is the same plan, else every difference — for
    /// checks that a plan file is the plan a program builds.
    pub fn ensure_same(&self, other: &Plan) -> Result<(), Mismatch> {
        let d = self.differences(other);
        if d.is_empty() {
            Ok(())
        } else {
            Err(Mismatch(d))
        }
    }
    /// Every field whose value differs from `other`'s, in the order the plan
    /// file writes them. Lists compare item by item; maps key by key.
    ///
    /// ```
    /// use pgplan_core::prelude::*;
    /// let dev = Plan::development("orders").version(17).local(|l| l).build().unwrap();
    /// let prod = dev.clone().edit().environment(Environment::Production).version(16).build().unwrap();
    /// let diff: Vec<String> = dev.differences(&prod).iter().map(ToString::to_string).collect();
    /// assert_eq!(diff, ["environment: development → production", "version: 17 → 16"]);
    /// ```
    pub fn differences(&self, other: &Plan) -> Vec<Difference> {
        let mut out = Vec::new();
        // A plan always serialises: every field is plain data.
        let left = serde_json::to_value(self).unwrap_or(Value::Null);
        let right = serde_json::to_value(other).unwrap_or(Value::Null);
        walk(FieldPath::root(), Some(&left), Some(&right), &mut out);
        out
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn walk(path: FieldPath, left: Option<&Value>, right: Option<&Value>, out: &mut Vec<Difference>) {
    match (left, right) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for k in keys {
                let child = if is_map(&path) {
                    path.clone().key(k.clone())
                } else {
                    path.clone().field(k.clone())
                };
                walk(child, a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(path.clone().index(i), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => {
            // A literal password (which validation rejects) is never shown.
            let secret = matches!(
                path.segments().last(),
                Some(crate::validate::Segment::Field(f)) if f.ends_with("password")
            );
            let show = |v: Option<&Value>| {
                v.filter(|v| !v.is_null()).map(|v| match v {
                    Value::String(_) if secret => "(a password written into the plan)".to_owned(),
                    v => text(v),
                })
            };
            out.push(Difference {
                left: show(a),
                right: show(b),
                path,
            })
        }
    }
}

/// Maps whose keys are data, not field names.
fn is_map(path: &FieldPath) -> bool {
    matches!(
        path.segments().last(),
        Some(crate::validate::Segment::Field(f)) if matches!(f.as_ref(), "labels" | "parameters")
    )
}
