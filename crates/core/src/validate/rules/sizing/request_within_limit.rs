//! PGP022 request-within-limit: a CPU or memory request above its limit.
//!
//! Kubernetes rejects such a pod, and on any self-managed server the request
//! is what the plan's derivations count on while the limit is what the
//! server gets. On Azure the SKU decides both (PGP025).

use crate::validate::{Findings, Rule, RuleInfo};
use crate::{Bytes, Millicores, Platform, Resources};

/// PGP022.
pub struct RequestWithinLimit;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP022",
    name: "request-within-limit",
    summary: "a CPU or memory request is not above its limit",
    rationale: "Kubernetes refuses to create a pod whose request exceeds its limit, so the StatefulSet never starts a server; elsewhere the limit is what the server really gets, while pgplan sizes shared_buffers, work_mem and parallel workers from the larger request.",
    examples: crate::rule_examples!("PGP022-request-within-limit"),
    replaces: &["PGP005"],
};

impl Rule for RequestWithinLimit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &crate::validate::Context<'_>, out: &mut Findings<'_>) {
        if matches!(cx.plan.platform, Platform::Azure(_)) {
            return;
        }
        let sizing = &cx.plan.sizing;
        if let Some(cpu) = &sizing.cpu {
            request_within_limit("cpu", cpu, Millicores::to_kubernetes, out);
        }
        if let Some(memory) = &sizing.memory {
            request_within_limit("memory", memory, Bytes::to_kubernetes, out);
        }
    }
}

fn request_within_limit<T: Copy + PartialOrd>(
    what: &str,
    r: &Resources<T>,
    show: fn(T) -> String,
    out: &mut Findings<'_>,
) {
    let Some(limit) = r.limit else {
        return;
    };
    if r.request <= limit {
        return;
    }
    let (request, limit) = (show(r.request), show(limit));
    out.error(
        format!("sizing.{what}.request"),
        format!(
            "the {what} request {request} is above the {what} limit {limit}; Kubernetes rejects such a pod and the server can never get what it asks for"
        ),
        format!(
            "raise sizing.{what}.limit to at least {request}, or lower sizing.{what}.request to {limit} or less"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_000_requests_and_limits_pass() {
        assert!(run(&RequestWithinLimit, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn cpu_request_above_limit_is_an_error() {
        let mut plan = kubernetes_plan();
        plan.sizing.cpu = Some(
            Resources::builder()
                .request(Millicores::new(1500))
                .limit(Millicores::new(500))
                .build(),
        );
        let d = run(&RequestWithinLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP022");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.cpu.request");
        assert!(
            d[0].message
                .contains("request 1500m is above the cpu limit 500m"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 1500m"), "{}", d[0].help);
        assert!(d[0].help.contains("to 500m or less"), "{}", d[0].help);
    }

    #[test]
    fn memory_request_above_limit_is_an_error_on_every_self_managed_platform() {
        let mut plan = patroni_cluster_plan();
        plan.sizing.memory = Some(
            Resources::builder()
                .request(Bytes::gib(4))
                .limit(Bytes::gib(2))
                .build(),
        );
        let d = run(&RequestWithinLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.memory.request");
        assert!(
            d[0].message
                .contains("request 4Gi is above the memory limit 2Gi"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn azure_sizing_is_left_to_pgp025() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        plan.sizing.memory = Some(
            Resources::builder()
                .request(Bytes::gib(4))
                .limit(Bytes::gib(2))
                .build(),
        );
        assert!(run(&RequestWithinLimit, &plan).is_empty());
    }
}
