//! A cross-reference check over a whole render: every Secret key, ConfigMap
//! key, claim, ServiceAccount, Service port and label selector one object
//! names exists in the object it points to. Secrets pgplan renders take the
//! keys they hold plus `password` (the bootstrap script or `apply` fills it,
//! as their `pgplan.io/password` annotation says); an ExternalSecret's
//! target takes the keys it syncs; the Secrets the plan names as existing
//! take the keys the plan names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Every problem found, one line each.
pub fn check(objects: &[Value], existing: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let of = |kind: &str| -> Vec<&Value> { objects.iter().filter(|o| o["kind"] == kind).collect() };
    let namespace = of("Namespace")
        .first()
        .map(|n| name(n).to_owned())
        .unwrap_or_default();

    // Secret name → the keys a pod may read from it.
    let mut secret_keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in of("Secret") {
        let keys = secret_keys.entry(name(s).to_owned()).or_default();
        keys.extend(
            s["data"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
        if s["metadata"]["annotations"]["pgplan.io/password"].is_string() {
            keys.insert("password".into());
        }
    }
    for e in of("ExternalSecret") {
        let target = e["spec"]["target"]["name"]
            .as_str()
            .unwrap_or(name(e))
            .to_owned();
        let keys = secret_keys.entry(target).or_default();
        for d in e["spec"]["data"].as_array().into_iter().flatten() {
            keys.insert(d["secretKey"].as_str().unwrap_or_default().to_owned());
        }
    }
    for (secret, key) in existing {
        secret_keys
            .entry(secret.clone())
            .or_default()
            .insert(key.clone());
    }
    let config_keys: BTreeMap<String, BTreeSet<String>> = of("ConfigMap")
        .into_iter()
        .map(|c| {
            (
                name(c).to_owned(),
                c["data"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect(),
            )
        })
        .collect();
    let claims: BTreeSet<&str> = of("PersistentVolumeClaim").into_iter().map(name).collect();
    let accounts: BTreeSet<&str> = of("ServiceAccount").into_iter().map(name).collect();
    let services: BTreeSet<&str> = of("Service").into_iter().map(name).collect();

    // Every pod template: (owner, labels, spec).
    let mut templates: Vec<(String, BTreeMap<String, String>, &Value)> = Vec::new();
    for kind in ["StatefulSet", "Job", "CronJob"] {
        for o in of(kind) {
            let t = if kind == "CronJob" {
                &o["spec"]["jobTemplate"]["spec"]["template"]
            } else {
                &o["spec"]["template"]
            };
            templates.push((
                format!("{kind} {}", name(o)),
                labels(&t["metadata"]["labels"]),
                &t["spec"],
            ));
            if kind == "StatefulSet" {
                let sel = labels(&o["spec"]["selector"]["matchLabels"]);
                if !selects(&sel, &labels(&t["metadata"]["labels"])) {
                    problems.push(format!(
                        "StatefulSet {}: its selector does not match its pods",
                        name(o)
                    ));
                }
                let svc = o["spec"]["serviceName"].as_str().unwrap_or_default();
                if !services.contains(svc) {
                    problems.push(format!(
                        "StatefulSet {}: serviceName {svc} is not rendered",
                        name(o)
                    ));
                }
            }
        }
    }
    for (owner, _, spec) in &templates {
        let mut volumes: BTreeSet<String> = BTreeSet::new();
        let account = spec["serviceAccountName"].as_str().unwrap_or("default");
        if !accounts.contains(account) {
            problems.push(format!("{owner}: ServiceAccount {account} is not rendered"));
        }
        for v in spec["volumes"].as_array().into_iter().flatten() {
            volumes.insert(v["name"].as_str().unwrap_or_default().to_owned());
            if let Some(s) = v.get("secret") {
                let secret = s["secretName"].as_str().unwrap_or_default();
                match secret_keys.get(secret) {
                    None => problems.push(format!(
                        "{owner}: volume {} names Secret {secret}, which nothing provides",
                        v["name"]
                    )),
                    Some(keys) => {
                        for item in s["items"].as_array().into_iter().flatten() {
                            let key = item["key"].as_str().unwrap_or_default();
                            if !keys.contains(key) {
                                problems.push(format!("{owner}: Secret {secret} has no key {key}"));
                            }
                        }
                    }
                }
            }
            if let Some(c) = v.get("configMap") {
                let cm = c["name"].as_str().unwrap_or_default();
                match config_keys.get(cm) {
                    None => problems.push(format!(
                        "{owner}: volume {} names ConfigMap {cm}, which is not rendered",
                        v["name"]
                    )),
                    Some(keys) => {
                        for item in c["items"].as_array().into_iter().flatten() {
                            let key = item["key"].as_str().unwrap_or_default();
                            if !keys.contains(key) {
                                problems.push(format!("{owner}: ConfigMap {cm} has no key {key}"));
                            }
                        }
                    }
                }
            }
            if let Some(p) = v.get("persistentVolumeClaim") {
                let claim = p["claimName"].as_str().unwrap_or_default();
                if !claims.contains(claim) {
                    problems.push(format!("{owner}: claim {claim} is not rendered"));
                }
            }
        }
        // A StatefulSet's claim templates are volumes of its pods too.
        if let Some(sts) = objects
            .iter()
            .find(|o| o["kind"] == "StatefulSet" && owner.ends_with(&format!(" {}", name(o))))
        {
            for t in sts["spec"]["volumeClaimTemplates"]
                .as_array()
                .into_iter()
                .flatten()
            {
                volumes.insert(name(t).to_owned());
            }
        }
        let containers = spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(spec["initContainers"].as_array().into_iter().flatten());
        for c in containers {
            for m in c["volumeMounts"].as_array().into_iter().flatten() {
                let v = m["name"].as_str().unwrap_or_default();
                if !volumes.contains(v) {
                    problems.push(format!(
                        "{owner}: container {} mounts volume {v}, which the pod does not have",
                        c["name"]
                    ));
                }
            }
            for e in c["env"].as_array().into_iter().flatten() {
                if let Some(r) = e["valueFrom"].get("secretKeyRef") {
                    let (s, k) = (
                        r["name"].as_str().unwrap_or_default(),
                        r["key"].as_str().unwrap_or_default(),
                    );
                    if !secret_keys.get(s).is_some_and(|keys| keys.contains(k)) {
                        problems.push(format!(
                            "{owner}: env {} reads Secret {s} key {k}, which nothing provides",
                            e["name"]
                        ));
                    }
                }
                if let Some(r) = e["valueFrom"].get("configMapKeyRef") {
                    let (m, k) = (
                        r["name"].as_str().unwrap_or_default(),
                        r["key"].as_str().unwrap_or_default(),
                    );
                    if !config_keys.get(m).is_some_and(|keys| keys.contains(k)) {
                        problems.push(format!(
                            "{owner}: env {} reads ConfigMap {m} key {k}, which is not rendered",
                            e["name"]
                        ));
                    }
                }
            }
        }
    }
    // Services select pods that have the named target port.
    for s in of("Service") {
        let sel = labels(&s["spec"]["selector"]);
        let picked: Vec<&(String, BTreeMap<String, String>, &Value)> = templates
            .iter()
            .filter(|(_, l, _)| selects(&sel, l))
            .collect();
        if picked.is_empty() {
            problems.push(format!(
                "Service {}: its selector {sel:?} matches no pod",
                name(s)
            ));
        }
        for p in s["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(target) = p["targetPort"].as_str() {
                let found = picked.iter().any(|(_, _, spec)| {
                    spec["containers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| {
                            c["ports"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .any(|cp| cp["name"] == target)
                        })
                });
                if !found {
                    problems.push(format!(
                        "Service {}: no selected pod has a port named {target}",
                        name(s)
                    ));
                }
            }
        }
    }
    // Policies and disruption budgets select pods.
    for kind in ["NetworkPolicy", "PodDisruptionBudget"] {
        for o in of(kind) {
            let path = if kind == "NetworkPolicy" {
                &o["spec"]["podSelector"]["matchLabels"]
            } else {
                &o["spec"]["selector"]["matchLabels"]
            };
            let sel = labels(path);
            if !templates.iter().any(|(_, l, _)| selects(&sel, l)) {
                problems.push(format!(
                    "{kind} {}: its selector {sel:?} matches no pod",
                    name(o)
                ));
            }
            // A budget asks for no more pods than the StatefulSets it
            // selects run (else no eviction ever passes: PGP120).
            if let Some(min) = o["spec"]["minAvailable"].as_i64() {
                let pods: i64 = of("StatefulSet")
                    .into_iter()
                    .filter(|s| {
                        selects(&sel, &labels(&s["spec"]["template"]["metadata"]["labels"]))
                    })
                    .map(|s| s["spec"]["replicas"].as_i64().unwrap_or(1))
                    .sum();
                if min > pods {
                    problems.push(format!(
                        "{kind} {}: minAvailable {min} above the {pods} pod(s) it selects",
                        name(o)
                    ));
                }
            }
        }
    }
    // Every namespaced object is in the plan's namespace.
    for o in objects.iter().filter(|o| o["kind"] != "Namespace") {
        if o["metadata"]["namespace"] != namespace.as_str() {
            problems.push(format!(
                "{} {}: namespace {} is not {namespace}",
                o["kind"],
                name(o),
                o["metadata"]["namespace"]
            ));
        }
    }
    problems
}
