//! The crate's one error type.

/// Why rendering or applying failed. Rendering takes a
/// [`ValidPlan`](pgplan_core::ValidPlan), which validation has already
/// checked for everything the backend needs, so it fails only for a plan on
/// another platform, for options that do not fit the plan, or when an object
/// cannot be serialised; the other variants are `apply`'s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plan targets another platform.
    #[error(
        "the plan's platform is {found}, not Kubernetes: its SQL renders with `--target sql`; for Kubernetes objects set `platform: {{ kubernetes: ... }}`"
    )]
    NotKubernetes {
        /// The plan's platform (`azure`, `local`).
        found: &'static str,
    },
    /// [`RenderOptions::passwords`](crate::RenderOptions::passwords) holds a
    /// value for a Secret the plan does not make pgplan render.
    #[error(
        "RenderOptions::passwords: there is no rendered Secret named `{secret}` to hold this password; pass values only for the Secrets `password_slots` lists ({known})"
    )]
    UnknownPasswordSecret {
        /// The Secret name given.
        secret: String,
        /// The Secrets that take a password, comma-separated.
        known: String,
    },
    /// [`RenderOptions::init_script`](crate::RenderOptions::init_script)
    /// asks the Job to set the password of a role that has no Secret in this
    /// plan (the script was rendered for another plan).
    #[error(
        "RenderOptions::init_script: role `{role}` is to get its password from a Secret, and the plan gives it none; render the script from the same plan (pgplan_sql::init_script_for_job) — roles with a Secret: {known}"
    )]
    UnknownInitScriptRole {
        /// The role named by the script.
        role: String,
        /// The roles that have a Secret, comma-separated.
        known: String,
    },
    /// An object could not be written as YAML.
    #[error("cannot write {kind} `{name}` as YAML: {message}")]
    Yaml {
        /// Object kind.
        kind: String,
        /// Object name.
        name: String,
        /// The serialiser's message.
        message: String,
    },
    /// The kubeconfig could not be read or has no usable context.
    #[cfg(feature = "apply")]
    #[error(
        "cannot use the kubeconfig: {message}; check KUBECONFIG, ~/.kube/config or the context name"
    )]
    Kubeconfig {
        /// The cause.
        message: String,
    },
    /// A request to the API server failed.
    #[cfg(feature = "apply")]
    #[error("{action}: {source}")]
    Api {
        /// What was being done (`apply StatefulSet phonebill-dev/postgresql-product-change`).
        action: String,
        /// The cause.
        #[source]
        source: Box<kube::Error>,
    },
    /// The cluster does not serve a kind the plan needs (a CRD is not installed).
    #[cfg(feature = "apply")]
    #[error(
        "the cluster does not serve {api_version} {kind}: install its CustomResourceDefinition ({hint}) or remove what the plan needs it for"
    )]
    MissingKind {
        /// apiVersion of the kind.
        api_version: String,
        /// The kind.
        kind: String,
        /// What provides it.
        hint: String,
    },
    /// A password the plan takes from the environment is not set.
    #[cfg(feature = "apply")]
    #[error(
        "{field}: environment variable `{var}` is not set; export it before applying (the plan reads this password from it)"
    )]
    MissingEnv {
        /// The plan field that names the variable.
        field: String,
        /// The variable.
        var: String,
    },
    /// A Secret the plan names as existing is not in the cluster, or lacks
    /// the key.
    #[cfg(feature = "apply")]
    #[error(
        "{field}: Secret {namespace}/{secret} has no key `{key}`; the plan names it as an existing Secret, so create it first (kubectl -n {namespace} create secret generic {secret} --from-file={key}=FILE), or make the plan generate the password"
    )]
    MissingExistingSecret {
        /// The plan field that names it.
        field: String,
        /// Namespace.
        namespace: String,
        /// Secret name.
        secret: String,
        /// The key the pods read.
        key: String,
    },
    /// The operating system's random number generator failed.
    #[cfg(feature = "apply")]
    #[error("cannot generate a password: {0}")]
    Random(String),
    /// The StatefulSet did not finish rolling out in time.
    #[cfg(feature = "apply")]
    #[error(
        "StatefulSet {namespace}/{name} is not ready after {waited_secs}s ({ready} of {replicas} replicas ready): see `kubectl -n {namespace} describe statefulset {name}` and the pods' events"
    )]
    RolloutTimeout {
        /// Namespace.
        namespace: String,
        /// StatefulSet name.
        name: String,
        /// Seconds waited.
        waited_secs: u64,
        /// Ready replicas at the end.
        ready: i32,
        /// Wanted replicas.
        replicas: i32,
    },
}
