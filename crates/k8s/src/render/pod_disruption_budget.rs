//! PodDisruptionBudgets of the server pods.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pgplan_core::Environment;

use crate::context::Ctx;
use crate::labels::{ROLE_PRIMARY, ROLE_REPLICA};
use crate::object::Object;
use crate::render::selector;

fn pdb(ctx: &Ctx<'_>, name: &str, role: &str, max_unavailable: i32) -> Object {
    Object::PodDisruptionBudget(PodDisruptionBudget {
        metadata: ctx.labels.meta(name, ctx.labels.server_pod(role)),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(max_unavailable)),
            selector: Some(selector(ctx.labels.server_selector(Some(role)))),
            // A pod that is not running anyway may always be evicted, so a
            // crash-looping server never blocks a node drain.
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    })
}

/// The primary is a single pod: in production a voluntary eviction (node
/// drain, cluster upgrade) waits for an operator (`maxUnavailable: 0`),
/// elsewhere it may proceed (`maxUnavailable: 1`, the outage is accepted).
/// Read replicas may lose one pod at a time.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let primary_max = if ctx.plan.environment == Environment::Production {
        0
    } else {
        1
    };
    let mut out = vec![pdb(ctx, &ctx.names.base, ROLE_PRIMARY, primary_max)];
    if ctx.read_replicas > 0 {
        out.push(pdb(ctx, &ctx.names.read, ROLE_REPLICA, 1));
    }
    out
}
