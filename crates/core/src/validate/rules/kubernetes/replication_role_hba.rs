//! PGP113 kubernetes-replication-role-hba: a replication role pg_hba.conf
//! cannot name.

use super::common::{kubernetes, role_path};
use crate::kubernetes_facts::{ReplicationLogin, replication_login};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP113.
pub struct KubernetesReplicationRoleHba;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP113",
    name: "kubernetes-replication-role-hba",
    summary: "the role the read replicas stream with has a name pg_hba.conf can hold (no control characters)",
    rationale: "`pg_hba.conf` admits replication connections by role name, one rule per line. A name with a line break or another control character cannot be written there: the file would end the rule mid-name, the server would refuse to load it, and the replicas could not connect.",
    examples: crate::rule_examples!("PGP113-kubernetes-replication-role-hba"),
    replaces: &[],
};

impl Rule for KubernetesReplicationRoleHba {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let Some(ReplicationLogin::Planned(i, role)) = replication_login(cx.plan) else {
            return;
        };
        let name = role.name.as_str();
        let Some(c) = name.chars().find(|c| c.is_control()) else {
            return;
        };
        out.error(
            role_path(i, "name"),
            format!(
                "the read replicas stream as role \"{}\", and pg_hba.conf names it on a line of its own: it cannot hold the control character U+{:04X}",
                name.escape_debug(),
                u32::from(c)
            ),
            format!(
                "rename roles[{i}] with printable characters only, e.g. \"{}\"",
                name.replace(char::is_control, "_")
            ),
        );
    }
}
