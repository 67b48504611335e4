//! Recovery objectives: the declared RPO and RTO against what the plan's
//! backups and replication can deliver, and against the same targets stated
//! elsewhere.
//!
//! What each method can lose (its RPO):
//! - logical dumps alone: the longest gap between dumps (`0 2 * * *` → 24h,
//!   `0 1 * * MON-FRI` → 3 days, Friday to Monday);
//! - volume snapshots on a schedule: the longest gap between snapshots;
//! - WAL archiving: `archive_timeout`, else about one WAL segment (minutes);
//! - Azure point-in-time restore: about 5 minutes (a geo-restore: up to 1h);
//! - WAL archiving with `archive_timeout = 0`: the timeout is off, not
//!   instant — a segment is archived when it is full;
//! - synchronous replication (Patroni `synchronous_mode`, Azure HA): nothing,
//!   but only when a node is lost (a mistake or corruption replicates too and
//!   is undone from backups), and only while commits wait for the standby:
//!   with `synchronous_commit = off` or `local` the last commits are lost.

mod objective_declarations;
mod production_backups;
mod production_objectives;
mod rpo_reachable;
mod rto_below_patroni_ttl;
mod rto_without_ha;

pub use objective_declarations::ObjectiveDeclarations;
pub use production_backups::ProductionBackups;
pub use production_objectives::ProductionObjectives;
pub use rpo_reachable::RpoReachable;
pub use rto_below_patroni_ttl::RtoBelowPatroniTtl;
pub use rto_without_ha::RtoWithoutHa;

use super::common::span;
use crate::azure_facts;
use crate::model::platform::AzureHaMode;
use crate::model::topology::SynchronousMode;
use crate::model::units::Interval;
use crate::tuning::params::{ARCHIVE_TIMEOUT, SYNCHRONOUS_COMMIT, WAL_WRITER_DELAY};
use crate::validate::Context;

/// One way to recover data, and how much it can lose.
struct Method {
    label: String,
    rpo: Interval,
    /// Replication: protects against losing a node, not against mistakes.
    node_loss_only: bool,
}

fn recovery_methods(cx: &Context<'_>) -> Vec<Method> {
    let plan = cx.plan;
    let mut methods = Vec::new();
    for backup in &plan.backups.logical {
        let interval = backup.schedule.longest_gap();
        methods.push(Method {
            label: format!(
                "pg_dump {} (`{}`) {}",
                backup.name,
                backup.schedule,
                every(&backup.schedule)
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
        let interval = schedule.longest_gap();
        methods.push(Method {
            label: format!("volume snapshots (`{schedule}`) {}", every(schedule)),
            rpo: interval,
            node_loss_only: false,
        });
    }
    if plan.backups.wal_archiving.is_some() {
        // The resolved archive_timeout: the plan's parameter, else the one
        // derived from backups.wal_archiving. 0 turns it off — PostgreSQL
        // then switches segments only when they are full — it does not
        // archive instantly.
        let timeout = cx
            .settings
            .get(ARCHIVE_TIMEOUT)
            .filter(|t| *t > Interval::ZERO);
        methods.push(match timeout {
            Some(t) => Method {
                label: format!("WAL archiving (archive_timeout {})", span(t)),
                rpo: t,
                node_loss_only: false,
            },
            None => Method {
                label: "WAL archiving (archive_timeout off: a WAL segment at a time, minutes on a busy server and unbounded while idle)".to_owned(),
                rpo: Interval::minutes(5),
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
            methods.push(synchronous_standby(
                cx,
                "Azure high availability (synchronous standby)",
            ));
        }
    }
    if let Some(patroni) = &plan.topology.patroni
        && patroni.synchronous_mode != SynchronousMode::Off
    {
        methods.push(synchronous_standby(cx, "Patroni synchronous replication"));
    }
    methods
}

/// A synchronous standby loses nothing when a node is lost — as long as
/// commits wait for it. With synchronous_commit = off a commit returns before
/// its WAL is flushed anywhere, and with `local` before the standby has it:
/// the last acknowledged transactions (up to three times wal_writer_delay
/// with off) are lost with the primary.
fn synchronous_standby(cx: &Context<'_>, label: &str) -> Method {
    let commit = cx
        .settings
        .get(SYNCHRONOUS_COMMIT)
        .unwrap_or_else(|| "on".to_owned());
    match commit.as_str() {
        "off" | "local" => {
            let writer = cx
                .settings
                .get(WAL_WRITER_DELAY)
                .unwrap_or(Interval::millis(200));
            let lost = if commit == "off" {
                Interval::millis(writer.as_millis().saturating_mul(3))
            } else {
                // Committed locally, not yet sent: the standby lags by what
                // the WAL sender has not shipped, typically well under a second.
                Interval::seconds(1)
            };
            Method {
                label: format!(
                    "{label} with synchronous_commit = {commit}: commits do not wait for the standby"
                ),
                rpo: lost,
                node_loss_only: true,
            }
        }
        _ => Method {
            label: label.to_owned(),
            rpo: Interval::ZERO,
            node_loss_only: true,
        },
    }
}

/// How often a schedule runs, for messages: `every 24h`, or `1d to 3d apart`
/// when the gaps differ (weekdays only, first of the month).
fn every(schedule: &crate::CronSchedule) -> String {
    let (shortest, longest) = (schedule.shortest_gap(), schedule.longest_gap());
    if shortest == longest {
        format!("every {}", span(longest))
    } else {
        format!("{} to {} apart", span(shortest), span(longest))
    }
}

/// True when the plan can restore from a backup (not only from a standby).
fn has_backup(cx: &Context<'_>) -> bool {
    recovery_methods(cx).iter().any(|m| !m.node_loss_only)
}
