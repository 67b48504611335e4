//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// pgplan: a PostgreSQL deployment plan, validated and rendered to SQL,
/// Kubernetes and Azure.
#[derive(Debug, Parser)]
#[command(name = "pgplan", version, about, long_about = None)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Readable text with the plan's lines.
    Text,
    /// JSON for tools.
    Json,
}

/// A render or apply target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// SQL scripts (roles, databases, grants, settings).
    Sql,
    /// Kubernetes manifests.
    K8s,
    /// Azure Flexible Server requests and an `az` script.
    Azure,
    /// This machine: Patroni, etcd, HAProxy and exporter configurations and
    /// a docker-compose file (a single server's postgresql.conf and
    /// pg_hba.conf), as `pgplan up` runs them.
    Ha,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a plan file: every rule, every finding. Exit 0 without errors,
    /// 1 with errors, 2 when the file cannot be read.
    Validate {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Explain a validation rule: what it checks, why, and a failing and a
    /// fixed example plan. Exit 2 for an id that is no rule.
    Explain {
        /// Rule id or name (PGP018, shared-buffers-size); a retired id says
        /// what it became.
        #[arg(required_unless_present = "list")]
        id: Option<String>,
        /// List every rule, one per line.
        #[arg(long, conflicts_with = "id")]
        list: bool,
    },
    /// Show every resolved server parameter with where its value comes from.
    Settings {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Render a plan's artifacts into a directory (refused while the plan has errors).
    Render {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// What to render.
        #[arg(long, value_enum)]
        target: Target,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Show the changes `apply` would make to a live server (SQL target; a dry run).
    Diff {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Connection string of the server
        /// (postgresql://user@host:port/db?sslmode=verify-full; Azure needs TLS).
        #[arg(long, env = "PGPLAN_DSN")]
        dsn: String,
        /// Include destructive changes (drop roles, revoke grants the plan no longer has).
        #[arg(long)]
        allow_destructive: bool,
    },
    /// Apply a plan to its target.
    Apply {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Target.
        #[arg(long, value_enum)]
        target: Target,
        /// Connection string (SQL target), e.g.
        /// postgresql://user@host:5432/postgres?sslmode=verify-full.
        #[arg(long, env = "PGPLAN_DSN")]
        dsn: Option<String>,
        /// Actually apply; without it, apply only shows what it would do.
        #[arg(long)]
        yes: bool,
        /// Allow destructive changes (SQL target).
        #[arg(long)]
        allow_destructive: bool,
        /// Server-side dry run (Kubernetes), or read the live server and print what would change, and why, sending nothing (Azure).
        #[arg(long)]
        dry_run: bool,
        /// Kubernetes context (defaults to the kubeconfig's current context).
        #[arg(long)]
        context: Option<String>,
    },
    /// Start a local plan on this machine (a single server, or a Patroni
    /// cluster with etcd, HAProxy and exporters), or converge it when it
    /// runs; then apply its roles, databases and privileges.
    Up {
        /// Plan file (YAML or JSON) with `platform: local`.
        file: PathBuf,
        /// Run directory: configurations, data, logs, secrets
        /// (default /var/lib/pgplan/<service>-<environment> for root,
        /// ~/.local/state/pgplan/… otherwise).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Unprivileged user the servers run as (as root; default `postgres`).
        #[arg(long, env = "PGPLAN_RUN_AS")]
        user: Option<String>,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
    },
    /// Show what runs of a local plan: members, roles, timelines, lag,
    /// endpoints and exporter URLs.
    Status {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Run directory (as given to `up`).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Stop everything `up` started, in order; keep the data unless --purge.
    Down {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Run directory (as given to `up`).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Also remove the data, configurations and secrets.
        #[arg(long)]
        purge: bool,
    },
}
