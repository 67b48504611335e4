//! Microsoft Entra administrators
//! (`PUT flexibleServers/{name}/administrators/{objectId}`).

use pgplan_core::PrincipalType;

use super::Ctx;
use crate::models::{self, administrator_properties_for_add};
use crate::operation::{
    Body, Method, OBJECT_ID_PLACEHOLDER, Operation, OperationKind, Placeholder,
};

/// One `Administrators_Create` per Entra administrator. Rule PGP147
/// guarantees Entra authentication is on and every principal name is
/// written once, without surrounding spaces.
pub(super) fn operations(cx: &Ctx<'_>) -> Vec<Operation> {
    let auth = &cx.azure.auth;
    let server = cx.azure.server_name.as_str();
    let mut ops = Vec::new();
    for (i, admin) in auth.administrators.iter().enumerate() {
        let field = format!("platform.azure.auth.administrators[{i}]");
        let name = admin.principal_name.as_str();
        let mut placeholders = cx.placeholders();
        let object_id = match &admin.object_id {
            Some(id) => id.to_string(),
            None => {
                placeholders.push(Placeholder {
                    placeholder: OBJECT_ID_PLACEHOLDER.into(),
                    description: format!(
                        "{field}.object_id is not set: the object id of the Entra {} `{name}`, looked up at apply time",
                        principal_word(admin.principal_type)
                    ),
                });
                OBJECT_ID_PLACEHOLDER.to_owned()
            }
        };
        let body = models::ActiveDirectoryAdministratorAdd {
            properties: Some(models::AdministratorPropertiesForAdd {
                principal_type: Some(match admin.principal_type {
                    PrincipalType::User => administrator_properties_for_add::PrincipalType::User,
                    PrincipalType::Group => administrator_properties_for_add::PrincipalType::Group,
                    PrincipalType::ServicePrincipal => {
                        administrator_properties_for_add::PrincipalType::ServicePrincipal
                    }
                }),
                principal_name: Some(name.to_owned()),
                tenant_id: auth.tenant_id.as_ref().map(ToString::to_string),
            }),
        };
        ops.push(Operation {
            id: format!("administrator:{name}"),
            kind: OperationKind::Administrator,
            server: server.to_owned(),
            summary: format!(
                "make the Entra {} {name} an administrator of {server}",
                principal_word(admin.principal_type)
            ),
            method: Method::Put,
            path: cx.path(server, &format!("/administrators/{object_id}")),
            body: Some(Body::Administrator(body)),
            needs_restart: false,
            secrets: Vec::new(),
            placeholders,
            prerequisites: Vec::new(),
            notes: Vec::new(),
        });
    }
    ops
}

/// `user`, `group`, `service principal`.
pub(crate) fn principal_word(t: PrincipalType) -> &'static str {
    match t {
        PrincipalType::User => "user",
        PrincipalType::Group => "group",
        PrincipalType::ServicePrincipal => "service principal",
    }
}
