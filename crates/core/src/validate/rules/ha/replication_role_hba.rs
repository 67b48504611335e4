//! PGP307 patroni-replication-role-hba: a replication role of a local
//! Patroni cluster that pg_hba.conf cannot name.

use crate::escape::hba;
use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP307.
pub struct PatroniReplicationRoleHba;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP307",
    name: "patroni-replication-role-hba",
    summary: "the role a local Patroni cluster replicates as has a name pg_hba.conf can hold (no control characters)",
    rationale: "Patroni writes a `host replication` line naming the replication role into every member's pg_hba.conf. A line break in the name ends that line mid-name: the rest of the name becomes a rule of its own (a name ending in `\\nhost all all 0.0.0.0/0 trust` would admit anyone without a password), or the server refuses to load the file and the standbys cannot connect. pg_hba.conf has no escape for a line break or another control character, so such a name cannot be written at all.",
    examples: crate::rule_examples!("PGP307-patroni-replication-role-hba"),
    replaces: &[],
};

impl Rule for PatroniReplicationRoleHba {
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
        let name = role.name.as_str();
        if hba::cannot_hold(name).is_none() {
            return;
        }
        let c = name.chars().find(|c| c.is_control()).unwrap_or('\0');
        out.error(
            format!("roles[{i}].name"),
            format!(
                "Patroni's standbys replicate as role \"{}\", and pg_hba.conf names it on a line of its own: it cannot hold the control character U+{:04X}",
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
