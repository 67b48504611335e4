//! `pgplan import --dsn URL`: a plan file from a live server.

use std::path::Path;

use pgplan_core::{Environment, ServiceName};
use pgplan_sql::ImportOptions;

use super::doc::write_out;

/// The header of an imported plan file: where it came from and what it
/// leaves out (never the DSN, which may carry a password).
fn header(notes: &[String]) -> String {
    let mut out = String::from(
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/pgplan/pgplan/main/schema/plan.schema.json\n\
         # Imported by `pgplan import` from a live server. Review it: purposes are\n\
         # guessed from what the roles own and hold, passwords are not imported\n\
         # (name a source for each login role), and sizing is not known.\n",
    );
    if !notes.is_empty() {
        out.push_str("#\n# Not imported:\n");
        for n in notes {
            out.push_str(&format!("# - {}\n", n.replace('\n', " ")));
        }
    }
    out
}

/// Runs the command; returns the exit code.
pub fn run(dsn: &str, service: &str, environment: Environment, out: Option<&Path>) -> u8 {
    let service: ServiceName = match service.parse() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("--service: {e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let rt = match super::diff::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let opts = ImportOptions {
        service,
        environment,
        connection: pgplan_sql::ApplyOptions::default(),
    };
    let imported =
        match crate::progress::wait(&rt, "reading the server", pgplan_sql::import(dsn, &opts)) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("import failed: {e}");
                return super::EXIT_ERRORS;
            }
        };
    let yaml = match imported.plan.to_yaml() {
        Ok(y) => y,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    let report = imported
        .plan
        .report_with_options(&super::validate_options());
    for d in report.diagnostics() {
        eprintln!("{} {}: {} ({})", d.id(), d.severity, d.message, d.path);
    }
    for n in &imported.notes {
        eprintln!("not imported: {n}");
    }
    let code = write_out(out, &format!("{}{yaml}", header(&imported.notes)));
    if code == 0 && report.has_errors() {
        eprintln!("the imported plan has errors: fix them before applying it");
        return super::EXIT_ERRORS;
    }
    code
}
