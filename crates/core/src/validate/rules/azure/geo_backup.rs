//! PGP155 azure-geo-backup: geo-redundant backup is chosen at creation and
//! goes to the paired region.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP155.
pub struct AzureGeoBackup;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP155",
    name: "azure-geo-backup",
    summary: "geo-redundant backups go to the region's Azure pair (geo_region, when set, is that pair) and are chosen when the server is created; geo_region without geo_redundant does nothing",
    rationale: "Azure copies geo-redundant backups only to the paired region and lets the choice be made only at creation; a geo-restore may lose up to an hour of data.",
    examples: crate::rule_examples!("PGP155-azure-geo-backup"),
    replaces: &["PGP009"],
};

impl Rule for AzureGeoBackup {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let Some(managed) = &cx.plan.backups.managed else {
            return;
        };
        let region = az.region.as_str();
        if !managed.geo_redundant {
            if let Some(geo) = &managed.geo_region {
                out.warning(
                    "backups.managed.geo_region",
                    format!(
                        "geo_region is {geo} but geo_redundant is false: backups stay in {region}"
                    ),
                    "set geo_redundant: true (only possible when the server is created), or remove geo_region",
                );
            }
            return;
        }
        out.info(
            "backups.managed.geo_redundant",
            format!(
                "geo-redundant backup storage can only be chosen when the server is created and never changed afterwards; a geo-restore goes to the paired region and may lose up to {} of data",
                azure_facts::GEO_RESTORE_RPO
            ),
            "keep geo_redundant in the plan from the first apply; changing it later means restoring into a new server",
        );
        match azure_facts::paired_region(region) {
            Some(pair) => {
                if let Some(geo) = &managed.geo_region
                    && geo.as_str() != pair
                {
                    out.error(
                        "backups.managed.geo_region",
                        format!(
                            "geo-redundant backups of {region} go to its paired region {pair}, not {geo}"
                        ),
                        format!(
                            "set geo_region: {pair}, or remove it (Azure always uses the paired region); for a copy elsewhere, add a read replica or a logical backup there"
                        ),
                    );
                }
            }
            None => out.warning(
                "backups.managed.geo_redundant",
                format!(
                    "pgplan does not know the paired region of {region}; geo-redundant backup is only offered where Azure pairs the region"
                ),
                "check Azure's region pairs and the regions table before applying, and set geo_region to the pair",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    #[test]
    fn the_reference_plan_only_notes_geo_backup_is_create_only() {
        let d = run(&AzureGeoBackup, &reference());
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert!(d[0].message.contains("up to 1h"), "{}", d[0].message);
        assert!(run(&AzureGeoBackup, &kubernetes()).is_empty());
    }

    #[test]
    fn geo_backups_go_to_the_paired_region_only() {
        let mut plan = reference();
        plan.backups.managed.as_mut().unwrap().geo_region = Some(v("japaneast"));
        let d = run(&AzureGeoBackup, &plan);
        let e = at(&d, "backups.managed.geo_region");
        assert_eq!(e.severity, Severity::Error);
        assert!(
            e.message.contains(
                "backups of koreacentral go to its paired region koreasouth, not japaneast"
            ),
            "{}",
            e.message
        );
        assert!(e.help.contains("geo_region: koreasouth"), "{}", e.help);
        plan.backups.managed.as_mut().unwrap().geo_region = Some(v("Korea South"));
        let d = run(&AzureGeoBackup, &plan);
        assert!(d.iter().all(|d| d.severity == Severity::Info), "{d:#?}");
    }

    #[test]
    fn unknown_pairs_and_unused_regions_warn() {
        let mut plan = reference();
        azure(&mut plan).region = v("atlantis");
        let d = run(&AzureGeoBackup, &plan);
        let w: Vec<_> = d
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect();
        assert_eq!(w.len(), 1, "{d:#?}");
        assert!(w[0].message.contains("paired region of atlantis"));

        let mut plan = reference();
        plan.backups.managed.as_mut().unwrap().geo_redundant = false;
        let d = run(&AzureGeoBackup, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("backups stay in koreacentral"));
    }
}
