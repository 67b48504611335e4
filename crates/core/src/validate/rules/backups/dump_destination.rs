//! PGP071 dump-destination: a dump written to the backup volume needs one:
//! `sizing.backup_volume` is set, and the platform is not Azure (a Flexible
//! Server has no volume for dumps).

use super::on_volume;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP071.
pub struct DumpDestination;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP071",
    name: "dump-destination",
    summary: "a dump written to the backup volume has one: sizing.backup_volume is set, and the server is not on Azure",
    rationale: "A dump job writes where its destination says. Without a backup volume the job has nowhere to write (on Kubernetes its pod does not even start, for want of the volume claim), and an Azure Flexible Server has no volume for dumps at all: the dumps the plan counts on never exist.",
    examples: crate::rule_examples!("PGP071-dump-destination"),
    replaces: &["PGP013"],
};

impl Rule for DumpDestination {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let jobs = on_volume(cx);
        if jobs.is_empty() {
            return;
        }
        if cx.plan.platform.azure().is_some() {
            for (i, backup) in jobs {
                out.error(
                    format!("backups.logical[{i}].destination"),
                    format!(
                        "pg_dump {} writes to the backup volume, but an Azure Flexible Server has none",
                        backup.name
                    ),
                    "set destination: { blob_storage: { account, container } }",
                );
            }
            return;
        }
        if cx.plan.sizing.backup_volume.is_some() {
            return;
        }
        let names: Vec<String> = jobs.iter().map(|(_, b)| b.name.to_string()).collect();
        out.error(
            "sizing.backup_volume",
            format!(
                "pg_dump {} write(s) to the backup volume, but sizing.backup_volume is not set",
                names.join(", ")
            ),
            "set sizing.backup_volume (retained dumps × database size, with headroom), or set destination: { blob_storage: { account, container } }",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::nightly;
    use super::*;
    use crate::model::backups::BackupDestination;
    use crate::validate::rules::test_support::*;

    #[test]
    fn volume_destination_needs_a_volume() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&DumpDestination, &plan).is_empty());
        plan.sizing.backup_volume = None;
        let d = run(&DumpDestination, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP071");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "sizing.backup_volume");
        assert!(
            d[0].message
                .contains("pg_dump nightly write(s) to the backup volume")
        );
        nightly(&mut plan).destination = BackupDestination::BlobStorage {
            account: v("phonebillbackups"),
            container: v("dumps"),
        };
        assert!(run(&DumpDestination, &plan).is_empty());
    }

    #[test]
    fn azure_has_no_backup_volume() {
        let mut plan = azure_reference_plan();
        plan.backups.logical = kubernetes_reference_plan().backups.logical;
        let d = run(&DumpDestination, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "backups.logical[0].destination");
    }
}
