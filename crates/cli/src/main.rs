//! The `pgplan` command-line tool: validate a plan, show its settings, render
//! its artifacts, diff and apply it.

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
        Command::Settings { file, output } => commands::settings::run(&file, output),
        Command::Render { .. } => commands::EXIT_UNREADABLE,
        Command::Diff { .. } | Command::Apply { .. } => {
            eprintln!("diff and apply are not available in this build yet");
            commands::EXIT_UNREADABLE
        }
    };
    ExitCode::from(code)
}
