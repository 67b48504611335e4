//! PGP117 kubernetes-backup-databases: a logical backup with nothing to dump.

use super::common::{backup_path, kubernetes};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP117.
pub struct KubernetesBackupDatabases;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP117",
    name: "kubernetes-backup-databases",
    summary: "a logical backup on Kubernetes has a database to dump: its own list, or the plan's databases",
    rationale: "A backup that lists no databases dumps every database the plan creates. When the plan creates none, the CronJob has nothing to run pg_dump on: it would succeed every night while keeping no dump, and the recovery point the plan counts on would not exist.",
    examples: crate::rule_examples!("PGP117-kubernetes-backup-databases"),
    replaces: &[],
};

impl Rule for KubernetesBackupDatabases {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() || !cx.plan.databases.is_empty() {
            return;
        }
        for (i, b) in cx.plan.backups.logical.iter().enumerate() {
            if !b.databases.is_empty() {
                continue;
            }
            out.error(
                backup_path(i, "databases"),
                format!(
                    "pg_dump {} dumps every database the plan creates, and the plan creates none: the CronJob would keep no dump",
                    b.name
                ),
                format!(
                    "add the databases to the plan's `databases` (the backup then dumps them all), or remove backups.logical[{i}]"
                ),
            );
        }
    }
}
