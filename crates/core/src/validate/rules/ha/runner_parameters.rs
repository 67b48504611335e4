//! PGP203 runner-owned-parameters: a local plan leaves the parameters the
//! runner or Patroni set to them.

use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP203.
pub struct RunnerOwnedParameters;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP203",
    name: "runner-owned-parameters",
    summary: "on `platform: local`, `tuning.parameters` does not set what the runner decides (listen addresses, port, sockets, data and configuration files, TLS files) nor, in a Patroni cluster, what Patroni decides (cluster_name, primary_conninfo, primary_slot_name, synchronous_standby_names, promote_trigger_file)",
    rationale: "The runner and Patroni write these themselves: a plan value would either be overwritten without a word or point the server at an address, port or file the rest of the cluster does not use (a standby following a fixed primary_conninfo would not follow a failover).",
    examples: crate::rule_examples!("PGP203-runner-owned-parameters"),
    replaces: &[],
};

impl Rule for RunnerOwnedParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for owned in runner::owned_parameters(cx.plan) {
            if cx.plan.tuning.explicit(owned.name).is_some() {
                let help = match owned.name {
                    "port" => "remove it and set platform.local.port instead",
                    "listen_addresses" if cx.plan.topology.patroni.is_some() => {
                        "remove it; each member listens on topology.patroni.members[*].host"
                    }
                    _ => "remove the parameter from tuning.parameters",
                };
                out.error(
                    cx.param_path(owned.name),
                    format!(
                        "`{}` is set by pgplan's local runner: {}",
                        owned.name, owned.reason
                    ),
                    help,
                );
            }
        }
    }
}
