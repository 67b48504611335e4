//! PGP062 rpo-reachable: the declared RPO is reachable by the plan's
//! backups — replication alone meets it only when a node is lost.

use super::{Method, recovery_methods, span};
use crate::azure_facts;
use crate::model::units::Interval;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP062.
pub struct RpoReachable;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP062",
    name: "rpo-reachable",
    summary: "objectives.rpo is reachable by restoring the plan's backups, not only by failing over to a standby",
    rationale: "The RPO is the data the business agreed it may lose. A daily dump loses up to a day; WAL archiving loses up to archive_timeout; a synchronous standby loses nothing — but only when a server dies, since a mistake replicates too. A plan whose backups cannot meet its RPO will lose more than promised on the day it is restored.",
    examples: crate::rule_examples!("PGP062-rpo-reachable"),
    replaces: &["PGP012"],
};

impl Rule for RpoReachable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(rpo) = cx.plan.objectives.rpo else {
            return;
        };
        let methods = recovery_methods(cx);
        // A production plan without any backup is PGP061's.
        if cx.is_production() && methods.iter().all(|m| m.node_loss_only) {
            return;
        }
        check_rpo(cx, rpo, &methods, out);
    }
}

fn check_rpo(cx: &Context<'_>, rpo: Interval, methods: &[Method], out: &mut Findings<'_>) {
    let best_backup = methods
        .iter()
        .filter(|m| !m.node_loss_only)
        .min_by_key(|m| m.rpo);
    if best_backup.is_some_and(|m| m.rpo <= rpo) {
        return;
    }
    let replication = methods.iter().find(|m| m.node_loss_only && m.rpo <= rpo);
    let listed = methods
        .iter()
        .map(|m| {
            if m.node_loss_only {
                format!("{}: {} for a lost node", m.label, span(m.rpo))
            } else {
                format!("{}: up to {}", m.label, span(m.rpo))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut fixes = Vec::new();
    if cx.plan.platform.azure().is_some() {
        fixes.push(format!(
            "Azure's point-in-time restore cannot promise less than {}: relax objectives.rpo to {}",
            azure_facts::MANAGED_PITR_RPO,
            azure_facts::MANAGED_PITR_RPO
        ));
    } else {
        let archiving = if cx.plan.backups.wal_archiving.is_some() {
            "set backups.wal_archiving.archive_timeout"
        } else {
            "add backups.wal_archiving with archive_timeout"
        };
        if rpo == Interval::ZERO {
            // archive_timeout 0 turns the timeout off; no archive promises 0.
            fixes.push(
                "no archive loses nothing: stream WAL synchronously to the backup (pg_receivewal --synchronous on a replication slot, named in synchronous_standby_names)"
                    .to_owned(),
            );
        } else if rpo < Interval::minutes(1) {
            fixes.push(format!(
                "{archiving}: 1min and stream WAL for less (pg_receivewal): every forced segment switch archives a whole WAL segment, so a timeout under a minute bloats the archive"
            ));
        } else {
            fixes.push(format!(
                "{archiving}: {} (continuous archiving with point-in-time recovery)",
                span(rpo)
            ));
        }
        if rpo >= Interval::hours(1) {
            fixes.push(format!("schedule a dump at least every {}", span(rpo)));
        }
    }
    if methods
        .iter()
        .any(|m| m.node_loss_only && m.rpo > Interval::ZERO)
    {
        fixes.push(
            "set synchronous_commit to on (or remote_write) so that commits wait for the synchronous standby"
                .to_owned(),
        );
    }
    if let Some(best) = best_backup {
        fixes.push(format!(
            "declare the RPO the plan can meet: {}",
            span(best.rpo)
        ));
    }
    match (replication, best_backup) {
            (Some(sync), Some(best)) => out.warning(            "objectives.rpo",
                format!(
                    "RPO {} is met only when a node is lost ({}); restoring from backups after a mistake or corruption loses up to {} ({})",
                    span(rpo),
                    sync.label,
                    span(best.rpo),
                    best.label
                ),
                fixes.join("; or ")),
            (Some(sync), None) => out.error(            "objectives.rpo",
                format!(
                    "RPO {} is met only when a node is lost ({}); there is no backup to restore after a mistake or corruption",
                    span(rpo),
                    sync.label
                ),
                fixes.join("; or ")),
            (None, Some(best)) => out.error(            "objectives.rpo",
                format!(
                    "RPO {} is not reachable: {listed}; the best achievable is {}",
                    span(rpo),
                    span(best.rpo)
                ),
                fixes.join("; or ")),
            (None, None) => out.error(            "objectives.rpo",
                format!(
                    "RPO {} is not reachable: the plan has no backup, so any loss is total",
                    span(rpo)
                ),
                fixes.join("; or ")),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Environment, Platform, Snapshots, SynchronousMode, WalArchiving};

    #[test]
    fn daily_dumps_cannot_meet_a_5_minute_rpo() {
        let mut plan = kubernetes_reference_plan();
        plan.objectives.rpo = Some(Interval::minutes(5));
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "objectives.rpo");
        assert!(
            d.message.contains(
                "RPO 5min is not reachable: pg_dump nightly (`0 2 * * *`) every 24h: up to 24h; the best achievable is 24h"
            ),
            "{}",
            d.message
        );
        assert!(
            d.help
                .contains("backups.wal_archiving with archive_timeout: 5min"),
            "{}",
            d.help
        );
        assert!(
            d.help.contains("declare the RPO the plan can meet: 24h"),
            "{}",
            d.help
        );
    }

    #[test]
    fn wal_archiving_meets_the_rpo_by_archive_timeout() {
        let mut plan = kubernetes_reference_plan();
        plan.objectives.rpo = Some(Interval::minutes(5));
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/backup/wal")
                .archive_timeout(Interval::minutes(5))
                .build(),
        );
        assert!(run(&RpoReachable, &plan).is_empty());
        plan.objectives.rpo = Some(Interval::minutes(1));
        let d = run(&RpoReachable, &plan);
        assert!(
            d[0].message
                .contains("WAL archiving (archive_timeout 5min): up to 5min"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("the best achievable is 5min"),
            "{}",
            d[0].message
        );

        // Without archive_timeout: minutes.
        plan.objectives.rpo = Some(Interval::minutes(15));
        if let Some(w) = &mut plan.backups.wal_archiving {
            w.archive_timeout = None;
        }
        assert!(run(&RpoReachable, &plan).is_empty());
        plan.objectives.rpo = Some(Interval::minutes(1));
        let d = run(&RpoReachable, &plan);
        assert!(
            d[0].message.contains("minutes on a busy server"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn archive_timeout_zero_is_off_not_instant() {
        // PGP012 (now PGP062) read archive_timeout = 0 as "archives
        // instantly" and proposed `archive_timeout: 0ms` for an RPO of 0.
        let mut plan = kubernetes_reference_plan();
        plan.backups.logical.clear();
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/backup/wal")
                .archive_timeout(Interval::ZERO)
                .build(),
        );
        plan.objectives.rpo = Some(Interval::minutes(1));
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message.contains("archive_timeout off"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help
                .contains("set backups.wal_archiving.archive_timeout: 1min"),
            "{}",
            d[0].help
        );
        plan.objectives.rpo = Some(Interval::ZERO);
        let d = run(&RpoReachable, &plan);
        assert!(!d[0].help.contains("0ms"), "{}", d[0].help);
        assert!(
            d[0].help.contains("pg_receivewal --synchronous"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn synchronous_replication_without_waiting_commits_loses_data() {
        let mut plan = patroni_cluster_plan();
        plan.environment = Environment::Staging;
        if let Some(p) = &mut plan.topology.patroni {
            p.synchronous_mode = SynchronousMode::On;
        }
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/backup/wal")
                .archive_timeout(Interval::minutes(1))
                .build(),
        );
        plan.objectives.rpo = Some(Interval::ZERO);
        let d = run(&RpoReachable, &plan);
        assert_eq!(d[0].severity, Severity::Warning, "{d:#?}");
        plan.tuning
            .parameters
            .insert("synchronous_commit".parse().unwrap(), "off".into());
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains(
                "Patroni synchronous replication with synchronous_commit = off: commits do not wait for the standby: 600ms for a lost node"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("set synchronous_commit to on"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn snapshots_count_by_their_schedule() {
        let mut plan = kubernetes_reference_plan();
        plan.backups.logical.clear();
        plan.backups.snapshots = Some(
            Snapshots::builder()
                .schedule("0 * * * *".parse().unwrap())
                .build(),
        );
        plan.objectives.rpo = Some(Interval::hours(1));
        assert!(run(&RpoReachable, &plan).is_empty());
    }

    #[test]
    fn azure_point_in_time_restore_is_about_5_minutes() {
        let mut plan = azure_reference_plan();
        if let Platform::Azure(az) = &mut plan.platform {
            az.high_availability = Default::default();
        }
        plan.objectives.rpo = Some(Interval::minutes(1));
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message
                .contains("Azure point-in-time restore (about 5min): up to 5min"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("relax objectives.rpo to 5min"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn synchronous_replication_covers_only_node_loss() {
        // Azure HA is synchronous: RPO 0 for a lost node, 5min from backups.
        let mut plan = azure_reference_plan();
        plan.objectives.rpo = Some(Interval::ZERO);
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains(
                "met only when a node is lost (Azure high availability (synchronous standby))"
            ),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("loses up to 5min"),
            "{}",
            d[0].message
        );

        // Patroni in synchronous mode without any backup: still an error.
        let mut plan = patroni_cluster_plan();
        plan.environment = Environment::Staging;
        if let Some(p) = &mut plan.topology.patroni {
            p.synchronous_mode = SynchronousMode::On;
        }
        plan.objectives.rpo = Some(Interval::ZERO);
        let d = run(&RpoReachable, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("Patroni synchronous replication"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("no backup to restore"),
            "{}",
            d[0].message
        );
    }
}
