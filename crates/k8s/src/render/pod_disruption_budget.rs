//! PodDisruptionBudgets of the server pods: `platform.kubernetes.disruption`,
//! else pgplan's budgets (see [`pgplan_core::DisruptionPolicy`]).

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pgplan_core::DisruptionBudget;

use crate::context::Ctx;
use crate::labels::{ROLE_PRIMARY, ROLE_REPLICA};
use crate::object::Object;
use crate::render::selector;

/// The budget as a PodDisruptionBudget; `None` for `none`.
fn pdb(ctx: &Ctx<'_>, name: &str, role: &str, budget: DisruptionBudget) -> Option<Object> {
    let int = |n: u32| Some(IntOrString::Int(i32::try_from(n).unwrap_or(i32::MAX)));
    let (min_available, max_unavailable) = match budget {
        DisruptionBudget::MinAvailable(n) => (int(n), None),
        DisruptionBudget::MaxUnavailable(n) => (None, int(n)),
        DisruptionBudget::NoBudget => return None,
    };
    Some(Object::PodDisruptionBudget(PodDisruptionBudget {
        metadata: ctx.labels.meta(name, ctx.labels.server_pod(role)),
        spec: Some(PodDisruptionBudgetSpec {
            min_available,
            max_unavailable,
            selector: Some(selector(ctx.labels.server_selector(Some(role)))),
            // A pod that is not running anyway may always be evicted, so a
            // crash-looping server never blocks a node drain.
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
        }),
        ..PodDisruptionBudget::default()
    }))
}

/// The primary's budget and, with read replicas, theirs.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let policy = &ctx.k8s.disruption;
    let mut out: Vec<Object> = pdb(
        ctx,
        &ctx.names.base,
        ROLE_PRIMARY,
        policy.primary_or_default(ctx.plan.environment),
    )
    .into_iter()
    .collect();
    if ctx.read_replicas > 0 {
        out.extend(pdb(
            ctx,
            &ctx.names.read,
            ROLE_REPLICA,
            policy.read_replicas_or_default(),
        ));
    }
    out
}
