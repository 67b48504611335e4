//! PGP007 replication: the primary's settings must support its standbys and
//! WAL archiving, and replicas must not run with less than the primary.
//!
//! When the plan replicates (Patroni, read replicas) or archives WAL:
//! - `wal_level` must be `replica` or `logical` (error on `minimal`);
//! - `max_wal_senders` must cover every standby plus one for a base backup or
//!   a rebuilt replica (error);
//! - `max_replication_slots` should cover every standby (warning);
//! - with `backups.wal_archiving`, `archive_mode` must be on (error).
//!
//! A hot standby refuses to start when one of `max_connections`,
//! `max_prepared_transactions`, `max_locks_per_transaction`,
//! `max_wal_senders` or `max_worker_processes` is lower than on the primary
//! (PostgreSQL, "Hot Standby" → "Administrator's Overview"; Azure read
//! replicas have the same rule). A replica override that is lower is an error;
//! a higher one is a warning in a Patroni cluster, where every member may
//! become primary and the values should be equal. On Azure a replica on a
//! smaller SKU also gets a smaller default `max_connections`.

use crate::azure_facts;
use crate::catalog::TypedValue;
use crate::tuning::Provenance;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};
use crate::{Platform, ReadReplica};

/// PGP007.
pub struct Replication;

/// Parameters a hot standby needs at least as high as on its primary.
pub const HOT_STANDBY_PARAMETERS: [&str; 5] = [
    "max_connections",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "max_wal_senders",
    "max_worker_processes",
];

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP007",
    name: "replication",
    summary: "wal_level, max_wal_senders, max_replication_slots and archive_mode must support the standbys and archiving; replicas need hot-standby parameters at least as high as the primary's",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for Replication {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let topology = &cx.plan.topology;
        let archiving = cx.plan.backups.wal_archiving.is_some();
        if !topology.replicates() && !archiving {
            return;
        }
        self.check_primary(cx, archiving, out);
        for (i, replica) in topology.replicas.iter().enumerate() {
            self.check_replica(cx, i, replica, out);
        }
    }
}

impl Replication {
    fn check_primary(&self, cx: &Context<'_>, archiving: bool, out: &mut Findings<'_>) {
        let s = cx.settings;
        let standbys = u64::from(cx.plan.topology.standby_count());
        let needs = match (standbys, archiving) {
            (0, _) => "WAL archiving (backups.wal_archiving)".to_owned(),
            (n, false) => format!("{n} standby(s)"),
            (n, true) => format!("{n} standby(s) and WAL archiving"),
        };

        if s.text("wal_level").as_deref() == Some("minimal") {
            out.error(                cx.param_path("wal_level"),
                format!(
                    "wal_level is minimal but the plan has {needs}: minimal WAL cannot be streamed to a standby or archived"
                ),
                "set wal_level to replica (or logical for logical decoding), or remove it and let pgplan derive replica");
        }

        let senders_needed = standbys + 1;
        if let Some(senders) = s.int("max_wal_senders")
            && (senders.max(0) as u64) < senders_needed
        {
            out.error(                self.path(cx, "max_wal_senders"),
                format!(
                    "max_wal_senders is {senders} but the plan has {needs}: {senders_needed} WAL senders are needed ({standbys} standby(s) + 1 for a base backup or a rebuilt replica)"
                ),
                format!(
                    "set max_wal_senders to at least {senders_needed} (e.g. {}, leaving room for one more standby)",
                    senders_needed + 1
                ));
        }

        if standbys > 0
            && let Some(slots) = s.int("max_replication_slots")
            && (slots.max(0) as u64) < standbys
        {
            out.warning(                self.path(cx, "max_replication_slots"),
                format!(
                    "max_replication_slots is {slots} but the plan has {standbys} standby(s): a standby without a slot can fall behind the WAL the primary keeps and must be rebuilt"
                ),
                format!(
                    "set max_replication_slots to at least {standbys} (e.g. {}, for a rebuilt replica and a backup)",
                    standbys + 2
                ));
        }

        if archiving
            && let Some(mode) = s.text("archive_mode")
            && mode != "on"
            && mode != "always"
        {
            out.error(                cx.param_path("archive_mode"),
                format!(
                    "archive_mode is {mode} but backups.wal_archiving is planned: no WAL segment is archived, so point-in-time recovery is impossible"
                ),
                "set archive_mode to on (it needs a restart), or remove it and let pgplan derive it");
        }
    }

