//! Typed keys for the parameters pgplan reasons about.
//!
//! Code reads a setting through a key such as [`MAX_CONNECTIONS`], never
//! through a string: a misspelt key does not compile, and the key says what
//! type the value has (`Bytes` for memory, `Interval` for time, a count, a
//! flag, text). A test checks every key against every major version's
//! catalog.
//!
//! ```
//! use pgplan_core::{Plan, params};
//! let plan = Plan::from_yaml("
//! service: orders
//! environment: dev
//! version: 17
//! platform: { local: {} }
//! sizing: { memory: { request: 4Gi } }
//! ").unwrap();
//! let settings = plan.settings();
//! assert_eq!(settings.get(params::SHARED_BUFFERS), Some(pgplan_core::Bytes::gib(1)));
//! assert_eq!(settings.get(params::FSYNC), Some(true));
//! ```

use std::marker::PhantomData;

use crate::catalog::{ParamSpec, TypedValue, parse_bool};
use crate::model::units::{Bytes, Interval};

/// A parameter whose value reads as a `T`.
#[derive(Debug)]
pub struct Param<T> {
    name: &'static str,
    since: u16,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for Param<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Param<T> {}

impl<T> Param<T> {
    const fn new(name: &'static str) -> Self {
        Param {
            name,
            since: 14,
            _value: PhantomData,
        }
    }
    const fn since(name: &'static str, since: u16) -> Self {
        Param {
            name,
            since,
            _value: PhantomData,
        }
    }
    /// The parameter's name as the server spells it (lowercase).
    pub const fn name(self) -> &'static str {
        self.name
    }
    /// The first major version that has the parameter.
    pub const fn since_major(self) -> u16 {
        self.since
    }
}

/// A Rust type a parameter's value reads as.
pub trait ParamType: Sized {
    /// Reads a value as the server would for this parameter, `None` when it
    /// is not a valid value of the parameter.
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self>;
}

impl ParamType for Bytes {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        spec.value_bytes(raw)
    }
}

impl ParamType for Interval {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        spec.value_duration(raw)
    }
}

/// A memory or time parameter that may be `-1` ("use another parameter's
/// value", "off"): `None` inside means -1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrUnset<T> {
    /// A value.
    Value(T),
    /// `-1`.
    Unset,
}

impl<T: ParamType> ParamType for OrUnset<T> {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Number(n) if n < 0.0 => Some(OrUnset::Unset),
            _ => T::read(spec, raw).map(OrUnset::Value),
        }
    }
}

impl ParamType for u32 {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Number(n) if n >= 0.0 && n <= f64::from(u32::MAX) => Some(n as u32),
            _ => None,
        }
    }
}

impl ParamType for i64 {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Number(n) => Some(n as i64),
            _ => None,
        }
    }
}

impl ParamType for f64 {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Number(n) => Some(n),
            _ => None,
        }
    }
}

impl ParamType for bool {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Bool(b) => Some(b),
            _ => parse_bool(raw),
        }
    }
}

/// Text and enum values (enums lowercase).
impl ParamType for String {
    fn read(spec: &ParamSpec, raw: &str) -> Option<Self> {
        match spec.parse_value(raw).ok()? {
            TypedValue::Text(t) => Some(t),
            _ => None,
        }
    }
}

