//! PGP175 azure-entra-roles: a role that logs in as a Microsoft Entra
//! identity becomes an Entra principal, which takes Entra authentication,
//! an Entra administrator to create it, and one of the plan's managed
//! identities.

use super::support::{azure_path, platform};
use crate::azure_facts;
use crate::model::secrets::SecretSource;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP175.
pub struct AzureEntraRoles;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP175",
    name: "azure-entra-roles",
    summary: "a role whose password source is an Entra identity logs in, names one of platform.azure.managed_identities, and the server has Microsoft Entra authentication and an Entra administrator; every managed identity is a valid name or resource id",
    rationale: "Such a role is created with pgaadauth_create_principal_with_oid, which exists only with Entra authentication on and which only an Entra administrator may run; the role is mapped to the identity's object id, which pgplan looks up from the identity the plan lists — an identity it does not list cannot be looked up, and a plain CREATE ROLE would give a role no token can log in as.",
    examples: crate::rule_examples!("PGP175-azure-entra-roles"),
    replaces: &[],
};

impl Rule for AzureEntraRoles {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        for (i, entry) in az.managed_identities.iter().enumerate() {
            if let Err(why) = azure_facts::check_managed_identity(entry) {
                out.error(
                    azure_path(&["managed_identities"]).index(i),
                    format!("managed identity `{entry}` is neither a name nor a resource id Azure takes: {why}"),
                    "write the user-assigned identity's name (in the server's resource group) or its resource id",
                );
            }
        }
        let mut any = false;
        for (i, role) in cx.plan.roles.iter().enumerate() {
            let Some(SecretSource::EntraIdentity { principal }) = &role.password else {
                continue;
            };
            any = true;
            let path = FieldPath::root().field("roles").index(i).field("password");
            if azure_facts::managed_identity(az, principal).is_none() {
                let listed = if az.managed_identities.is_empty() {
                    "the plan lists none".to_owned()
                } else {
                    format!("the plan lists {}", az.managed_identities.join(", "))
                };
                out.error(
                    path.clone(),
                    format!(
                        "role {} logs in as Entra identity `{principal}`, which is not one of platform.azure.managed_identities ({listed}): its object id cannot be looked up",
                        role.name
                    ),
                    format!("add `{principal}` (or its resource id) to platform.azure.managed_identities, or name an identity listed there"),
                );
            }
            if !role.login {
                out.error(
                    FieldPath::root().field("roles").index(i).field("login"),
                    format!(
                        "role {} logs in as Entra identity `{principal}` but has login: false; an Entra principal is a login role",
                        role.name
                    ),
                    "set login: true, or give the group role no password source",
                );
            }
            if !az.auth.entra {
                out.error(
                    path,
                    format!(
                        "role {} logs in as Entra identity `{principal}`, but Microsoft Entra authentication is off (platform.azure.auth.entra): the principal cannot be created and no token is accepted",
                        role.name
                    ),
                    "set platform.azure.auth.entra: true with an administrator, or give the role a password source",
                );
            }
        }
        if any && az.auth.entra && az.auth.administrators.is_empty() {
            out.error(
                azure_path(&["auth", "administrators"]),
                "the plan has roles that log in as Entra identities but no Microsoft Entra administrator: only an Entra administrator can create Entra principals",
                "add administrators: [{ principal_name: <group or user>, principal_type: Group }] — the deploy script connects as the first one",
            );
        }
    }
}

// Tests: crates/core/tests/azure_ops.rs (with the rule examples).
