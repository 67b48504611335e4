//! Object names and labels, derived from the plan in one place so every
//! renderer agrees on them. The names and their limits are core's
//! ([`ObjectNames`]): validation checks the same names the renderers use.

use std::collections::BTreeMap;
use std::ops::Deref;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pgplan_core::kubernetes_facts::ObjectNames;
pub use pgplan_core::kubernetes_facts::{COMPONENT, MANAGED_BY, ROLE};
use pgplan_core::{DnsSubdomain, Labels as PlanLabels, ServiceName, label_strings};

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

/// Every name the rendered objects use: the names derived from the service
/// (through `Deref`), the namespace, and the TLS Secret, which the caller
/// may name.
#[derive(Debug, Clone)]
pub struct Names {
    derived: ObjectNames,
    /// The namespace of every object.
    pub namespace: String,
    /// The `kubernetes.io/tls` Secret with the server certificate.
    pub tls_secret: String,
}

impl Names {
    /// The names of a plan's objects.
    pub fn new(service: &ServiceName, namespace: &str, tls_secret: Option<&DnsSubdomain>) -> Self {
        let derived = ObjectNames::new(service);
        Names {
            tls_secret: tls_secret.map_or_else(|| derived.tls_secret.clone(), ToString::to_string),
            namespace: namespace.to_owned(),
            derived,
        }
    }
}

impl Deref for Names {
    type Target = ObjectNames;
    fn deref(&self) -> &ObjectNames {
        &self.derived
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
    /// `tier` and `app.kubernetes.io/managed-by` (validation keeps the plan's
    /// labels off those keys).
    pub fn new(names: &Names, service: &ServiceName, plan_labels: &PlanLabels) -> Self {
        let mut common = label_strings(plan_labels);
        common.insert("app".into(), names.base.clone());
        common.insert("service".into(), service.to_string());
        common.insert("tier".into(), "database".into());
        common.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
        Labels {
            common,
            namespace: names.namespace.clone(),
        }
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

    /// The `app` label: the base name.
    fn app(&self) -> String {
        self.common.get("app").cloned().unwrap_or_default()
    }

    /// The selector of a server pod: `app`, component and role only, so a
    /// label added to the plan later does not orphan running pods (selectors
    /// of StatefulSets are immutable).
    pub fn server_selector(&self, role: Option<&str>) -> BTreeMap<String, String> {
        let mut s = BTreeMap::from([
            ("app".to_owned(), self.app()),
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
            ("app".to_owned(), self.app()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_labels_come_first_and_pgplans_own_on_top() {
        let service: ServiceName = "orders".parse().unwrap();
        let names = Names::new(&service, "shop", None);
        assert_eq!(names.tls_secret, "postgresql-orders-tls");
        let plan_labels: PlanLabels =
            BTreeMap::from([("team".parse().unwrap(), "shop".parse().unwrap())]);
        let labels = Labels::new(&names, &service, &plan_labels);
        let common = labels.common();
        assert_eq!(common["team"], "shop");
        assert_eq!(common["app"], "postgresql-orders");
        assert_eq!(common[MANAGED_BY.0], MANAGED_BY.1);
        assert_eq!(
            labels
                .server_selector(Some(ROLE_PRIMARY))
                .keys()
                .collect::<Vec<_>>(),
            ["app", COMPONENT, ROLE]
        );
        let given: DnsSubdomain = "orders-cert".parse().unwrap();
        assert_eq!(
            Names::new(&service, "shop", Some(&given)).tls_secret,
            "orders-cert"
        );
    }
}
