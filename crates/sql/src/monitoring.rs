//! The monitoring queries a plan's operations document needs, written for
//! the plan's major version.
//!
//! Differences that matter between the supported majors (14–18):
//! - `pg_stat_statements` has `total_exec_time`/`mean_exec_time` since 13
//!   (`total_time` before; hand-written plans still use it), and its block
//!   I/O timing columns are `shared_blk_read_time`/`shared_blk_write_time`
//!   from 17 on (`blk_read_time`/`blk_write_time` before);
//! - checkpoint counters moved from `pg_stat_bgwriter` to
//!   `pg_stat_checkpointer` in 17.

use std::fmt::Write as _;

use pgplan_core::ValidPlan;

/// One named query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringQuery {
    /// Short name (`slow_statements`).
    pub name: &'static str,
    /// What it shows and what to do about it.
    pub description: String,
    /// The SQL, without a trailing semicolon.
    pub sql: String,
}

/// The queries for `plan`, in document order.
pub fn queries(plan: &ValidPlan) -> Vec<MonitoringQuery> {
    let major = plan.version.get();
    let slow_ms = plan
        .monitoring
        .thresholds
        .slow_query
        .map(|t| t.above.as_millis())
        .unwrap_or(1000);
    let (read_time, write_time) = if major >= 17 {
        ("shared_blk_read_time", "shared_blk_write_time")
    } else {
        ("blk_read_time", "blk_write_time")
    };
    let mut out = vec![
        MonitoringQuery {
            name: "slow_statements",
            description: format!(
                "Statements slower than {slow_ms} ms on average (the plan's slow-query threshold); needs the pg_stat_statements extension."
            ),
            sql: format!(
                "SELECT queryid, calls,\n       round(total_exec_time::numeric, 1) AS total_ms,\n       round(mean_exec_time::numeric, 1) AS mean_ms,\n       round(({read_time} + {write_time})::numeric, 1) AS io_ms,\n       rows, left(query, 200) AS query\nFROM pg_stat_statements\nWHERE mean_exec_time > {slow_ms}\nORDER BY total_exec_time DESC\nLIMIT 20"
            ),
        },
        MonitoringQuery {
            name: "cache_hit_ratio",
            description: "Share of block reads served from shared buffers, per database (NULL until a database has read anything).".into(),
            sql: "SELECT datname,\n       round(100.0 * blks_hit / NULLIF(blks_hit + blks_read, 0), 2) AS cache_hit_pct\nFROM pg_stat_database\nWHERE datname IS NOT NULL\nORDER BY datname".into(),
        },
        MonitoringQuery {
            name: "unused_indexes",
            description: "Indexes never scanned since statistics were reset (primary keys and unique indexes excluded: they enforce constraints).".into(),
            sql: "SELECT s.schemaname, s.relname, s.indexrelname,\n       pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size\nFROM pg_stat_user_indexes AS s\nJOIN pg_index AS i ON i.indexrelid = s.indexrelid\nWHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary\nORDER BY pg_relation_size(s.indexrelid) DESC".into(),
        },
        MonitoringQuery {
            name: "connections",
            description: "Connections by state against max_connections.".into(),
            sql: "SELECT state, count(*) AS connections,\n       current_setting('max_connections')::int AS max_connections\nFROM pg_stat_activity\nWHERE backend_type = 'client backend'\nGROUP BY state\nORDER BY connections DESC".into(),
        },
        MonitoringQuery {
            name: "checkpoints",
            description: "Timed versus requested checkpoints; many requested ones mean max_wal_size is too small.".into(),
            sql: if major >= 17 {
                "SELECT num_timed AS timed, num_requested AS requested\nFROM pg_stat_checkpointer".into()
            } else {
                "SELECT checkpoints_timed AS timed, checkpoints_req AS requested\nFROM pg_stat_bgwriter".into()
            },
        },
    ];
    if plan.topology.replicates() || !plan.topology.replicas.is_empty() {
        out.push(MonitoringQuery {
            name: "replication_lag",
            description: "Replication lag per standby, as seen from the primary.".into(),
            sql: "SELECT application_name, client_addr, state,\n       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes,\n       replay_lag\nFROM pg_stat_replication\nORDER BY application_name".into(),
        });
    }
    out
}

/// `monitoring.sql`: every query with its description.
pub fn script(plan: &ValidPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgplan: monitoring queries for {} ({}), PostgreSQL {}.",
        plan.service, plan.environment, plan.version
    );
    out.push_str("--\n-- Run it with: psql --no-psqlrc --file=monitoring.sql\n");
    out.push_str(
        "-- in a database where CREATE EXTENSION pg_stat_statements has run (the server\n",
    );
    out.push_str("-- must preload pg_stat_statements: shared_preload_libraries).\n");
    out.push_str("\\set ON_ERROR_STOP on\n");
    for q in queries(plan) {
        let _ = writeln!(out, "\n-- {}: {}", q.name, q.description);
        let _ = writeln!(out, "{};", q.sql);
    }
    out
}
