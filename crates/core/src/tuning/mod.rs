//! Tuning derivation: every parameter the plan does not set explicitly is
//! derived from sizing, workload and storage with PGTune's formulas, and every
//! value records where it came from.
//!
//! - `settings`: the resolved [`Settings`], read through the typed keys of
//!   [`params`];
//! - `demand`: the connections a plan needs at peak ([`connection_demand`]);
//! - `derivation`: the formulas, one module per topic (connections,
//!   parallelism, memory, planner, WAL, replication, libraries, security,
//!   logging);
//! - [`pgtune`]: where the formulas differ from PGTune's on purpose, and why.

mod demand;
mod derivation;
pub mod params;
pub mod pgtune;
mod settings;

pub use demand::{ConnectionDemand, EndpointLoad, connection_demand, replica_demand};
pub use derivation::derive;
pub use params::{OrUnset, Param, ParamType};
pub use settings::{Provenance, Setting, Settings};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::Plan;
    use crate::model::platform::{Local, Platform};
    use crate::model::sizing::{Resources, Sizing};
    use crate::model::units::Millicores;
    use crate::model::units::{Bytes, Interval};
    use crate::{Environment, MajorVersion};

    fn plan(ram: Bytes, cpus: u32) -> Plan {
        Plan::builder()
            .service("svc".parse().unwrap())
            .environment(Environment::Production)
            .version(MajorVersion::new(17).unwrap())
            .platform(Platform::Local(Local::default()))
            .sizing(
                Sizing::builder()
                    .memory(Resources::builder().request(ram).build())
                    .cpu(
                        Resources::builder()
                            .request(Millicores::cores(cpus))
                            .build(),
                    )
                    .data_volume(Bytes::gib(100))
                    .build(),
            )
            .build()
    }

    #[test]
    fn pgtune_values_for_16gb_4cpu_web() {
        let s = derive(&plan(Bytes::gib(16), 4));
        assert_eq!(s.get(params::SHARED_BUFFERS), Some(Bytes::gib(4)));
        assert_eq!(s.get(params::EFFECTIVE_CACHE_SIZE), Some(Bytes::gib(12)));
        assert_eq!(s.get(params::MAINTENANCE_WORK_MEM), Some(Bytes::gib(1)));
        assert_eq!(
            s.get(params::WAL_BUFFERS),
            Some(OrUnset::Value(Bytes::mib(16)))
        );
        // (16GB − 4GB) / ((100 connections + 4 parallel workers) × 3) = 40329kB.
        assert_eq!(s.get(params::WORK_MEM), Some(Bytes::kib(40329)));
        assert_eq!(s.get(params::MAX_PARALLEL_WORKERS_PER_GATHER), Some(2));
        assert_eq!(s.lookup("random_page_cost").unwrap().value, "1.1");
        assert_eq!(s.lookup("max_wal_size").unwrap().value, "4GB");
        assert!(matches!(
            s.lookup("shared_buffers").unwrap().provenance,
            Provenance::Derived { .. }
        ));
        assert!(matches!(
            s.lookup("max_connections").unwrap().provenance,
            Provenance::Default { .. }
        ));
    }

    #[test]
    fn explicit_values_win_and_drive_dependent_ones() {
        let mut p = plan(Bytes::gib(16), 4);
        p.tuning
            .parameters
            .insert("shared_buffers".parse().unwrap(), "2GB".into());
        let s = derive(&p);
        assert_eq!(
            s.lookup("shared_buffers").unwrap().provenance,
            Provenance::Explicit
        );
        assert_eq!(
            s.get(params::WAL_BUFFERS),
            Some(OrUnset::Value(Bytes::mib(16)))
        );
        assert_eq!(s.get(params::WORK_MEM), Some(Bytes::kib(47051)));
    }

    #[test]
    fn small_wal_volume_caps_wal_sizes() {
        let mut p = plan(Bytes::gib(2), 1);
        p.sizing.data_volume = Some(Bytes::gib(2));
        let s = derive(&p);
        assert_eq!(s.get(params::MAX_WAL_SIZE), Some(Bytes::mib(512)));
        assert_eq!(s.get(params::MIN_WAL_SIZE), Some(Bytes::mib(128)));
    }

    #[test]
    fn derived_min_wal_size_follows_an_explicit_max_wal_size() {
        // min_wal_size was capped by the derived max_wal_size only, so an
        // explicit max_wal_size of 512MB got a derived min_wal_size of 1GB.
        let mut p = plan(Bytes::gib(2), 1);
        p.sizing.data_volume = None;
        p.tuning
            .parameters
            .insert("max_wal_size".parse().unwrap(), "512MB".into());
        let s = derive(&p);
        assert_eq!(s.get(params::MIN_WAL_SIZE), Some(Bytes::mib(128)));
        p.tuning.parameters.clear();
        assert_eq!(derive(&p).get(params::MIN_WAL_SIZE), Some(Bytes::gib(1)));
    }

    /// Every derived value must be one the server accepts.
    fn assert_all_derived_values_valid(s: &Settings) {
        for setting in s.iter() {
            if let (Provenance::Derived { .. }, Some(spec)) =
                (&setting.provenance, s.spec(&setting.name))
            {
                assert!(
                    spec.parse_value(&setting.value).is_ok(),
                    "{} = {}: {:?}",
                    setting.name,
                    setting.value,
                    spec.parse_value(&setting.value)
                );
            }
        }
    }

    #[test]
    fn derived_values_beyond_the_catalog_range_are_clamped() {
        // 64 TiB and 2,000 cores: 25 % of RAM is past shared_buffers' 8TB
        // maximum, 75 % past effective_cache_size's 16TB, and the CPU count
        // past max_parallel_workers' 1024; the server would refuse to start.
        let s = derive(&plan(Bytes::tib(64), 2000));
        assert_all_derived_values_valid(&s);
        assert_eq!(
            s.get(params::SHARED_BUFFERS),
            Some(Bytes::new(1_073_741_823 * 8192))
        );
        assert_eq!(s.get(params::MAX_PARALLEL_WORKERS), Some(1024));
        let Some(Provenance::Derived { formula, .. }) =
            s.lookup("shared_buffers").map(|s| s.provenance)
        else {
            panic!("shared_buffers is derived");
        };
        assert!(
            formula.contains("at most PostgreSQL's maximum"),
            "{formula}"
        );

        // 16kB of memory: 75 % of it is less than effective_cache_size's one page.
        let s = derive(&plan(Bytes::kib(16), 1));
        assert_all_derived_values_valid(&s);
        assert_eq!(s.get(params::EFFECTIVE_CACHE_SIZE), Some(Bytes::kib(8)));
    }

    #[test]
    fn derived_archive_timeout_is_whole_seconds() {
        // archive_timeout counts seconds: `1500ms` was derived as is and is
        // not a whole number of them.
        let mut p = plan(Bytes::gib(2), 1);
        p.backups.wal_archiving = Some(
            crate::WalArchiving::builder()
                .retention(Interval::days(7))
                .destination("/archive")
                .archive_timeout(Interval::millis(1500))
                .build(),
        );
        let s = derive(&p);
        assert_eq!(s.lookup("archive_timeout").unwrap().value, "2s");
        assert_all_derived_values_valid(&s);
    }

    #[test]
    fn huge_pools_do_not_overflow_the_connection_demand() {
        // Two clients with pool_size and pods.max of 4294967295 overflowed
        // the sum of their peaks (a panic in debug builds), and so did a
        // pooler's default_pool_size + reserve_pool_size.
        let mut p = plan(Bytes::gib(16), 4);
        let huge = |name: &str| {
            crate::Client::builder()
                .name(name.parse().unwrap())
                .pool_size(u32::MAX)
                .pods(crate::PodRange {
                    min: 1,
                    max: u32::MAX,
                })
                .build()
        };
        p.clients = vec![huge("api"), huge("web")];
        assert_eq!(connection_demand(&p).total(), u64::MAX);
        let s = derive(&p);
        assert_eq!(s.get(params::MAX_CONNECTIONS), Some(262_143));
        assert_all_derived_values_valid(&s);

        p.pooler = Some(
            crate::Pooler::builder()
                .instances(u32::MAX)
                .max_client_connections(u32::MAX)
                .default_pool_size(u32::MAX)
                .reserve_pool_size(u32::MAX)
                .build(),
        );
        assert_eq!(connection_demand(&p).pooler, u64::MAX);
    }
}
