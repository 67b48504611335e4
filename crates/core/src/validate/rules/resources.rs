//! PGP005 resources: CPU and memory requests and limits.
//!
//! - A request above its limit is rejected by Kubernetes and makes no sense
//!   elsewhere: error.
//! - On Kubernetes the memory limit is the ceiling every memory budget is
//!   checked against; without it the pod has none and the node OOM-kills it
//!   under pressure: error. A missing CPU request leaves scheduling and the
//!   derived parallelism to chance: warning.
//! - On Azure the SKU fixes CPU and memory, so `sizing.cpu`/`sizing.memory`
//!   are ignored: info when they agree with the SKU (or the SKU is unknown),
//!   warning when they contradict it.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Azure, Bytes, Millicores, Platform, Resources};

/// PGP005.
pub struct ResourceRequests;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP005",
    name: "resources",
    summary: "requests must not exceed limits; Kubernetes needs a memory limit and should have a CPU request; on Azure the SKU decides",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for ResourceRequests {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let sizing = &cx.plan.sizing;
        match &cx.plan.platform {
            Platform::Azure(azure) => self.check_azure(azure, sizing, out),
            platform => {
                if let Some(cpu) = &sizing.cpu {
                    self.request_within_limit("cpu", cpu, Millicores::to_kubernetes, out);
                }
                if let Some(memory) = &sizing.memory {
                    self.request_within_limit("memory", memory, Bytes::to_kubernetes, out);
                }
                if matches!(platform, Platform::Kubernetes(_)) {
                    self.check_kubernetes(cx, out);
                }
            }
        }
    }
}

impl ResourceRequests {
    fn request_within_limit<T: Copy + PartialOrd>(
        &self,
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
        out.error(            format!("sizing.{what}.request"),
            format!(
                "the {what} request {request} is above the {what} limit {limit}; Kubernetes rejects such a pod and the server can never get what it asks for"
            ),
            format!(
                "raise sizing.{what}.limit to at least {request}, or lower sizing.{what}.request to {limit} or less"
            ));
    }

    fn check_kubernetes(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let sizing = &cx.plan.sizing;
        match &sizing.memory {
            None => out.error(                "sizing.memory",
                "no memory request or limit: without a limit the memory budget (shared_buffers, work_mem × max_connections) has no ceiling to be checked against, and the node can OOM-kill the pod under memory pressure",
                "set sizing.memory with a request and an equal limit, e.g. `memory: { request: 2Gi, limit: 2Gi }` (Guaranteed QoS)"),
            Some(m) if m.limit.is_none() => {
                let request = m.request.to_kubernetes();
                out.error(                    "sizing.memory.limit",
                    format!(
                        "the memory request is {request} but there is no limit: the memory budget has no ceiling, and the node can OOM-kill the pod when it uses more than its request"
                    ),
                    format!(
                        "set sizing.memory.limit to {request} (equal to the request, for Guaranteed QoS) or higher, and size shared_buffers and work_mem to it"
                    ));
            }
            Some(_) => {}
        }
        if sizing.cpu.is_none() {
            out.warning(                "sizing.cpu",
                "no CPU request: the scheduler may place the pod on a node with no CPU to spare, and pgplan cannot derive parallel workers from the CPU count",
                "set sizing.cpu.request, e.g. `cpu: { request: 1, limit: 2 }`");
        }
    }

    fn check_azure(&self, azure: &Azure, sizing: &crate::Sizing, out: &mut Findings<'_>) {
        let sku = &azure.sku.name;
        let capacity = azure.sku.capacity();
        if let Some(cpu) = &sizing.cpu {
            let planned = cpu.ceiling();
            match capacity {
                Some((vcores, _)) if planned != Millicores::cores(vcores) => {
                    out.warning(                        "sizing.cpu",
                        format!(
                            "sizing.cpu says {} CPU but {sku} has {vcores} vCores; on Azure the SKU decides and sizing.cpu is ignored",
                            planned.to_kubernetes()
                        ),
                        format!(
                            "remove sizing.cpu, or choose a SKU with {} vCores in platform.azure.sku",
                            planned.whole_cores_ceil()
                        ));
                }
                _ => out.info(
                    "sizing.cpu",
                    format!("on Azure the SKU {sku} decides the CPU; sizing.cpu is ignored"),
                    "remove sizing.cpu and size the server with platform.azure.sku",
                ),
            }
        }
        if let Some(memory) = &sizing.memory {
            let planned = memory.ceiling();
            match capacity {
                Some((_, sku_memory)) if planned != sku_memory => {
                    out.warning(                        "sizing.memory",
                        format!(
                            "sizing.memory says {} but {sku} has {}; on Azure the SKU decides, sizing.memory is ignored and the memory checks use {}",
                            planned.human(),
                            sku_memory.human(),
                            sku_memory.human()
                        ),
                        format!(
                            "remove sizing.memory, or choose a SKU with {} of memory in platform.azure.sku",
                            planned.human()
                        ));
                }
                _ => out.info(
                    "sizing.memory",
                    format!("on Azure the SKU {sku} decides the memory; sizing.memory is ignored"),
                    "remove sizing.memory and size the server with platform.azure.sku",
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn seed_000_requests_and_limits_pass() {
        assert!(run(&ResourceRequests, &kubernetes_plan()).is_empty());
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
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP005");
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
        let d = run(&ResourceRequests, &plan);
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
    fn kubernetes_needs_a_memory_limit() {
        let mut plan = kubernetes_plan();
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(1)).build());
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.memory.limit");
        assert!(d[0].message.contains("request is 1Gi"), "{}", d[0].message);
        assert!(d[0].message.contains("OOM-kill"), "{}", d[0].message);
        assert!(d[0].help.contains("limit to 1Gi"), "{}", d[0].help);

        plan.sizing.memory = None;
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.memory");
    }

    #[test]
    fn kubernetes_should_have_a_cpu_request() {
        let mut plan = kubernetes_plan();
        plan.sizing.cpu = None;
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "sizing.cpu");
        assert!(d[0].help.contains("sizing.cpu.request"), "{}", d[0].help);
    }

    #[test]
    fn local_servers_need_no_limits() {
        let mut plan = patroni_cluster_plan();
        plan.sizing = crate::Sizing::default();
        assert!(run(&ResourceRequests, &plan).is_empty());
    }

    #[test]
    fn azure_sku_decides() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        assert!(run(&ResourceRequests, &plan).is_empty());

        // Agreeing with Standard_D4s_v3: info only.
        plan.sizing.cpu = Some(Resources::builder().request(Millicores::cores(4)).build());
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(16)).build());
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|d| d.severity == Severity::Info), "{d:?}");
        assert_eq!(d[0].path, "sizing.cpu");
        assert_eq!(d[1].path, "sizing.memory");
        assert!(d[0].message.contains("Standard_D4s_v3"), "{}", d[0].message);

        // Contradicting it: warnings with both numbers.
        plan.sizing.cpu = Some(Resources::builder().request(Millicores::cores(2)).build());
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(8)).build());
        let d = run(&ResourceRequests, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message
                .contains("2 CPU but Standard_D4s_v3 has 4 vCores"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("SKU with 2 vCores"), "{}", d[0].help);
        assert_eq!(d[1].severity, Severity::Warning);
        assert!(
            d[1].message
                .contains("8 GiB but Standard_D4s_v3 has 16 GiB"),
            "{}",
            d[1].message
        );
    }
}
