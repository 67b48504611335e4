//! PGP014 monitoring-thresholds: alert thresholds that can fire in time.
//!
//! - The connection alert must be below max_connections (error at or above,
//!   warning above 95 %); when unset it is derived as 80 % of max_connections
//!   and reported as an info with the number.
//! - CPU, memory and storage alerts are sensible between 50 and 95 % (warning
//!   outside); on Azure the storage alert must be below 95 %, where the server
//!   turns read-only (error).
//! - A slow-query alert needs the slow statements logged:
//!   `log_min_duration_statement` of -1 (off), or above the alert, warns.
//! - A replication-lag alert without any replication never fires (warning).

use crate::azure_facts;
use crate::model::monitoring::{DERIVED_CONNECTION_ALERT_PERCENT, derived_connection_alert};
use crate::model::platform::AzureHaMode;
use crate::model::units::Percent;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP014.
pub struct MonitoringThresholds;

const ID: &str = "PGP014";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "monitoring-thresholds",
    summary: "alert thresholds must fire before the limit they watch: connections below max_connections, resources between 50 and 95 %, slow queries logged, lag only with replication",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for MonitoringThresholds {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        check_connections(cx, out);
        check_percentages(cx, out);
        check_slow_query(cx, out);
        check_replication_lag(cx, out);
    }
}

fn check_connections(cx: &Context<'_>, out: &mut Findings<'_>) {
    let Some(max) = cx.settings.int("max_connections") else {
        return;
    };
    let max = max.max(0) as u64;
    let derived = derived_connection_alert(max);
    let Some(threshold) = cx.plan.monitoring.thresholds.connections else {
        out.info(            "monitoring.thresholds.connections",
            format!(
                "no connection alert threshold: pgplan alerts above {derived} connections, {DERIVED_CONNECTION_ALERT_PERCENT} % of max_connections {max}"
            ),
            "set monitoring.thresholds.connections.above to choose another threshold");
        return;
    };
    let above = u64::from(threshold.above);
    let path = "monitoring.thresholds.connections.above";
    if above >= max {
        out.error(            path,
            format!(
                "the connection alert at {above} can never fire before the server refuses connections: max_connections is {max}"
            ),
            format!(
                "set it below max_connections, e.g. {derived} ({DERIVED_CONNECTION_ALERT_PERCENT} %), or remove it to get that derived"
            ));
    } else if above * 100 > max * 95 {
        out.warning(            path,
            format!(
                "the connection alert at {above} is {:.1} % of max_connections {max}: it fires with only {} slots left, too late to act",
                above as f64 * 100.0 / max as f64,
                max - above
            ),
            format!("lower it to about {derived} ({DERIVED_CONNECTION_ALERT_PERCENT} %)"));
    }
}

fn check_percentages(cx: &Context<'_>, out: &mut Findings<'_>) {
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

fn check_slow_query(cx: &Context<'_>, out: &mut Findings<'_>) {
    let Some(slow) = cx.plan.monitoring.thresholds.slow_query else {
        return;
    };
    let path = if cx.settings.is_explicit("log_min_duration_statement") {
        cx.param_path("log_min_duration_statement")
    } else {
        FieldPath::from("monitoring.thresholds.slow_query.above")
    };
    if cx.settings.int("log_min_duration_statement") == Some(-1) {
        out.warning(            path,
            format!(
                "log_min_duration_statement is -1 (off) while the slow-query alert fires above {}: the alert says slow statements ran, but none is logged to show which",
                slow.above
            ),
            format!(
                "remove log_min_duration_statement (pgplan then logs statements slower than the alert's threshold), or set it to {}",
                slow.above
            ));
        return;
    }
    if let Some(logged) = cx.settings.duration("log_min_duration_statement")
        && logged > slow.above
    {
        out.warning(            path,
            format!(
                "log_min_duration_statement {logged} is above the slow-query alert's {}: statements between the two raise the alert but are not logged",
                slow.above
            ),
            format!("set log_min_duration_statement to {} or lower", slow.above));
    }
}

fn check_replication_lag(cx: &Context<'_>, out: &mut Findings<'_>) {
    let Some(lag) = cx.plan.monitoring.thresholds.replication_lag else {
        return;
    };
    let azure_standby = cx
        .plan
        .platform
        .azure()
        .is_some_and(|az| az.high_availability.mode != AzureHaMode::Disabled);
    if cx.plan.topology.replicates() || azure_standby {
        return;
    }
    out.warning(        "monitoring.thresholds.replication_lag",
        format!(
            "a replication-lag alert above {} but the plan has no standby or replica: it never fires",
            lag.above
        ),
        "remove it, or plan the replicas it is meant to watch (topology.replicas, topology.patroni)");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Duration, ReadReplica, Threshold};

    fn percent(n: u16) -> Threshold<Percent> {
        Threshold::builder().above(Percent::whole(n)).build()
    }

    #[test]
    fn seeds_000_and_001_pass() {
        // Seed 000: 80 of 100 connections; seed 001: 180 of 200.
        let d = run(&MonitoringThresholds, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&MonitoringThresholds, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn connection_alert_must_be_below_max_connections() {
        let mut plan = azure_reference_plan();
        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(200).build());
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "monitoring.thresholds.connections.above");
        assert!(
            d[0].message
                .contains("the connection alert at 200 can never fire before the server refuses connections: max_connections is 200"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("e.g. 160 (80 %)"), "{}", d[0].help);

        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(195).build());
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("97.5 % of max_connections 200"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("only 5 slots left"),
            "{}",
            d[0].message
        );

        plan.monitoring.thresholds.connections = Some(Threshold::builder().above(190).build());
        assert!(run(&MonitoringThresholds, &plan).is_empty());
    }

    #[test]
    fn unset_connection_alert_is_derived_at_80_percent() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.connections = None;
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "monitoring.thresholds.connections");
        assert!(
            d[0].message
                .contains("alerts above 80 connections, 80 % of max_connections 100"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn resource_thresholds_between_50_and_95_percent() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.cpu = Some(percent(30));
        plan.monitoring.thresholds.memory = Some(percent(98));
        plan.monitoring.thresholds.storage = Some(percent(95));
        let d = run(&MonitoringThresholds, &plan);
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
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "monitoring.thresholds.storage.above");
        assert!(
            d[0].message.contains("read-only at 95% used"),
            "{}",
            d[0].message
        );
        plan.monitoring.thresholds.storage = Some(percent(90));
        assert!(run(&MonitoringThresholds, &plan).is_empty());
    }

    #[test]
    fn slow_queries_must_be_logged() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("log_min_duration_statement", "-1")]);
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "tuning.parameters.log_min_duration_statement");
        assert!(
            d[0].message
                .contains("-1 (off) while the slow-query alert fires above 5s"),
            "{}",
            d[0].message
        );

        set_parameters(&mut plan, &[("log_min_duration_statement", "10s")]);
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("10s is above the slow-query alert's 5s"),
            "{}",
            d[0].message
        );

        // Logging more than the alert counts is fine.
        set_parameters(&mut plan, &[("log_min_duration_statement", "1s")]);
        assert!(run(&MonitoringThresholds, &plan).is_empty());
    }

    #[test]
    fn replication_lag_needs_replication() {
        let mut plan = kubernetes_reference_plan();
        plan.monitoring.thresholds.replication_lag =
            Some(Threshold::builder().above(Duration::seconds(30)).build());
        let d = run(&MonitoringThresholds, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "monitoring.thresholds.replication_lag");
        plan.topology.replicas = vec![ReadReplica::builder().name("replica-1").build()];
        assert!(run(&MonitoringThresholds, &plan).is_empty());
    }
}
