//! PGP032 replica-parameters: a hot standby refuses to start when one of
//! `max_connections`, `max_prepared_transactions`,
//! `max_locks_per_transaction`, `max_wal_senders` or `max_worker_processes`
//! is lower than on the primary (PostgreSQL, "Hot Standby" → "Administrator's
//! Overview"; Azure read replicas have the same rule). A replica override
//! that is lower is an error; a higher one is a warning in a Patroni cluster,
//! where every member may become primary and the values should be equal. On
//! Azure a replica on a smaller SKU also gets a smaller default
//! `max_connections`.

use crate::azure_facts;
use crate::catalog::TypedValue;
use crate::tuning::Provenance;
use crate::tuning::params::{
    MAX_CONNECTIONS, MAX_LOCKS_PER_TRANSACTION, MAX_PREPARED_TRANSACTIONS, MAX_WAL_SENDERS,
    MAX_WORKER_PROCESSES, Param,
};
use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Platform, ReadReplica};

/// PGP032.
pub struct ReplicaParameters;

/// Parameters a hot standby needs at least as high as on its primary.
const HOT_STANDBY_PARAMETERS: [Param<u32>; 5] = [
    MAX_CONNECTIONS,
    MAX_PREPARED_TRANSACTIONS,
    MAX_LOCKS_PER_TRANSACTION,
    MAX_WAL_SENDERS,
    MAX_WORKER_PROCESSES,
];

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP032",
    name: "replica-parameters",
    summary: "a replica's max_connections, max_prepared_transactions, max_locks_per_transaction, max_wal_senders and max_worker_processes are at least the primary's",
    rationale: "A hot standby keeps shared memory for the primary's transactions and locks, so it refuses to start — or stops replaying and shuts down when the primary raises one later — with any of these below the primary's value (hot standby is not possible because of insufficient parameter settings). In a Patroni cluster any member may become the primary, so different values bite after a failover.",
    examples: crate::rule_examples!("PGP032-replica-parameters"),
    replaces: &["PGP007"],
};

impl Rule for ReplicaParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
            check_replica(cx, i, replica, out);
        }
    }
}

fn check_replica(cx: &Context<'_>, index: usize, replica: &ReadReplica, out: &mut Findings<'_>) {
    let s = cx.settings;
    let patroni = cx.plan.topology.patroni.is_some();
    for param in HOT_STANDBY_PARAMETERS {
        let name = param.name();
        let Some(primary) = s.get(param).map(i64::from) else {
            continue;
        };
        let path = format!("topology.replicas[{index}].parameters.{name}");
        let over = replica
            .parameters
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v.as_str());
        let (value, origin) = match over {
            // A value that does not read is the parameter-value rule's (PGP079).
            Some(raw) => match s.param_spec(param).map(|spec| spec.parse_value(raw)) {
                Some(Ok(TypedValue::Number(n))) => (n as i64, "sets".to_owned()),
                _ => continue,
            },
            None => match azure_default_on_replica(cx, replica, param) {
                Some((n, origin)) => (n, origin),
                None => continue,
            },
        };
        if value < primary {
            out.error(                    path,
                format!(
                    "replica {} {origin} {name} to {value}, below the primary's {primary}: a hot standby refuses to start (and stops replaying) with less than its primary",
                    replica.name
                ),
                format!(
                    "set topology.replicas[{index}].parameters.{name} to {primary} or more, or lower the primary's {name}"
                ));
        } else if value > primary && patroni && over.is_some() {
            out.warning(                    path,
                format!(
                    "replica {} sets {name} to {value} while the primary has {primary}: in a Patroni cluster any member can become primary, and after a failover the others need at least its value",
                    replica.name
                ),
                format!(
                    "use the same {name} on every member: remove the override, or set tuning.parameters.{name} to {value}"
                ));
        }
    }
}

