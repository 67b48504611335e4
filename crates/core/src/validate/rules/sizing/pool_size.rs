//! PGP303 pool-size: a client's connection pool holds at least one
//! connection.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP303.
pub struct PoolSize;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP303",
    name: "pool-size",
    summary: "a client's pool_size, and the pooler's default_pool_size, are at least 1",
    rationale: "A pool of no connections cannot run a query: the client waits for a connection that never comes. It also drops the client out of the connection budget, so the budget passes for a plan whose clients would, once fixed, need connections the server does not have.",
    examples: crate::rule_examples!("PGP303-pool-size"),
    replaces: &[],
};

impl Rule for PoolSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, c) in cx.plan.clients.iter().enumerate() {
            if c.pool_size == 0 {
                out.error(
                    format!("clients[{i}].pool_size"),
                    format!(
                        "client {} has a pool of 0 connections: it can run no query, and the connection budget does not count it",
                        c.name
                    ),
                    "set pool_size to the connections one pod keeps open (its pool's maximum), e.g. `pool_size: 10`",
                );
            }
        }
        if let Some(p) = &cx.plan.pooler
            && p.default_pool_size == 0
        {
            out.error(
                "pooler.default_pool_size",
                "the pooler's default_pool_size is 0: it opens no server connection, so no client query runs",
                "set pooler.default_pool_size to the server connections per database and user, e.g. 20",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn an_empty_pool_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&PoolSize, &plan).is_empty());
        plan.clients[0].pool_size = 0;
        let d = run(&PoolSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "clients[0].pool_size");
    }
}
