//! PGP074 resource-alerts: CPU, memory and storage alerts are sensible
//! between 50 and 95 % (warning outside); on Azure the storage alert is below
//! 95 %, where the server turns read-only (error).

use crate::azure_facts;
use crate::model::units::Percent;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP074.
pub struct ResourceAlerts;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP074",
    name: "resource-alerts",
    summary: "CPU, memory and storage alerts sit between 50 and 95 %, and on Azure the storage alert below the 95 % at which the server turns read-only",
    rationale: "An alert below half the resource fires under ordinary load until people learn to ignore it; one above 95 % fires when nothing can be done in time. On Azure a server whose storage passes 95 % is made read-only, so a storage alert at or above that announces the outage instead of preventing it.",
    examples: crate::rule_examples!("PGP074-resource-alerts"),
    replaces: &["PGP014"],
};

impl Rule for ResourceAlerts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let thresholds = &cx.plan.monitoring.thresholds;
        let on_azure = cx.plan.platform.azure().is_some();
        let read_only = Percent::whole(azure_facts::STORAGE_READ_ONLY_PERCENT);
        for (field, what, threshold) in [
            ("cpu", "CPU", thresholds.cpu),
            ("memory", "memory", thresholds.memory),
            ("storage", "storage", thresholds.storage),
        ] {
            let Some(threshold) = threshold else {
                continue;
            };
            let path = format!("monitoring.thresholds.{field}.above");
            let above = threshold.above;
            if field == "storage" && on_azure && above >= read_only {
                out.error(                path,
                    format!(
                        "the storage alert at {above} fires when the server is already read-only: Azure turns a server read-only at {read_only} used"
                    ),
                    "set it to about 80 % (before auto-grow or a resize is needed), or at least below 95 %");
                continue;
            }
            if above < Percent::whole(50) {
                out.warning(
                    path,
                    format!("the {what} alert at {above} fires under ordinary load"),
                    "set it between 50 and 95 % (e.g. 80 %)",
                );
            } else if above > Percent::whole(95) {
                out.warning(
                    path,
                    format!("the {what} alert at {above} fires too late to act"),
                    "set it between 50 and 95 % (e.g. 80 %)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Threshold;
    use crate::validate::rules::test_support::*;

    fn percent(n: u16) -> Threshold<Percent> {
        Threshold::builder().above(Percent::whole(n)).build()
    }

    #[test]
    fn resource_thresholds_between_50_and_95_percent() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.cpu = Some(percent(30));
        plan.monitoring.thresholds.memory = Some(percent(98));
        plan.monitoring.thresholds.storage = Some(percent(95));
        let d = run(&ResourceAlerts, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let cpu = diagnostic_at(&d, "monitoring.thresholds.cpu.above");
        assert_eq!(cpu.severity, Severity::Warning);
        assert!(
            cpu.message
                .contains("CPU alert at 30% fires under ordinary load")
        );
        let memory = diagnostic_at(&d, "monitoring.thresholds.memory.above");
        assert!(memory.message.contains("98% fires too late"));
    }

    #[test]
    fn azure_storage_alert_below_read_only() {
        let mut plan = azure_reference_plan();
        plan.monitoring.thresholds.storage = Some(percent(95));
        let d = run(&ResourceAlerts, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "monitoring.thresholds.storage.above");
        assert!(
            d[0].message.contains("read-only at 95% used"),
            "{}",
            d[0].message
        );
        plan.monitoring.thresholds.storage = Some(percent(90));
        assert!(run(&ResourceAlerts, &plan).is_empty());
    }
}
