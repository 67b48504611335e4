//! PGP300 pod-range: a client's `pods` range has `min` at most `max`.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP300.
pub struct PodRangeOrder;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP300",
    name: "pod-range",
    summary: "a client's pods range has min at most max",
    rationale: "The connection budget counts every client at its most pods. A range whose min is above its max has no most: an autoscaler refuses it, and a budget read from max would count fewer pods than min, so the server could run out of connections the plan said it had.",
    examples: crate::rule_examples!("PGP300-pod-range"),
    replaces: &[],
};

impl Rule for PodRangeOrder {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, c) in cx.plan.clients.iter().enumerate() {
            if c.pods.min > c.pods.max {
                out.error(
                    format!("clients[{i}].pods"),
                    format!(
                        "client {} runs between {} and {} pods: min is above max, so the range has no most pods for the connection budget to count",
                        c.name, c.pods.min, c.pods.max
                    ),
                    format!(
                        "swap them (pods: {{ min: {}, max: {} }}), or set max to the most pods the autoscaler may run",
                        c.pods.max, c.pods.min
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_range_upside_down_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&PodRangeOrder, &plan).is_empty());
        plan.clients[0].pods.min = 15;
        plan.clients[0].pods.max = 1;
        let d = run(&PodRangeOrder, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "clients[0].pods");
        assert!(
            d[0].message.contains("between 15 and 1 pods"),
            "{}",
            d[0].message
        );
    }
}
