//! PGP091 client-endpoint: a client's endpoint exists in the plan — the
//! pooler when it says `endpoint: pooler`, a standby that serves reads when
//! it says `endpoint: replicas`.

use crate::Endpoint;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP091.
pub struct ClientEndpoint;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP091",
    name: "client-endpoint",
    summary: "a client's endpoint exists: `pooler` needs a pooler in the plan, `replicas` a standby that serves reads (a read replica, or a Patroni replica behind HAProxy's read port)",
    rationale: "A client is configured with the address of its endpoint. Without a pooler there is no PgBouncer address to give it, and without a standby there is no read-only Service, HAProxy read port or read replica server: the client's connections fail, or silently go to the primary where the connection budget did not count them.",
    examples: crate::rule_examples!("PGP091-client-endpoint"),
    replaces: &[],
};

/// True when the plan has a standby that serves the read-only endpoint.
pub(crate) fn serves_reads(plan: &crate::Plan) -> bool {
    !plan.topology.replicas.is_empty()
        || plan
            .topology
            .patroni
            .as_ref()
            .is_some_and(|p| p.members.len() > 1)
}

impl Rule for ClientEndpoint {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let plan = cx.plan;
        for (i, client) in plan.clients.iter().enumerate() {
            let path = FieldPath::root()
                .field("clients")
                .index(i)
                .field("endpoint");
            match client.endpoint {
                Some(Endpoint::Pooler) if plan.pooler.is_none() => out.error(
                    path,
                    format!(
                        "client {} connects to the pooler, but the plan has no pooler",
                        client.name
                    ),
                    "add a `pooler:` (PgBouncer: mode, max_client_connections, default_pool_size), or set `endpoint: primary`",
                ),
                Some(Endpoint::Replicas) if !serves_reads(plan) => out.error(
                    path,
                    format!(
                        "client {} reads from the replicas, but the plan has no standby to serve reads (no topology.replicas, no Patroni replica)",
                        client.name
                    ),
                    "add a read replica under topology.replicas, or set `endpoint: primary`",
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn an_endpoint_the_plan_lacks_is_an_error() {
        let mut plan = azure_plan_with_clients(200, 5, 5);
        plan.clients[0].endpoint = Some(Endpoint::Replicas);
        let d = run(&ClientEndpoint, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "clients[0].endpoint");
        assert!(d[0].message.contains("no standby"), "{}", d[0].message);

        plan.clients[0].endpoint = Some(Endpoint::Pooler);
        let d = run(&ClientEndpoint, &plan);
        assert!(d[0].message.contains("no pooler"), "{}", d[0].message);

        plan.clients[0].endpoint = Some(Endpoint::Primary);
        assert!(run(&ClientEndpoint, &plan).is_empty());
    }

    #[test]
    fn a_patroni_replica_serves_reads() {
        let mut plan = patroni_cluster_plan();
        if plan.clients.is_empty() {
            plan.clients.push(
                crate::Client::builder()
                    .name(v("reports"))
                    .pool_size(5)
                    .pods(crate::PodRange { min: 1, max: 2 })
                    .build(),
            );
        }
        plan.clients[0].endpoint = Some(Endpoint::Replicas);
        assert!(run(&ClientEndpoint, &plan).is_empty());
    }
}
