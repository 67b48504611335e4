//! Object names and labels, derived from the plan in one place so every
//! renderer agrees on them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::Error;
pub use pgplan_core::kubernetes_facts::{
    MAX_CONTROLLER_NAME, MAX_DNS_LABEL, check_label_key, check_label_value, is_dns_label,
    is_dns_subdomain,
};

/// The label every object carries to say pgplan manages it.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "pgplan");
/// The label that says what part of the deployment an object is.
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The label that tells a primary's pods from its read replicas' pods.
pub const ROLE: &str = "pgplan.io/role";

/// `app.kubernetes.io/component` of the PostgreSQL server pods (primary and replicas).
pub const COMPONENT_DATABASE: &str = "database";
/// `app.kubernetes.io/component` of the schema-init Job.
pub const COMPONENT_SCHEMA_INIT: &str = "schema-init";
/// `app.kubernetes.io/component` of the backup CronJobs.
pub const COMPONENT_BACKUP: &str = "backup";
/// `app.kubernetes.io/component` of the metrics Service and alert rules.
pub const COMPONENT_METRICS: &str = "metrics";

/// `pgplan.io/role` of the primary's pods.
pub const ROLE_PRIMARY: &str = "primary";
/// `pgplan.io/role` of the read replicas' pods.
pub const ROLE_REPLICA: &str = "replica";

/// Keys pgplan sets itself; a plan label may not override them.
const RESERVED: [&str; 6] = ["app", "service", "tier", MANAGED_BY.0, COMPONENT, ROLE];

/// Checks a map of labels given in the plan; `field` is its path.
pub fn check_labels(field: &str, labels: &BTreeMap<String, String>) -> Result<(), Error> {
    for (k, v) in labels {
        check_label_key(k).map_err(|m| {
            Error::plan(
                format!("{field}.{k}"),
                m,
                "use a valid Kubernetes label key",
            )
        })?;
        check_label_value(v).map_err(|m| {
            Error::plan(
                format!("{field}.{k}"),
                m,
                "use a valid Kubernetes label value",
            )
        })?;
    }
    Ok(())
}

/// Every name the rendered objects use.
#[derive(Debug, Clone)]
pub struct Names {
    /// `postgresql-<service>`: the primary's StatefulSet and its ClusterIP
    /// Service (seed 000's DNS name), the ServiceAccount, the NetworkPolicy.
    pub base: String,
    /// The namespace of every object.
    pub namespace: String,
    /// ConfigMap with postgresql.conf and pg_hba.conf.
    pub config: String,
    /// ConfigMap of the read replicas when their parameters differ.
    pub read_config: String,
    /// Secret with the superuser password.
    pub superuser_secret: String,
    /// Secret with the replication password (when the plan names no replication role).
    pub replication_secret: String,
    /// kubernetes.io/tls Secret with the server certificate.
    pub tls_secret: String,
    /// Headless Service of the primary (StatefulSet pod DNS).
    pub headless: String,
    /// StatefulSet and Service of the read replicas.
    pub read: String,
    /// Headless Service of the read replicas.
    pub read_headless: String,
    /// Service that exposes the exporter.
    pub metrics: String,
    /// PersistentVolumeClaim of the logical backups.
    pub backup_pvc: String,
}

impl Names {
    /// Derives the names; fails when one would exceed a Kubernetes limit
    /// (`read_replicas`: whether the read replicas' objects are rendered).
    pub fn new(
        service: &str,
        namespace: &str,
        tls_secret: Option<&str>,
        read_replicas: bool,
    ) -> Result<Self, Error> {
        if !is_dns_label(namespace) {
            return Err(Error::plan(
                "platform.kubernetes.namespace",
                format!("`{namespace}` is not a valid namespace name"),
                "use 1–63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
            ));
        }
        let base = format!("postgresql-{service}");
        let names = Names {
            config: format!("{base}-config"),
            read_config: format!("{base}-read-config"),
            superuser_secret: format!("{base}-superuser"),
            replication_secret: format!("{base}-replication"),
            tls_secret: tls_secret.map_or_else(|| format!("{base}-tls"), str::to_owned),
            headless: format!("{base}-headless"),
            read: format!("{base}-read"),
            read_headless: format!("{base}-read-headless"),
            metrics: format!("{base}-metrics"),
            backup_pvc: format!("{base}-backup"),
            namespace: namespace.to_owned(),
            base,
        };
        // Services are DNS labels; StatefulSets leave room for their
        // revision-hash suffix. The name that overflows most decides.
        let mut checks = vec![
            (&names.headless, MAX_DNS_LABEL),
            (&names.metrics, MAX_DNS_LABEL),
            (&names.base, MAX_CONTROLLER_NAME),
        ];
        if read_replicas {
            checks.push((&names.read_headless, MAX_DNS_LABEL));
            checks.push((&names.read, MAX_CONTROLLER_NAME));
        }
        if let Some((name, limit)) = checks
            .into_iter()
            .filter(|(n, l)| n.len() > *l)
            .max_by_key(|(n, l)| n.len() - l)
        {
            let room = service.len() - (name.len() - limit);
            return Err(Error::plan(
                "service",
                format!(
                    "the object name `{name}` derived from the service name is {} characters; Kubernetes allows {limit}",
                    name.len()
                ),
                format!("use a service name of at most {room} characters"),
            ));
        }
        if !is_dns_subdomain(&names.tls_secret) {
            return Err(Error::plan(
                "RenderOptions::tls_secret",
                format!("`{}` is not a valid Secret name", names.tls_secret),
                "use lowercase letters, digits, `-` and `.`",
            ));
        }
        Ok(names)
    }

