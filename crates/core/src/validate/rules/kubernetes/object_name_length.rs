//! PGP107 kubernetes-object-name-length: object names derived from the plan
//! that exceed Kubernetes' limits.

use super::common::kubernetes;
use crate::kubernetes_facts::ObjectNames;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP107.
pub struct KubernetesObjectNameLength;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP107",
    name: "kubernetes-object-name-length",
    summary: "the object names derived from the service and backup names fit Kubernetes' limits",
    rationale: "pgplan names the objects after the service (`postgresql-<service>-headless`, `…-init-<checksum>`, `…-backup-<name>`). Service names are DNS labels of at most 63 characters and Job names end up in 63-character labels; StatefulSet and CronJob names must leave room for the suffix their controllers append (52 characters at most). The API server refuses a longer name, or the controller fails to create the pods or Jobs.",
    examples: crate::rule_examples!("PGP107-kubernetes-object-name-length"),
    replaces: &["PGP017"],
};

impl Rule for KubernetesObjectNameLength {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let names = ObjectNames::new(&cx.plan.service);
        let mut too_long: Vec<_> = names
            .limited(cx.plan)
            .into_iter()
            .filter(|n| n.name.len() > n.limit)
            .collect();
        // One finding per field: the name that overflows most decides how
        // short the field's value must be.
        too_long.sort_by(|a, b| {
            a.field
                .cmp(&b.field)
                .then(a.room.cmp(&b.room))
                .then(a.name.cmp(&b.name))
        });
        too_long.dedup_by(|later, kept| later.field == kept.field);
        for n in too_long {
            let over = n.name.len() - n.limit;
            let help = if n.room == 0 {
                format!(
                    "shorten the service name: `{}` alone leaves no room for it",
                    names.base
                )
            } else if n.field == "service" {
                format!(
                    "use a service name of at most {} characters ({over} fewer)",
                    n.room
                )
            } else {
                format!(
                    "shorten {} to at most {} characters ({over} fewer), or shorten the service name",
                    n.field, n.room
                )
            };
            out.error(
                n.field,
                format!(
                    "the {} name `{}` is {} characters; Kubernetes allows {} for it",
                    n.kind,
                    n.shown,
                    n.name.len(),
                    n.limit
                ),
                help,
            );
        }
    }
}