/// On Azure, `max_connections` defaults to a value that follows the server's
/// memory (concepts-limits). A replica on a smaller SKU that does not set it
/// gets its own, smaller default while a primary on its default keeps the
/// larger one.
fn azure_default_on_replica(
    cx: &Context<'_>,
    replica: &ReadReplica,
    param: Param<u32>,
) -> Option<(i64, String)> {
    if param.name() != MAX_CONNECTIONS.name() || !matches!(cx.plan.platform, Platform::Azure(_)) {
        return None;
    }
    let primary = cx.settings.setting(param)?;
    if !matches!(primary.provenance, Provenance::Default { .. }) {
        return None;
    }
    let sku = replica.sku.as_ref()?;
    let (_, memory) = sku.capacity()?;
    let value = azure_facts::default_max_connections(memory);
    Some((
        i64::from(value),
        format!("({}, {}) defaults", sku.name, memory.human()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{AzureSku, Bytes, SkuTier};

    fn with_replica(mut plan: crate::Plan, params: &[(&str, &str)]) -> crate::Plan {
        let mut replica = ReadReplica::builder()
            .name(v("bill-inquiry-replica"))
            .build();
        for (k, v) in params {
            replica.parameters.insert(k.parse().unwrap(), (*v).into());
        }
        plan.topology.replicas.push(replica);
        plan
    }

    #[test]
    fn replica_below_the_primary_is_an_error() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(&mut plan, &[("max_locks_per_transaction", "128")]);
        let plan = with_replica(
            plan,
            &[
                ("max_connections", "100"),
                ("max_locks_per_transaction", "256"),
            ],
        );
        let d = run(&ReplicaParameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.replicas[0].parameters.max_connections");
        assert!(
            d[0].message.contains(
                "replica bill-inquiry-replica sets max_connections to 100, below the primary's 200"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("to 200 or more"), "{}", d[0].help);
    }

    #[test]
    fn azure_replica_on_a_smaller_sku_gets_fewer_connections_by_default() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        plan.tuning.parameters.clear();
        plan.clients.clear();
        let mut plan = with_replica(plan, &[]);
        plan.topology.replicas[0].sku = Some(
            AzureSku::builder()
                .tier(SkuTier::GeneralPurpose)
                .name(v("Standard_D2s_v3"))
                .build(),
        );
        let d = run(&ReplicaParameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.replicas[0].parameters.max_connections");
        assert!(
            d[0].message.contains(
                "(Standard_D2s_v3, 8 GiB) defaults max_connections to 859, below the primary's 1718"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("to 1718 or more"), "{}", d[0].help);

        // The same SKU as the primary: the same default.
        plan.topology.replicas[0].sku.as_mut().unwrap().name = v("Standard_D4s_v3");
        assert!(run(&ReplicaParameters, &plan).is_empty());
        // An explicit primary value is what the replica is created with.
        plan.topology.replicas[0].sku.as_mut().unwrap().memory = Some(Bytes::gib(8));
        set_parameters(&mut plan, &[("max_connections", "400")]);
        assert!(run(&ReplicaParameters, &plan).is_empty());
    }

    #[test]
    fn higher_values_on_a_patroni_replica_warn() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("max_connections", "100")]);
        let plan = with_replica(plan, &[("max_connections", "200")]);
        let d = run(&ReplicaParameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.replicas[0].parameters.max_connections");
        assert!(
            d[0].message
                .contains("sets max_connections to 200 while the primary has 100"),
            "{}",
            d[0].message
        );
        // Outside Patroni a larger replica is fine.
        let mut plan = azure_plan_with_clients(100, 5, 10);
        plan = with_replica(plan, &[("max_connections", "200")]);
        assert!(run(&ReplicaParameters, &plan).is_empty());
    }

    #[test]
    fn unreadable_replica_values_are_left_to_the_parameter_value_rule() {
        let plan = with_replica(patroni_cluster_plan(), &[("max_worker_processes", "many")]);
        assert!(run(&ReplicaParameters, &plan).is_empty());
        let d = run(&crate::validate::rules::ParameterValue, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].path,
            "topology.replicas[0].parameters.max_worker_processes"
        );
        assert!(d[0].message.contains("`many`"), "{}", d[0].message);
    }
}
