//! The renderers, one file per object kind, and the apply order.

pub(crate) mod bootstrap;
pub(crate) mod config_map;
pub(crate) mod cron_job;
pub(crate) mod job;
pub(crate) mod namespace;
pub(crate) mod network_policy;
pub(crate) mod persistent_volume_claim;
pub(crate) mod pod;
pub(crate) mod pod_disruption_budget;
pub(crate) mod prometheus_rule;
pub(crate) mod secret;
pub(crate) mod service;
pub(crate) mod service_account;
pub(crate) mod stateful_set;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use pgplan_core::ContainerImage;
pub(crate) use pgplan_core::kubernetes_facts::checksum;

use crate::context::Ctx;
use crate::object::Object;

/// The UID checkov's CKV_K8S_40 wants at least.
const HIGH_UID: i64 = 10_000;

/// A selector matching exactly these labels.
pub(crate) fn selector(labels: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels),
        match_expressions: None,
    }
}

/// The checkov checks a workload cannot pass as the plan stands, each with
/// its reason, as `checkov.io/skipN` annotations. Reasons hold no `=`
/// (checkov splits the annotation on it).
pub(crate) fn checkov_skips(
    ctx: &Ctx<'_>,
    images: &[&ContainerImage],
) -> Option<BTreeMap<String, String>> {
    let mut skips = Vec::new();
    let tagged: Vec<&str> = images
        .iter()
        .filter(|i| !i.is_pinned_by_digest())
        .map(|i| i.as_str())
        .collect();
    if !tagged.is_empty() {
        skips.push(format!(
            "CKV_K8S_43:{} pinned by tag in the plan, not by digest (no digest is invented); pin the image as name@sha256:<digest> to enable this check",
            tagged.join(", ")
        ));
    }
    if ctx.uid() < HIGH_UID {
        skips.push(format!(
            "CKV_K8S_40:UID {} is the plan's platform.kubernetes.run_as_user (the image's own user); set a UID of {HIGH_UID} or more in the plan to enable this check",
            ctx.uid()
        ));
    }
    if skips.is_empty() {
        return None;
    }
    Some(
        skips
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let (id, reason) = s.split_once(':').unwrap_or((&s, ""));
                (
                    format!("checkov.io/skip{}", i + 1),
                    format!("{id}={reason}"),
                )
            })
            .collect(),
    )
}

/// Every object of the plan, in apply order: namespace; ServiceAccount,
/// Secrets and ConfigMaps; storage; policies (before the pods they guard);
/// workloads; Services; monitoring; Jobs.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let mut out = vec![namespace::render(ctx), service_account::render(ctx)];
    out.extend(secret::render(ctx));

    let primary_config = config_map::server(ctx, false);
    let replica_config = if ctx.read_replicas > 0 && config_map::replicas_differ(ctx) {
        Some(config_map::server(ctx, true))
    } else {
        None
    };
    out.push(primary_config.object.clone());
    if let Some(c) = &replica_config {
        out.push(c.object.clone());
    }
    // The Job's and the SQL ConfigMap's name carry a checksum of what the
    // Job runs: changed SQL is a new Job (a Job's pod template is immutable).
    let init = if job::needed(ctx) {
        let script = job::script(ctx);
        let sql = ctx.opts.init_script.as_ref().map_or("", |s| s.sql.as_str());
        let mut parts = vec![script.as_bytes(), sql.as_bytes()];
        if let Some(m) = &ctx.opts.migrations {
            parts.push(m.runner.as_bytes());
            for (key, text) in &m.files {
                parts.extend([key.as_bytes(), text.as_bytes()]);
            }
        }
        let name = ctx.names.init_job(&checksum(&parts));
        if job::has_sql(ctx) {
            out.push(config_map::init_sql(ctx, &name));
        }
        Some((name, script))
    } else {
        None
    };

    if let Some(pvc) = persistent_volume_claim::backup(ctx) {
        out.push(pvc);
    }
    out.extend(network_policy::render(ctx));
    out.extend(pod_disruption_budget::render(ctx));

    out.push(stateful_set::primary(ctx, &primary_config));
    if let Some(read) =
        stateful_set::read_replicas(ctx, replica_config.as_ref().unwrap_or(&primary_config))
    {
        out.push(read);
    }
    out.extend(service::render(ctx));
    if let Some(rule) = prometheus_rule::render(ctx) {
        out.push(rule);
    }
    if let Some((name, script)) = init {
        let sql_config_map = job::has_sql(ctx).then_some(name.as_str());
        out.push(job::render(ctx, &name, script, sql_config_map));
    }
    out.extend(cron_job::render(ctx));
    out
}
