//! Plan → ordered list of ARM operations. Pure: no IO, no clock, the same
//! plan always gives the same operations.

mod administrator;
mod configuration;
mod database;
mod network;
mod replica;
mod server;

use pgplan_core::{Azure, ValidPlan};

use crate::Error;
use crate::operation::{API_VERSION, Operation, Placeholder, SUBSCRIPTION_PLACEHOLDER};

pub use configuration::{Parameter, azure_parameters};

/// What every part of the renderer needs: the plan, its Azure platform and
/// the subscription (the plan's id or the `{subscriptionId}` placeholder).
pub(crate) struct Ctx<'a> {
    pub plan: &'a ValidPlan,
    pub azure: &'a Azure,
    pub subscription: String,
}

impl<'a> Ctx<'a> {
    fn new(plan: &'a ValidPlan) -> Result<Self, Error> {
        let azure = plan.platform.azure().ok_or(Error::NotAzure {
            platform: plan.platform.kind(),
        })?;
        let subscription = match &azure.subscription_id {
            Some(id) => id.to_string(),
            None => SUBSCRIPTION_PLACEHOLDER.to_owned(),
        };
        Ok(Ctx {
            plan,
            azure,
            subscription,
        })
    }

    /// `/subscriptions/…/resourceGroups/…` of the plan's resource group.
    pub fn resource_group_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription, self.azure.resource_group
        )
    }

    /// The ARM id of a flexible server in the plan's resource group.
    pub fn server_id(&self, server: &str) -> String {
        format!(
            "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server}",
            self.resource_group_id()
        )
    }

    /// A request path: the server id, a child path, the api-version.
    pub fn path(&self, server: &str, child: &str) -> String {
        format!(
            "{}{child}?api-version={API_VERSION}",
            self.server_id(server)
        )
    }

    /// The placeholders an operation carries (the subscription id, when the
    /// plan has none).
    pub fn placeholders(&self) -> Vec<Placeholder> {
        if self.subscription == SUBSCRIPTION_PLACEHOLDER {
            vec![Placeholder {
                placeholder: SUBSCRIPTION_PLACEHOLDER.into(),
                description:
                    "platform.azure.subscription_id is not set: the subscription apply runs \
                              in (its --subscription option, AZURE_SUBSCRIPTION_ID, or \
                              `az account show --query id`)"
                        .into(),
            }]
        } else {
            Vec::new()
        }
    }
}

/// Renders a plan into the ordered operations that create its server on
/// Azure: the server, its parameters (and a restart when a static one is
/// set), databases, Entra administrators, firewall rules, read replicas.
pub fn render_operations(plan: &ValidPlan) -> Result<Vec<Operation>, Error> {
    let cx = Ctx::new(plan)?;
    let primary = cx.azure.server_name.as_str();
    check_server_name("platform.azure.server_name", primary)?;
    let mut ops = vec![server::create(&cx)?];
    let parameters = configuration::azure_parameters(plan)?;
    ops.extend(configuration::operations(&cx, primary, &parameters));
    if let Some(restart) = server::restart(&cx, primary, &parameters) {
        ops.push(restart);
    }
    ops.extend(database::operations(&cx)?);
    ops.extend(administrator::operations(&cx)?);
    ops.extend(network::firewall_rules(&cx)?);
    ops.extend(replica::operations(&cx)?);
    Ok(ops)
}

fn plan_error(
    field: impl Into<String>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> Error {
    Error::Plan {
        field: field.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// Server names: 3–63 lowercase letters, digits and inner hyphens (common
/// types `ServerNameParameter`; the CLI also requires lowercase).
pub(crate) fn check_server_name(field: &str, name: &str) -> Result<(), Error> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok = (3..=63).contains(&name.len())
        && ok_chars
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(plan_error(
            field,
            format!("`{name}` is not a flexible server name"),
            "use 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_follow_the_cli_rule() {
        for ok in ["abc", "phonebill-bill-inquiry-prod-pg", "a1-b2"] {
            assert!(check_server_name("f", ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "Abc", "a_b", "-ab", "ab-", "a--b", &"a".repeat(64)] {
            assert!(check_server_name("f", bad).is_err(), "{bad}");
        }
    }
}
