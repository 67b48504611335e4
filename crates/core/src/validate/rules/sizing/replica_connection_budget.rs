//! PGP092 replica-connection-budget: the clients on the read-only endpoint
//! (at peak and while one of them rolls out), the exporter's sessions and
//! the reserved slots fit each standby's max_connections.

use super::client_endpoint::serves_reads;
use crate::Endpoint;
use crate::catalog::TypedValue;
use crate::tuning::params::MAX_CONNECTIONS;
use crate::tuning::{EndpointLoad, replica_demand};
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP092.
pub struct ReplicaConnectionBudget;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP092",
    name: "replica-connection-budget",
    summary: "the pools at peak of the clients on the read-only endpoint (plus the surge pods of a rolling deploy), the exporter's sessions and the reserved slots fit each standby's max_connections",
    rationale: "A standby turns away connections past its own max_connections just as the primary does (FATAL: sorry, too many clients already). The read endpoint spreads connections, not load: a Kubernetes Service or HAProxy's read port balances each new connection, a client configured with one Azure read replica sends it all of them, and when one standby is down or being rebuilt the survivors take every pool. So every standby must hold all the read clients' pools at peak, with the surge pods of a rolling deploy. A standby also needs at least the primary's max_connections to start at all (PGP032): raising the primary's value raises the floor for every standby.",
    examples: crate::rule_examples!("PGP092-replica-connection-budget"),
    replaces: &[],
};

impl Rule for ReplicaConnectionBudget {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let plan = cx.plan;
        // Without a standby, PGP091 reports the clients.
        if !serves_reads(plan) {
            return;
        }
        let load = EndpointLoad::of(plan, Endpoint::Replicas);
        if load.peak == 0 {
            return;
        }
        let Some(primary) = cx.settings.get(MAX_CONNECTIONS) else {
            return;
        };
        let demand = replica_demand(plan);
        let reserved = u64::from(cx.settings.reserved_connections());
        let needed = demand.total().saturating_add(reserved);
        // Each standby: its own override, else the primary's value (a
        // replica created from the primary inherits it; PGP032 reports one
        // that would be lower).
        let mut standbys: Vec<(String, u64, FieldPath)> = Vec::new();
        for (i, r) in plan.topology.replicas.iter().enumerate() {
            let over = r
                .parameters
                .iter()
                .find(|(k, _)| k.as_str() == MAX_CONNECTIONS.name())
                .and_then(|(_, v)| {
                    match cx
                        .settings
                        .param_spec(MAX_CONNECTIONS)?
                        .parse_value(v.as_str())
                    {
                        Ok(TypedValue::Number(n)) => Some(n as u64),
                        _ => None,
                    }
                });
            let path = FieldPath::root()
                .field("topology")
                .field("replicas")
                .index(i)
                .field("parameters")
                .key(MAX_CONNECTIONS.name());
            let path = if over.is_some() {
                path
            } else {
                max_connections_path(cx)
            };
            standbys.push((
                format!("replica {}", r.name),
                over.unwrap_or(u64::from(primary)),
                path,
            ));
        }
        if let Some(p) = &plan.topology.patroni
            && p.members.len() > 1
        {
            standbys.push((
                format!("each Patroni replica of {}", p.scope),
                u64::from(primary),
                max_connections_path(cx),
            ));
        }
        for (name, max_connections, path) in standbys {
            if needed <= max_connections {
                continue;
            }
            let mut parts = vec![format!(
                "the read clients need {} connections at peak ({}){}",
                load.peak,
                load.describe_clients(),
                load.describe_surge()
            )];
            if demand.monitoring > 0 {
                parts.push(format!("{} monitoring session(s)", demand.monitoring));
            }
            parts.push(format!("{reserved} reserved slots"));
            let for_clients = max_connections
                .saturating_sub(demand.monitoring)
                .saturating_sub(reserved);
            out.error(
                path,
                format!(
                    "on {name}: {}: {needed} connections needed but its max_connections is {max_connections}; {for_clients} fit for the read clients, and when another standby is away one takes them all",
                    parts.join(" + ")
                ),
                format!(
                    "raise max_connections to at least {needed} on every standby (on the primary too: a standby needs at least the primary's value, PGP032); or lower the read clients' pool sizes; or send some of them to the primary or a pooler (`endpoint:`)"
                ),
            );
        }
    }
}

fn max_connections_path(cx: &Context<'_>) -> FieldPath {
    if cx.settings.is_set(MAX_CONNECTIONS) {
        cx.path_of(MAX_CONNECTIONS)
    } else {
        FieldPath::from("clients")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    fn with_read_clients(max_connections: &str, replica_max: Option<&str>) -> crate::Plan {
        let mut plan = azure_plan_with_clients(200, 15, 15);
        set_parameters(&mut plan, &[("max_connections", max_connections)]);
        let mut replica = crate::ReadReplica::builder()
            .name(v("bill-inquiry-replica"))
            .build();
        if let Some(m) = replica_max {
            replica
                .parameters
                .insert("max_connections".parse().unwrap(), m.into());
        }
        plan.topology.replicas.push(replica);
        plan.clients[0].endpoint = Some(Endpoint::Replicas);
        plan
    }

    #[test]
    fn read_clients_beyond_a_replicas_max_connections_are_an_error() {
        let plan = with_read_clients("200", None);
        let d = run(&ReplicaConnectionBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.max_connections");
        assert!(
            d[0].message.contains(
                "on replica bill-inquiry-replica: the read clients need 225 connections at peak (bill-inquiry: 15 pods × pool 15)"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("but its max_connections is 200"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_replicas_own_value_counts() {
        let plan = with_read_clients("200", Some("300"));
        assert!(run(&ReplicaConnectionBudget, &plan).is_empty());
        let mut plan = with_read_clients("250", Some("250"));
        plan.clients[0].max_surge = Some("2".parse().unwrap());
        let d = run(&ReplicaConnectionBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "topology.replicas[0].parameters.max_connections");
        assert!(
            d[0].message.contains(
                ", 30 more while bill-inquiry rolls out (max_surge 2: 2 new pod(s) × pool 15)"
            ),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn derived_max_connections_covers_the_read_clients() {
        let mut plan = with_read_clients("200", None);
        plan.tuning.parameters.clear();
        plan.clients[0].max_surge = Some("100%".parse().unwrap());
        assert!(run(&ReplicaConnectionBudget, &plan).is_empty());
    }
}
