//! The rendered objects: typed k8s-openapi values, plus custom resources as
//! dynamic objects.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};
use kube::core::DynamicObject;

use crate::Error;

/// One rendered Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // rendered once per plan, never copied in bulk
pub enum Object {
    /// The namespace.
    Namespace(Namespace),
    /// The pods' ServiceAccount (no token mounted).
    ServiceAccount(ServiceAccount),
    /// A Secret with a login's username and password.
    Secret(Secret),
    /// postgresql.conf and pg_hba.conf, or the schema-init SQL.
    ConfigMap(ConfigMap),
    /// The backup volume.
    PersistentVolumeClaim(PersistentVolumeClaim),
    /// Who may connect.
    NetworkPolicy(NetworkPolicy),
    /// How many server pods a voluntary disruption may take.
    PodDisruptionBudget(PodDisruptionBudget),
    /// The PostgreSQL server (primary, or read replicas).
    StatefulSet(StatefulSet),
    /// A Service.
    Service(Service),
    /// The schema-init Job.
    Job(Job),
    /// A backup CronJob.
    CronJob(CronJob),
    /// A custom resource (PrometheusRule, ExternalSecret).
    Custom(DynamicObject),
}

/// Block style for multi-line strings (scripts, config files), never folded
/// lines: a long PromQL expression or annotation stays on one line.
fn yaml_options() -> serde_saphyr::SerializerOptions {
    let mut o = serde_saphyr::SerializerOptions::default();
    o.folded_wrap_chars = usize::MAX;
    o
}

fn typed<K: Resource>(_: &K) -> (&'static str, &'static str) {
    (K::API_VERSION, K::KIND)
}

impl Object {
    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => o.metadata(),
            Object::ServiceAccount(o) => o.metadata(),
            Object::Secret(o) => o.metadata(),
            Object::ConfigMap(o) => o.metadata(),
            Object::PersistentVolumeClaim(o) => o.metadata(),
            Object::NetworkPolicy(o) => o.metadata(),
            Object::PodDisruptionBudget(o) => o.metadata(),
            Object::StatefulSet(o) => o.metadata(),
            Object::Service(o) => o.metadata(),
            Object::Job(o) => o.metadata(),
            Object::CronJob(o) => o.metadata(),
            Object::Custom(o) => &o.metadata,
        }
    }

    /// `apiVersion` and `kind`.
    pub fn type_meta(&self) -> (&str, &str) {
        match self {
            Object::Namespace(o) => typed(o),
            Object::ServiceAccount(o) => typed(o),
            Object::Secret(o) => typed(o),
            Object::ConfigMap(o) => typed(o),
            Object::PersistentVolumeClaim(o) => typed(o),
            Object::NetworkPolicy(o) => typed(o),
            Object::PodDisruptionBudget(o) => typed(o),
            Object::StatefulSet(o) => typed(o),
            Object::Service(o) => typed(o),
            Object::Job(o) => typed(o),
            Object::CronJob(o) => typed(o),
            Object::Custom(o) => o
                .types
                .as_ref()
                .map_or(("", ""), |t| (t.api_version.as_str(), t.kind.as_str())),
        }
    }

    /// The kind (`StatefulSet`).
    pub fn kind(&self) -> &str {
        self.type_meta().1
    }

    /// The apiVersion (`apps/v1`).
    pub fn api_version(&self) -> &str {
        self.type_meta().0
    }

    /// The name.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    /// The namespace (`None` for cluster-scoped objects).
    pub fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }

    /// True for the kinds Kubernetes itself serves (not custom resources).
    pub fn is_builtin(&self) -> bool {
        !matches!(self, Object::Custom(_))
    }

    /// The object as JSON, with `apiVersion` and `kind`.
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Object::Namespace(o) => serde_json::to_value(o),
            Object::ServiceAccount(o) => serde_json::to_value(o),
            Object::Secret(o) => serde_json::to_value(o),
            Object::ConfigMap(o) => serde_json::to_value(o),
            Object::PersistentVolumeClaim(o) => serde_json::to_value(o),
            Object::NetworkPolicy(o) => serde_json::to_value(o),
            Object::PodDisruptionBudget(o) => serde_json::to_value(o),
            Object::StatefulSet(o) => serde_json::to_value(o),
            Object::Service(o) => serde_json::to_value(o),
            Object::Job(o) => serde_json::to_value(o),
            Object::CronJob(o) => serde_json::to_value(o),
            Object::Custom(o) => serde_json::to_value(o),
        };
        // These types hold only strings, numbers, maps and lists: converting
        // them to a JSON value cannot fail.
        value.unwrap_or(serde_json::Value::Null)
    }

    /// The object as one YAML document (without the `---` separator).
    pub fn to_yaml(&self) -> Result<String, Error> {
        let mut out = String::new();
        self.write_yaml(&mut out)?;
        Ok(out)
    }

    /// Appends the object as YAML to `out` (what [`Object::to_yaml`]
    /// returns): a manifest of many objects grows one buffer instead of
    /// allocating and copying one per object.
    ///
    /// # Errors
    ///
    /// [`Error::Yaml`] when the serializer fails; `out` may then hold part
    /// of the object.
    pub fn write_yaml(&self, out: &mut String) -> Result<(), Error> {
        let result = match self {
            Object::Namespace(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::ServiceAccount(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::Secret(o) => serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options()),
            Object::ConfigMap(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::PersistentVolumeClaim(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::NetworkPolicy(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::PodDisruptionBudget(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::StatefulSet(o) => {
                serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options())
            }
            Object::Service(o) => serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options()),
            Object::Job(o) => serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options()),
            Object::CronJob(o) => serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options()),
            Object::Custom(o) => serde_saphyr::to_fmt_writer_with_options(out, o, yaml_options()),
        };
        result.map_err(|e| Error::Yaml {
            kind: self.kind().to_owned(),
            name: self.name().to_owned(),
            message: e.to_string(),
        })
    }
}
