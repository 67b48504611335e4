//! PGP162 azure-server-properties: server properties are not written as
//! parameters.

use super::support::{explicit_parameters, platform};
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP162.
pub struct AzureServerProperties;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP162",
    name: "azure-server-properties",
    summary: "settings that are properties of an Azure server (backup retention, geo-redundant backup, high availability, storage size, SKU) are written in their plan fields, not as parameters",
    rationale: "The configurations API has no parameter of those names: the request fails, and the setting the plan meant is never made.",
    examples: crate::rule_examples!("PGP162-azure-server-properties"),
    replaces: &["PGP009"],
};

impl Rule for AzureServerProperties {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        for p in explicit_parameters(cx) {
            let name = p.name.as_str();
            if let Some(field) = azure_facts::server_property_for(name) {
                out.error(
                    p.path(),
                    format!(
                        "`{name}` is a property of the server, not a server parameter: the configurations API has no parameter of that name"
                    ),
                    format!(
                        "remove it from {} and set {field} instead (here: {})",
                        p.map, p.value
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::ReadReplica;

    #[test]
    fn seed_001_backup_retention_days_is_a_server_property() {
        assert!(run(&AzureServerProperties, &reference()).is_empty());
        let mut plan = reference();
        plan.tuning
            .parameters
            .insert(v("backup_retention_days"), "35".into());
        let mut replica = ReadReplica::builder().name(v("bill-replica")).build();
        replica
            .parameters
            .insert(v("sku_name"), "Standard_D2s_v3".into());
        plan.topology.replicas = vec![replica];
        let d = run(&AzureServerProperties, &plan);
        let e = at(&d, "tuning.parameters.backup_retention_days");
        assert!(
            e.message.contains("property of the server"),
            "{}",
            e.message
        );
        assert!(
            e.help
                .contains("set backups.managed.retention_days instead (here: 35)"),
            "{}",
            e.help
        );
        let r = at(&d, "topology.replicas[0].parameters.sku_name");
        assert!(r.help.contains("platform.azure.sku"), "{}", r.help);
        assert_eq!(d.len(), 2, "{d:#?}");
    }
}
