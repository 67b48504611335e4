//! PGP108 kubernetes-reserved-labels: plan labels pgplan sets itself.

use super::common::kubernetes;
use crate::kubernetes_facts::{MANAGED_BY, ObjectNames, RESERVED_LABELS};
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP108.
pub struct KubernetesReservedLabels;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP108",
    name: "kubernetes-reserved-labels",
    summary: "the plan's labels do not set the label keys pgplan sets itself (app, service, tier, app.kubernetes.io/managed-by, app.kubernetes.io/component, pgplan.io/role)",
    rationale: "pgplan labels every object with `app`, `service` and `tier` and selects its pods by `app`, `app.kubernetes.io/component` and `pgplan.io/role`. A plan label with one of those keys would either be overwritten or change what the Services, the NetworkPolicy and the PodDisruptionBudgets select, cutting clients off from the server.",
    examples: crate::rule_examples!("PGP108-kubernetes-reserved-labels"),
    replaces: &[],
};

impl Rule for KubernetesReservedLabels {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let base = ObjectNames::new(&cx.plan.service).base;
        for (key, value) in &cx.plan.labels {
            let key = key.as_str();
            if !RESERVED_LABELS.contains(&key) {
                continue;
            }
            let ours = match key {
                "app" => format!("`{base}`, which the Services and policies select on"),
                "service" => format!("`{}`", cx.plan.service),
                "tier" => "`database`".to_owned(),
                k if k == MANAGED_BY.0 => format!("`{}`", MANAGED_BY.1),
                "pgplan.io/role" => "`primary` or `replica` on the server pods".to_owned(),
                _ => "the part of the deployment each object is (database, config, backup, …)"
                    .to_owned(),
            };
            out.error(
                FieldPath::root().field("labels").key(key),
                format!("label `{key}: {value}` is one pgplan sets itself, to {ours}"),
                format!(
                    "remove labels.{key}, or give it a key of your own (e.g. `example.com/{}`)",
                    key.rsplit('/').next().unwrap_or(key)
                ),
            );
        }
    }
}
