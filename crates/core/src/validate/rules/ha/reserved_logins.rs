//! PGP205 runner-reserved-logins: the plan does not declare the logins the
//! runner creates itself.

use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP205.
pub struct RunnerReservedLogins;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP205",
    name: "runner-reserved-logins",
    summary: "on `platform: local`, no role is named `postgres` (the superuser the runner creates) nor, in a Patroni cluster, `pgplan_rewind` or — without a replication role — `replicator` (Patroni's own logins)",
    rationale: "The runner holds the passwords of these logins and Patroni connects with them; a plan role of the same name would have its password and attributes rewritten by the SQL apply, and the next basebackup, rewind or local connection of Patroni would fail to authenticate.",
    examples: crate::rule_examples!("PGP205-runner-reserved-logins"),
    replaces: &[],
};

impl Rule for RunnerReservedLogins {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let reserved = runner::reserved_logins(cx.plan);
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if let Some(name) = reserved.iter().find(|n| role.name.as_str() == **n) {
                let help = if *name == runner::REPLICATION_USER {
                    "give it purpose: replication (Patroni then replicates as it), or rename it"
                } else {
                    "rename the role"
                };
                out.error(
                    format!("roles[{i}].name"),
                    format!(
                        "`{name}` is a login the local runner creates and holds the password of"
                    ),
                    help,
                );
            }
        }
    }
}
