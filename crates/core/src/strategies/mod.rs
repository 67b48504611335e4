//! Proptest strategies that generate plans, valid and not.
//!
//! Any crate's tests can draw plans from here by enabling this crate's
//! `proptest` feature in `[dev-dependencies]`:
//!
//! - units: [`bytes`], [`millicores`], [`duration`], [`percent`], from zero to
//!   the largest value each type holds, biased to round values;
//! - names: [`role_name`], [`database_name`], [`schema_name`]: plain
//!   identifiers, reserved words, quotes, spaces, unicode, and names of
//!   exactly 63 bytes (the longest PostgreSQL keeps);
//! - plans: [`plan()`] draws from the whole model (every platform, Patroni and
//!   read replicas, explicit parameters with valid and invalid values, roles
//!   and grants that may name objects that do not exist, extreme pool sizes),
//!   so most of its plans have errors; [`kubernetes_plan`], [`azure_plan`] and
//!   [`local_plan`] do the same on one platform; [`reasonable_plan`] (and
//!   [`reasonable_kubernetes_plan`], [`reasonable_azure_plan`],
//!   [`reasonable_local_plan`]) keeps sizes, counts and references realistic
//!   and consistent, so most of its plans pass validation.
//!
//! Every constrained value (a region, a DNS label, a CIDR range, …) is built
//! through its type's own constructor, so generated plans hold only values
//! the model can represent; what stays invalid is how they combine, which is
//! what validation is for. Azure SKUs, regions, storage sizes and allow-lists
//! come from [`crate::azure_facts`], parameter names and values from the
//! [`Catalog`](crate::Catalog) of every supported major version and the typed
//! keys in [`crate::params`]: the strategies repeat none of those tables.
//!
//! Plans stay small (at most a few databases, roles and clients) so that a
//! property can check hundreds of them in well under a second.
//!
//! ```
//! use pgplan_core::strategies;
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! // A fixed seed gives the same plans on every run.
//! let mut runner = TestRunner::deterministic();
//! let plan = strategies::reasonable_plan()
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! let report = plan.report();
//! println!("{}\n{report}", plan.to_yaml().unwrap());
//! ```
//!
//! In a property test:
//!
//! ```no_run
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #[test]
//!     fn validation_never_panics(plan in pgplan_core::strategies::plan()) {
//!         let _ = plan.report();
//!     }
//! }
//! ```

// Struct literals here end in `..Default::default()` where the type has a
// default, even where every field is listed today: the model gains optional
// fields, and generators should keep compiling (and generate the default)
// when it does.
#![allow(clippy::needless_update)]

mod azure_names;
mod backups;
mod clients;
mod content;
mod databases;
mod locale;
mod monitoring;
mod names;
mod net;
mod plan;
mod platform;
mod roles;
mod secrets;
mod security;
mod sizing;
mod topology;
mod tuning;
mod units;

use std::fmt::Debug;
use std::str::FromStr;

use proptest::prelude::*;
use proptest::sample::select;

use crate::model::plan::Plan;

pub use names::{database_name, role_name, schema_name};
pub use units::{bytes, duration, millicores, percent};

/// Whether a generator explores the whole model or stays realistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Anything the types allow: extreme numbers, dangling references,
    /// parameter values the catalog rejects, settings that contradict each
    /// other.
    Any,
    /// Realistic sizes and counts, consistent references.
    Reasonable,
}

/// The target platform of a generated plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A StatefulSet in a Kubernetes cluster.
    Kubernetes,
    /// Azure Database for PostgreSQL Flexible Server.
    Azure,
    /// A server on this machine.
    Local,
}

