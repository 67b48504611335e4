//! Monitoring: the exporter and alert thresholds.

use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::platform::image;
use super::units::{duration, percent};
use super::{Profile, Target, count};
use crate::model::monitoring::{Exporter, Monitoring, Threshold, Thresholds};
use crate::model::units::{Interval, Percent};

/// A threshold that fires at once.
fn at_once<T>(above: T) -> Threshold<T> {
    Threshold {
        above,
        sustained: Interval::ZERO,
    }
}

/// Thresholds above anything `above` draws, for any time.
fn threshold<T: std::fmt::Debug + Clone + 'static>(
    above: BoxedStrategy<T>,
) -> BoxedStrategy<Threshold<T>> {
    (above, duration())
        .prop_map(|(above, sustained)| Threshold { above, sustained })
        .boxed()
}

/// The exporter with the model's defaults (pgplan's image, port 9187, one
/// connection), as the plan file's defaults write it.
fn default_exporter() -> Exporter {
    Exporter {
        image: None,
        port: 9187,
        connections: 1,
    }
}

/// Monitoring. `Reasonable`: an exporter on self-managed servers, CPU and
/// memory alerts at 70–90 % for 1, 5 or 15 minutes, storage at 80 %, maybe slow
/// queries. `Any`: any exporter port and connection count, any thresholds
/// (storage above the level where Azure turns read-only, connections above
/// max_connections, …).
pub(super) fn monitoring(profile: Profile, target: Target) -> BoxedStrategy<Monitoring> {
    match profile {
        Profile::Reasonable => (
            any::<bool>(),
            select(&[70u16, 80, 85, 90][..]),
            // Windows Azure Monitor takes (rule PGP176).
            select(&[1u64, 5, 15][..]),
            option::of(select(&[500u64, 1000, 5000][..])),
        )
            .prop_map(move |(exporter, level, minutes, slow_ms)| {
                let sustained = |above: Percent| {
                    Some(Threshold {
                        above,
                        sustained: Interval::minutes(minutes),
                    })
                };
                Monitoring {
                    exporter: (exporter && target != Target::Azure).then(default_exporter),
                    thresholds: Thresholds {
                        cpu: sustained(Percent::whole(level)),
                        memory: sustained(Percent::whole(level)),
                        storage: sustained(Percent::whole(80)),
                        slow_query: slow_ms.map(|ms| at_once(Interval::millis(ms))),
                        ..Thresholds::default()
                    },
                    ..Monitoring::default()
                }
            })
            .boxed(),
        Profile::Any => (
            option::of((option::of(image()), any::<u16>(), count(0..=4))),
            (
                option::of(threshold(percent())),
                option::of(threshold(percent())),
                option::of(threshold(percent())),
                option::of(threshold(count(0..=1000))),
                option::of(threshold(duration())),
                option::of(threshold(duration())),
                option::of(count(0..=100)),
            ),
        )
            .prop_map(
                |(
                    exporter,
                    (
                        cpu,
                        memory,
                        storage,
                        connections,
                        slow_query,
                        replication_lag,
                        failed_connections_per_minute,
                    ),
                )| Monitoring {
                    exporter: exporter.map(|(image, port, connections)| Exporter {
                        image,
                        port,
                        connections,
                    }),
                    thresholds: Thresholds {
                        cpu,
                        memory,
                        storage,
                        connections,
                        slow_query,
                        replication_lag,
                        failed_connections_per_minute,
                    },
                },
            )
            .boxed(),
    }
}
