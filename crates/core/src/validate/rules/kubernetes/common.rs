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

/// One group of server pods and the PodDisruptionBudget it gets.
pub(super) struct BudgetedPods {
    /// `primary` or `read_replicas` (the field under
    /// `platform.kubernetes.disruption`).
    pub field: &'static str,
    /// For messages: `the primary`, `the read replicas`.
    pub what: &'static str,
    /// How many pods the group runs.
    pub pods: u32,
    /// The budget the backend renders.
    pub budget: crate::DisruptionBudget,
}

impl BudgetedPods {
    /// `platform.kubernetes.disruption.<field>`.
    pub fn path(&self) -> FieldPath {
        platform_path("disruption").field(self.field)
    }
}

/// The primary's pod and, with read replicas, theirs, with their budgets.
pub(super) fn budgeted_pods(cx: &Context<'_>, k: &Kubernetes) -> Vec<BudgetedPods> {
    let mut out = vec![BudgetedPods {
        field: "primary",
        what: "the primary",
        pods: 1,
        budget: k.disruption.primary_or_default(cx.plan.environment),
    }];
    let replicas = u32::try_from(cx.plan.topology.replicas.len()).unwrap_or(u32::MAX);
    if replicas > 0 {
        out.push(BudgetedPods {
            field: "read_replicas",
            what: "the read replicas",
            pods: replicas,
            budget: k.disruption.read_replicas_or_default(),
        });
    }
    out
}
