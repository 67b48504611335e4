//! PGP045 entra-authentication: a role that authenticates as a Microsoft
//! Entra identity needs Entra authentication on the server (Azure only).

use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP045.
pub struct EntraAuthentication;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP045",
    name: "entra-authentication",
    summary: "a role that logs in as a Microsoft Entra identity is on an Azure server with Entra authentication on",
    rationale: "An Entra identity logs in with a token that only a Flexible Server with Microsoft Entra authentication enabled accepts; anywhere else the role has no way to authenticate, and the service that uses it cannot connect.",
    examples: crate::rule_examples!("PGP045-entra-authentication"),
    replaces: &["PGP010"],
};

impl Rule for EntraAuthentication {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let azure = cx.plan.platform.azure();
        // On Kubernetes PGP110 kubernetes-entra-identity reports it, with
        // what the backend would have rendered.
        if azure.is_some_and(|az| az.auth.entra) || cx.plan.platform.kubernetes().is_some() {
            return;
        }
        let why = if azure.is_some() {
            "Microsoft Entra authentication is off (platform.azure.auth.entra)"
        } else {
            "Microsoft Entra authentication exists only on Azure"
        };
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let Some(SecretSource::EntraIdentity { principal }) = &role.password else {
                continue;
            };
            out.error(
                format!("roles[{i}].password"),
                format!(
                    "role {} authenticates as Entra identity `{principal}`, but {why}: it cannot log in",
                    role.name
                ),
                "turn on platform.azure.auth.entra, or give the role a password source",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Platform;
    use crate::validate::rules::test_support::*;

    #[test]
    fn entra_identities_need_entra_authentication() {
        let mut plan = azure_reference_plan();
        assert!(run(&EntraAuthentication, &plan).is_empty());
        plan.roles[1].password = Some(SecretSource::EntraIdentity {
            principal: "bill-inquiry-service-identity".into(),
        });
        let d = run(&EntraAuthentication, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP045");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("`bill-inquiry-service-identity`"));
        assert!(d[0].message.contains("platform.azure.auth.entra"));
        if let Platform::Azure(az) = &mut plan.platform {
            az.auth.entra = true;
        }
        assert!(run(&EntraAuthentication, &plan).is_empty());
    }

    #[test]
    fn entra_exists_only_on_azure() {
        let mut plan = kubernetes_reference_plan();
        plan.roles[1].password = Some(SecretSource::EntraIdentity {
            principal: "svc".into(),
        });
        // Kubernetes' own rule reports it there.
        assert!(run(&EntraAuthentication, &plan).is_empty());
        let mut plan = patroni_cluster_plan();
        plan.roles = kubernetes_reference_plan().roles;
        plan.roles[1].password = Some(SecretSource::EntraIdentity {
            principal: "svc".into(),
        });
        let d = run(&EntraAuthentication, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message.contains("exists only on Azure"),
            "{}",
            d[0].message
        );
    }
}
