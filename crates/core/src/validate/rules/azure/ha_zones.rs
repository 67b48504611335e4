//! PGP145 azure-ha-zones: the standby's zone fits the high-availability mode.

use super::support::{azure_path, other_zones, platform};
use crate::model::platform::AzureHaMode;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP145.
pub struct AzureHaZones;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP145",
    name: "azure-ha-zones",
    summary: "the standby zone fits the high-availability mode: none without high availability, another zone than the primary's for zone_redundant, the primary's for same_zone",
    rationale: "Azure refuses a standby zone that contradicts the mode, and the zones cannot change after creation; when the plan leaves a zone out, Azure picks it.",
    examples: crate::rule_examples!("PGP145-azure-ha-zones"),
    replaces: &["PGP009"],
};

impl Rule for AzureHaZones {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let ha = &az.high_availability;
        let primary = az.zone.as_ref().map(|z| z.as_str());
        let standby = ha.standby_zone.as_ref().map(|z| z.as_str());
        let standby_path = azure_path(&["high_availability", "standby_zone"]);
        match ha.mode {
            AzureHaMode::Disabled => {
                if let Some(standby) = standby {
                    out.error(
                        standby_path,
                        format!(
                            "standby_zone {standby} is set but high availability is disabled: there is no standby"
                        ),
                        "set high_availability.mode: zone_redundant (or same_zone), or remove standby_zone",
                    );
                }
            }
            AzureHaMode::ZoneRedundant => match (primary, standby) {
                (Some(primary), Some(standby)) if primary == standby => out.error(
                    standby_path,
                    format!(
                        "standby zone {standby} is the primary's zone {primary}; zone-redundant HA needs the standby in another zone"
                    ),
                    format!(
                        "set standby_zone to another zone ({}), or use mode: same_zone",
                        other_zones(primary)
                    ),
                ),
                (Some(_), Some(_)) => {}
                (Some(primary), None) => out.info(
                    standby_path,
                    format!(
                        "no standby zone: Azure picks a zone other than the primary's zone {primary}"
                    ),
                    format!(
                        "set high_availability.standby_zone ({}) to choose it",
                        other_zones(primary)
                    ),
                ),
                (None, Some(standby)) => out.info(
                    azure_path(&["zone"]),
                    format!(
                        "no primary zone: Azure picks the primary's zone, another than standby zone {standby}"
                    ),
                    "set platform.azure.zone to choose it (it cannot be changed after creation)",
                ),
                (None, None) => out.info(
                    azure_path(&["zone"]),
                    "no zones: Azure picks both the primary's and the standby's zone",
                    "set platform.azure.zone and high_availability.standby_zone (e.g. 1 and 2) to keep the primary near its clients",
                ),
            },
            AzureHaMode::SameZone => {
                if let (Some(primary), Some(standby)) = (primary, standby)
                    && primary != standby
                {
                    out.error(
                        standby_path,
                        format!(
                            "same-zone HA keeps the standby in the primary's zone {primary}, but standby_zone is {standby}"
                        ),
                        format!(
                            "remove standby_zone (or set it to {primary}), or use mode: zone_redundant for a standby in another zone"
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::Severity;

    #[test]
    fn zone_redundant_standby_must_be_in_another_zone() {
        assert!(run(&AzureHaZones, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).high_availability.standby_zone = Some(v("1"));
        let d = run(&AzureHaZones, &plan);
        let d = at(&d, "platform.azure.high_availability.standby_zone");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains("standby zone 1 is the primary's zone 1"),
            "{}",
            d.message
        );
        assert!(d.help.contains("2 or 3"), "{}", d.help);
    }

    #[test]
    fn missing_zones_say_which_azure_picks() {
        let mut plan = reference();
        azure(&mut plan).high_availability.standby_zone = None;
        let d = run(&AzureHaZones, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert!(
            d[0].message
                .contains("Azure picks a zone other than the primary's zone 1"),
            "{}",
            d[0].message
        );
        azure(&mut plan).zone = None;
        let d = run(&AzureHaZones, &plan);
        let d = at(&d, "platform.azure.zone");
        assert_eq!(d.severity, Severity::Info);
        assert!(d.message.contains("picks both"), "{}", d.message);
    }

    #[test]
    fn standby_zones_of_the_other_modes() {
        let mut plan = reference();
        azure(&mut plan).high_availability.mode = AzureHaMode::Disabled;
        let d = run(&AzureHaZones, &plan);
        let d = at(&d, "platform.azure.high_availability.standby_zone");
        assert!(d.message.contains("standby_zone 2 is set"), "{}", d.message);

        azure(&mut plan).high_availability.mode = AzureHaMode::SameZone;
        let d = run(&AzureHaZones, &plan);
        let d = at(&d, "platform.azure.high_availability.standby_zone");
        assert!(
            d.message.contains("zone 1, but standby_zone is 2"),
            "{}",
            d.message
        );
        azure(&mut plan).high_availability.standby_zone = Some(v("1"));
        assert!(run(&AzureHaZones, &plan).is_empty());
    }
}
