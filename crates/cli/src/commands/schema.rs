//! `pgplan schema`, `pgplan completions SHELL` and `pgplan man`: what
//! editors, shells and `man` read.

use std::path::Path;

use clap::CommandFactory as _;

use super::doc::write_out;
use crate::args::Args;

/// Runs `pgplan schema`; returns the exit code.
pub fn run(out: Option<&Path>) -> u8 {
    match serde_json::to_string_pretty(&pgplan_core::schema::plan_schema()) {
        Ok(json) => write_out(out, &(json + "\n")),
        Err(e) => {
            eprintln!("cannot write the schema: {e}");
            super::EXIT_UNREADABLE
        }
    }
}

/// Runs `pgplan completions SHELL`; returns the exit code.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Args::command();
    clap_complete::generate(shell, &mut cmd, "pgplan", &mut std::io::stdout());
    0
}

/// Runs `pgplan man`; returns the exit code.
pub fn man(out: Option<&Path>) -> u8 {
    let cmd = Args::command();
    let Some(dir) = out else {
        let mut page = Vec::new();
        if let Err(e) = clap_mangen::Man::new(cmd).render(&mut page) {
            eprintln!("cannot write the man page: {e}");
            return super::EXIT_UNREADABLE;
        }
        return write_out(None, &String::from_utf8_lossy(&page));
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return super::EXIT_UNREADABLE;
    }
    if let Err(e) = clap_mangen::generate_to(cmd, dir) {
        eprintln!("cannot write the man pages into {}: {e}", dir.display());
        return super::EXIT_UNREADABLE;
    }
    eprintln!("wrote the man pages into {}", dir.display());
    0
}
