//! PGP080 internal-parameter: an `internal` parameter (fixed when PostgreSQL
//! is built or the cluster initialised) cannot be set.

use super::plan_parameters;
use crate::catalog::Context as GucContext;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP080.
pub struct InternalParameter;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP080",
    name: "internal-parameter",
    summary: "the plan sets no internal parameter (wal_segment_size, block_size, data_checksums…)",
    rationale: "Internal parameters report how the server was built or the cluster initialised (initdb --wal-segsize, --data-checksums); they cannot be changed by configuration. Setting one does nothing but suggest the cluster is something it is not — the change needs a new cluster, or pg_checksums on a stopped one.",
    examples: crate::rule_examples!("PGP080-internal-parameter"),
    replaces: &["PGP015"],
};

impl Rule for InternalParameter {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let catalog = cx.settings.catalog();
        for (path, name, _) in plan_parameters(cx) {
            let Some(spec) = catalog.get(name.as_str()) else {
                continue;
            };
            if spec.context != GucContext::Internal {
                continue;
            }
            out.error(
                path,
                format!(
                    "`{name}` cannot be set: it is fixed when PostgreSQL is built or the cluster is initialised (context internal)"
                ),
                format!("remove {name}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn internal_parameters_cannot_be_set() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&InternalParameter, &plan).is_empty());
        set_parameters(&mut plan, &[("wal_segment_size", "64MB")]);
        let d = run(&InternalParameter, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP080");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("context internal"),
            "{}",
            d[0].message
        );
    }
}
