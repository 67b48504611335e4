//! PGP204 patroni-exporter-login: the exporters of a local Patroni cluster
//! have a monitoring login.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{SecretSource, runner};

/// PGP204.
pub struct PatroniExporterLogin;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP204",
    name: "patroni-exporter-login",
    summary: "a local Patroni cluster with `monitoring.exporter` has a login role of purpose `monitoring` whose password comes from a source (the exporters connect as it)",
    rationale: "The runner starts one postgres_exporter per member and each needs a login to read the statistics views; without a monitoring role it could only use the superuser, which an exporter must never hold, and without a password source the login cannot authenticate under scram-sha-256.",
    examples: crate::rule_examples!("PGP204-patroni-exporter-login"),
    replaces: &[],
};

impl Rule for PatroniExporterLogin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if runner::local_patroni(cx.plan).is_none() || cx.plan.monitoring.exporter.is_none() {
            return;
        }
        match runner::monitoring_role(cx.plan) {
            None => out.error(
                "monitoring.exporter",
                "the cluster's postgres_exporters have no login: no role has purpose monitoring and login: true",
                "add a role such as { name: monitor, purpose: monitoring, login: true, password: { generated: {} }, member_of: [pg_monitor] }",
            ),
            Some((i, role)) => match &role.password {
                None | Some(SecretSource::EntraIdentity { .. }) => out.error(
                    format!("roles[{i}].password"),
                    format!("monitoring role `{}` has no password the exporters could use", role.name),
                    "give it a password source: { generated: {} } or { env: { var: … } }",
                ),
                Some(_) => {}
            },
        }
    }
}