/// Values of `T` read from the strings `strings` draws. `strings` should
/// mostly satisfy `T`'s rules: a string `T` rejects is drawn again.
fn parsed<T>(strings: impl Strategy<Value = String> + 'static) -> BoxedStrategy<T>
where
    T: FromStr + Debug + 'static,
{
    strings
        .prop_filter_map(std::any::type_name::<T>(), |s| s.parse().ok())
        .boxed()
}

/// One of `texts` as a `T`. Texts `T` rejects are left out before drawing;
/// `otherwise` is drawn when none is left (a table emptied by a change to the
/// facts it comes from).
fn one_of<T, S>(texts: impl IntoIterator<Item = S>, otherwise: BoxedStrategy<T>) -> BoxedStrategy<T>
where
    T: FromStr + Clone + Debug + 'static,
    S: AsRef<str>,
{
    let values: Vec<T> = texts
        .into_iter()
        .filter_map(|t| t.as_ref().parse().ok())
        .collect();
    if values.is_empty() {
        otherwise
    } else {
        select(values).boxed()
    }
}

/// Counts as plans write them, with the extremes of the type now and then.
fn count(realistic: std::ops::RangeInclusive<u32>) -> BoxedStrategy<u32> {
    prop_oneof![
        8 => realistic,
        1 => Just(u32::MAX),
        1 => any::<u32>(),
    ]
    .boxed()
}

/// Plans drawn from the whole model on any platform: Kubernetes, Azure or
/// local; single servers, Patroni clusters and read replicas; explicit
/// parameters with valid and invalid values; roles, grants, clients and
/// backups that may refer to names that do not exist; counts up to
/// `u32::MAX`. Most of these plans have errors.
pub fn plan() -> BoxedStrategy<Plan> {
    prop_oneof![kubernetes_plan(), azure_plan(), local_plan()].boxed()
}

/// Like [`plan()`], on Kubernetes.
pub fn kubernetes_plan() -> BoxedStrategy<Plan> {
    plan::any_plan_on(Target::Kubernetes)
}

/// Like [`plan()`], on Azure Flexible Server.
pub fn azure_plan() -> BoxedStrategy<Plan> {
    plan::any_plan_on(Target::Azure)
}

/// Like [`plan()`], on this machine.
pub fn local_plan() -> BoxedStrategy<Plan> {
    plan::any_plan_on(Target::Local)
}

/// Plans a careful engineer could write, on any platform: realistic memory,
/// CPU and volume sizes (or a known Azure SKU), an owner role that owns the
/// databases, an application role with the grants it needs, clients whose
/// pools fit, backups that reach the declared RPO. Most of them pass
/// validation; some draw warnings.
pub fn reasonable_plan() -> BoxedStrategy<Plan> {
    prop_oneof![
        reasonable_kubernetes_plan(),
        reasonable_azure_plan(),
        reasonable_local_plan(),
    ]
    .boxed()
}

/// Like [`reasonable_plan`], on Kubernetes.
pub fn reasonable_kubernetes_plan() -> BoxedStrategy<Plan> {
    plan::reasonable_plan_on(Target::Kubernetes)
}

/// Like [`reasonable_plan`], on Azure Flexible Server (a SKU pgplan knows,
/// a PostgreSQL version Azure supports, managed backups).
pub fn reasonable_azure_plan() -> BoxedStrategy<Plan> {
    plan::reasonable_plan_on(Target::Azure)
}

/// Like [`reasonable_plan`], on this machine.
pub fn reasonable_local_plan() -> BoxedStrategy<Plan> {
    plan::reasonable_plan_on(Target::Local)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    use super::*;
    use crate::azure_facts;
    use crate::model::names::MAX_IDENTIFIER_BYTES;
    use crate::model::platform::Platform;

    fn sample<T: Debug>(s: &BoxedStrategy<T>, n: usize) -> Vec<T> {
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| s.new_tree(&mut runner).expect("a value").current())
            .collect()
    }

    #[test]
    fn names_reach_the_63_byte_limit_and_never_exceed_it() {
        let names = sample(&role_name(), 2000);
        assert!(
            names
                .iter()
                .all(|n| n.as_str().len() <= MAX_IDENTIFIER_BYTES)
        );
        assert!(
            names
                .iter()
                .any(|n| n.as_str().len() == MAX_IDENTIFIER_BYTES)
        );
        assert!(names.iter().any(|n| n.needs_quoting()));
        assert!(names.iter().any(|n| !n.as_str().is_ascii()));
        assert!(names.iter().any(|n| n.as_str() == "postgres"));
    }

    #[test]
    fn plans_cover_every_platform_and_topology() {
        let plans = sample(&plan(), 300);
        for kind in ["kubernetes", "azure", "local"] {
            assert!(plans.iter().any(|p| p.platform.kind() == kind), "{kind}");
        }
        assert!(plans.iter().any(|p| p.topology.patroni.is_some()));
        assert!(plans.iter().any(|p| !p.topology.replicas.is_empty()));
        assert!(plans.iter().any(|p| !p.tuning.parameters.is_empty()));
        assert!(
            plans
                .iter()
                .any(|p| p.roles.iter().any(|r| !r.grants.is_empty()))
        );
    }

    #[test]
    fn every_sku_the_facts_know_has_a_capacity() {
        let names: Vec<String> = azure_facts::known_sku_names().collect();
        assert!(!names.is_empty());
        for name in names {
            assert!(azure_facts::sku_capacity(&name).is_some(), "{name}");
        }
    }

    #[test]
    fn reasonable_azure_plans_use_what_the_facts_know() {
        for plan in sample(&reasonable_azure_plan(), 100) {
            let Platform::Azure(az) = &plan.platform else {
                panic!("not an Azure plan: {}", plan.platform.kind());
            };
            assert!(az.sku.capacity().is_some(), "{}", az.sku.name);
            assert!(
                azure_facts::SUPPORTED_VERSIONS.contains(&plan.version.get()),
                "{}",
                plan.version
            );
            assert_eq!(
                azure_facts::supports_zone_redundant_ha(az.region.as_str()),
                Some(true),
                "{}",
                az.region
            );
        }
    }
}
