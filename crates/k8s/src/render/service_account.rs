//! The ServiceAccount of every pod.

use k8s_openapi::api::core::v1::ServiceAccount;

use crate::context::Ctx;
use crate::object::Object;

/// A ServiceAccount of its own, so the pods never run as the namespace's
/// `default` account, and with no API token mounted: nothing in these pods
/// talks to the Kubernetes API.
pub(crate) fn render(ctx: &Ctx<'_>) -> Object {
    Object::ServiceAccount(ServiceAccount {
        metadata: ctx.labels.meta(&ctx.names.base, ctx.labels.common()),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    })
}
