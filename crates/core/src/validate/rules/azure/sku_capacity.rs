//! PGP142 azure-sku-capacity: pgplan knows every SKU's vCores and memory.

use super::support::{platform, skus};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP142.
pub struct AzureSkuCapacity;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP142",
    name: "azure-sku-capacity",
    summary: "pgplan knows the vCores and memory of every Azure SKU the plan names, from its SKU table or the plan's vcores and memory",
    rationale: "Memory-based settings (shared_buffers, work_mem, max_connections' default) and the memory and replica checks need the server's memory; without it they are skipped.",
    examples: crate::rule_examples!("PGP142-azure-sku-capacity"),
    replaces: &["PGP009"],
};

impl Rule for AzureSkuCapacity {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        for (path, sku) in skus(cx, az) {
            if sku.capacity().is_none() {
                out.warning(
                    path.field("name"),
                    format!(
                        "pgplan does not know the vCores and memory of SKU {}: memory-based checks and derived memory settings are skipped",
                        sku.name
                    ),
                    "set vcores and memory on the SKU (e.g. vcores: 4, memory: 16Gi), or use a SKU pgplan knows such as Standard_D4s_v3",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{Bytes, Severity};

    #[test]
    fn an_unknown_sku_warns_until_its_capacity_is_given() {
        assert!(run(&AzureSkuCapacity, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).sku.name = v("Standard_D4s_v9");
        let d = run(&AzureSkuCapacity, &plan);
        let d = at(&d, "platform.azure.sku.name");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("Standard_D4s_v9"), "{}", d.message);
        let az = azure(&mut plan);
        az.sku.vcores = Some(4);
        az.sku.memory = Some(Bytes::gib(16));
        assert!(run(&AzureSkuCapacity, &plan).is_empty());
    }
}
