//! PGP009 azure (backups): managed backup retention, the default Azure applies
//! when the plan says nothing, and geo-redundant backup (create-only, to the
//! paired region only).

use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP009, managed backups.
pub struct AzureBackupPolicy;

const ID: &str = "PGP009";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "azure-backups",
    summary: "Azure managed backups: retention 7–35 days, geo-redundant backup chosen at creation and kept in the paired region",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for AzureBackupPolicy {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = cx.plan.platform.azure() else {
            return;
        };
        let (min_days, max_days) = azure_facts::BACKUP_RETENTION_DAYS;
        let Some(managed) = &cx.plan.backups.managed else {
            out.info(                "backups.managed",
                format!(
                    "no managed backup policy: Azure still backs the server up and keeps backups {} days (its default retention), in locally redundant storage",
                    azure_facts::DEFAULT_BACKUP_RETENTION_DAYS
                ),
                format!(
                    "set backups.managed.retention_days ({min_days}–{max_days}) to say how far back point-in-time restore reaches; geo_redundant: true can only be chosen when the server is created"
                ));
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
        let region = az.region.as_str();
        if managed.geo_redundant {
            out.info(                "backups.managed.geo_redundant",
                format!(
                    "geo-redundant backup storage can only be chosen when the server is created and never changed afterwards; a geo-restore goes to the paired region and may lose up to {} of data",
                    azure_facts::GEO_RESTORE_RPO
                ),
                "keep geo_redundant in the plan from the first apply; changing it later means restoring into a new server");
            match azure_facts::paired_region(&region) {
                Some(pair) => {
                    if let Some(geo) = &managed.geo_region
                        && geo.as_str() != pair
                    {
                        out.error(                            "backups.managed.geo_region",
                            format!(
                                "geo-redundant backups of {region} go to its paired region {pair}, not {geo}"
                            ),
                            format!(
                                "set geo_region: {pair}, or remove it (Azure always uses the paired region); for a copy elsewhere, add a read replica or a logical backup there"
                            ));
                    }
                }
                None => out.warning(                    "backups.managed.geo_redundant",
                    format!(
                        "pgplan does not know the paired region of {region}; geo-redundant backup is only offered where Azure pairs the region"
                    ),
                    "check Azure's region pairs and the regions table before applying, and set geo_region to the pair"),
            }
        } else if let Some(geo) = &managed.geo_region {
            out.warning(                "backups.managed.geo_region",
                format!(
                    "geo_region is {geo} but geo_redundant is false: backups stay in {region}"
                ),
                "set geo_redundant: true (only possible when the server is created), or remove geo_region");
        }
        if !managed.point_in_time {
            out.info(                "backups.managed.point_in_time",
                "Azure always offers point-in-time restore within the retention; point_in_time: false changes nothing",
                "remove point_in_time");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn managed(plan: &mut crate::Plan) -> &mut crate::ManagedBackups {
        plan.backups.managed.as_mut().expect("managed backups")
    }

    #[test]
    fn reference_plan_only_notes_geo_backup_is_create_only() {
        let d = run(&AzureBackupPolicy, &azure_reference_plan());
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "backups.managed.geo_redundant");
        assert!(
            d[0].message
                .contains("only be chosen when the server is created")
        );
        assert!(d[0].message.contains("up to 1h"), "{}", d[0].message);
        assert!(run(&AzureBackupPolicy, &kubernetes_reference_plan()).is_empty());
    }

    #[test]
    fn retention_is_7_to_35_days() {
        let mut plan = azure_reference_plan();
        managed(&mut plan).retention_days = 40;
        let d = run(&AzureBackupPolicy, &plan);
        let d = diagnostic_at(&d, "backups.managed.retention_days");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("retention of 40 days is outside Azure's 7–35 days"),
            "{}",
            d.message
        );
        assert!(d.help.contains("retention_days: 35"), "{}", d.help);
        assert!(d.help.contains("logical backup"), "{}", d.help);

        managed(&mut plan).retention_days = 3;
        let d = run(&AzureBackupPolicy, &plan);
        assert!(
            diagnostic_at(&d, "backups.managed.retention_days")
                .help
                .contains("retention_days: 7")
        );
        managed(&mut plan).retention_days = 7;
        let d = run(&AzureBackupPolicy, &plan);
        assert!(d.iter().all(|d| d.path != "backups.managed.retention_days"));
    }

    #[test]
    fn missing_managed_backups_says_azure_keeps_7_days() {
        let mut plan = azure_reference_plan();
        plan.backups.managed = None;
        let d = run(&AzureBackupPolicy, &plan);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "backups.managed");
        assert!(
            d[0].message.contains("keeps backups 7 days"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn geo_backups_go_to_the_paired_region_only() {
        let mut plan = azure_reference_plan();
        managed(&mut plan).geo_region = Some("japaneast".into());
        let d = run(&AzureBackupPolicy, &plan);
        let d = diagnostic_at(&d, "backups.managed.geo_region");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains(
                "backups of koreacentral go to its paired region koreasouth, not japaneast"
            ),
            "{}",
            d.message
        );
        assert!(d.help.contains("geo_region: koreasouth"), "{}", d.help);

        // The display name of the pair is accepted.
        managed(&mut plan).geo_region = Some("Korea South".into());
        let d = run(&AzureBackupPolicy, &plan);
        assert!(d.iter().all(|d| d.severity == Severity::Info), "{d:#?}");
    }

    #[test]
    fn unknown_pair_warns() {
        let mut plan = azure_reference_plan();
        if let crate::Platform::Azure(az) = &mut plan.platform {
            az.region = "atlantis".into();
        }
        let d = run(&AzureBackupPolicy, &plan);
        let w = with_severity(&d, Severity::Warning);
        assert_eq!(w.len(), 1, "{d:#?}");
        assert!(w[0].message.contains("paired region of atlantis"));
    }

    #[test]
    fn geo_region_without_geo_redundancy_warns() {
        let mut plan = azure_reference_plan();
        managed(&mut plan).geo_redundant = false;
        let d = run(&AzureBackupPolicy, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "backups.managed.geo_region");
        assert!(d[0].message.contains("backups stay in koreacentral"));
    }
}
