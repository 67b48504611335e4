//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::help;

/// pgplan: a PostgreSQL deployment plan, validated and rendered to SQL,
/// Kubernetes and Azure.
#[derive(Debug, Parser)]
#[command(name = "pgplan", version, about, long_about = None, after_help = help::MAIN)]
pub struct Args {
    /// Check the plans for this day (YYYY-MM-DD) instead of today: rules
    /// about dates, such as a version's end of life (PGP093), then report the
    /// same on every day. Also read from PGPLAN_AS_OF.
    #[arg(long, global = true, env = "PGPLAN_AS_OF", value_name = "YYYY-MM-DD")]
    pub as_of: Option<pgplan_core::lifecycle::CalendarDate>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
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
    /// Everything that applies to each plan's platform, one subdirectory per
    /// target (render only).
    All,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check plan files: every rule, every finding. Exit 0 without errors,
    /// 1 with errors, 2 when a file cannot be read (with --output json, an
    /// `{"error": …}` object).
    ///
    /// Several plans (or a directory of them) are checked in one process;
    /// one summary line follows.
    #[command(after_help = help::VALIDATE)]
    Validate {
        /// Plan files (YAML or JSON) or directories of them: several plans
        /// run in one process, in parallel.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// List every finding of a rule that fires many times (by default
        /// the first is shown and the rest summed up on one line).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Explain a validation rule: what it checks, why, and a failing and a
    /// fixed example plan. Exit 2 for an id that is no rule.
    #[command(after_help = help::EXPLAIN)]
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
    #[command(after_help = help::SETTINGS)]
    Settings {
        /// Plan files (YAML or JSON) or directories of them: several plans
        /// run in one process, in parallel.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Render plans' artifacts into a directory (a plan with errors is
    /// refused; the others are rendered).
    ///
    /// One plan file renders into DIR; several plans (or a directory of
    /// them) render into one subdirectory per plan, named after the file,
    /// with objects that plans share (a Kubernetes Namespace) written once.
    #[command(after_help = help::RENDER)]
    Render {
        /// Plan files (YAML or JSON) or directories of them: several plans
        /// run in one process, in parallel.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        /// What to render (`all`: what applies to each plan's platform).
        #[arg(long, value_enum)]
        target: Target,
        /// Output directory (created if missing). Files are written
        /// atomically; symbolic links are never followed; files pgplan did
        /// not write are not overwritten (see --force); files of an earlier
        /// render that this one does not produce are removed.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite files in the output directory that pgplan did not
        /// write (or that changed since); a symbolic link is replaced, not
        /// followed.
        #[arg(long)]
        force: bool,
        /// List every finding of a rule that fires many times.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Show the changes `apply` would make to a live server (SQL target; a dry run).
    #[command(after_help = help::DIFF)]
    Diff {
        /// Plan files (YAML or JSON) or directories of them: several plans
        /// run in one process, in parallel.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        /// Connection string of the server
        /// (postgresql://user@host:port/db?sslmode=verify-full; Azure needs TLS).
        #[arg(long, env = "PGPLAN_DSN")]
        dsn: String,
        /// Include destructive changes (drop roles, revoke grants the plan no longer has).
        #[arg(long)]
        allow_destructive: bool,
        /// Print the statements each change runs, and every finding.
        #[arg(long, short)]
        verbose: bool,
        /// Output format: `json` prints the changes with their statements.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Read the connection password from the first line of standard
        /// input (instead of PGPASSWORD, PGPASSFILE or the DSN).
        #[arg(long)]
        password_stdin: bool,
        /// Manage roles, databases and schemas that exist on the server
        /// without pgplan's marker (created by hand or by another tool):
        /// without it they are conflicts, shown and left alone.
        #[arg(long)]
        adopt: bool,
        /// Directory for generated passwords (`password: { generated: {} }`):
        /// each is created once, in a file readable only by you (0600), and
        /// read from there on later applies. Never printed.
        #[arg(long, value_name = "DIR")]
        password_dir: Option<PathBuf>,
        /// How long to wait for another apply to the same server to finish
        /// (seconds).
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        lock_timeout: u64,
    },
    /// Apply a plan to its target.
    #[command(after_help = help::APPLY)]
    Apply {
        /// Plan files (YAML or JSON) or directories of them: several plans
        /// run in one process, in parallel.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
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
        /// Print the statements run (SQL target), and every finding.
        #[arg(long, short)]
        verbose: bool,
        /// Output format (SQL target): `json` prints what was run.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Read the connection password from the first line of standard
        /// input (instead of PGPASSWORD, PGPASSFILE or the DSN).
        #[arg(long)]
        password_stdin: bool,
        /// Manage roles, databases and schemas that exist on the server
        /// without pgplan's marker (created by hand or by another tool):
        /// without it they are conflicts, shown and left alone.
        #[arg(long)]
        adopt: bool,
        /// Directory for generated passwords (`password: { generated: {} }`):
        /// each is created once, in a file readable only by you (0600), and
        /// read from there on later applies. Never printed.
        #[arg(long, value_name = "DIR")]
        password_dir: Option<PathBuf>,
        /// How long to wait for another apply to the same server to finish
        /// (seconds).
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        lock_timeout: u64,
    },
    /// Start a local plan on this machine (a single server, or a Patroni
    /// cluster with etcd, HAProxy and exporters), or converge it when it
    /// runs; then apply its roles, databases and privileges.
    #[command(after_help = help::UP)]
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
    #[command(after_help = help::STATUS)]
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
    #[command(after_help = help::DOWN)]
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
    /// Documents, diagrams, comparisons, cost, import and editor support.
    #[command(flatten)]
    Documents(crate::doc_args::DocumentCommand),
}