    fn check_replica(
        &self,
        cx: &Context<'_>,
        index: usize,
        replica: &ReadReplica,
        out: &mut Findings<'_>,
    ) {
        let s = cx.settings;
        let patroni = cx.plan.topology.patroni.is_some();
        for name in HOT_STANDBY_PARAMETERS {
            let Some(primary) = s.int(name) else {
                continue;
            };
            let path = format!("topology.replicas[{index}].parameters.{name}");
            let over = replica
                .parameters
                .iter()
                .find(|(k, _)| k.as_str() == name)
                .map(|(_, v)| v.as_str());
            let (value, origin) = match over {
                Some(raw) => {
                    let parsed = s.spec(name).map(|spec| spec.parse_value(raw));
                    match parsed {
                        Some(Ok(TypedValue::Number(n))) => (n as i64, "sets".to_owned()),
                        Some(Err(e)) => {
                            out.error(                                path,
                                format!("replica {} sets {name} to `{raw}`: {e}", replica.name),
                                format!(
                                    "set {name} to a whole number of at least {primary} (the primary's value), or remove it to inherit the primary's"
                                ));
                            continue;
                        }
                        _ => continue,
                    }
                }
                None => match azure_default_on_replica(cx, replica, name) {
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

    /// The explicit parameter, else where its derivation comes from.
    fn path(&self, cx: &Context<'_>, name: &str) -> FieldPath {
        if cx.settings.is_explicit(name) {
            cx.param_path(name)
        } else {
            FieldPath::from("topology")
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
    name: &str,
) -> Option<(i64, String)> {
    if name != "max_connections" || !matches!(cx.plan.platform, Platform::Azure(_)) {
        return None;
    }
    let primary = cx.settings.lookup(name)?;
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
    use super::super::test_support::*;
    use super::*;
    use crate::{AzureSku, Bytes, SkuTier, WalArchiving};

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
    fn derived_settings_support_patroni() {
        assert!(run(&Replication, &patroni_cluster_plan()).is_empty());
    }

    #[test]
    fn single_server_without_archiving_is_not_checked() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("wal_level", "minimal"), ("max_wal_senders", "0")],
        );
        assert!(run(&Replication, &plan).is_empty());
    }

    #[test]
    fn minimal_wal_level_with_standbys_is_an_error() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("wal_level", "minimal")]);
        let d = run(&Replication, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP007");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.wal_level");
        assert!(d[0].message.contains("2 standby(s)"), "{}", d[0].message);
        assert!(d[0].help.contains("replica"), "{}", d[0].help);
    }

    #[test]
    fn too_few_wal_senders_and_slots() {
        let mut plan = patroni_cluster_plan();
        set_parameters(
            &mut plan,
            &[("max_wal_senders", "2"), ("max_replication_slots", "1")],
        );
        let d = run(&Replication, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.max_wal_senders");
        assert!(
            d[0].message.contains(
                "max_wal_senders is 2 but the plan has 2 standby(s): 3 WAL senders are needed"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 3"), "{}", d[0].help);
        assert_eq!(d[1].severity, Severity::Warning);
        assert_eq!(d[1].path, "tuning.parameters.max_replication_slots");
        assert!(
            d[1].message
                .contains("max_replication_slots is 1 but the plan has 2 standby(s)"),
            "{}",
            d[1].message
        );
        assert!(d[1].help.contains("at least 2"), "{}", d[1].help);

        set_parameters(
            &mut plan,
            &[("max_wal_senders", "3"), ("max_replication_slots", "2")],
        );
        assert!(run(&Replication, &plan).is_empty());
    }

    #[test]
    fn archiving_needs_archive_mode_and_a_sender() {
        let mut plan = kubernetes_plan();
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(crate::Duration::days(7))
                .destination("/backup/wal")
                .build(),
        );
        assert!(run(&Replication, &plan).is_empty());
        set_parameters(
            &mut plan,
            &[("archive_mode", "off"), ("max_wal_senders", "0")],
        );
        let d = run(&Replication, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].path, "tuning.parameters.max_wal_senders");
        assert!(d[0].message.contains("WAL archiving"), "{}", d[0].message);
        assert!(
            d[0].message.contains("1 WAL senders are needed"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].severity, Severity::Error);
        assert_eq!(d[1].path, "tuning.parameters.archive_mode");
        assert!(
            d[1].message.contains("archive_mode is off"),
            "{}",
            d[1].message
        );
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
        let d = run(&Replication, &plan);
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
        let d = run(&Replication, &plan);
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
        assert!(run(&Replication, &plan).is_empty());
        // An explicit primary value is what the replica is created with.
        plan.topology.replicas[0].sku.as_mut().unwrap().memory = Some(Bytes::gib(8));
        set_parameters(&mut plan, &[("max_connections", "400")]);
        assert!(run(&Replication, &plan).is_empty());
    }

    #[test]
    fn higher_values_on_a_patroni_replica_warn() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("max_connections", "100")]);
        let plan = with_replica(plan, &[("max_connections", "200")]);
        let d = run(&Replication, &plan);
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
        assert!(run(&Replication, &plan).is_empty());
    }

    #[test]
    fn unreadable_replica_value_is_an_error() {
        let plan = with_replica(patroni_cluster_plan(), &[("max_worker_processes", "many")]);
        let d = run(&Replication, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].path,
            "topology.replicas[0].parameters.max_worker_processes"
        );
        assert!(d[0].message.contains("`many`"), "{}", d[0].message);
    }
}
