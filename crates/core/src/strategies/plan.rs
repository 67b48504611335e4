//! Whole plans: the service, its environment and objectives, and every part
//! drawn by the sibling modules, put together as a struct literal.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::backups::{
    default_wal_archiving, managed_backups, reachable_rpo, snapshots, wal_archiving,
};
use super::content::{any_content, reasonable_content};
use super::monitoring::monitoring;
use super::names::{labels, service_name};
use super::platform::platform;
use super::security::security;
use super::sizing::sizing;
use super::topology::topology;
use super::tuning::tuning;
use super::units::{HOUR, duration, percent};
use super::{Profile, Target};
use crate::azure_facts;
use crate::model::backups::Backups;
use crate::model::names::ServiceName;
use crate::model::plan::{Environment, MajorVersion, ObjectiveDeclaration, Objectives, Plan};
use crate::model::platform::{Platform, SkuTier};
use crate::model::tuning::Workload;
use crate::model::units::{Bytes, Interval, Percent};

fn environment() -> BoxedStrategy<Environment> {
    select(
        &[
            Environment::Development,
            Environment::Staging,
            Environment::Production,
        ][..],
    )
    .boxed()
}

/// Every version pgplan supports, or for a reasonable Azure plan the
/// versions Azure supports ([`azure_facts::SUPPORTED_VERSIONS`]).
fn version(profile: Profile, target: Target) -> BoxedStrategy<MajorVersion> {
    let versions: Vec<MajorVersion> = match (profile, target) {
        (Profile::Reasonable, Target::Azure) => azure_facts::SUPPORTED_VERSIONS
            .iter()
            .filter_map(|v| MajorVersion::new(*v).ok())
            .collect(),
        _ => Vec::new(),
    };
    if versions.is_empty() {
        (MajorVersion::MIN..=MajorVersion::MAX)
            .prop_filter_map("a supported major version", |v| MajorVersion::new(v).ok())
            .boxed()
    } else {
        select(versions).boxed()
    }
}

/// Availability and recovery targets. `Any` adds declarations from other
/// documents, which may disagree with the plan.
fn objectives(profile: Profile) -> BoxedStrategy<Objectives> {
    match profile {
        Profile::Reasonable => (
            select(&[9_500u16, 9_900, 9_990, 9_995][..]).prop_map(Percent::from_hundredths),
            option::of(select(&[HOUR, 4 * HOUR][..]).prop_map(Interval::millis)),
        )
            .prop_map(|(availability, rto)| Objectives {
                availability: Some(availability),
                rto,
                ..Objectives::default()
            })
            .boxed(),
        Profile::Any => (
            option::of(percent()),
            option::of(duration()),
            option::of(duration()),
            vec(
                (
                    "[A-Za-z0-9 ./-]{1,20}",
                    option::of(percent()),
                    option::of(duration()),
                    option::of(duration()),
                ),
                0..=2,
            ),
        )
            .prop_map(|(availability, rpo, rto, elsewhere)| Objectives {
                availability,
                rpo,
                rto,
                declared_elsewhere: elsewhere
                    .into_iter()
                    .map(|(source, availability, rpo, rto)| ObjectiveDeclaration {
                        source,
                        availability,
                        rpo,
                        rto,
                    })
                    .collect(),
            })
            .boxed(),
    }
}

/// A plan for `target` drawn from the whole model.
pub(super) fn any_plan_on(target: Target) -> BoxedStrategy<Plan> {
    let any = Profile::Any;
    (
        (
            service_name(),
            environment(),
            labels(any),
            objectives(any),
            version(any, target),
            platform(any, target),
        ),
        (
            topology(any, target),
            sizing(any, target),
            tuning(any),
            any_content(),
            option::of(wal_archiving(any)),
            option::of(managed_backups(any)),
            option::of(snapshots()),
            monitoring(any, target),
            security(any),
        ),
    )
        .prop_map(
            |(
                (service, environment, labels, objectives, version, platform),
                (
                    topology,
                    sizing,
                    tuning,
                    content,
                    wal_archiving,
                    managed,
                    snapshots,
                    monitoring,
                    security,
                ),
            )| Plan {
                service,
                environment,
                labels,
                objectives,
                version,
                platform,
                topology,
                sizing,
                tuning,
                databases: content.databases,
                roles: content.roles,
                existing_roles: Vec::new(),
                clients: content.clients,
                pooler: content.pooler,
                backups: Backups {
                    logical: content.logical,
                    wal_archiving,
                    managed,
                    snapshots,
                },
                monitoring,
                security,
            },
        )
        .boxed()
}

/// A realistic, consistent plan for `target`.
pub(super) fn reasonable_plan_on(target: Target) -> BoxedStrategy<Plan> {
    let reasonable = Profile::Reasonable;
    (
        (
            environment(),
            labels(reasonable),
            objectives(reasonable),
            version(reasonable, target),
            platform(reasonable, target),
            topology(reasonable, target),
        ),
        (
            sizing(reasonable, target),
            tuning(reasonable),
            reasonable_content(target),
            option::of(wal_archiving(reasonable)),
            managed_backups(reasonable),
            monitoring(reasonable, target),
            security(reasonable),
        ),
    )
        .prop_filter_map(
            "a plan with a service",
            move |(
                (environment, labels, objectives, version, platform, topology),
                (sizing, tuning, content, wal_archiving, managed, monitoring, security),
            )| {
                // The service is named after its databases and roles.
                let service = content
                    .roles
                    .first()
                    .and_then(|r| r.name.as_str().strip_suffix("_owner"))
                    .and_then(|base| ServiceName::new(base).ok())?;
                // Backups are chosen below, by platform.
                let mut plan = Plan {
                    service,
                    environment,
                    labels,
                    objectives,
                    version,
                    platform,
                    topology,
                    sizing,
                    tuning,
                    databases: content.databases,
                    roles: content.roles,
                    existing_roles: Vec::new(),
                    clients: content.clients,
                    pooler: content.pooler,
                    backups: Backups::default(),
                    monitoring,
                    security,
                };
                if target == Target::Azure {
                    // The desktop share of memory (1/16) is below the 10 %
                    // Azure accepts for shared_buffers.
                    if plan.tuning.workload == Workload::Desktop {
                        plan.tuning.workload = Workload::Web;
                    }
                    // Burstable servers have no read replicas.
                    if let Platform::Azure(a) = &plan.platform
                        && a.sku.tier() == Some(SkuTier::Burstable)
                    {
                        plan.topology.replicas.clear();
                    }
                    plan.backups.managed = Some(managed);
                } else {
                    plan.backups.logical = content.logical;
                    plan.backups.wal_archiving = wal_archiving;
                    if !plan.backups.logical.is_empty() && plan.sizing.backup_volume.is_none() {
                        plan.sizing.backup_volume = Some(Bytes::gib(100));
                    }
                    // Every plan keeps its data somewhere else.
                    if plan.backups.logical.is_empty() && plan.backups.wal_archiving.is_none() {
                        plan.backups.wal_archiving = Some(default_wal_archiving());
                    }
                }
                // A recovery point the planned backups can reach.
                plan.objectives.rpo = reachable_rpo(
                    plan.backups.managed.is_some() || plan.backups.wal_archiving.is_some(),
                    !plan.backups.logical.is_empty(),
                );
                Some(plan)
            },
        )
        .boxed()
}
