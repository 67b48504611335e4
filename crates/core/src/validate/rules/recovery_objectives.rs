//! PGP012 recovery-objectives: the declared RPO and RTO against what the
//! plan's backups and replication can deliver, and against the same targets
//! stated elsewhere.
//!
//! What each method can lose (its RPO):
//! - logical dumps alone: the dump interval (`0 2 * * *` → 24h);
//! - volume snapshots on a schedule: the snapshot interval;
//! - WAL archiving: `archive_timeout`, else about one WAL segment (minutes);
//! - Azure point-in-time restore: about 5 minutes (a geo-restore: up to 1h);
//! - synchronous replication (Patroni `synchronous_mode`, Azure HA): nothing,
//!   but only when a node is lost; a mistake or corruption replicates too and
//!   is undone from backups.

use crate::azure_facts;
use crate::model::platform::AzureHaMode;
use crate::model::topology::SynchronousMode;
use crate::model::units::Duration;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP012.
pub struct RecoveryObjectives;

const ID: &str = "PGP012";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "recovery-objectives",
    summary: "the RPO must be reachable by the backup methods, the RTO must fit the HA setup, and targets stated elsewhere must agree",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for RecoveryObjectives {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let methods = recovery_methods(cx);
        let has_backup = methods.iter().any(|m| !m.node_loss_only);
        let objectives = &cx.plan.objectives;
        if cx.is_production() && !has_backup {
            out.error(                "backups",
                "a production plan without any backup: a dropped table, a corrupted disk or a lost volume cannot be recovered (replication copies mistakes too)",
                "add backups.wal_archiving (point-in-time recovery) and a scheduled backups.logical dump, or scheduled backups.snapshots");
        } else if let Some(rpo) = objectives.rpo {
            check_rpo(cx, rpo, &methods, out);
        }
        if let Some(rto) = objectives.rto {
            check_rto(cx, rto, out);
        }
        check_declarations(cx, out);
        if cx.is_production()
            && objectives.availability.is_none()
            && objectives.rpo.is_none()
            && objectives.rto.is_none()
        {
            out.info(                "objectives",
                "a production plan without objectives: backups and high availability cannot be checked against an RPO, RTO or availability target",
                "set objectives.rpo, objectives.rto and objectives.availability");
        }
    }
}

/// One way to recover data, and how much it can lose.
struct Method {
    label: String,
    rpo: Duration,
    /// Replication: protects against losing a node, not against mistakes.
    node_loss_only: bool,
}

/// A duration for people: hours up to two days (`24h` rather than `1d`).
fn span(d: Duration) -> String {
    let hour = Duration::hours(1).as_millis();
    if d > Duration::ZERO && d <= Duration::days(2) && d.as_millis().is_multiple_of(hour) {
        format!("{}h", d.as_millis() / hour)
    } else {
        d.to_string()
    }
}

fn recovery_methods(cx: &Context<'_>) -> Vec<Method> {
    let plan = cx.plan;
    let mut methods = Vec::new();
    for backup in &plan.backups.logical {
        let interval = backup.schedule.approximate_interval();
        methods.push(Method {
            label: format!(
                "pg_dump {} (`{}`) every {}",
                backup.name,
                backup.schedule,
                span(interval)
            ),
            rpo: interval,
            node_loss_only: false,
        });
    }
    if let Some(schedule) = plan
        .backups
        .snapshots
        .as_ref()
        .and_then(|s| s.schedule.as_ref())
    {
        let interval = schedule.approximate_interval();
        methods.push(Method {
            label: format!("volume snapshots (`{schedule}`) every {}", span(interval)),
            rpo: interval,
            node_loss_only: false,
        });
    }
    if let Some(archiving) = &plan.backups.wal_archiving {
        let timeout = archiving.archive_timeout.or_else(|| {
            cx.settings
                .duration("archive_timeout")
                .filter(|t| *t > Duration::ZERO)
        });
        methods.push(match timeout {
            Some(t) => Method {
                label: format!("WAL archiving (archive_timeout {})", span(t)),
                rpo: t,
                node_loss_only: false,
            },
            None => Method {
                label: "WAL archiving (a WAL segment at a time: minutes on a busy server, unbounded while idle without archive_timeout)".to_owned(),
                rpo: Duration::minutes(5),
                node_loss_only: false,
            },
        });
    }
    if let Some(az) = plan.platform.azure() {
        methods.push(Method {
            label: format!(
                "Azure point-in-time restore (about {})",
                azure_facts::MANAGED_PITR_RPO
            ),
            rpo: azure_facts::MANAGED_PITR_RPO,
            node_loss_only: false,
        });
        if az.high_availability.mode != AzureHaMode::Disabled {
            methods.push(Method {
                label: "Azure high availability (synchronous standby)".to_owned(),
                rpo: Duration::ZERO,
                node_loss_only: true,
            });
        }
    }
    if let Some(patroni) = &plan.topology.patroni
        && patroni.synchronous_mode != SynchronousMode::Off
    {
        methods.push(Method {
            label: "Patroni synchronous replication".to_owned(),
            rpo: Duration::ZERO,
            node_loss_only: true,
        });
    }
    methods
}

