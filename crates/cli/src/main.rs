//! The `pgplan` command-line tool: validate a plan, show its settings, render
//! its artifacts, diff and apply it, run local plans on this machine (up,
//! status, down), and write what people read about it.

mod args;
mod commands;
mod doc_args;
mod excerpt;
mod fleet;
mod help;
mod out;
mod passwords;
mod progress;
mod report;
mod write_out;

use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};
use commands::diff::Connection;

// A fleet's render or validate makes millions of small allocations across
// threads; mimalloc serves them with far less time in the allocator than the
// system's (see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() {
                commands::EXIT_UNREADABLE
            } else {
                0 // --help, --version
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    commands::set_as_of(args.as_of.unwrap_or_else(commands::today));
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
            force,
            verbose,
        } => commands::render::run(&files, target, &out, verbose, force),
        Command::Diff {
            files,
            dsn,
            allow_destructive,
            password_stdin,
            adopt,
            password_dir,
            lock_timeout,
            verbose,
            output,
        } => commands::diff::run(&commands::diff::DiffArgs {
            files: &files,
            dsn: &dsn,
            connection: Connection {
                password_stdin,
                adopt,
                allow_destructive,
                password_dir,
                lock_timeout,
                ..Connection::default()
            },
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
            password_stdin,
            adopt,
            password_dir,
            lock_timeout,
        } => commands::apply::run(&commands::apply::ApplyArgs {
            files: &files,
            target,
            dsn: dsn.as_deref(),
            yes,
            connection: Connection {
                password_stdin,
                adopt,
                allow_destructive,
                password_dir,
                lock_timeout,
                ..Connection::default()
            },
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
        Command::Documents(c) => c.run(),
    };
    ExitCode::from(code)
}
