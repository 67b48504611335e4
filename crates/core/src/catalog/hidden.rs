//! Enum values PostgreSQL accepts but leaves out of `pg_settings.enumvals`:
//! the option arrays in `guc_tables.c` (`guc.c` before 16) mark them
//! hidden. Rejecting them would be a false alarm on a value the server reads.

use super::ParamSpec;

/// The spellings of on and off that every enum listing both also takes
/// (`huge_pages_options`, `synchronous_commit_options`, `archive_mode_options`,
/// `wal_compression_options`, …).
const BOOLEAN_SPELLINGS: &[&str] = &["true", "false", "yes", "no", "1", "0"];

/// `wal_level_options`: the pre-9.6 names of `replica`.
const OLD_WAL_LEVELS: &[&str] = &["archive", "hot_standby"];

/// The hidden values of an enum parameter, lowercase.
pub(crate) fn hidden_values(spec: &ParamSpec) -> Vec<&'static str> {
    let has = |v: &str| spec.enumvals.iter().any(|e| e.eq_ignore_ascii_case(v));
    let mut hidden = Vec::new();
    if has("on") && has("off") {
        hidden.extend_from_slice(BOOLEAN_SPELLINGS);
    }
    if spec.name.eq_ignore_ascii_case("wal_level") {
        hidden.extend_from_slice(OLD_WAL_LEVELS);
    }
    // The message levels: `debug` means debug2 in every list of them, and
    // the client-side lists (no `info` shown) take `info` as well.
    if has("debug2") {
        hidden.push("debug");
        if !has("info") {
            hidden.push("info");
        }
    }
    hidden
}

/// The value as PostgreSQL reads it: a hidden alias becomes the value it
/// stands for (`true` → `on`, `hot_standby` → `replica`, `debug` → `debug2`).
pub(crate) fn canonical(spec: &ParamSpec, lower: &str) -> Option<&'static str> {
    if !hidden_values(spec).contains(&lower) {
        return None;
    }
    Some(match lower {
        "true" | "yes" | "1" => "on",
        "false" | "no" | "0" => "off",
        "archive" | "hot_standby" => "replica",
        "debug" => "debug2",
        "info" => "info",
        _ => return None,
    })
}

/// `build-options.tsv`: enum values that exist only in builds configured
/// with an optional library (`lz4` of wal_compression needs `--with-lz4`).
const BUILD_OPTIONS: &str = include_str!("../../catalog/build-options.tsv");

/// The configure option a value of a parameter needs, when it is one of the
/// values only some builds have (`wal_compression = lz4` → `--with-lz4`).
///
/// ```
/// use pgplan_core::catalog::build_option;
/// assert_eq!(build_option("wal_compression", "zstd", 16), Some("--with-zstd"));
/// assert_eq!(build_option("io_method", "io_uring", 18), Some("--with-liburing"));
/// assert_eq!(build_option("wal_compression", "pglz", 16), None);
/// assert_eq!(build_option("wal_compression", "lz4", 14), None); // no such value in 14
/// ```
pub fn build_option(parameter: &str, value: &str, major: u16) -> Option<&'static str> {
    BUILD_OPTIONS.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split('\t').collect();
        let since: u16 = f.get(1)?.parse().ok()?;
        (f[0].eq_ignore_ascii_case(parameter)
            && f.get(2)?.eq_ignore_ascii_case(value.trim())
            && major >= since)
            .then(|| f.get(4).copied())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use crate::catalog::{Catalog, TypedValue};

    #[test]
    fn hidden_spellings_are_accepted_as_the_value_they_stand_for() {
        for major in 14..=18 {
            let c = Catalog::for_major(major).unwrap();
            let read = |name: &str, v: &str| c.get(name).unwrap().parse_value(v);
            for (name, value, means) in [
                ("huge_pages", "true", "on"),
                ("huge_pages", "0", "off"),
                ("synchronous_commit", "no", "off"),
                ("archive_mode", "yes", "on"),
                ("wal_level", "hot_standby", "replica"),
                ("wal_level", "archive", "replica"),
                ("client_min_messages", "info", "info"),
                ("log_min_messages", "debug", "debug2"),
            ] {
                assert_eq!(
                    read(name, value),
                    Ok(TypedValue::Text(means.to_owned())),
                    "{name} = {value} on {major}"
                );
            }
            assert!(read("huge_pages", "maybe").is_err());
            assert!(read("wal_level", "hot").is_err());
            // Enums without on/off take no boolean spellings.
            assert!(read("log_statement", "true").is_err());
        }
        let c = Catalog::for_major(17).unwrap();
        assert_eq!(
            c.get("wal_compression").unwrap().parse_value("yes"),
            Ok(TypedValue::Text("on".into()))
        );
    }
}
