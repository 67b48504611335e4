//! `shared_preload_libraries`: the platform's default plus what the plan's
//! extensions need.

use super::Derivation;
use crate::model::databases::preload_library_for;
use crate::tuning::params::SHARED_PRELOAD_LIBRARIES;

pub(super) fn derive(d: &mut Derivation<'_>) {
    let mut needed: Vec<&str> = d
        .plan
        .extensions()
        .filter_map(|(_, e)| preload_library_for(e.name.as_str()))
        .collect();
    if needed.is_empty() {
        return;
    }
    needed.sort();
    needed.dedup();
    let mut libraries = d.settings.preload_libraries();
    for library in &needed {
        if !libraries.iter().any(|l| l == library) {
            libraries.push((*library).to_owned());
        }
    }
    d.set(
        SHARED_PRELOAD_LIBRARIES,
        libraries.join(","),
        "the platform default plus libraries the plan's extensions need",
        &[("extensions", needed.join(", "))],
    );
}
