//! CPU, memory and volumes.

use std::fmt::Debug;

use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::units::{bytes, millicores};
use super::{Profile, Target};
use crate::model::sizing::{Resources, Sizing};
use crate::model::units::{Bytes, Millicores};

/// A request and maybe a limit, each drawn from `value` (so the limit may be
/// below the request).
fn resources<T: Copy + Debug + 'static>(value: BoxedStrategy<T>) -> BoxedStrategy<Resources<T>> {
    (value.clone(), option::of(value))
        .prop_map(|(request, limit)| Resources { request, limit })
        .boxed()
}

/// Sizing. `Reasonable` draws requests from a quarter core and half a GiB
/// up, limits at most twice the request on Kubernetes (none elsewhere) and
/// volumes of tens to hundreds of GiB; on Azure the SKU and storage size
/// say it all, so the sizing is empty.
pub(super) fn sizing(profile: Profile, target: Target) -> BoxedStrategy<Sizing> {
    match (profile, target) {
        (Profile::Any, _) => (
            option::of(resources(millicores())),
            option::of(resources(bytes())),
            option::of(bytes()),
            option::of(bytes()),
            option::of(bytes()),
        )
            .prop_map(
                |(cpu, memory, data_volume, wal_volume, backup_volume)| Sizing {
                    cpu,
                    memory,
                    data_volume,
                    wal_volume,
                    backup_volume,
                    ..Sizing::default()
                },
            )
            .boxed(),
        (Profile::Reasonable, Target::Azure) => Just(Sizing::default()).boxed(),
        (Profile::Reasonable, _) => (
            select(&[250u32, 500, 1000, 2000, 4000, 8000][..]),
            1u32..=2,
            select(&[512u64, 1024, 2048, 4096, 8192, 16384, 32768][..]),
            1u64..=2,
            select(&[10u64, 20, 50, 100, 256][..]),
            option::of(select(&[10u64, 20, 50][..])),
            option::of(select(&[100u64, 200][..])),
        )
            .prop_map(
                move |(cpu, cpu_factor, mem_mib, mem_factor, data, wal, backup)| {
                    let limits = target == Target::Kubernetes;
                    Sizing {
                        cpu: Some(Resources {
                            request: Millicores::new(cpu),
                            limit: limits.then(|| Millicores::new(cpu * cpu_factor)),
                        }),
                        memory: Some(Resources {
                            request: Bytes::mib(mem_mib),
                            limit: limits.then(|| Bytes::mib(mem_mib * mem_factor)),
                        }),
                        data_volume: Some(Bytes::gib(data)),
                        wal_volume: wal.map(Bytes::gib),
                        backup_volume: backup.map(Bytes::gib),
                        ..Sizing::default()
                    }
                },
            )
            .boxed(),
    }
}
