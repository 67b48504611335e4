//! The Namespace.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::context::Ctx;
use crate::labels::MANAGED_BY;
use crate::object::Object;

/// The namespace, labelled so the Pod Security admission controller warns
/// about (and audits) any pod in it that breaks the `restricted` profile,
/// which every pod pgplan renders meets. It is not enforced: the namespace
/// may hold other teams' workloads (seed 000's holds the application
/// services), and server-side apply leaves their labels alone.
pub(crate) fn render(ctx: &Ctx<'_>) -> Object {
    // Only the plan's labels and managed-by: the namespace is shared, so the
    // database's `app`/`service` labels would describe it wrongly.
    let mut labels: BTreeMap<String, String> = pgplan_core::label_strings(&ctx.plan.labels);
    labels.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
    labels.insert(
        "pod-security.kubernetes.io/warn".into(),
        "restricted".into(),
    );
    labels.insert(
        "pod-security.kubernetes.io/audit".into(),
        "restricted".into(),
    );
    Object::Namespace(Namespace {
        metadata: ObjectMeta {
            name: Some(ctx.names.namespace.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    })
}
