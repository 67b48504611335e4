//! PGP206 patroni-replication-login: a replication role of a local Patroni
//! cluster can log in with a password.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{SecretSource, runner};

/// PGP206.
pub struct PatroniReplicationLogin;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP206",
    name: "patroni-replication-login",
    summary: "the role of purpose `replication` of a local Patroni cluster has login: true and a password source",
    rationale: "Patroni streams WAL to every standby and runs pg_basebackup as the plan's replication role; under scram-sha-256 a role that cannot log in, or has no password, leaves every standby unable to connect.",
    examples: crate::rule_examples!("PGP206-patroni-replication-login"),
    replaces: &[],
};

impl Rule for PatroniReplicationLogin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if runner::local_patroni(cx.plan).is_none() {
            return;
        }
        let Some((i, role)) = runner::replication_role(cx.plan) else {
            return;
        };
        if !role.login {
            out.error(
                format!("roles[{i}].login"),
                format!(
                    "replication role `{}` cannot log in, and Patroni's standbys connect as it",
                    role.name
                ),
                "set login: true",
            );
        }
        if matches!(
            role.password,
            None | Some(SecretSource::EntraIdentity { .. })
        ) {
            out.error(
                format!("roles[{i}].password"),
                format!("replication role `{}` has no password source", role.name),
                "give it a password source: { generated: {} } or { env: { var: … } }",
            );
        }
    }
}
