//! The `pgplan` command-line tool: validate a plan, show its settings, render
//! its artifacts, diff and apply it, and run local plans on this machine
//! (up, status, down).

mod args;
mod commands;
mod report;

use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};

fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Validate { file, output } => commands::validate::run(&file, output),
        Command::Explain { id: Some(id), .. } => commands::explain::run(&id),
        Command::Explain { id: None, .. } => commands::explain::list(),
        Command::Settings { file, output } => commands::settings::run(&file, output),
        Command::Render { file, target, out } => commands::render::run(&file, target, &out),
        Command::Diff {
            file,
            dsn,
            allow_destructive,
        } => commands::diff::run(&file, &dsn, allow_destructive),
        Command::Apply {
            file,
            target,
            dsn,
            yes,
            allow_destructive,
            dry_run,
            context,
        } => commands::apply::run(&commands::apply::ApplyArgs {
            file: &file,
            target,
            dsn: dsn.as_deref(),
            yes,
            allow_destructive,
            dry_run,
            context: context.as_deref(),
        }),
        Command::Up {
            file,
            dir,
            user,
            quiet,
        } => commands::up::run(&file, dir, user, quiet),
        Command::Status { file, dir, output } => commands::up::status(&file, dir, output),
        Command::Down { file, dir, purge } => commands::up::down(&file, dir, purge),
    };
    ExitCode::from(code)
}
