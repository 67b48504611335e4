//! The crate's one error type.

/// Why a plan could not be rendered or applied. Rendering a validated plan
/// fails only on serialisation (or a plan for another platform): every
/// check the requests need is a validation rule.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plan targets another platform.
    #[error(
        "the plan's platform is {platform}, not azure: its SQL renders with `--target sql`; for Flexible Server requests set `platform: {{ azure: {{ ... }} }}`"
    )]
    NotAzure {
        /// The plan's platform (`kubernetes`, `local`).
        platform: &'static str,
    },
    /// Something another backend provides is missing (the SQL of the
    /// plan's Entra principals, which the SQL backend writes).
    #[error("the plan needs {what}: {fix}")]
    MissingSeam {
        /// What is missing.
        what: String,
        /// How to supply it.
        fix: String,
    },
    /// A request body could not be turned into JSON.
    #[error("could not serialise the {what} request body")]
    Serialize {
        /// Which body.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Something to fill in at apply time is missing (subscription id, an
    /// Entra object id, a secret).
    #[cfg(feature = "apply")]
    #[error("{what} is needed to apply `{operation}`: {fix}")]
    MissingInput {
        /// The operation that needs it.
        operation: String,
        /// What is missing.
        what: String,
        /// How to supply it.
        fix: String,
    },
    /// Azure Resource Manager refused a request.
    #[cfg(feature = "apply")]
    #[error("{operation}: Azure answered {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Rejected {
        /// The operation.
        operation: String,
        /// HTTP status.
        status: u16,
        /// Azure's error code.
        code: Option<String>,
        /// Azure's message.
        message: String,
    },
    /// A server cannot be created: a resource it needs (its delegated
    /// subnet, private DNS zone or VNet link) is missing. Nothing was sent
    /// for it.
    #[cfg(feature = "apply")]
    #[error("{operation}: server {server} cannot be created: {missing}")]
    MissingPrerequisite {
        /// The operation.
        operation: String,
        /// The server.
        server: String,
        /// What is missing, and how to create it.
        missing: String,
    },
    /// A long-running operation ended as Failed or Canceled.
    #[cfg(feature = "apply")]
    #[error("{operation}: the operation ended {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    OperationFailed {
        /// The operation.
        operation: String,
        /// `Failed` or `Canceled`.
        status: String,
        /// Azure's error code.
        code: Option<String>,
        /// Azure's message.
        message: String,
    },
    /// The transport, the credential or a response body failed.
    #[cfg(feature = "apply")]
    #[error("{operation}: {context}")]
    Azure {
        /// The operation.
        operation: String,
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: azure_core::Error,
    },
}