fn check_rpo(cx: &Context<'_>, rpo: Duration, methods: &[Method], out: &mut Findings<'_>) {
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
        fixes.push(format!(
            "add backups.wal_archiving with archive_timeout: {} (continuous archiving with point-in-time recovery)",
            span(rpo)
        ));
        if rpo >= Duration::hours(1) {
            fixes.push(format!("schedule a dump at least every {}", span(rpo)));
        }
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

fn check_rto(cx: &Context<'_>, rto: Duration, out: &mut Findings<'_>) {
    let patroni = cx.plan.topology.patroni.as_ref();
    let azure_ha = cx
        .plan
        .platform
        .azure()
        .is_some_and(|az| az.high_availability.mode != AzureHaMode::Disabled);
    if patroni.is_none() && !azure_ha && rto < Duration::minutes(1) {
        out.warning(            "objectives.rto",
            format!(
                "RTO {} without high availability: a failed single server is restarted, rescheduled or restored, which takes minutes at best",
                span(rto)
            ),
            "add high availability (topology.patroni, or platform.azure.high_availability), or relax objectives.rto to several minutes");
    }
    if let Some(patroni) = patroni
        && rto < patroni.ttl
    {
        out.warning(            "objectives.rto",
            format!(
                "RTO {} is shorter than Patroni's ttl {}: a failed leader is noticed only when its key expires, before any failover starts",
                span(rto),
                patroni.ttl
            ),
            "lower topology.patroni.ttl (keeping loop_wait + 2 × retry_timeout ≤ ttl), or relax objectives.rto");
    }
}

fn check_declarations(cx: &Context<'_>, out: &mut Findings<'_>) {
    let objectives = &cx.plan.objectives;
    for (i, declaration) in objectives.declared_elsewhere.iter().enumerate() {
        let source = &declaration.source;
        let pairs: [(&str, &str, Option<String>, Option<String>); 3] = [
            (
                "availability",
                "availability",
                declaration.availability.map(|p| p.to_string()),
                objectives.availability.map(|p| p.to_string()),
            ),
            (
                "rpo",
                "RPO",
                declaration.rpo.map(span),
                objectives.rpo.map(span),
            ),
            (
                "rto",
                "RTO",
                declaration.rto.map(span),
                objectives.rto.map(span),
            ),
        ];
        for (field, label, theirs, ours) in pairs {
            let Some(theirs) = theirs else {
                continue;
            };
            let path = format!("objectives.declared_elsewhere[{i}].{field}");
            match ours {
                Some(ours) if ours == theirs => {}
                Some(ours) => out.warning(                    path,
                    format!(
                        "{source} declares {label} {theirs}, but the plan's objectives.{field} is {ours}"
                    ),
                    format!(
                        "agree on one value: change objectives.{field} or {source}, then update this entry"
                    )),
                None => out.warning(                    path,
                    format!(
                        "{source} declares {label} {theirs}, but the plan sets no objectives.{field}"
                    ),
                    format!("set objectives.{field} to the agreed value")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{
        Environment, ObjectiveDeclaration, Percent, Platform, Snapshots, SynchronousMode,
        WalArchiving,
    };

    #[test]
    fn reference_plans_pass() {
        let d = run(&RecoveryObjectives, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&RecoveryObjectives, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn daily_dumps_cannot_meet_a_5_minute_rpo() {
        let mut plan = kubernetes_reference_plan();
        plan.objectives.rpo = Some(Duration::minutes(5));
        let d = run(&RecoveryObjectives, &plan);
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
        plan.objectives.rpo = Some(Duration::minutes(5));
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Duration::days(7))
                .destination("/backup/wal")
                .archive_timeout(Duration::minutes(5))
                .build(),
        );
        assert!(run(&RecoveryObjectives, &plan).is_empty());
        plan.objectives.rpo = Some(Duration::minutes(1));
        let d = run(&RecoveryObjectives, &plan);
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
        plan.objectives.rpo = Some(Duration::minutes(15));
        if let Some(w) = &mut plan.backups.wal_archiving {
            w.archive_timeout = None;
        }
        assert!(run(&RecoveryObjectives, &plan).is_empty());
        plan.objectives.rpo = Some(Duration::minutes(1));
        let d = run(&RecoveryObjectives, &plan);
        assert!(
            d[0].message.contains("minutes on a busy server"),
            "{}",
            d[0].message
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
        plan.objectives.rpo = Some(Duration::hours(1));
        assert!(run(&RecoveryObjectives, &plan).is_empty());
    }

    #[test]
    fn azure_point_in_time_restore_is_about_5_minutes() {
        let mut plan = azure_reference_plan();
        if let Platform::Azure(az) = &mut plan.platform {
            az.high_availability = Default::default();
        }
        plan.objectives.rpo = Some(Duration::minutes(1));
        let d = run(&RecoveryObjectives, &plan);
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
        plan.objectives.rpo = Some(Duration::ZERO);
        let d = run(&RecoveryObjectives, &plan);
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
        plan.objectives.rpo = Some(Duration::ZERO);
        let d = run(&RecoveryObjectives, &plan);
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

    #[test]
    fn production_without_backups() {
        let mut plan = kubernetes_reference_plan();
        plan.environment = Environment::Production;
        plan.backups.logical.clear();
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "backups");
        // Development may go without.
        plan.environment = Environment::Development;
        plan.objectives.rpo = None;
        assert!(run(&RecoveryObjectives, &plan).is_empty());
        // Azure always backs up.
        let mut plan = azure_reference_plan();
        plan.backups.managed = None;
        assert!(run(&RecoveryObjectives, &plan).is_empty());
    }

    #[test]
    fn rto_sanity() {
        let mut plan = kubernetes_reference_plan();
        plan.objectives.rto = Some(Duration::seconds(30));
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "objectives.rto");
        assert!(
            d[0].message.contains("RTO 30s without high availability"),
            "{}",
            d[0].message
        );

        let mut plan = patroni_cluster_plan();
        plan.backups.wal_archiving = Some(
            WalArchiving::builder()
                .retention(Duration::days(7))
                .destination("/backup/wal")
                .build(),
        );
        plan.objectives.rto = Some(Duration::seconds(20));
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message.contains("shorter than Patroni's ttl 30s"),
            "{}",
            d[0].message
        );
        plan.objectives.rto = Some(Duration::minutes(1));
        assert!(run(&RecoveryObjectives, &plan).is_empty());
    }

    #[test]
    fn seed_001_and_002_disagree_on_the_rpo() {
        let mut plan = azure_reference_plan();
        plan.objectives.declared_elsewhere = vec![
            ObjectiveDeclaration::builder()
                .source("002 physical architecture")
                .rpo(Duration::hours(1))
                .rto(Duration::minutes(30))
                .availability(Percent::whole(99))
                .build(),
        ];
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let rpo = diagnostic_at(&d, "objectives.declared_elsewhere[0].rpo");
        assert_eq!(rpo.severity, Severity::Warning);
        assert!(
            rpo.message.contains(
                "002 physical architecture declares RPO 1h, but the plan's objectives.rpo is 5min"
            ),
            "{}",
            rpo.message
        );
        let availability = diagnostic_at(&d, "objectives.declared_elsewhere[0].availability");
        assert!(availability.message.contains(
            "declares availability 99%, but the plan's objectives.availability is 99.9%"
        ));

        plan.objectives.rpo = None;
        plan.objectives.declared_elsewhere[0].availability = None;
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("the plan sets no objectives.rpo"));
    }

    #[test]
    fn production_without_objectives_is_noted() {
        let mut plan = azure_reference_plan();
        plan.objectives = Default::default();
        let d = run(&RecoveryObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "objectives");
    }
}
