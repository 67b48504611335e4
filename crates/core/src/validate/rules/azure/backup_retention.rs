//! PGP154 azure-backup-retention: managed backups kept 7–35 days.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP154.
pub struct AzureBackupRetention;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP154",
    name: "azure-backup-retention",
    summary: "managed backup retention is within Azure's 7–35 days; a plan without a managed backup policy is told what Azure keeps by default",
    rationale: "Azure refuses a retention outside 7–35 days; point-in-time restore reaches back exactly as far as the retention, and Azure applies its own 7 days when the plan says nothing.",
    examples: crate::rule_examples!("PGP154-azure-backup-retention"),
    replaces: &["PGP009"],
};

impl Rule for AzureBackupRetention {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let (min_days, max_days) = azure_facts::BACKUP_RETENTION_DAYS;
        let Some(managed) = &cx.plan.backups.managed else {
            out.info(
                "backups.managed",
                format!(
                    "no managed backup policy: Azure still backs the server up and keeps backups {} days (its default retention), in locally redundant storage",
                    azure_facts::DEFAULT_BACKUP_RETENTION_DAYS
                ),
                format!(
                    "set backups.managed.retention_days ({min_days}–{max_days}) to say how far back point-in-time restore reaches; geo_redundant: true can only be chosen when the server is created"
                ),
            );
            return;
        };
        let days = managed.retention_days;
        if !(min_days..=max_days).contains(&days) {
            let fix = days.clamp(min_days, max_days);
            let longer = if days > max_days {
                "; keep older copies with a logical backup (backups.logical) to blob storage"
            } else {
                ""
            };
            out.error(
                "backups.managed.retention_days",
                format!(
                    "backup retention of {days} days is outside Azure's {min_days}–{max_days} days"
                ),
                format!("set retention_days: {fix}{longer}"),
            );
        }
        if !managed.point_in_time {
            out.info(
                "backups.managed.point_in_time",
                format!(
                    "Azure always offers point-in-time restore within the retention ({days} days); point_in_time: false changes nothing"
                ),
                "remove point_in_time",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    #[test]
    fn retention_is_7_to_35_days() {
        assert!(run(&AzureBackupRetention, &reference()).is_empty());
        let mut plan = reference();
        plan.backups.managed.as_mut().unwrap().retention_days = 40;
        let d = run(&AzureBackupRetention, &plan);
        let e = at(&d, "backups.managed.retention_days");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message
                .contains("retention of 40 days is outside Azure's 7–35 days"),
            "{}",
            e.message
        );
        assert!(e.help.contains("retention_days: 35"), "{}", e.help);
        assert!(e.help.contains("logical backup"), "{}", e.help);
        plan.backups.managed.as_mut().unwrap().retention_days = 3;
        let d = run(&AzureBackupRetention, &plan);
        assert_eq!(
            at(&d, "backups.managed.retention_days").help,
            "set retention_days: 7"
        );
    }

    #[test]
    fn missing_policy_and_point_in_time_are_noted() {
        let mut plan = reference();
        plan.backups.managed.as_mut().unwrap().point_in_time = false;
        let d = run(&AzureBackupRetention, &plan);
        assert_eq!(
            at(&d, "backups.managed.point_in_time").severity,
            Severity::Info
        );
        plan.backups.managed = None;
        let d = run(&AzureBackupRetention, &plan);
        let i = at(&d, "backups.managed");
        assert_eq!(i.severity, Severity::Info);
        assert!(i.message.contains("keeps backups 7 days"), "{}", i.message);
    }
}
