//! PGP095 preload-library: every library in `shared_preload_libraries` and
//! `session_preload_libraries` is one the plan's version ships or a
//! well-known extension ([`crate::catalog::values`]); on Azure,
//! shared_preload_libraries is PGP168's.

use super::plan_parameters;
#[cfg(test)]
use crate::catalog::values::LibrarySource;
use crate::catalog::values::{library, suggest_library};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP095.
pub struct PreloadLibrary;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP095",
    name: "preload-library",
    summary: "shared_preload_libraries and session_preload_libraries list libraries that exist: PostgreSQL's own for the plan's version, or a well-known extension's",
    rationale: "PostgreSQL loads every library of shared_preload_libraries at start and refuses to start when one is missing (FATAL: could not access file \"pg_stat_statement\": No such file or directory); a missing session_preload_libraries entry fails every new connection instead. PostgreSQL's own libraries come from the servers of every supported version (catalog/libraries.tsv): adminpack and old_snapshot were removed in 17, basic_archive arrived in 15, pg_overexplain in 18. A name close to a known one is almost always a typo and is an error; any other name may be a library the image installs and is a warning. On Azure, shared_preload_libraries takes only the platform's allowed values (PGP168).",
    examples: crate::rule_examples!("PGP095-preload-library"),
    replaces: &[],
};

/// Parameters whose value is a list of libraries to load.
const LIBRARY_PARAMETERS: [&str; 2] = ["shared_preload_libraries", "session_preload_libraries"];

impl Rule for PreloadLibrary {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let major = cx.plan.version.get();
        let on_azure = cx.plan.platform.azure().is_some();
        for (path, name, value) in plan_parameters(cx) {
            let lower = name.as_str().to_ascii_lowercase();
            if !LIBRARY_PARAMETERS.contains(&lower.as_str())
                || (on_azure && lower == "shared_preload_libraries")
            {
                continue;
            }
            for entry in value.as_str().split(',') {
                let entry = entry.trim().trim_matches('"');
                let file = entry.strip_prefix("$libdir/").unwrap_or(entry);
                let file = file.strip_suffix(".so").unwrap_or(file);
                // An absolute or relative path names a file of its own.
                if file.is_empty() || file.contains('/') {
                    continue;
                }
                match library(file) {
                    Some(l) if l.is_in(major) => {}
                    Some(l) => {
                        let when = match (l.since(), l.until()) {
                            (Some(since), _) if major < since => {
                                format!("it arrives in PostgreSQL {since}")
                            }
                            (_, Some(until)) => {
                                format!("PostgreSQL {} removed it (last in {until})", until + 1)
                            }
                            _ => String::new(),
                        };
                        out.error(
                            path.clone(),
                            format!(
                                "{name} lists {file}, which PostgreSQL {major} does not have: {when}; the server refuses to start"
                            ),
                            format!(
                                "remove {file} from {name}, or set the version that has it"
                            ),
                        );
                    }
                    None => {
                        let close = suggest_library(file);
                        match close.first() {
                            Some(best) => out.error(
                                path.clone(),
                                format!(
                                    "{name} lists {file}, which is no library PostgreSQL {major} or a well-known extension has; did you mean {}? The server refuses to start without the file",
                                    close.join(", ")
                                ),
                                format!("write {best} instead of {file} in {name}"),
                            ),
                            None => out.warning(
                                path.clone(),
                                format!(
                                    "{name} lists {file}, which is neither PostgreSQL {major}'s own library nor a well-known extension's: the server refuses to start unless its image installs {file}.so"
                                ),
                                format!(
                                    "check the spelling (the file name without .so), and install the extension in the server's image; or remove {file} from {name}"
                                ),
                            ),
                        }
                    }
                }
            }
        }
    }
}

/// True when `name` is a third-party extension's library.
#[cfg(test)]
fn is_extension(name: &str) -> bool {
    library(name).is_some_and(|l| l.source == LibrarySource::Extension)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_misspelt_library_is_an_error_with_the_closest_name() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[(
                "shared_preload_libraries",
                "pg_stat_statement, auto_explain,$libdir/pg_cron",
            )],
        );
        let d = run(&PreloadLibrary, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_preload_libraries");
        assert!(
            d[0].message
                .contains("lists pg_stat_statement, which is no library")
                && d[0].message.contains("did you mean pg_stat_statements"),
            "{}",
            d[0].message
        );
        assert!(is_extension("pg_cron"));
    }

    #[test]
    fn a_library_of_another_version_is_an_error() {
        let mut plan = kubernetes_plan();
        plan.version = crate::model::plan::MajorVersion::new(17).unwrap();
        set_parameters(
            &mut plan,
            &[("session_preload_libraries", "pg_overexplain")],
        );
        let d = run(&PreloadLibrary, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("it arrives in PostgreSQL 18"),
            "{}",
            d[0].message
        );
        set_parameters(&mut plan, &[("session_preload_libraries", "adminpack")]);
        let d = run(&PreloadLibrary, &plan);
        assert!(
            d[0].message
                .contains("PostgreSQL 17 removed it (last in 16)"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn an_unknown_library_is_a_warning() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "acme_audit_hooks")],
        );
        let d = run(&PreloadLibrary, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        set_parameters(
            &mut plan,
            &[("shared_preload_libraries", "/opt/lib/acme.so")],
        );
        assert!(run(&PreloadLibrary, &plan).is_empty());
    }
}
