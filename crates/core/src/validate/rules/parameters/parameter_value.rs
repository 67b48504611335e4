//! PGP079 parameter-value: a value fits its parameter's type, unit, range or
//! enum; on Azure, a parameter only Azure has takes on or off.

use super::{accepted, plan_parameters};
use crate::azure_facts;
use crate::catalog::{Catalog, Context as GucContext, parse_bool};
use crate::model::plan::MajorVersion;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP079.
pub struct ParameterValue;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP079",
    name: "parameter-value",
    summary: "every parameter value fits its parameter's type, unit, range or list of values in the plan's PostgreSQL version",
    rationale: "A value the server cannot read — work_mem below 64kB, wal_compression = lz4 on PostgreSQL 14 (it arrives in 15), a word where a number goes — makes PostgreSQL refuse to start when it is in postgresql.conf, or ALTER SYSTEM and Azure's configuration API reject it; either way the rollout stops on the one bad line.",
    examples: crate::rule_examples!("PGP079-parameter-value"),
    replaces: &["PGP015"],
};

impl Rule for ParameterValue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let catalog = cx.settings.catalog();
        let major = catalog.major();
        let on_azure = cx.plan.platform.azure().is_some();
        for (path, name, value) in plan_parameters(cx) {
            match catalog.get(name.as_str()) {
                // An internal parameter cannot be set at all: PGP080's.
                Some(spec) if spec.context == GucContext::Internal => {}
                Some(spec) => {
                    if let Err(e) = spec.parse_value(value.as_str()) {
                        let (note, fix) = other_versions(major, name.as_str(), value.as_str());
                        out.error(
                            path,
                            format!(
                                "{name} = {value} is not valid in PostgreSQL {major}{note}: {e}"
                            ),
                            format!("{name} takes {}{fix}", accepted(spec)),
                        );
                    }
                }
                None if on_azure
                    && azure_facts::AZURE_ONLY_PARAMETERS.contains(&name.as_str())
                    && parse_bool(value.as_str()).is_none() =>
                {
                    out.error(
                        path,
                        format!("{name} = {value} is not valid on Azure: it takes on or off"),
                        format!("set {name} to on or off"),
                    );
                }
                None => {}
            }
        }
    }
}

/// When other supported versions accept the value, says so the way unknown
/// names do: a value that arrives later (`lz4 arrives in PostgreSQL 15`) or
/// was taken away (`… accepted up to PostgreSQL 17`). Returns the note for
/// the message and the fix for the help, both empty when no version differs.
fn other_versions(major: u16, name: &str, value: &str) -> (String, String) {
    let accepting: Vec<u16> = (MajorVersion::MIN..=MajorVersion::MAX)
        .filter(|m| *m != major)
        .filter(|m| {
            Catalog::for_major(*m)
                .and_then(|c| c.get(name))
                .is_some_and(|spec| spec.parse_value(value).is_ok())
        })
        .collect();
    let (Some(first), Some(last)) = (accepting.first(), accepting.last()) else {
        return (String::new(), String::new());
    };
    if *first > major {
        (
            format!(" (`{value}` arrives in PostgreSQL {first})"),
            format!("; or plan PostgreSQL {first} or later"),
        )
    } else if *last < major {
        (
            format!(" (`{value}` is accepted up to PostgreSQL {last})"),
            String::new(),
        )
    } else {
        let list: Vec<String> = accepting.iter().map(u16::to_string).collect();
        (
            format!(" (PostgreSQL {} accept `{value}`)", list.join(", ")),
            String::new(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn values_fit_type_unit_and_range() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&ParameterValue, &plan).is_empty());
        set_parameters(
            &mut plan,
            &[
                ("work_mem", "1kB"),
                ("wal_level", "full"),
                ("fsync", "maybe"),
                ("max_connections", "lots"),
            ],
        );
        let d = run(&ParameterValue, &plan);
        let wm = diagnostic_at(&d, "tuning.parameters.work_mem");
        assert_eq!(wm.id(), "PGP079");
        assert_eq!(wm.severity, Severity::Error);
        assert!(
            wm.message.contains(
                "work_mem = 1kB is not valid in PostgreSQL 14: `1kB` is below the minimum 64kB"
            ),
            "{}",
            wm.message
        );
        assert!(wm.help.contains("a value from 64kB to"), "{}", wm.help);
        let wal = diagnostic_at(&d, "tuning.parameters.wal_level");
        assert!(
            wal.message.contains("`full` is not one of"),
            "{}",
            wal.message
        );
        assert!(
            wal.help.contains("one of minimal, replica, logical"),
            "{}",
            wal.help
        );
        assert!(
            diagnostic_at(&d, "tuning.parameters.fsync")
                .help
                .contains("on or off")
        );
        assert!(
            diagnostic_at(&d, "tuning.parameters.max_connections")
                .message
                .contains("`lots`")
        );
        assert_eq!(d.len(), 4, "{d:#?}");
    }

    #[test]
    fn values_of_later_versions_say_when_they_arrive() {
        // wal_compression is a boolean in 14; lz4 and zstd arrive in 15.
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("wal_compression", "lz4")]);
        let d = run(&ParameterValue, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("wal_compression = lz4 is not valid in PostgreSQL 14 (`lz4` arrives in PostgreSQL 15)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("or plan PostgreSQL 15 or later"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn build_dependent_and_hidden_values_are_accepted() {
        // lz4 and zstd exist in builds configured --with-lz4/--with-zstd,
        // which the npm builds the 16–18 catalogs came from were not; `true`
        // is a hidden spelling of on.
        for major in [15, 16, 17, 18] {
            let mut plan = kubernetes_reference_plan();
            plan.version = crate::MajorVersion::new(major).unwrap();
            set_parameters(
                &mut plan,
                &[
                    ("wal_compression", "zstd"),
                    ("default_toast_compression", "lz4"),
                    ("huge_pages", "true"),
                ],
            );
            let d = run(&ParameterValue, &plan);
            assert!(d.is_empty(), "{major}: {d:#?}");
        }
    }

    #[test]
    fn catalog_values_of_custom_parameters_are_checked_too() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("pg_stat_statements.track", "everything")]);
        let d = run(&ParameterValue, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].help.contains("one of none, top, all"), "{}", d[0].help);
    }

    #[test]
    fn azure_only_parameters_take_on_or_off() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("require_secure_transport", "off")]);
        assert!(run(&ParameterValue, &plan).is_empty());
        set_parameters(&mut plan, &[("require_secure_transport", "sometimes")]);
        let d = run(&ParameterValue, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("on or off"), "{}", d[0].message);
    }

    #[test]
    fn internal_parameters_are_left_to_pgp080() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("wal_segment_size", "sixty-four")]);
        assert!(run(&ParameterValue, &plan).is_empty());
    }
}
