//! PGP200 patroni-platform: a Patroni cluster runs on `platform: local`.

use crate::Platform;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP200.
pub struct PatroniPlatform;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP200",
    name: "patroni-platform",
    summary: "`topology.patroni` is planned on `platform: local`, the only platform pgplan renders and runs a Patroni cluster on",
    rationale: "The HA backend renders Patroni, etcd, HAProxy and exporter configurations for this machine (and a docker-compose file); the Kubernetes backend renders one StatefulSet without Patroni and Azure Flexible Server has its own high availability, so a Patroni cluster planned there validated and then rendered nothing — or a single server that is not highly available.",
    examples: crate::rule_examples!("PGP200-patroni-platform"),
    replaces: &[],
};

impl Rule for PatroniPlatform {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if cx.plan.topology.patroni.is_none() {
            return;
        }
        let help = match &cx.plan.platform {
            Platform::Local(_) => return,
            Platform::Kubernetes(_) => {
                "run the Patroni cluster on this machine with `platform: { local: {} }`, or remove topology.patroni and use a Kubernetes operator for HA (pgplan renders a single StatefulSet with read replicas on Kubernetes)"
            }
            Platform::Azure(_) => {
                "remove topology.patroni and plan Flexible Server's own high availability (platform.azure.high_availability: zone_redundant or same_zone)"
            }
        };
        out.error(
            "topology.patroni",
            format!(
                "a Patroni cluster is planned on platform {}, where pgplan renders and runs no Patroni: only `platform: local` runs one",
                cx.plan.platform.kind()
            ),
            help,
        );
    }
}
