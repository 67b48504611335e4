//! PGP079 parameter-value: a value fits its parameter's type, unit, range or
//! enum; on Azure, a parameter only Azure has takes on or off.

use super::{accepted, plan_parameters};
use crate::azure_facts;
use crate::catalog::{Context as GucContext, parse_bool};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP079.
pub struct ParameterValue;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP079",
    name: "parameter-value",
    summary: "every parameter value fits its parameter's type, unit, range or list of values in the plan's PostgreSQL version",
    rationale: "A value the server cannot read — work_mem below 64kB, wal_level archive (gone since 9.6), a word where a number goes — makes PostgreSQL refuse to start when it is in postgresql.conf, or ALTER SYSTEM and Azure's configuration API reject it; either way the rollout stops on the one bad line.",
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
                        out.error(
                            path,
                            format!("{name} = {value} is not valid in PostgreSQL {major}: {e}"),
                            format!("{name} takes {}", accepted(spec)),
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
                ("wal_level", "archive"),
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
            wal.message.contains("`archive` is not one of"),
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
