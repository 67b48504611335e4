//! Plan → ordered list of ARM operations. Pure: no IO, no clock, the same
//! plan always gives the same operations.

mod administrator;
pub(crate) mod alert;
mod configuration;
mod database;
pub(crate) mod network;
mod replica;
mod server;

use pgplan_core::{Azure, ValidPlan, azure_facts};

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
    pub(crate) fn new(plan: &'a ValidPlan) -> Result<Self, Error> {
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
        azure_facts::resource_group_id(&self.subscription, &self.azure.resource_group)
    }

    /// The ARM id of a flexible server in the plan's resource group.
    pub fn server_id(&self, server: &str) -> String {
        azure_facts::server_id(&self.resource_group_id(), server)
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
/// set), databases, Entra administrators, firewall rules, read replicas,
/// then the metric alerts on them.
///
/// Every check the requests need is a validation rule (PGP140–PGP179 and
/// the generic ones), so a [`ValidPlan`] always renders; the only error is a
/// plan for another platform.
pub fn render_operations(plan: &ValidPlan) -> Result<Vec<Operation>, Error> {
    let cx = Ctx::new(plan)?;
    let primary = cx.azure.server_name.as_str();
    let mut ops = vec![server::create(&cx)];
    let parameters = configuration::azure_parameters(plan);
    ops.extend(configuration::operations(&cx, primary, &parameters));
    if let Some(restart) = server::restart(&cx, primary, &parameters) {
        ops.push(restart);
    }
    ops.extend(database::operations(&cx));
    ops.extend(administrator::operations(&cx));
    ops.extend(network::firewall_rules(&cx));
    ops.extend(replica::operations(&cx));
    ops.extend(alert::operations(&cx));
    Ok(ops)
}
