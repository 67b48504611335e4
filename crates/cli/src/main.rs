//! The `pgplan` command-line tool: validate a plan, show its settings, render
//! its artifacts, diff and apply it, and run local plans on this machine
//! (up, status, down).

mod args;
mod commands;
mod excerpt;
mod fleet;
mod report;

use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};

fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Validate {
            files,
            output,
            verbose,
        } => commands::validate::run(&files, output, verbose),
        Command::Explain { id: Some(id), .. } => commands::explain::run(&id),
        Command::Explain { id: None, .. } => commands::explain::list(),
        Command::Settings { files, output } => commands::settings::run(&files, output),
        Command::Render {
            files,
            target,
            out,
            verbose,
        } => commands::render::run(&files, target, &out, verbose),
        Command::Diff {
            files,
            dsn,
            allow_destructive,
            verbose,
            output,
        } => commands::diff::run(&commands::diff::DiffArgs {
            files: &files,
            dsn: &dsn,
            allow_destructive,
            verbose,
            output,
        }),
        Command::Apply {
            files,
            target,
            dsn,
            yes,
            allow_destructive,
            dry_run,
            context,
            verbose,
            output,
        } => commands::apply::run(&commands::apply::ApplyArgs {
            files: &files,
            target,
            dsn: dsn.as_deref(),
            yes,
            allow_destructive,
            dry_run,
            context: context.as_deref(),
            verbose,
            output,
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
