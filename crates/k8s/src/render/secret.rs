//! Secrets with the logins' passwords, and ExternalSecrets for passwords kept
//! in Azure Key Vault.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

use crate::context::Ctx;
use crate::credentials::{Credential, Store};
use crate::object::Object;

/// `app.kubernetes.io/component` of the credential Secrets.
const COMPONENT_CREDENTIALS: &str = "credentials";

/// One object per Secret pgplan manages, sorted by name.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    ctx.creds
        .rendered()
        .into_iter()
        .filter_map(|c| match &c.store {
            Store::Rendered(fill) => Some(secret(ctx, c, &fill.to_string())),
            Store::KeyVault { vault, secret } => Some(external_secret(ctx, c, vault, secret)),
            Store::Existing => None,
        })
        .collect()
}

/// A Secret with `username` and, when the caller passed it, `password`.
/// Without a value the Secret is rendered for `pgplan apply` (or a secret
/// generator) to complete: the renderer is pure and never invents one.
fn secret(ctx: &Ctx<'_>, c: &Credential, source: &str) -> Object {
    let mut meta = ctx
        .labels
        .meta(&c.secret, ctx.labels.with_component(COMPONENT_CREDENTIALS));
    meta.annotations = Some(BTreeMap::from([(
        "pgplan.io/password".to_owned(),
        source.to_owned(),
    )]));
    let mut data = BTreeMap::from([(
        "username".to_owned(),
        ByteString(c.username.clone().into_bytes()),
    )]);
    if let Some(p) = ctx.opts.passwords.get(&c.secret) {
        data.insert(c.key.clone(), ByteString(p.expose().as_bytes().to_vec()));
    }
    Object::Secret(Secret {
        metadata: meta,
        type_: Some("Opaque".into()),
        data: Some(data),
        ..Secret::default()
    })
}

/// An ExternalSecret (External Secrets Operator) that keeps the Secret in
/// sync with a Key Vault secret, through a ClusterSecretStore named after
/// the vault.
fn external_secret(ctx: &Ctx<'_>, c: &Credential, vault: &str, kv_secret: &str) -> Object {
    let gvk = GroupVersionKind::gvk("external-secrets.io", "v1", "ExternalSecret");
    let resource = ApiResource::from_gvk(&gvk);
    let mut obj = DynamicObject::new(&c.secret, &resource).within(&ctx.names.namespace);
    obj.metadata.labels = Some(ctx.labels.with_component(COMPONENT_CREDENTIALS));
    // Keys in alphabetical order: the output is the same whether or not
    // serde_json keeps insertion order.
    obj.data = json!({
        "spec": {
            "data": [
                { "remoteRef": { "key": kv_secret }, "secretKey": c.key }
            ],
            "refreshInterval": "1h",
            "secretStoreRef": { "kind": "ClusterSecretStore", "name": vault },
            "target": { "creationPolicy": "Owner", "name": c.secret }
        }
    });
    Object::Custom(obj)
}
