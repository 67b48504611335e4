//! What the Kubernetes rules share: the plan's Kubernetes platform and the
//! field paths they report.

use crate::model::platform::Kubernetes;
use crate::validate::{Context, FieldPath};

/// The plan's Kubernetes platform; `None` on another platform, where the
/// Kubernetes rules have nothing to say.
pub(super) fn kubernetes<'a>(cx: &Context<'a>) -> Option<&'a Kubernetes> {
    cx.plan.platform.kubernetes()
}

/// `platform.kubernetes.<field>`.
pub(super) fn platform_path(field: &'static str) -> FieldPath {
    FieldPath::root()
        .field("platform")
        .field("kubernetes")
        .field(field)
}

/// `roles[i].<field>`.
pub(super) fn role_path(i: usize, field: &'static str) -> FieldPath {
    FieldPath::root().field("roles").index(i).field(field)
}

/// `backups.logical[i].<field>`.
pub(super) fn backup_path(i: usize, field: &'static str) -> FieldPath {
    FieldPath::root()
        .field("backups")
        .field("logical")
        .index(i)
        .field(field)
}

/// `topology.replicas[i]`.
pub(super) fn replica_path(i: usize) -> FieldPath {
    FieldPath::root()
        .field("topology")
        .field("replicas")
        .index(i)
}
