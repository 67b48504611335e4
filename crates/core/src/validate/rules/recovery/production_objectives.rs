//! PGP066 production-objectives: a production plan states its objectives.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP066.
pub struct ProductionObjectives;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP066",
    name: "production-objectives",
    summary: "a production plan states at least one of its availability, RPO and RTO",
    rationale: "Backups, high availability and alerts are sized against objectives: without an RPO, RTO or availability target nobody can say whether nightly dumps or a single server are enough, and the rules that compare them (PGP062, PGP063, PGP064) have nothing to check.",
    examples: crate::rule_examples!("PGP066-production-objectives"),
    replaces: &["PGP012"],
};

impl Rule for ProductionObjectives {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let objectives = &cx.plan.objectives;
        if !cx.is_production()
            || objectives.availability.is_some()
            || objectives.rpo.is_some()
            || objectives.rto.is_some()
        {
            return;
        }
        out.info(
            "objectives",
            "a production plan without objectives: backups and high availability cannot be checked against an RPO, RTO or availability target",
            "set objectives.rpo, objectives.rto and objectives.availability",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn production_without_objectives_is_noted() {
        let mut plan = azure_reference_plan();
        assert!(run(&ProductionObjectives, &plan).is_empty());
        plan.objectives = Default::default();
        let d = run(&ProductionObjectives, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP066");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "objectives");
        plan.environment = crate::Environment::Staging;
        assert!(run(&ProductionObjectives, &plan).is_empty());
    }
}
