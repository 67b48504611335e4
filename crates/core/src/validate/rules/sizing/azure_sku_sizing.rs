//! PGP025 azure-sku-sizing: on Azure the SKU fixes CPU and memory, so
//! `sizing.cpu` and `sizing.memory` are ignored: an info when they agree with
//! the SKU (or the SKU is unknown), a warning when they contradict it.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Azure, Millicores, Sizing};

/// PGP025.
pub struct AzureSkuSizing;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP025",
    name: "azure-sku-sizing",
    summary: "on Azure, sizing.cpu and sizing.memory agree with the SKU, which decides them",
    rationale: "A Flexible Server gets the vCores and memory of its SKU and nothing else; a plan that also states CPU and memory says two things, and when they differ its reader believes the wrong one. pgplan sizes shared_buffers, work_mem and the memory budget from the SKU.",
    examples: crate::rule_examples!("PGP025-azure-sku-sizing"),
    replaces: &["PGP005"],
};

impl Rule for AzureSkuSizing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(azure) = cx.plan.platform.azure() else {
            return;
        };
        check_cpu(azure, &cx.plan.sizing, out);
        check_memory(azure, &cx.plan.sizing, out);
    }
}

fn check_cpu(azure: &Azure, sizing: &Sizing, out: &mut Findings<'_>) {
    let Some(cpu) = &sizing.cpu else {
        return;
    };
    let sku = &azure.sku.name;
    let planned = cpu.ceiling();
    match azure.sku.capacity() {
        Some((vcores, _)) if planned != Millicores::cores(vcores) => out.warning(
            "sizing.cpu",
            format!(
                "sizing.cpu says {} CPU but {sku} has {vcores} vCores; on Azure the SKU decides and sizing.cpu is ignored",
                planned.to_kubernetes()
            ),
            format!(
                "remove sizing.cpu, or choose a SKU with {} vCores in platform.azure.sku",
                planned.whole_cores_ceil()
            ),
        ),
        _ => out.info(
            "sizing.cpu",
            format!("on Azure the SKU {sku} decides the CPU; sizing.cpu is ignored"),
            "remove sizing.cpu and size the server with platform.azure.sku",
        ),
    }
}

fn check_memory(azure: &Azure, sizing: &Sizing, out: &mut Findings<'_>) {
    let Some(memory) = &sizing.memory else {
        return;
    };
    let sku = &azure.sku.name;
    let planned = memory.ceiling();
    match azure.sku.capacity() {
        Some((_, sku_memory)) if planned != sku_memory => out.warning(
            "sizing.memory",
            format!(
                "sizing.memory says {} but {sku} has {}; on Azure the SKU decides, sizing.memory is ignored and the memory checks use {}",
                planned.human(),
                sku_memory.human(),
                sku_memory.human()
            ),
            format!(
                "remove sizing.memory, or choose a SKU with {} of memory in platform.azure.sku",
                planned.human()
            ),
        ),
        _ => out.info(
            "sizing.memory",
            format!("on Azure the SKU {sku} decides the memory; sizing.memory is ignored"),
            "remove sizing.memory and size the server with platform.azure.sku",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Bytes, Resources};

    #[test]
    fn azure_sku_decides() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        assert!(run(&AzureSkuSizing, &plan).is_empty());

        // Agreeing with Standard_D4s_v3: info only.
        plan.sizing.cpu = Some(Resources::builder().request(Millicores::cores(4)).build());
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(16)).build());
        let d = run(&AzureSkuSizing, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|d| d.severity == Severity::Info), "{d:?}");
        assert_eq!(d[0].path, "sizing.cpu");
        assert_eq!(d[1].path, "sizing.memory");
        assert!(d[0].message.contains("Standard_D4s_v3"), "{}", d[0].message);

        // Contradicting it: warnings with both numbers.
        plan.sizing.cpu = Some(Resources::builder().request(Millicores::cores(2)).build());
        plan.sizing.memory = Some(Resources::builder().request(Bytes::gib(8)).build());
        let d = run(&AzureSkuSizing, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].id(), "PGP025");
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

    #[test]
    fn other_platforms_are_not_checked() {
        assert!(run(&AzureSkuSizing, &kubernetes_plan()).is_empty());
    }
}
