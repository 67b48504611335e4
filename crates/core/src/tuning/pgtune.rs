//! Where pgplan's derivation differs from PGTune on purpose.
//!
//! PGTune (le0pard/pgtune, the calculator most people check a configuration
//! against) and pgplan derive the same parameters with the same formulas,
//! except where a plan knows more than PGTune's form asks for — the
//! platform, the server's build, the volume WAL lives on, the clients — or
//! where PGTune's value would stop a server from starting. Each such
//! difference is listed here with its reason and source, the derivation's
//! provenance says it for the parameter it changes, and the parity test
//! (`crates/core/tests/pgtune_parity.rs`) fails on any difference that is
//! not explained.
//!
//! ```
//! use pgplan_core::tuning::pgtune;
//! let d = pgtune::deviation("io_method").unwrap();
//! assert!(d.why.contains("io_uring"));
//! ```

/// One deliberate difference from PGTune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deviation {
    /// The parameter.
    pub parameter: &'static str,
    /// When it applies.
    pub when: &'static str,
    /// What PGTune sets.
    pub pgtune: &'static str,
    /// What pgplan sets.
    pub pgplan: &'static str,
    /// Why.
    pub why: &'static str,
    /// Where the reason is documented.
    pub source: &'static str,
}

/// Every deliberate difference, by parameter.
pub static DEVIATIONS: &[Deviation] = &[
    Deviation {
        parameter: "max_worker_processes",
        when: "4 to 7 CPUs",
        pgtune: "the CPU count",
        pgplan: "max(CPUs, 8)",
        why: "parallel workers share these slots with logical replication workers and extensions' background workers (pg_cron, timescaledb); PGTune's 4 on a 4-CPU server leaves none of them a slot while parallel queries run, PostgreSQL's default 8 does",
        source: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-MAX-WORKER-PROCESSES and https://www.postgresql.org/docs/current/logical-replication-config.html",
    },
    Deviation {
        parameter: "work_mem",
        when: "max_connections × 4MB exceeds RAM − shared_buffers",
        pgtune: "at least 4MB",
        pgplan: "the formula's value (at least 64kB)",
        why: "every connection may use work_mem for several sorts and hashes at once; a 4MB floor on a server whose connections cannot all have it is an out-of-memory kill waiting for a busy moment",
        source: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
    },
    Deviation {
        parameter: "huge_pages",
        when: "on Kubernetes; on Azure",
        pgtune: "try from 2GB of shared_buffers",
        pgplan: "off on Kubernetes; Azure's own setting",
        why: "a pod gets huge pages only by requesting hugepages-2Mi, which pgplan's pods do not; with `try` PostgreSQL can still map huge pages the node has and is killed by SIGBUS at the pod's hugetlb limit of 0. Azure allocates huge pages itself from 4 vCores and advises against turning them off",
        source: "https://kubernetes.io/docs/tasks/manage-hugepages/scheduling-hugepages/, https://github.com/docker-library/postgres/issues/451 and https://learn.microsoft.com/azure/postgresql/flexible-server/server-parameters-table-resource-usage-memory",
    },
    Deviation {
        parameter: "wal_compression",
        when: "PostgreSQL 15 and later, unless the server runs the official image; on Azure",
        pgtune: "lz4",
        pgplan: "pglz (on) where the build is not known to have lz4; Azure's own setting",
        why: "lz4 exists only in servers built --with-lz4, and a server without it refuses the value (the npm builds pgplan's tests run have none); the official postgres image is built with it. Azure documents no wal_compression values",
        source: "https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-WAL-COMPRESSION and docker-library/postgres's Dockerfiles (--with-lz4 --with-zstd)",
    },
    Deviation {
        parameter: "io_method",
        when: "PostgreSQL 18",
        pgtune: "io_uring",
        pgplan: "worker (PostgreSQL's default), with io_workers a quarter of the CPUs",
        why: "io_uring exists only in servers built --with-liburing, and container runtimes' default seccomp profiles block the io_uring system calls, so a server told to use it does not start",
        source: "https://www.postgresql.org/docs/18/runtime-config-resource.html#GUC-IO-METHOD and https://github.com/moby/moby/pull/46762",
    },
    Deviation {
        parameter: "max_connections",
        when: "the user gives PGTune no connection count",
        pgtune: "a default per workload (web 200, oltp 300, dw 40, desktop 20, mixed 100)",
        pgplan: "the clients' peak plus reserved slots and 10 % headroom, or PostgreSQL's 100",
        why: "the plan knows its clients: sizing to their peak keeps work_mem, which is divided among connections, as large as the memory allows",
        source: "PGP001 connection-budget",
    },
    Deviation {
        parameter: "max_wal_size",
        when: "a WAL volume (or data volume) smaller than 4 × PGTune's value",
        pgtune: "by workload (web 4GB, oltp 8GB, dw 16GB, desktop 2GB)",
        pgplan: "the same, at most a quarter of the volume that holds WAL",
        why: "max_wal_size is a soft limit WAL can exceed under load or when archiving falls behind; a volume that fills stops the server",
        source: "https://www.postgresql.org/docs/current/wal-configuration.html",
    },
    Deviation {
        parameter: "min_wal_size",
        when: "max_wal_size capped by the WAL volume",
        pgtune: "by workload (web 1GB, oltp 2GB, dw 4GB, desktop 100MB)",
        pgplan: "the same, at most a quarter of max_wal_size",
        why: "min_wal_size must stay below max_wal_size (PGP026)",
        source: "https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-MIN-WAL-SIZE",
    },
    Deviation {
        parameter: "wal_level",
        when: "the desktop workload with standbys or WAL archiving; on Azure",
        pgtune: "minimal (desktop)",
        pgplan: "replica",
        why: "standbys and archiving need replica, and a server with wal_level minimal refuses to start with WAL senders",
        source: "https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-WAL-LEVEL",
    },
    Deviation {
        parameter: "max_wal_senders",
        when: "the desktop workload with standbys or WAL archiving; on Azure",
        pgtune: "0 (desktop)",
        pgplan: "max(standbys + 2, 10)",
        why: "each standby and each base backup needs a WAL sender",
        source: "https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-MAX-WAL-SENDERS",
    },
    Deviation {
        parameter: "shared_buffers",
        when: "the desktop workload on Azure",
        pgtune: "1/16 of RAM",
        pgplan: "10 % of RAM",
        why: "Azure refuses shared_buffers below 10 % of the SKU's memory",
        source: "https://learn.microsoft.com/azure/postgresql/flexible-server/server-parameters-table-resource-usage-memory",
    },
    Deviation {
        parameter: "maintenance_work_mem",
        when: "on Azure, from 32 GB of memory (16 GB for a data warehouse)",
        pgtune: "RAM / 16 (dw: / 8), at most 8GB",
        pgplan: "at most 2097151kB",
        why: "Azure accepts maintenance_work_mem up to 2097151kB only",
        source: "https://learn.microsoft.com/azure/postgresql/flexible-server/server-parameters-table-resource-usage-memory",
    },
];

/// The deliberate difference for a parameter, if pgplan has one.
pub fn deviation(parameter: &str) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|d| d.parameter.eq_ignore_ascii_case(parameter))
}
