//! PGP164 azure-max-connections: max_connections within Azure's range.

use super::support::platform;
use crate::azure_facts;
use crate::tuning::params;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP164.
pub struct AzureMaxConnections;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP164",
    name: "azure-max-connections",
    summary: "max_connections, set or derived from the clients' peak, is within Azure's 25–5000",
    rationale: "The configurations API refuses max_connections outside 25–5000; clients that need more connections need a pooler in front.",
    examples: crate::rule_examples!("PGP164-azure-max-connections"),
    replaces: &["PGP009"],
};

impl Rule for AzureMaxConnections {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let Some(max_connections) = cx.settings.get(params::MAX_CONNECTIONS) else {
            return;
        };
        let (lo, hi) = azure_facts::MAX_CONNECTIONS_RANGE;
        if (lo..=hi).contains(&max_connections) {
            return;
        }
        let (path, fix) = if cx.settings.is_set(params::MAX_CONNECTIONS) {
            (
                cx.param_path(params::MAX_CONNECTIONS.name()),
                format!(
                    "set max_connections to {}; if the clients need more, put a pooler in front (pooler:)",
                    max_connections.clamp(lo, hi)
                ),
            )
        } else {
            (
                FieldPath::from("clients"),
                format!(
                    "pgplan derived it from the clients' peak: put a pooler in front (pooler:) or lower the pool sizes so that {hi} connections suffice"
                ),
            )
        };
        out.error(
            path,
            format!("max_connections {max_connections} is outside Azure's {lo}–{hi}"),
            fix,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;

    #[test]
    fn max_connections_between_25_and_5000() {
        assert!(run(&AzureMaxConnections, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning
            .parameters
            .insert(v("max_connections"), "6000".into());
        let d = run(&AzureMaxConnections, &plan);
        let e = at(&d, "tuning.parameters.max_connections");
        assert!(
            e.message
                .contains("max_connections 6000 is outside Azure's 25–5000")
        );
        assert!(e.help.contains("set max_connections to 5000"), "{}", e.help);
        plan.tuning
            .parameters
            .insert(v("max_connections"), "20".into());
        assert_eq!(run(&AzureMaxConnections, &plan).len(), 1);
    }

    #[test]
    fn a_derived_value_points_at_the_clients() {
        let plan = reference_with(|y| {
            y.replace("    max_connections: 200\n", "")
                .replace("pods: { min: 3, max: 15 }", "pods: { min: 3, max: 400 }")
                .replace("pool_size: 10", "pool_size: 15")
        });
        let d = run(&AzureMaxConnections, &plan);
        let e = at(&d, "clients");
        assert!(
            e.message.contains("outside Azure's 25–5000"),
            "{}",
            e.message
        );
        assert!(e.help.contains("pooler"), "{}", e.help);
    }
}
