//! PGP140 azure-version: the major version is one Flexible Server offers.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP140.
pub struct AzureVersion;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP140",
    name: "azure-version",
    summary: "an Azure plan's PostgreSQL major version is one Flexible Server creates servers with",
    rationale: "Azure refuses to create a server of a version it does not offer, and a version newer than the 2024-08-01 API's enum is sent as a string, which the service takes only where it runs that version.",
    examples: crate::rule_examples!("PGP140-azure-version"),
    replaces: &["PGP009"],
};

impl Rule for AzureVersion {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if platform(cx).is_none() {
            return;
        }
        let version = cx.plan.version.get();
        let supported = &azure_facts::SUPPORTED_VERSIONS;
        let newest = supported
            .iter()
            .copied()
            .max()
            .unwrap_or(azure_facts::API_ENUM_MAX_VERSION);
        if !supported.contains(&version) {
            let list: Vec<String> = supported.iter().map(u16::to_string).collect();
            out.error(
                "version",
                format!(
                    "PostgreSQL {version} is not available on Azure Flexible Server; new servers run {}",
                    list.join(", ")
                ),
                format!(
                    "set version: {newest}, or run PostgreSQL {version} on the kubernetes or local platform"
                ),
            );
        } else if version > azure_facts::API_ENUM_MAX_VERSION {
            out.info(
                "version",
                format!(
                    "PostgreSQL {version}: the 2024-08-01 API's ServerVersion enum stops at {}; pgplan sends \"{version}\" as a string, which the API accepts (the enum is modelAsString)",
                    azure_facts::API_ENUM_MAX_VERSION
                ),
                "nothing to change; check that the region offers this version before applying",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{MajorVersion, Severity};

    #[test]
    fn version_18_is_not_available_and_17_is_sent_as_a_string() {
        let mut plan = reference();
        plan.version = MajorVersion::new(18).unwrap();
        let d = run(&AzureVersion, &plan);
        let v = at(&d, "version");
        assert_eq!(v.severity, Severity::Error);
        assert!(
            v.message
                .contains("PostgreSQL 18 is not available on Azure Flexible Server; new servers run 14, 15, 16, 17"),
            "{}",
            v.message
        );
        assert!(v.help.contains("version: 17"), "{}", v.help);

        plan.version = MajorVersion::new(17).unwrap();
        let d = run(&AzureVersion, &plan);
        let v = at(&d, "version");
        assert_eq!(v.severity, Severity::Info);
        assert!(v.message.contains("enum stops at 16"), "{}", v.message);
        assert!(v.message.contains("\"17\" as a string"), "{}", v.message);

        plan.version = MajorVersion::new(16).unwrap();
        assert!(run(&AzureVersion, &plan).is_empty());
        let mut k8s = kubernetes();
        k8s.version = MajorVersion::new(18).unwrap();
        assert!(run(&AzureVersion, &k8s).is_empty());
    }
}
