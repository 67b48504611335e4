//! PGP147 azure-entra-administrators: Microsoft Entra administrators go with
//! Entra authentication, each named once.

use std::collections::BTreeMap;

use super::support::{azure_path, platform};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP147.
pub struct AzureEntraAdministrators;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP147",
    name: "azure-entra-administrators",
    summary: "Microsoft Entra administrators are listed only with Entra authentication on, each with a principal name written once, without surrounding spaces and not starting with `@`; Entra authentication without administrators is flagged",
    rationale: "Azure refuses Entra administrators on a server without Entra authentication; an administrator is created per object id and looked up by its display name, so a blank or repeated name cannot be created or found; with Entra on and no administrator, no Entra principal can log in.",
    examples: crate::rule_examples!("PGP147-azure-entra-administrators"),
    replaces: &["PGP009"],
};

impl Rule for AzureEntraAdministrators {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let auth = &az.auth;
        let list = azure_path(&["auth", "administrators"]);
        if auth.entra && auth.administrators.is_empty() {
            out.warning(
                list.clone(),
                "Microsoft Entra authentication is on but no Entra administrator is planned: no Entra principal can log in or create Entra roles until one is added",
                "add administrators: [{ principal_name: <group or user>, principal_type: Group }]",
            );
        }
        if !auth.entra && !auth.administrators.is_empty() {
            out.error(
                list.clone(),
                format!(
                    "{} Entra administrator(s) are listed but Microsoft Entra authentication is off",
                    auth.administrators.len()
                ),
                "set platform.azure.auth.entra: true, or remove the administrators",
            );
        }
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, admin) in auth.administrators.iter().enumerate() {
            let path = list.clone().index(i);
            let name = admin.principal_name.as_str();
            if name.trim().is_empty() || name.chars().any(char::is_control) {
                out.error(
                    path.clone().field("principal_name"),
                    format!("administrator {i} has no principal name (`{name}`)"),
                    "write the user's, group's or service principal's display name",
                );
                continue;
            }
            if name.starts_with('@') {
                out.error(
                    path.clone().field("principal_name"),
                    format!(
                        "principal name `{name}` starts with `@`: the Azure CLI reads an argument that starts with `@` as the name of a file to load, so the deploy script cannot pass it"
                    ),
                    "write the principal's display name without the leading `@` (rename it in Entra ID if it has one)",
                );
            }
            if name.trim() != name {
                out.error(
                    path.clone().field("principal_name"),
                    format!(
                        "principal name `{name}` starts or ends with a space; Entra display names are looked up exactly"
                    ),
                    format!("write principal_name: {}", name.trim()),
                );
            }
            if let Some(first) = names.insert(name, i) {
                out.error(
                    path.clone().field("principal_name"),
                    format!(
                        "Entra administrator `{name}` is already listed as administrators[{first}]"
                    ),
                    "list every administrator once",
                );
            }
            if let Some(id) = &admin.object_id
                && let Some(first) = ids.insert(id.as_str(), i)
            {
                out.error(
                    path.field("object_id"),
                    format!(
                        "object id {id} of `{name}` is also administrators[{first}]'s; an administrator is one object id"
                    ),
                    "give each administrator its own principal's object id",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::support::fixtures::*;
    use super::*;
    use crate::{EntraAdmin, Severity};

    fn admin(name: &str) -> EntraAdmin {
        EntraAdmin::builder().principal_name(name).build()
    }

    #[test]
    fn entra_without_administrators_warns() {
        assert!(run(&AzureEntraAdministrators, &reference()).is_empty());
        let mut plan = reference();
        azure(&mut plan).auth.entra = true;
        let d = run(&AzureEntraAdministrators, &plan);
        assert_eq!(
            at(&d, "platform.azure.auth.administrators").severity,
            Severity::Warning
        );
        azure(&mut plan)
            .auth
            .administrators
            .push(admin("phonebill-admin"));
        assert!(run(&AzureEntraAdministrators, &plan).is_empty());
    }

    #[test]
    fn administrators_need_entra_and_names_of_their_own() {
        let mut plan = reference();
        let az = azure(&mut plan);
        az.auth.administrators = vec![admin("dba"), admin(" "), admin("dba "), admin("dba")];
        az.auth.administrators[0].object_id = Some(v("0a0a0a0a-1111-2222-3333-444444444444"));
        az.auth.administrators[3].object_id = Some(v("0a0a0a0a-1111-2222-3333-444444444444"));
        let d = run(&AzureEntraAdministrators, &plan);
        let off = at(&d, "platform.azure.auth.administrators");
        assert_eq!(off.severity, Severity::Error);
        assert!(
            off.message.contains("4 Entra administrator(s)"),
            "{}",
            off.message
        );
        assert!(
            at(&d, "platform.azure.auth.administrators[1].principal_name")
                .message
                .contains("no principal name")
        );
        assert_eq!(
            at(&d, "platform.azure.auth.administrators[2].principal_name").help,
            "write principal_name: dba"
        );
        assert!(
            at(&d, "platform.azure.auth.administrators[3].principal_name")
                .message
                .contains("already listed as administrators[0]")
        );
        assert!(
            at(&d, "platform.azure.auth.administrators[3].object_id")
                .message
                .contains("administrators[0]'s")
        );
        assert_eq!(d.len(), 5, "{d:#?}");
    }
}
