//! PGP086 pooler-client-limit: the pools of the clients whose endpoint is
//! the pooler (every client without an endpoint of its own when the plan has
//! a pooler) connect to the pooler, so their connections at peak (and while
//! one of them rolls out) must fit the pooler's client limit, summed over
//! its instances. The pooler's server side counts against the primary
//! (PGP001).

use crate::Endpoint;
use crate::tuning::EndpointLoad;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP086.
pub struct PoolerClientLimit;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP086",
    name: "pooler-client-limit",
    summary: "the pools at peak of the clients whose endpoint is the pooler (pool size × most pods, plus the surge pods of a rolling deploy) fit the pooler's client connections (max_client_connections × instances)",
    rationale: "A pooler holds few server connections, but every client connection is a connection to the pooler, and PgBouncer turns away each one past max_client_conn (ERROR: no more connections allowed (max_client_conn)). max_connections on the server then looks generous while the applications' pods fail to connect at peak, or while a rolling deploy runs new pods beside the old ones.",
    examples: crate::rule_examples!("PGP086-pooler-client-limit"),
    replaces: &[],
};

impl Rule for PoolerClientLimit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let plan = cx.plan;
        let Some(pooler) = &plan.pooler else {
            return;
        };
        let load = EndpointLoad::of(plan, Endpoint::Pooler);
        let at_peak = load.peak;
        let needed = load.total();
        let instances = u64::from(pooler.instances.max(1));
        let limit = u64::from(pooler.max_client_connections).saturating_mul(instances);
        if needed <= limit {
            return;
        }
        let during_deploy = match load.surging_client() {
            Some(c) => format!(
                ", {} more while {} rolls out (max_surge {})",
                load.deploy_surge,
                c.name,
                c.max_surge.map_or_else(String::new, |s| s.to_string())
            ),
            None => String::new(),
        };
        let per_instance = needed.div_ceil(instances);
        out.error(
            FieldPath::from("pooler.max_client_connections"),
            format!(
                "the clients open {at_peak} connections to the pooler at peak ({}){during_deploy}: {needed} needed but the pooler accepts {limit} ({} instance(s) × max_client_connections {}); the rest are refused",
                load.describe_clients(),
                instances,
                pooler.max_client_connections
            ),
            format!(
                "raise pooler.max_client_connections to at least {per_instance} (it costs the pooler a file descriptor each, not a server connection), or run {} instances, or lower the clients' pool sizes",
                needed.div_ceil(u64::from(pooler.max_client_connections).max(1))
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    fn with_pooler(max_client_connections: u32, instances: u32) -> crate::Plan {
        let mut plan = azure_plan_with_clients(200, 15, 15);
        plan.pooler = Some(
            crate::Pooler::builder()
                .max_client_connections(max_client_connections)
                .instances(instances)
                .default_pool_size(40)
                .build(),
        );
        plan
    }

    #[test]
    fn pools_beyond_the_poolers_limit_are_an_error() {
        let plan = with_pooler(200, 1);
        let d = run(&PoolerClientLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP086");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "pooler.max_client_connections");
        assert!(
            d[0].message.contains(
                "the clients open 225 connections to the pooler at peak (bill-inquiry: 15 pods × pool 15): 225 needed but the pooler accepts 200 (1 instance(s) × max_client_connections 200)"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("raise pooler.max_client_connections to at least 225"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("or run 2 instances"), "{}", d[0].help);
        assert!(run(&PoolerClientLimit, &with_pooler(200, 2)).is_empty());
    }

    #[test]
    fn a_rolling_deploy_counts_its_surge_pods() {
        let mut plan = with_pooler(240, 1);
        assert!(run(&PoolerClientLimit, &plan).is_empty());
        plan.clients[0].max_surge = Some("2".parse().unwrap());
        let d = run(&PoolerClientLimit, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message
                .contains(", 30 more while bill-inquiry rolls out (max_surge 2): 255 needed"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("raise pooler.max_client_connections to at least 255"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn no_pooler_no_finding() {
        assert!(run(&PoolerClientLimit, &azure_plan_with_clients(200, 15, 15)).is_empty());
    }
}
