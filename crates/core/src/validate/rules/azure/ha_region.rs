//! PGP144 azure-ha-region: zone-redundant high availability needs a region
//! with availability zones.

use super::support::{azure_path, platform};
use crate::azure_facts;
use crate::model::platform::AzureHaMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP144.
pub struct AzureHaRegion;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP144",
    name: "azure-ha-region",
    summary: "zone-redundant high availability is planned only in a region that offers it",
    rationale: "A region without availability zones for Flexible Server refuses a zone-redundant server; same-zone high availability or another region is the way out.",
    examples: crate::rule_examples!("PGP144-azure-ha-region"),
    replaces: &["PGP009"],
};

impl Rule for AzureHaRegion {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        if az.high_availability.mode != AzureHaMode::ZoneRedundant {
            return;
        }
        let region = az.region.as_str();
        match azure_facts::supports_zone_redundant_ha(region) {
            Some(false) => {
                let alternative = azure_facts::paired_region(region)
                    .filter(|p| azure_facts::supports_zone_redundant_ha(p) == Some(true))
                    .map(|p| format!(" such as {p}"))
                    .unwrap_or_default();
                out.error(
                    azure_path(&["high_availability", "mode"]),
                    format!(
                        "zone-redundant high availability is not available in {region}, a region without availability zones for it"
                    ),
                    format!(
                        "use mode: same_zone in {region}, or a region with zone-redundant HA{alternative}"
                    ),
                );
            }
            None => out.info(
                azure_path(&["region"]),
                format!(
                    "pgplan does not know whether {region} offers zone-redundant high availability"
                ),
                "check the regions table of Azure Database for PostgreSQL before applying; a single-zone region rejects zone_redundant",
            ),
            Some(true) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    #[test]
    fn zone_redundant_needs_a_region_with_zones() {
        assert!(run(&AzureHaRegion, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).region = v("Korea South");
        let d = run(&AzureHaRegion, &plan);
        let d = at(&d, "platform.azure.high_availability.mode");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("not available in koreasouth"),
            "{}",
            d.message
        );
        assert!(d.help.contains("such as koreacentral"), "{}", d.help);

        azure(&mut plan).region = v("atlantis");
        let d = run(&AzureHaRegion, &plan);
        let d = at(&d, "platform.azure.region");
        assert_eq!(d.severity, Severity::Info);
        assert!(d.message.contains("atlantis"), "{}", d.message);

        azure(&mut plan).high_availability.mode = AzureHaMode::SameZone;
        assert!(run(&AzureHaRegion, &plan).is_empty());
    }
}
