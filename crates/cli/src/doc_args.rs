//! Arguments of the commands that write what people and editors read:
//! documents, diagrams, comparisons, cost estimates, imported plans, the
//! plan file's schema, shell completions and the man page.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use pgplan_core::Environment;

use crate::commands;
use crate::help;

/// The language of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
}

impl From<Lang> for pgplan_doc::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::En => pgplan_doc::Lang::En,
            Lang::Ko => pgplan_doc::Lang::Ko,
        }
    }
}

/// How a comparison or an estimate is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    Text,
    /// Markdown (GitHub Flavored tables).
    Markdown,
    /// JSON for tools.
    Json,
}

/// The environment of an imported plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Env {
    /// Development.
    Development,
    /// Staging.
    Staging,
    /// Production.
    Production,
}

impl From<Env> for Environment {
    fn from(e: Env) -> Self {
        match e {
            Env::Development => Environment::Development,
            Env::Staging => Environment::Staging,
            Env::Production => Environment::Production,
        }
    }
}

/// The commands that write documents and editor support.
#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Write the plan as a Markdown installation plan: objectives, platform,
    /// resources, every parameter and why, network and security, roles and
    /// privileges, connection budget, backup and restore, monitoring,
    /// installation and verification steps, operations, cost, validation.
    #[command(after_help = help::DOC)]
    Doc {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Language of the document.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Price table for the cost section (the repository's when not given).
        #[arg(long)]
        prices: Option<PathBuf>,
        /// Leave the Mermaid diagram out.
        #[arg(long)]
        no_diagram: bool,
    },
    /// Write the plan's topology as a Mermaid flowchart (clients, pooler,
    /// endpoints, primary, standbys and replicas, etcd, HAProxy, exporters,
    /// backups).
    #[command(after_help = help::DIAGRAM)]
    Diagram {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Language of the labels.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare two plans of one service (development and production): side by
    /// side, the settings that differ, parity findings and a promotion checklist.
    #[command(after_help = help::COMPARE)]
    Compare {
        /// The first plan (usually development).
        left: PathBuf,
        /// The second plan (usually production).
        right: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        output: Format,
        /// Language of the labels.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Price table for the cost rows (the repository's when not given).
        #[arg(long)]
        prices: Option<PathBuf>,
    },
    /// Estimate the plan's monthly cost from a dated price table.
    #[command(after_help = help::COST)]
    Cost {
        /// Plan file (YAML or JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        output: Format,
        /// Language of the labels.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Price table (the repository's when not given); see
        /// crates/doc/prices/koreacentral.yaml for its shape.
        #[arg(long)]
        prices: Option<PathBuf>,
    },
    /// Write a plan file from a live server: version, settings that differ
    /// from the defaults, databases, schemas, extensions, roles, memberships,
    /// grants and default privileges.
    #[command(after_help = help::IMPORT)]
    Import {
        /// Connection string of the server (a superuser, or a role that reads
        /// every database).
        #[arg(long, env = "PGPLAN_DSN")]
        dsn: String,
        /// The plan's service name.
        #[arg(long, default_value = "imported")]
        service: String,
        /// The plan's environment.
        #[arg(long, value_enum, default_value_t = Env::Development)]
        environment: Env,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the plan file's JSON Schema, for editors (yaml-language-server,
    /// VS Code) to complete and check plan files.
    #[command(after_help = help::SCHEMA)]
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (pgplan.1 and one per command).
    #[command(after_help = help::MAN)]
    Man {
        /// Write every page into this directory; without it, print pgplan.1.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl DocumentCommand {
    /// Runs the command; returns the exit code.
    pub fn run(self) -> u8 {
        match self {
            DocumentCommand::Doc {
                file,
                lang,
                out,
                prices,
                no_diagram,
            } => commands::doc::run(&commands::doc::DocArgs {
                file: &file,
                lang: lang.into(),
                out: out.as_deref(),
                prices: prices.as_deref(),
                diagram: !no_diagram,
            }),
            DocumentCommand::Diagram { file, lang, out } => {
                commands::doc::run_diagram(&file, lang.into(), out.as_deref())
            }
            DocumentCommand::Compare {
                left,
                right,
                output,
                lang,
                prices,
            } => commands::compare::run(&left, &right, output, lang.into(), prices.as_deref()),
            DocumentCommand::Cost {
                file,
                output,
                lang,
                prices,
            } => commands::cost::run(&file, output, lang.into(), prices.as_deref()),
            DocumentCommand::Import {
                dsn,
                service,
                environment,
                out,
            } => commands::import::run(&dsn, &service, environment.into(), out.as_deref()),
            DocumentCommand::Schema { out } => commands::schema::run(out.as_deref()),
            DocumentCommand::Completions { shell } => commands::schema::completions(shell),
            DocumentCommand::Man { out } => commands::schema::man(out.as_deref()),
        }
    }
}
