//! PGP065 objective-declarations: the availability, RPO and RTO another
//! document declares (`objectives.declared_elsewhere`) agree with the plan's.

use super::span;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP065.
pub struct ObjectiveDeclarations;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP065",
    name: "objective-declarations",
    summary: "objectives stated in other documents (objectives.declared_elsewhere) agree with the plan's",
    rationale: "When the architecture document promises a one-hour RPO and the plan is built for five minutes (or the other way round), one of them is wrong, and the backups, alerts and on-call runbooks built from each disagree on what the service guarantees.",
    examples: crate::rule_examples!("PGP065-objective-declarations"),
    replaces: &["PGP012"],
};

impl Rule for ObjectiveDeclarations {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let objectives = &cx.plan.objectives;
        for (i, declaration) in objectives.declared_elsewhere.iter().enumerate() {
            let source = &declaration.source;
            let pairs: [(&str, &str, Option<String>, Option<String>); 3] = [
                (
                    "availability",
                    "availability",
                    declaration.availability.map(|p| p.to_string()),
                    objectives.availability.map(|p| p.to_string()),
                ),
                (
                    "rpo",
                    "RPO",
                    declaration.rpo.map(span),
                    objectives.rpo.map(span),
                ),
                (
                    "rto",
                    "RTO",
                    declaration.rto.map(span),
                    objectives.rto.map(span),
                ),
            ];
            for (field, label, theirs, ours) in pairs {
                let Some(theirs) = theirs else {
                    continue;
                };
                let path = format!("objectives.declared_elsewhere[{i}].{field}");
                match ours {
                    Some(ours) if ours == theirs => {}
                    Some(ours) => out.warning(                    path,
                        format!(
                            "{source} declares {label} {theirs}, but the plan's objectives.{field} is {ours}"
                        ),
                        format!(
                            "agree on one value: change objectives.{field} or {source}, then update this entry"
                        )),
                    None => out.warning(                    path,
                        format!(
                            "{source} declares {label} {theirs}, but the plan sets no objectives.{field}"
                        ),
                        format!("set objectives.{field} to the agreed value")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Interval, ObjectiveDeclaration, Percent};

    #[test]
    fn seed_001_and_002_disagree_on_the_rpo() {
        let mut plan = azure_reference_plan();
        plan.objectives.declared_elsewhere = vec![
            ObjectiveDeclaration::builder()
                .source("002 physical architecture")
                .rpo(Interval::hours(1))
                .rto(Interval::minutes(30))
                .availability(Percent::whole(99))
                .build(),
        ];
        let d = run(&ObjectiveDeclarations, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let rpo = diagnostic_at(&d, "objectives.declared_elsewhere[0].rpo");
        assert_eq!(rpo.severity, Severity::Warning);
        assert!(
            rpo.message.contains(
                "002 physical architecture declares RPO 1h, but the plan's objectives.rpo is 5min"
            ),
            "{}",
            rpo.message
        );
        let availability = diagnostic_at(&d, "objectives.declared_elsewhere[0].availability");
        assert!(availability.message.contains(
            "declares availability 99%, but the plan's objectives.availability is 99.9%"
        ));

        plan.objectives.rpo = None;
        plan.objectives.declared_elsewhere[0].availability = None;
        let d = run(&ObjectiveDeclarations, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].message.contains("the plan sets no objectives.rpo"));
    }
}
