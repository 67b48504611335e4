//! PGP302 resource-amounts: CPU and memory requests and limits are not
//! zero.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Bytes, Millicores};

/// PGP302.
pub struct ResourceAmounts;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP302",
    name: "resource-amounts",
    summary: "sizing.cpu and sizing.memory requests and limits are not zero",
    rationale: "pgplan derives shared_buffers, work_mem, parallel workers and the memory budget from the server's CPUs and memory. A request or limit of 0 gives a server nothing to run on — a container limited to no memory is killed at once — and turns every derived setting into its minimum.",
    examples: crate::rule_examples!("PGP302-resource-amounts"),
    replaces: &[],
};

impl Rule for ResourceAmounts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let s = &cx.plan.sizing;
        let mut zero = |path: &str, what: &str, example: &str| {
            out.error(
                format!("sizing.{path}"),
                format!("sizing.{path} is 0: a server with no {what} cannot run"),
                format!("set it to what the server needs (e.g. `{example}`), or leave it out"),
            );
        };
        if let Some(cpu) = &s.cpu {
            if cpu.request == Millicores::new(0) {
                zero("cpu.request", "CPU", "request: 500m");
            }
            if cpu.limit == Some(Millicores::new(0)) {
                zero("cpu.limit", "CPU", "limit: 2");
            }
        }
        if let Some(memory) = &s.memory {
            if memory.request == Bytes::ZERO {
                zero("memory.request", "memory", "request: 2Gi");
            }
            if memory.limit == Some(Bytes::ZERO) {
                zero("memory.limit", "memory", "limit: 2Gi");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn zero_cpu_and_memory_are_errors() {
        let mut plan = kubernetes_plan();
        assert!(run(&ResourceAmounts, &plan).is_empty());
        if let Some(cpu) = plan.sizing.cpu.as_mut() {
            cpu.request = Millicores::new(0);
            cpu.limit = Some(Millicores::new(0));
        }
        let d = run(&ResourceAmounts, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].path, "sizing.cpu.request");
    }
}
