//! PGP116 kubernetes-backup-destination: dumps to blob storage on Kubernetes.

use super::common::{backup_path, kubernetes};
use crate::model::backups::BackupDestination;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP116.
pub struct KubernetesBackupDestination;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP116",
    name: "kubernetes-backup-destination",
    summary: "logical backups of a plan on Kubernetes write to the backup volume",
    rationale: "The backup CronJob pgplan renders writes its dumps to the backup PersistentVolumeClaim; it has no client or credentials for Azure Blob Storage. A backup planned to blob storage would upload nothing, and the plan would count on dumps that are never kept where it says.",
    examples: crate::rule_examples!("PGP116-kubernetes-backup-destination"),
    replaces: &[],
};

impl Rule for KubernetesBackupDestination {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        for (i, b) in cx.plan.backups.logical.iter().enumerate() {
            let BackupDestination::BlobStorage { account, container } = &b.destination else {
                continue;
            };
            out.error(
                backup_path(i, "destination"),
                format!(
                    "pg_dump {} writes to blob container {container} of storage account {account}, but the Kubernetes backup CronJob writes dumps to the backup volume only",
                    b.name
                ),
                format!(
                    "set backups.logical[{i}].destination: volume (the default) and size sizing.backup_volume; copy the volume off-site with the cluster's backup tooling"
                ),
            );
        }
    }
}
