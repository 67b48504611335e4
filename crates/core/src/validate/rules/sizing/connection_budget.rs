//! PGP001 connection-budget: on the primary, the pools of the clients that
//! connect to it directly at peak, the pooler's server connections, the
//! monitoring and backup sessions and the reserved slots must fit
//! max_connections, with at least one slot left that is not reserved.
//! Clients on the read-only endpoint are PGP093's, on the pooler PGP086's.

use crate::Endpoint;
use crate::tuning::params::{MAX_CONNECTIONS, SUPERUSER_RESERVED_CONNECTIONS};
use crate::tuning::{EndpointLoad, connection_demand};
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP001.
pub struct ConnectionBudget;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP001",
    name: "connection-budget",
    summary: "on the primary, the pools at peak of the clients that connect to it directly (pool size × most pods, plus the surge pods of a rolling deploy), the pooler's server connections, monitoring and backup sessions and the reserved slots fit max_connections",
    rationale: "PostgreSQL turns away every connection past max_connections (FATAL: sorry, too many clients already), so when the autoscaler runs every pod with a full pool the requests that do not get a connection fail. A rolling deploy starts a client's new pods (its maxSurge) before it stops the old ones, so for a while both hold pools; the new pods that find no slot fail their readiness checks and the rollout stalls. Reserved slots are held back for superusers and pg_use_reserved_connections and count against the same limit; when they leave no ordinary slot at all the server refuses to start. Clients whose endpoint is the pooler count here through the pooler's server connections; clients on the read-only endpoint count against each standby instead (PGP093).",
    examples: crate::rule_examples!("PGP001-connection-budget"),
    replaces: &[],
};

impl Rule for ConnectionBudget {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let plan = cx.plan;
        let Some(max_connections) = cx.settings.get(MAX_CONNECTIONS) else {
            return;
        };
        let max_connections = u64::from(max_connections);
        let reserved = u64::from(cx.settings.reserved_connections());
        // PostgreSQL refuses to start when the reserved slots leave none.
        if reserved >= max_connections {
            out.error(                if cx.settings.is_set(SUPERUSER_RESERVED_CONNECTIONS) {
                    cx.path_of(SUPERUSER_RESERVED_CONNECTIONS)
                } else {
                    cx.path_of(MAX_CONNECTIONS)
                },
                format!(
                    "{reserved} reserved connection slots (superuser_reserved_connections + reserved_connections) leave none of max_connections {max_connections}: the server refuses to start"
                ),
                format!(
                    "raise max_connections above {reserved}, or lower superuser_reserved_connections"
                ));
            return;
        }
        let demand = connection_demand(plan);
        if demand.total() == 0 {
            return;
        }
        let needed = demand.total().saturating_add(reserved);
        if needed <= max_connections {
            return;
        }
        let others = demand
            .pooler
            .saturating_add(demand.monitoring)
            .saturating_add(demand.backup)
            .saturating_add(reserved);
        let for_clients = max_connections.saturating_sub(others);

        let direct = EndpointLoad::of(plan, Endpoint::Primary);
        let mut parts: Vec<String> = Vec::new();
        if demand.clients > 0 {
            parts.push(format!(
                "clients on the primary need {} connections at peak ({})",
                demand.clients,
                direct.describe_clients()
            ));
        }
        if let Some(c) = direct.surging_client() {
            parts.push(format!(
                "{} more while {} rolls out (max_surge {}: {} new pod(s) × pool {})",
                demand.deploy_surge,
                c.name,
                c.max_surge.map_or_else(String::new, |s| s.to_string()),
                c.max_surge.map_or(0, |s| s.extra_pods(c.pods.max)),
                c.pool_size
            ));
        }
        if demand.pooler > 0 {
            parts.push(format!(
                "the pooler holds {} server connections",
                demand.pooler
            ));
        }
        if demand.monitoring > 0 {
            parts.push(format!("{} monitoring session(s)", demand.monitoring));
        }
        if demand.backup > 0 {
            parts.push(format!("{} backup session(s)", demand.backup));
        }
        parts.push(format!("{reserved} reserved slots"));
        let message = format!(
            "{}: {needed} connections needed but max_connections is {max_connections}; {for_clients} fit for clients",
            parts.join(" + ")
        );

