//! The domains of parameters whose values are names: the time zones
//! PostgreSQL accepts (`timezone`, `log_timezone`) and the libraries a
//! server can preload (`shared_preload_libraries`, …). Both are compiled
//! from `catalog/timezones.tsv` and `catalog/libraries.tsv`, which
//! `scripts/gen-value-catalogs.sh` dumps from real servers of every
//! supported major (see `catalog/README.md`).
//!
//! ```
//! use pgplan_core::catalog::values::{library, suggest_timezone, timezone};
//! assert_eq!(timezone("asia/seoul"), Some("Asia/Seoul"));
//! assert_eq!(suggest_timezone("Asia/Seol"), vec!["Asia/Seoul"]);
//! assert!(library("pg_stat_statements").unwrap().is_in(17));
//! assert!(!library("pg_overexplain").unwrap().is_in(17));
//! ```

use super::edit_distance;

/// Where a library comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibrarySource {
    /// PostgreSQL's own build (a contrib module or a procedural language).
    PostgreSql,
    /// A well-known third-party extension, installed separately.
    Extension,
}

/// A library a server can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Library {
    /// File name without `.so`.
    pub name: &'static str,
    /// The majors whose build ships it (empty for a third-party extension).
    pub majors: &'static [u16],
    /// Where it comes from.
    pub source: LibrarySource,
}

impl Library {
    /// True when `major` can have it: a third-party extension always (when
    /// installed), PostgreSQL's own from the first major that ships it to
    /// the last. A gap between them is one packaging's split (Debian ships
    /// the procedural languages apart), and a library only Debian's 15 has
    /// (sepgsql, llvmjit) is a build option, not a version's.
    pub fn is_in(&self, major: u16) -> bool {
        match (self.majors.first(), self.majors.last()) {
            (Some(&first), Some(&last)) => (first..=last).contains(&major) || self.majors == [15],
            _ => true,
        }
    }
    /// The first major that ships it, if it is PostgreSQL's own.
    pub fn since(&self) -> Option<u16> {
        self.majors.first().copied()
    }
    /// The last major that ships it, if it is PostgreSQL's own.
    pub fn until(&self) -> Option<u16> {
        self.majors.last().copied()
    }
}

// TIMEZONES and LIBRARIES, generated from the TSV files.
include!(concat!(env!("OUT_DIR"), "/value_tables.rs"));

/// Every time zone name any supported server lists in pg_timezone_names.
pub fn timezones() -> &'static [&'static str] {
    &TIMEZONES
}

/// Every library in the catalog.
pub fn libraries() -> &'static [Library] {
    &LIBRARIES
}

/// The time zone's spelling in the tz database, when PostgreSQL knows the
/// name (it looks names up ignoring case).
pub fn timezone(name: &str) -> Option<&'static str> {
    let wanted = name.to_ascii_lowercase();
    TIMEZONES
        .binary_search_by(|z| cmp_lowercase(z, &wanted))
        .ok()
        .map(|i| TIMEZONES[i])
}

fn cmp_lowercase(a: &str, lower: &str) -> std::cmp::Ordering {
    a.bytes().map(|b| b.to_ascii_lowercase()).cmp(lower.bytes())
}

/// The library, when the catalog has it (file names are case sensitive).
pub fn library(name: &str) -> Option<&'static Library> {
    LIBRARIES
        .binary_search_by(|l| l.name.cmp(name))
        .ok()
        .map(|i| &LIBRARIES[i])
}

/// Up to three known time zones close to an unknown name.
pub fn suggest_timezone(name: &str) -> Vec<&'static str> {
    // `America/Sao Paulo`: the tz database writes spaces as underscores.
    let normalized = name.trim().replace(' ', "_");
    if let Some(z) = timezone(&normalized) {
        return vec![z];
    }
    closest(TIMEZONES.iter().copied(), &normalized)
}

/// Up to three known libraries close to an unknown name.
pub fn suggest_library(name: &str) -> Vec<&'static str> {
    closest(LIBRARIES.iter().map(|l| l.name), name)
}

fn closest(names: impl Iterator<Item = &'static str>, name: &str) -> Vec<&'static str> {
    let wanted = name.to_ascii_lowercase();
    let bound = 2.max(wanted.len() / 5);
    let mut scored: Vec<(usize, &'static str)> = names
        .filter(|k| k.len().abs_diff(wanted.len()) <= bound)
        .map(|k| (edit_distance(&k.to_ascii_lowercase(), &wanted), k))
        .filter(|(d, _)| *d <= bound)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_the_binary_search() {
        assert!(
            TIMEZONES
                .windows(2)
                .all(|w| w[0].to_ascii_lowercase() < w[1].to_ascii_lowercase())
        );
        assert!(LIBRARIES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(TIMEZONES.len() > 500);
    }

    #[test]
    fn time_zones_are_found_ignoring_case() {
        assert_eq!(timezone("UTC"), Some("UTC"));
        assert_eq!(timezone("europe/berlin"), Some("Europe/Berlin"));
        assert_eq!(timezone("Mars/Olympus"), None);
        assert_eq!(
            suggest_timezone("America/Sao Paulo"),
            vec!["America/Sao_Paulo"]
        );
        assert!(suggest_timezone("Europe/Berln").contains(&"Europe/Berlin"));
    }

    #[test]
    fn libraries_know_their_versions() {
        let l = library("adminpack").unwrap();
        assert!(l.is_in(16) && !l.is_in(17));
        assert!(library("plperl").unwrap().is_in(15));
        assert!(library("sepgsql").unwrap().is_in(17));
        assert!(library("pg_cron").unwrap().is_in(14));
        assert_eq!(library("pg_cron").unwrap().source, LibrarySource::Extension);
        assert!(suggest_library("pg_stat_statement").contains(&"pg_stat_statements"));
    }
}
