//! The values PostgreSQL's documentation lists for each enum parameter are
//! accepted by pgplan's catalog of every version that has the parameter.
//!
//! The catalogs are `pg_settings` dumps of real servers, and `enumvals` shows
//! only what one build was configured with (the npm builds have no lz4, zstd
//! or io_uring) and leaves out the spellings PostgreSQL hides. A plan that
//! writes a documented value must not be rejected for it.
//!
//! Source: the "Server Configuration" chapter of each version's manual,
//! <https://www.postgresql.org/docs/NN/runtime-config.html>. Values that only
//! exist on Windows or macOS (`windows` shared memory, `fsync_writethrough`)
//! are left out: pgplan's servers run on Linux.

use pgplan_core::Catalog;

/// (parameter, first version, last version, documented values).
const DOCUMENTED: &[(&str, u16, u16, &[&str])] = &[
    // runtime-config-wal.html
    ("wal_compression", 14, 14, &["on", "off"]),
    (
        "wal_compression",
        15,
        18,
        &["pglz", "lz4", "zstd", "on", "off"],
    ),
    ("wal_level", 14, 18, &["minimal", "replica", "logical"]),
    (
        "synchronous_commit",
        14,
        18,
        &["remote_apply", "on", "remote_write", "local", "off"],
    ),
    (
        "wal_sync_method",
        14,
        18,
        &["open_datasync", "fdatasync", "fsync", "open_sync"],
    ),
    ("archive_mode", 14, 18, &["on", "off", "always"]),
    ("recovery_prefetch", 15, 18, &["off", "on", "try"]),
    (
        "recovery_target_action",
        14,
        18,
        &["pause", "promote", "shutdown"],
    ),
    // runtime-config-client.html
    ("default_toast_compression", 14, 18, &["pglz", "lz4"]),
    (
        "client_min_messages",
        14,
        18,
        &[
            "DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "LOG", "NOTICE", "WARNING", "ERROR",
        ],
    ),
    ("bytea_output", 14, 18, &["hex", "escape"]),
    ("xmlbinary", 14, 18, &["base64", "hex"]),
    ("xmloption", 14, 18, &["DOCUMENT", "CONTENT"]),
    (
        "IntervalStyle",
        14,
        18,
        &["sql_standard", "postgres", "postgres_verbose", "iso_8601"],
    ),
    (
        "default_transaction_isolation",
        14,
        18,
        &[
            "read uncommitted",
            "read committed",
            "repeatable read",
            "serializable",
        ],
    ),
    (
        "session_replication_role",
        14,
        18,
        &["origin", "replica", "local"],
    ),
    (
        "icu_validation_level",
        16,
        18,
        &[
            "DISABLED", "DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "LOG", "NOTICE",
            "WARNING", "ERROR",
        ],
    ),
    // runtime-config-resource.html
    ("huge_pages", 14, 18, &["try", "on", "off"]),
    ("shared_memory_type", 14, 18, &["mmap", "sysv"]),
    (
        "dynamic_shared_memory_type",
        14,
        18,
        &["posix", "sysv", "mmap"],
    ),
    ("io_method", 18, 18, &["sync", "worker", "io_uring"]),
    ("file_copy_method", 18, 18, &["copy", "clone"]),
    // runtime-config-error-handling.html
    ("recovery_init_sync_method", 14, 18, &["fsync", "syncfs"]),
    // runtime-config-logging.html
    (
        "log_min_messages",
        14,
        18,
        &[
            "DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "INFO", "NOTICE", "WARNING", "ERROR",
            "LOG", "FATAL", "PANIC",
        ],
    ),
    (
        "log_min_error_statement",
        14,
        18,
        &[
            "DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "INFO", "NOTICE", "WARNING", "ERROR",
            "LOG", "FATAL", "PANIC",
        ],
    ),
    (
        "log_error_verbosity",
        14,
        18,
        &["TERSE", "DEFAULT", "VERBOSE"],
    ),
    ("log_statement", 14, 18, &["none", "ddl", "mod", "all"]),
    (
        "syslog_facility",
        14,
        18,
        &[
            "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7",
        ],
    ),
    // runtime-config-statistics.html
    ("compute_query_id", 14, 14, &["off", "on", "auto"]),
    (
        "compute_query_id",
        15,
        18,
        &["off", "on", "auto", "regress"],
    ),
    ("track_functions", 14, 18, &["none", "pl", "all"]),
    (
        "stats_fetch_consistency",
        15,
        18,
        &["none", "cache", "snapshot"],
    ),
    // runtime-config-connection.html
    ("password_encryption", 14, 18, &["scram-sha-256", "md5"]),
    (
        "ssl_min_protocol_version",
        14,
        18,
        &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
    ),
    (
        "ssl_max_protocol_version",
        14,
        18,
        &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", ""],
    ),
    // runtime-config-query.html
    ("constraint_exclusion", 14, 18, &["on", "off", "partition"]),
    (
        "plan_cache_mode",
        14,
        18,
        &["auto", "force_custom_plan", "force_generic_plan"],
    ),
    // runtime-config-compatible.html
    ("backslash_quote", 14, 18, &["on", "off", "safe_encoding"]),
    // runtime-config-developer.html
    ("force_parallel_mode", 14, 15, &["off", "on", "regress"]),
    ("debug_parallel_query", 16, 18, &["off", "on", "regress"]),
    // pgstatstatements.html
    ("pg_stat_statements.track", 14, 18, &["top", "all", "none"]),
];

#[test]
fn documented_enum_values_are_accepted_by_every_version_that_has_the_parameter() {
    let mut checked = 0;
    for (name, first, last, values) in DOCUMENTED {
        for major in *first..=*last {
            let catalog = Catalog::for_major(major).unwrap();
            let spec = catalog
                .get(name)
                .unwrap_or_else(|| panic!("PostgreSQL {major} documents {name}"));
            for value in *values {
                assert!(
                    spec.parse_value(value).is_ok(),
                    "PostgreSQL {major} documents {name} = '{value}', the catalog rejects it: {:?}",
                    spec.parse_value(value)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn every_enum_of_every_catalog_is_documented_here() {
    // A new enum parameter in a regenerated catalog gets its documented
    // values added above.
    let documented: std::collections::BTreeSet<(String, u16)> = DOCUMENTED
        .iter()
        .flat_map(|(name, first, last, _)| {
            (*first..=*last).map(move |m| (name.to_ascii_lowercase(), m))
        })
        .collect();
    let internal = [
        "huge_pages_status",
        "trace_recovery_messages",
        "debug_logical_replication_streaming",
        "file_extend_method",
        "transaction_isolation",
    ];
    for major in 14..=18 {
        for (name, spec) in Catalog::for_major(major).unwrap().iter() {
            if spec.vartype != pgplan_core::catalog::VarType::Enum || internal.contains(&name) {
                continue;
            }
            assert!(
                documented.contains(&(name.to_owned(), major)),
                "{name} (PostgreSQL {major}) has no documented values in this test"
            );
        }
    }
}