        // The fixes, with numbers.
        let raise_to = needed
            .saturating_add(needed.div_ceil(10))
            .div_ceil(10)
            .saturating_mul(10);
        let ceiling = cx
            .settings
            .param_spec(MAX_CONNECTIONS)
            .and_then(|s| s.max)
            .map_or(u64::MAX, |m| m as u64);
        let mut fixes = Vec::new();
        if needed <= ceiling {
            fixes.push(format!(
                "raise max_connections to at least {needed} (e.g. {}, with headroom; it needs a restart, and work_mem × max_connections must still fit memory)",
                raise_to.min(ceiling)
            ));
        } else {
            fixes.push(format!(
                "no max_connections can hold {needed} connections (PostgreSQL's maximum is {ceiling})"
            ));
        }
        if demand.clients > 0 {
            let pods: u64 = direct
                .clients
                .iter()
                .map(|c| u64::from(c.pods.max))
                .fold(0, u64::saturating_add)
                .saturating_add(direct.surging_client().map_or(0, |c| {
                    u64::from(c.max_surge.map_or(0, |s| s.extra_pods(c.pods.max)))
                }));
            let pool = for_clients / pods.max(1);
            if pool >= 1 {
                fixes.push(format!(
                    "cap each client's pool at {pool} connections ({pool} × {pods} pods = {} ≤ {for_clients})",
                    pool * pods
                ));
            } else {
                fixes.push(format!(
                    "lower the clients' most pods (pods.max): {pods} pods cannot each hold one connection in {for_clients} slots"
                ));
            }
            if plan.pooler.is_none() {
                fixes.push(
                    "put a pooler in front (`pooler:` — PgBouncer in transaction mode) so pods share a small set of server connections"
                        .to_owned(),
                );
            } else {
                let names: Vec<&str> = direct.clients.iter().map(|c| c.name.as_str()).collect();
                fixes.push(format!(
                    "send {} through the pooler (`endpoint: pooler`) so its pods share the pooler's server connections",
                    names.join(", ")
                ));
            }
        }
        let path = if cx.settings.is_set(MAX_CONNECTIONS) {
            cx.path_of(MAX_CONNECTIONS)
        } else {
            FieldPath::from("clients")
        };
        out.error(path, message, fixes.join("; or "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_001_pools_overflow_max_connections() {
        let plan = azure_plan_with_clients(200, 15, 15);
        let d = run(&ConnectionBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "tuning.parameters.max_connections");
        assert!(
            d.message
                .contains("clients on the primary need 225 connections"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("240 connections needed"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("max_connections is 200"),
            "{}",
            d.message
        );
        assert!(d.message.contains("185 fit for clients"), "{}", d.message);
        assert!(
            d.help.contains("raise max_connections to at least 240"),
            "{}",
            d.help
        );
        assert!(
            d.help.contains("cap each client's pool at 12"),
            "{}",
            d.help
        );
        assert!(d.help.contains("pooler"), "{}", d.help);
    }

    #[test]
    fn a_rolling_deploy_needs_its_surge_pods_connections() {
        let mut plan = azure_plan_with_clients(250, 15, 15);
        assert!(run(&ConnectionBudget, &plan).is_empty());
        plan.clients[0].max_surge = Some("25%".parse().unwrap());
        let d = run(&ConnectionBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        let name = &plan.clients[0].name;
        assert!(
            d[0].message.contains(&format!(
                "60 more while {name} rolls out (max_surge 25%: 4 new pod(s) × pool 15)"
            )),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message
                .contains("300 connections needed but max_connections is 250"),
            "{}",
            d[0].message
        );
        set_parameters(&mut plan, &[("max_connections", "300")]);
        let d = run(&ConnectionBudget, &plan);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn derived_max_connections_covers_a_rolling_deploy() {
        let mut plan = azure_plan_with_clients(200, 15, 15);
        plan.tuning.parameters.clear();
        plan.clients[0].max_surge = Some("100%".parse().unwrap());
        assert!(run(&ConnectionBudget, &plan).is_empty());
    }

    #[test]
    fn enough_connections_pass() {
        let plan = azure_plan_with_clients(250, 15, 15);
        assert!(run(&ConnectionBudget, &plan).is_empty());
    }

    #[test]
    fn derived_max_connections_always_fits() {
        let mut plan = azure_plan_with_clients(200, 15, 15);
        plan.tuning.parameters.clear();
        assert!(run(&ConnectionBudget, &plan).is_empty());
    }

    #[test]
    fn a_pooler_replaces_client_pools() {
        let mut plan = azure_plan_with_clients(200, 15, 15);
        plan.pooler = Some(
            crate::Pooler::builder()
                .max_client_connections(1000)
                .default_pool_size(40)
                .build(),
        );
        assert!(run(&ConnectionBudget, &plan).is_empty());
    }

    #[test]
    fn reserved_slots_that_leave_no_connection_are_an_error() {
        let mut plan = kubernetes_plan();
        for (k, v) in [
            ("max_connections", "10"),
            ("superuser_reserved_connections", "20"),
        ] {
            plan.tuning.parameters.insert(k.parse().unwrap(), v.into());
        }
        let d = run(&ConnectionBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].path,
            "tuning.parameters.superuser_reserved_connections"
        );
        assert!(
            d[0].message.contains("refuses to start"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn impossible_demand_does_not_suggest_an_impossible_max_connections() {
        let plan = azure_plan_with_clients(200, u32::MAX, u32::MAX);
        let d = run(&ConnectionBudget, &plan);
        assert!(
            d[0].help.contains("no max_connections can hold"),
            "{}",
            d[0].help
        );
    }
}