macro_rules! params {
    ($($(#[$doc:meta])* $konst:ident: $ty:ty = $name:literal $(since $since:literal)?;)*) => {
        $(
            $(#[$doc])*
            pub const $konst: Param<$ty> = params!(@new $name $($since)?);
        )*
        /// Every key, for the catalog test: name and first major version.
        pub const ALL: &[(&str, u16)] = &[$(($name, $konst.since_major())),*];
    };
    (@new $name:literal) => { Param::new($name) };
    (@new $name:literal $since:literal) => { Param::since($name, $since) };
}

params! {
    /// `archive_command`.
    ARCHIVE_COMMAND: String = "archive_command";
    /// `archive_library` (PostgreSQL 15 and later).
    ARCHIVE_LIBRARY: String = "archive_library" since 15;
    /// `archive_mode` (`on`, `off`, `always`).
    ARCHIVE_MODE: String = "archive_mode";
    /// `archive_timeout`.
    ARCHIVE_TIMEOUT: Interval = "archive_timeout";
    /// `autovacuum`.
    AUTOVACUUM: bool = "autovacuum";
    /// `autovacuum_max_workers`.
    AUTOVACUUM_MAX_WORKERS: u32 = "autovacuum_max_workers";
    /// `autovacuum_work_mem` (-1: maintenance_work_mem).
    AUTOVACUUM_WORK_MEM: OrUnset<Bytes> = "autovacuum_work_mem";
    /// `checkpoint_completion_target`.
    CHECKPOINT_COMPLETION_TARGET: f64 = "checkpoint_completion_target";
    /// `checkpoint_timeout`.
    CHECKPOINT_TIMEOUT: Interval = "checkpoint_timeout";
    /// `config_file`.
    CONFIG_FILE: String = "config_file";
    /// `data_directory`.
    DATA_DIRECTORY: String = "data_directory";
    /// `default_statistics_target`.
    DEFAULT_STATISTICS_TARGET: u32 = "default_statistics_target";
    /// `effective_cache_size`.
    EFFECTIVE_CACHE_SIZE: Bytes = "effective_cache_size";
    /// `effective_io_concurrency`.
    EFFECTIVE_IO_CONCURRENCY: u32 = "effective_io_concurrency";
    /// `external_pid_file`.
    EXTERNAL_PID_FILE: String = "external_pid_file";
    /// `fsync`.
    FSYNC: bool = "fsync";
    /// `full_page_writes`.
    FULL_PAGE_WRITES: bool = "full_page_writes";
    /// `hba_file`.
    HBA_FILE: String = "hba_file";
    /// `hot_standby`.
    HOT_STANDBY: bool = "hot_standby";
    /// `huge_pages` (`try`, `on`, `off`).
    HUGE_PAGES: String = "huge_pages";
    /// `idle_in_transaction_session_timeout` (0: off).
    IDLE_IN_TRANSACTION_SESSION_TIMEOUT: Interval = "idle_in_transaction_session_timeout";
    /// `idle_session_timeout` (0: off).
    IDLE_SESSION_TIMEOUT: Interval = "idle_session_timeout";
    /// `ident_file`.
    IDENT_FILE: String = "ident_file";
    /// `io_method` (`sync`, `worker`, `io_uring`; PostgreSQL 18 and later).
    IO_METHOD: String = "io_method" since 18;
    /// `io_workers` (PostgreSQL 18 and later).
    IO_WORKERS: u32 = "io_workers" since 18;
    /// `jit`.
    JIT: bool = "jit";
    /// `listen_addresses`.
    LISTEN_ADDRESSES: String = "listen_addresses";
    /// `log_min_duration_statement` (-1: off).
    LOG_MIN_DURATION_STATEMENT: OrUnset<Interval> = "log_min_duration_statement";
    /// `log_statement` (`none`, `ddl`, `mod`, `all`).
    LOG_STATEMENT: String = "log_statement";
    /// `maintenance_work_mem`.
    MAINTENANCE_WORK_MEM: Bytes = "maintenance_work_mem";
    /// `max_connections`.
    MAX_CONNECTIONS: u32 = "max_connections";
    /// `max_locks_per_transaction`.
    MAX_LOCKS_PER_TRANSACTION: u32 = "max_locks_per_transaction";
    /// `max_parallel_maintenance_workers`.
    MAX_PARALLEL_MAINTENANCE_WORKERS: u32 = "max_parallel_maintenance_workers";
    /// `max_parallel_workers`.
    MAX_PARALLEL_WORKERS: u32 = "max_parallel_workers";
    /// `max_parallel_workers_per_gather`.
    MAX_PARALLEL_WORKERS_PER_GATHER: u32 = "max_parallel_workers_per_gather";
    /// `max_prepared_transactions`.
    MAX_PREPARED_TRANSACTIONS: u32 = "max_prepared_transactions";
    /// `max_replication_slots`.
    MAX_REPLICATION_SLOTS: u32 = "max_replication_slots";
    /// `max_slot_wal_keep_size` (-1: unlimited).
    MAX_SLOT_WAL_KEEP_SIZE: OrUnset<Bytes> = "max_slot_wal_keep_size";
    /// `max_wal_senders`.
    MAX_WAL_SENDERS: u32 = "max_wal_senders";
    /// `max_wal_size`.
    MAX_WAL_SIZE: Bytes = "max_wal_size";
    /// `max_worker_processes`.
    MAX_WORKER_PROCESSES: u32 = "max_worker_processes";
    /// `min_wal_size`.
    MIN_WAL_SIZE: Bytes = "min_wal_size";
    /// `password_encryption`.
    PASSWORD_ENCRYPTION: String = "password_encryption";
    /// `pg_stat_statements.track` (`none`, `top`, `all`); present when the
    /// module is preloaded.
    PG_STAT_STATEMENTS_TRACK: String = "pg_stat_statements.track";
    /// `port`.
    PORT: u32 = "port";
    /// `random_page_cost`.
    RANDOM_PAGE_COST: f64 = "random_page_cost";
    /// `reserved_connections` (PostgreSQL 16 and later).
    RESERVED_CONNECTIONS: u32 = "reserved_connections" since 16;
    /// `shared_buffers`.
    SHARED_BUFFERS: Bytes = "shared_buffers";
    /// `shared_preload_libraries`.
    SHARED_PRELOAD_LIBRARIES: String = "shared_preload_libraries";
    /// `ssl`.
    SSL: bool = "ssl";
    /// `ssl_cert_file`.
    SSL_CERT_FILE: String = "ssl_cert_file";
    /// `ssl_key_file`.
    SSL_KEY_FILE: String = "ssl_key_file";
    /// `ssl_min_protocol_version` (`TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`).
    SSL_MIN_PROTOCOL_VERSION: String = "ssl_min_protocol_version";
    /// `superuser_reserved_connections`.
    SUPERUSER_RESERVED_CONNECTIONS: u32 = "superuser_reserved_connections";
    /// `synchronous_commit` (`on`, `off`, `local`, `remote_write`, `remote_apply`).
    SYNCHRONOUS_COMMIT: String = "synchronous_commit";
    /// `synchronous_standby_names`.
    SYNCHRONOUS_STANDBY_NAMES: String = "synchronous_standby_names";
    /// `TimeZone`.
    TIMEZONE: String = "timezone";
    /// `track_counts`.
    TRACK_COUNTS: bool = "track_counts";
    /// `wal_buffers` (-1: 1/32 of shared_buffers).
    WAL_BUFFERS: OrUnset<Bytes> = "wal_buffers";
    /// `wal_compression` (a boolean in 14; `off`, `on`, `pglz`, `lz4`, `zstd` from 15).
    WAL_COMPRESSION: String = "wal_compression";
    /// `wal_keep_size`.
    WAL_KEEP_SIZE: Bytes = "wal_keep_size";
    /// `wal_level` (`minimal`, `replica`, `logical`).
    WAL_LEVEL: String = "wal_level";
    /// `wal_log_hints`.
    WAL_LOG_HINTS: bool = "wal_log_hints";
    /// `wal_writer_delay`.
    WAL_WRITER_DELAY: Interval = "wal_writer_delay";
    /// `work_mem`.
    WORK_MEM: Bytes = "work_mem";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn every_key_exists_in_every_catalog_that_should_have_it() {
        for major in 14..=18 {
            let catalog = Catalog::for_major(major).unwrap();
            for (name, since) in ALL {
                assert_eq!(
                    catalog.get(name).is_some(),
                    major >= *since,
                    "{name} in PostgreSQL {major}"
                );
            }
        }
    }

    #[test]
    fn defaults_read_as_their_type() {
        fn check<T: ParamType>(p: Param<T>) {
            for major in p.since_major().max(14)..=18 {
                let catalog = Catalog::for_major(major).unwrap();
                let spec = catalog.get(p.name()).unwrap();
                assert!(
                    T::read(spec, spec.boot_val).is_some(),
                    "{} = {:?} in PostgreSQL {major}",
                    p.name(),
                    spec.boot_val
                );
            }
        }
        check(MAX_CONNECTIONS);
        check(SHARED_BUFFERS);
        check(WAL_BUFFERS);
        check(AUTOVACUUM_WORK_MEM);
        check(LOG_MIN_DURATION_STATEMENT);
        check(FSYNC);
        check(WAL_LEVEL);
        check(RANDOM_PAGE_COST);
        check(ARCHIVE_TIMEOUT);
        check(RESERVED_CONNECTIONS);
        check(TIMEZONE);
    }
}
