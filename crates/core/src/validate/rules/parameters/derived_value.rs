//! PGP081 derived-value: a value pgplan derives that the catalog rejects is
//! a pgplan bug: error, with the way around it.

use super::accepted;
use crate::catalog::Catalog;
use crate::tuning::{Provenance, Setting};
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP081.
pub struct DerivedValue;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP081",
    name: "derived-value",
    summary: "every value pgplan derives is one the plan's PostgreSQL version accepts",
    rationale: "pgplan writes the values it derives into the server's configuration; one outside the parameter's range would stop the server from starting. The derivation clamps every value to the catalog's limits, so no plan is known to make this rule fire (it has no example plans): when it does, it is a pgplan bug, reported as an error so that the plan is not rendered, with the explicit setting that works around it.",
    examples: None,
    replaces: &["PGP015"],
};

impl Rule for DerivedValue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        check_derived(cx.settings.catalog(), cx.settings.iter(), out);
    }
}

/// Derived settings the catalog rejects. Takes the settings rather than the
/// context so that a bad derivation can be tested without one.
fn check_derived<'a>(
    catalog: &Catalog,
    settings: impl Iterator<Item = &'a Setting>,
    out: &mut Findings<'_>,
) {
    for setting in settings {
        let Provenance::Derived { formula, .. } = &setting.provenance else {
            continue;
        };
        let Some(spec) = catalog.get(&setting.name) else {
            continue;
        };
        if let Err(e) = spec.parse_value(&setting.value) {
            out.error(                FieldPath::root()
                    .field("tuning")
                    .field("parameters")
                    .key(setting.name.as_str()),
                format!(
                    "pgplan derived {} = {} ({formula}), which PostgreSQL {} rejects: {e}",
                    setting.name,
                    setting.value,
                    catalog.major()
                ),
                format!(
                    "this is a pgplan bug: please report it with the plan; until it is fixed, set tuning.parameters.{} explicitly ({})",
                    setting.name,
                    accepted(spec)
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Bytes, Resources, Sizing};

    #[test]
    fn derived_values_outside_the_catalog_are_reported_as_bugs() {
        let catalog = Catalog::for_major(14).unwrap();
        let derived = |name: &str, value: &str| Setting {
            name: name.to_owned(),
            value: value.to_owned(),
            provenance: Provenance::Derived {
                formula: "25% of RAM, in 8kB pages".to_owned(),
                inputs: vec![],
            },
        };
        let settings = [
            derived("shared_buffers", "16TB"),
            derived("work_mem", "4MB"),
            Setting {
                provenance: Provenance::Explicit,
                ..derived("work_mem", "1kB")
            },
        ];
        let mut d = Vec::new();
        check_derived(
            catalog,
            settings.iter(),
            &mut crate::validate::Findings::new(&INFO, &mut d),
        );
        assert_eq!(d.len(), 1, "{d:#?}");
        let sb = &d[0];
        assert_eq!(sb.severity, Severity::Error);
        assert_eq!(sb.path, "tuning.parameters.shared_buffers");
        assert!(
            sb.message
                .contains("pgplan derived shared_buffers = 16TB (25% of RAM, in 8kB pages), which PostgreSQL 14 rejects: `16TB` is above the maximum"),
            "{}",
            sb.message
        );
        assert!(sb.help.contains("this is a pgplan bug"), "{}", sb.help);
        assert!(
            sb.help
                .contains("set tuning.parameters.shared_buffers explicitly"),
            "{}",
            sb.help
        );
    }

    #[test]
    fn huge_servers_derive_values_the_catalog_accepts() {
        let mut plan = kubernetes_reference_plan();
        plan.sizing = Sizing::builder()
            .memory(Resources::builder().request(Bytes::tib(64)).build())
            .build();
        let d = run(&DerivedValue, &plan);
        assert!(d.is_empty(), "{d:#?}");
    }
}