    /// Checks a name built from the base and a plan-chosen suffix (a backup
    /// CronJob, a Job): `field` is the plan field the suffix comes from.
    pub fn check_controller_name(name: &str, field: &str) -> Result<(), Error> {
        if name.len() > MAX_CONTROLLER_NAME || !is_dns_label(name) {
            return Err(Error::plan(
                field,
                format!(
                    "the object name `{name}` is {} characters; Kubernetes allows {MAX_CONTROLLER_NAME} for a CronJob",
                    name.len()
                ),
                "shorten the service or backup name",
            ));
        }
        Ok(())
    }
}

/// Labels shared by every object of one plan.
#[derive(Debug, Clone)]
pub struct Labels {
    common: BTreeMap<String, String>,
    namespace: String,
}

impl Labels {
    /// Builds the common labels: the plan's own, then `app`, `service`,
    /// `tier` and `app.kubernetes.io/managed-by`.
    pub fn new(
        names: &Names,
        service: &str,
        plan_labels: &BTreeMap<String, String>,
    ) -> Result<Self, Error> {
        check_labels("labels", plan_labels)?;
        if let Some(k) = plan_labels.keys().find(|k| RESERVED.contains(&k.as_str())) {
            return Err(Error::plan(
                format!("labels.{k}"),
                format!("`{k}` is a label pgplan sets itself"),
                "remove it from the plan's labels (pgplan sets app, service, tier, app.kubernetes.io/managed-by, app.kubernetes.io/component and pgplan.io/role)",
            ));
        }
        let mut common = plan_labels.clone();
        common.insert("app".into(), names.base.clone());
        common.insert("service".into(), service.to_owned());
        common.insert("tier".into(), "database".into());
        common.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
        Ok(Labels {
            common,
            namespace: names.namespace.clone(),
        })
    }

    /// The common labels.
    pub fn common(&self) -> BTreeMap<String, String> {
        self.common.clone()
    }

    /// The common labels plus a component.
    pub fn with_component(&self, component: &str) -> BTreeMap<String, String> {
        let mut l = self.common.clone();
        l.insert(COMPONENT.into(), component.into());
        l
    }

    /// The labels of a server pod (primary or replica).
    pub fn server_pod(&self, role: &str) -> BTreeMap<String, String> {
        let mut l = self.with_component(COMPONENT_DATABASE);
        l.insert(ROLE.into(), role.into());
        l
    }

    /// The selector of a server pod: `app`, component and role only, so a
    /// label added to the plan later does not orphan running pods (selectors
    /// of StatefulSets are immutable).
    pub fn server_selector(&self, role: Option<&str>) -> BTreeMap<String, String> {
        let mut s = BTreeMap::from([
            ("app".to_owned(), self.common["app"].clone()),
            (COMPONENT.to_owned(), COMPONENT_DATABASE.to_owned()),
        ]);
        if let Some(r) = role {
            s.insert(ROLE.into(), r.into());
        }
        s
    }

    /// The selector of the pods of a Job component (schema-init, backup).
    pub fn component_selector(&self, component: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app".to_owned(), self.common["app"].clone()),
            (COMPONENT.to_owned(), component.to_owned()),
        ])
    }

    /// Metadata of a namespaced object.
    pub fn meta(&self, name: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(self.namespace.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        }
    }
}

/// A name fit for a Kubernetes object, from any text (a role name): lowercase
/// letters and digits kept, every other run of characters becomes one `-`.
pub fn dns_fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "x".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys_and_values() {
        assert!(check_label_key("system").is_ok());
        assert!(check_label_key("example.com/team").is_ok());
        assert!(check_label_key("Example.com/team").is_err());
        assert!(check_label_key("-x").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("phonebill").is_ok());
        assert!(check_label_value("a b").is_err());
        assert!(check_label_value(&"a".repeat(64)).is_err());
    }

    #[test]
    fn dns_fragments() {
        assert_eq!(dns_fragment("product_change_app"), "product-change-app");
        assert_eq!(dns_fragment("Bill \"Admin\""), "bill-admin");
        assert_eq!(dns_fragment("한국"), "x");
    }

    #[test]
    fn long_service_names_are_refused_with_the_room_left() {
        let e = Names::new(&"a".repeat(50), "ns", None, true).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("service:"), "{msg}");
        assert!(msg.contains("at most 36 characters"), "{msg}");
        assert!(Names::new(&"a".repeat(36), "ns", None, true).is_ok());
        assert!(Names::new(&"a".repeat(41), "ns", None, false).is_ok());
        assert!(Names::new(&"a".repeat(42), "ns", None, false).is_err());
        assert!(Names::new("svc", "Bad_NS", None, false).is_err());
    }
}
