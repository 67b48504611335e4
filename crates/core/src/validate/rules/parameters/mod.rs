//! Parameters: every parameter the plan sets, and every value pgplan
//! derives, checked against the `pg_settings` catalog of the plan's major
//! version.

mod derived_value;
mod file_location_parameters;
mod internal_parameter;
mod parameter_value;
mod placeholder_parameter;
mod preload_library;
mod timezone_name;
mod unknown_parameter;

pub use derived_value::DerivedValue;
pub use file_location_parameters::FileLocationParameters;
pub use internal_parameter::InternalParameter;
pub use parameter_value::ParameterValue;
pub use placeholder_parameter::PlaceholderParameter;
pub use preload_library::PreloadLibrary;
pub use timezone_name::TimezoneName;
pub use unknown_parameter::UnknownParameter;

use crate::catalog::{ParamSpec, VarType};
use crate::model::names::GucName;
use crate::model::tuning::ParamValue;
use crate::validate::{Context, FieldPath};

/// Every parameter the plan sets, the primary's and each replica's, with its
/// path (`tuning.parameters.work_mem`,
/// `topology.replicas[0].parameters.hot_standby_feedback`).
fn plan_parameters<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<Item = (FieldPath, &'a GucName, &'a ParamValue)> + 'a {
    let primary = cx.plan.tuning.parameters.iter().map(|(name, value)| {
        (
            FieldPath::root()
                .field("tuning")
                .field("parameters")
                .key(name.as_str()),
            name,
            value,
        )
    });
    let replicas = cx
        .plan
        .topology
        .replicas
        .iter()
        .enumerate()
        .flat_map(|(i, replica)| {
            replica.parameters.iter().map(move |(name, value)| {
                (
                    FieldPath::root()
                        .field("topology")
                        .field("replicas")
                        .index(i)
                        .field("parameters")
                        .key(name.as_str()),
                    name,
                    value,
                )
            })
        });
    primary.chain(replicas)
}

/// What a parameter accepts, for help texts.
fn accepted(spec: &ParamSpec) -> String {
    match spec.vartype {
        VarType::Bool => "on or off".to_owned(),
        VarType::Enum => format!("one of {}", spec.enumvals.join(", ")),
        VarType::String => "text".to_owned(),
        VarType::Integer | VarType::Real => match (spec.min, spec.max) {
            (Some(min), Some(max)) => format!(
                "a value from {} to {}",
                spec.describe_amount(min),
                spec.describe_amount(max)
            ),
            _ => "a number".to_owned(),
        },
    }
}
