//! `apply` against a stand-in of the Kubernetes API server: a small HTTP
//! server on 127.0.0.1 that answers discovery, server-side-apply PATCHes and
//! GETs the way the API server does, and records every request. It is a
//! stand-in, not a real API server: it checks what pgplan sends, not what a
//! cluster would do with it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use pgplan_core::{Plan, SecretSource};
use pgplan_k8s::{ApplyOptions, Error, RenderOptions, apply, apply_with_client, render_objects};
use serde_json::{Value, json};

use crate::support::{seed_000, valid};

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    query: BTreeMap<String, String>,
    content_type: Option<String>,
    body: Value,
}

/// How the stand-in behaves.
#[derive(Default)]
struct Behaviour {
    /// API groups (`monitoring.coreos.com/v1`) it does not serve.
    missing_groups: Vec<String>,
    /// Secrets that exist, by name: their `password`.
    existing_passwords: BTreeMap<String, String>,
    /// GETs of a StatefulSet before it reports ready (`None`: never).
    ready_after: Option<u32>,
}

#[derive(Default)]
struct Inner {
    behaviour: Behaviour,
    seen: Vec<Seen>,
    status_polls: u32,
}

type Shared = Arc<Mutex<Inner>>;

fn resource(name: &str, kind: &str, namespaced: bool) -> Value {
    json!({
        "name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]
    })
}

/// The discovery document of a group version, if the stand-in serves it.
fn discovery(group_version: &str) -> Option<Value> {
    let resources = match group_version {
        "v1" => vec![
            resource("namespaces", "Namespace", false),
            resource("serviceaccounts", "ServiceAccount", true),
            resource("secrets", "Secret", true),
            resource("configmaps", "ConfigMap", true),
            resource("persistentvolumeclaims", "PersistentVolumeClaim", true),
            resource("services", "Service", true),
        ],
        "apps/v1" => vec![
            resource("statefulsets", "StatefulSet", true),
            resource("statefulsets/status", "StatefulSet", true),
        ],
        "batch/v1" => vec![
            resource("jobs", "Job", true),
            resource("cronjobs", "CronJob", true),
        ],
        "networking.k8s.io/v1" => vec![resource("networkpolicies", "NetworkPolicy", true)],
        "policy/v1" => vec![resource(
            "poddisruptionbudgets",
            "PodDisruptionBudget",
            true,
        )],
        "monitoring.coreos.com/v1" => vec![resource("prometheusrules", "PrometheusRule", true)],
        "external-secrets.io/v1" => vec![resource("externalsecrets", "ExternalSecret", true)],
        _ => return None,
    };
    Some(json!({
        "kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": group_version, "resources": resources
    }))
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    });
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: Value) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query: BTreeMap<String, String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let body_json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut inner = state.lock().unwrap();
    inner.seen.push(Seen {
        method: method.clone(),
        path: path.clone(),
        query,
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body_json.clone(),
    });
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();

    // Discovery: /api/v1 and /apis/<group>/<version>.
    let group_version = match parts.as_slice() {
        ["api", v] => Some((*v).to_owned()),
        ["apis", g, v] => Some(format!("{g}/{v}")),
        _ => None,
    };
    if let Some(gv) = group_version {
        if method != Method::GET {
            return status(405, "MethodNotAllowed", "discovery is read-only");
        }
        if inner.behaviour.missing_groups.contains(&gv) {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
        return match discovery(&gv) {
            Some(doc) => ok(doc),
            None => status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        };
    }

    match method {
        // Server-side apply: the object comes back as stored.
        Method::PATCH => {
            let mut stored = body_json;
            if let Some(meta) = stored.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("generation".into(), json!(1));
                meta.insert("resourceVersion".into(), json!("1"));
                meta.insert("uid".into(), json!("00000000-0000-0000-0000-000000000001"));
            }
            ok(stored)
        }
        Method::GET => {
            let name = parts.last().copied().unwrap_or_default().to_owned();
            let kind = parts
                .get(parts.len().saturating_sub(2))
                .copied()
                .unwrap_or_default();
            match kind {
                "secrets" => match inner.behaviour.existing_passwords.get(&name) {
                    Some(p) => ok(json!({
                        "apiVersion": "v1", "kind": "Secret",
                        "metadata": { "name": name, "namespace": parts[3] },
                        "data": { "password": b64(p.as_bytes()), "username": b64(b"x") }
                    })),
                    None => status(404, "NotFound", &format!("secrets \"{name}\" not found")),
                },
                "statefulsets" => {
                    inner.status_polls += 1;
                    let ready = inner
                        .behaviour
                        .ready_after
                        .is_some_and(|n| inner.status_polls >= n);
                    let count = i32::from(ready);
                    ok(json!({
                        "apiVersion": "apps/v1", "kind": "StatefulSet",
                        "metadata": { "name": name, "namespace": parts[3], "generation": 1 },
                        "spec": {
                            "replicas": 1, "serviceName": "x",
                            "selector": { "matchLabels": { "app": "x" } },
                            "template": { "spec": { "containers": [] } }
                        },
                        "status": {
                            "observedGeneration": 1, "replicas": 1,
                            "readyReplicas": count, "updatedReplicas": count,
                            "currentRevision": "r1",
                            "updateRevision": if ready { "r1" } else { "r2" }
                        }
                    }))
                }
                _ => status(404, "NotFound", "not found"),
            }
        }
        _ => status(
            405,
            "MethodNotAllowed",
            "the stand-in answers GET and PATCH only",
        ),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct StandIn {
    url: String,
    state: Shared,
}

impl StandIn {
    async fn start(behaviour: Behaviour) -> StandIn {
        let state: Shared = Arc::new(Mutex::new(Inner {
            behaviour,
            ..Inner::default()
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StandIn { url, state }
    }

    fn client(&self) -> kube::Client {
        let config = kube::Config::new(self.url.parse().unwrap());
        kube::Client::try_from(config).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn patches(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == Method::PATCH)
            .collect()
    }
}

fn quiet(options: ApplyOptions) -> ApplyOptions {
    ApplyOptions {
        poll_interval: Duration::from_millis(10),
        ..options
    }
}

fn opts() -> RenderOptions {
    RenderOptions {
        init_script: Some(pgplan_core::seams::InitScript {
            sql: "CREATE SCHEMA IF NOT EXISTS product_change;\n".into(),
            passwords_to_set: vec![],
        }),
        ..RenderOptions::default()
    }
}

/// The kind and name in a PATCH path (`.../statefulsets/<name>`).
fn patched(s: &Seen) -> (String, String) {
    let kind = s.body["kind"].as_str().unwrap_or_default().to_owned();
    let name = s.path.rsplit('/').next().unwrap_or_default().to_owned();
    (kind, name)
}

#[tokio::test]
async fn apply_sends_every_object_in_dependency_order_then_waits_for_the_rollout() {
    let plan = seed_000();
    let stand_in = StandIn::start(Behaviour {
        ready_after: Some(3),
        ..Behaviour::default()
    })
    .await;
    let report = apply_with_client(
        stand_in.client(),
        &valid(&plan),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap();

    // The PATCHes follow render_objects' order exactly.
    let expected: Vec<(String, String)> = render_objects(&valid(&plan), &opts())
        .unwrap()
        .iter()
        .map(|o| (o.kind().to_owned(), o.name().to_owned()))
        .collect();
    let patches = stand_in.patches();
    let sent: Vec<(String, String)> = patches.iter().map(patched).collect();
    assert_eq!(sent, expected);

    // Dependency order: namespace, secrets and config, storage, policies,
    // workloads, services, monitoring, jobs.
    let rank = |kind: &str| match kind {
        "Namespace" => 0,
        "ServiceAccount" | "Secret" | "ConfigMap" => 1,
        "PersistentVolumeClaim" => 2,
        "NetworkPolicy" | "PodDisruptionBudget" => 3,
        "StatefulSet" => 4,
        "Service" => 5,
        "PrometheusRule" => 6,
        "Job" | "CronJob" => 7,
        other => panic!("unexpected kind {other}"),
    };
    let ranks: Vec<i32> = sent.iter().map(|(k, _)| rank(k)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{sent:?}");

    for p in &patches {
        assert_eq!(
            p.content_type.as_deref(),
            Some("application/apply-patch+yaml"),
            "{}",
            p.path
        );
        assert_eq!(
            p.query.get("fieldManager").map(String::as_str),
            Some("pgplan")
        );
        assert!(!p.query.contains_key("dryRun"), "{}", p.path);
        assert!(!p.query.contains_key("force"), "{}", p.path);
    }
    // Cluster-scoped Namespace, namespaced everything else.
    assert_eq!(patches[0].path, "/api/v1/namespaces/phonebill-dev");
    assert!(
        patches[1..]
            .iter()
            .all(|p| p.path.contains("/namespaces/phonebill-dev/"))
    );
    assert!(patches.iter().any(|p| p.path
        == "/apis/apps/v1/namespaces/phonebill-dev/statefulsets/postgresql-product-change"));

    // Every generated Secret carries a fresh 32-character password.
    let secrets: Vec<&Seen> = patches
        .iter()
        .filter(|p| p.body["kind"] == "Secret")
        .collect();
    assert_eq!(secrets.len(), 4);
    for s in &secrets {
        let b64 = s.body["data"]["password"]
            .as_str()
            .expect("password in the apply patch");
        assert_eq!(b64.len(), 44, "32 bytes of base64: {b64}");
    }
    assert_eq!(report.new_passwords.len(), 4);
    assert!(report.kept_passwords.is_empty());

    // Discovery before the first PATCH, the rollout GETs after the last.
    let seen = stand_in.seen();
    let first_patch = seen.iter().position(|s| s.method == Method::PATCH).unwrap();
    let last_patch = seen
        .iter()
        .rposition(|s| s.method == Method::PATCH)
        .unwrap();
    assert!(
        seen[..first_patch]
            .iter()
            .any(|s| s.path == "/apis/monitoring.coreos.com/v1")
    );
    let polls: Vec<&Seen> = seen[last_patch..]
        .iter()
        .filter(|s| s.method == Method::GET && s.path.contains("/statefulsets/"))
        .collect();
    assert_eq!(polls.len(), 3, "polled until the third status said ready");
    assert_eq!(report.rollouts.len(), 1);
    assert_eq!(report.rollouts[0].polls, 3);
    assert_eq!(report.rollouts[0].ready, 1);
    assert!(
        report
            .to_string()
            .contains("StatefulSet postgresql-product-change ready: 1/1")
    );
}

#[tokio::test]
async fn dry_run_sends_dry_run_all_and_does_not_wait() {
    let stand_in = StandIn::start(Behaviour::default()).await;
    let report = apply_with_client(
        stand_in.client(),
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions {
            dry_run: true,
            field_manager: "pgplan-ci".into(),
            force_conflicts: true,
            ..ApplyOptions::default()
        }),
    )
    .await
    .unwrap();
    let patches = stand_in.patches();
    assert!(!patches.is_empty());
    for p in &patches {
        assert_eq!(
            p.query.get("dryRun").map(String::as_str),
            Some("All"),
            "{}",
            p.path
        );
        assert_eq!(
            p.query.get("fieldManager").map(String::as_str),
            Some("pgplan-ci")
        );
        assert_eq!(p.query.get("force").map(String::as_str), Some("true"));
    }
    assert!(
        !stand_in
            .seen()
            .iter()
            .any(|s| s.method == Method::GET && s.path.contains("/statefulsets/"))
    );
    assert!(report.rollouts.is_empty());
    assert!(
        report
            .to_string()
            .starts_with("would apply (server dry run)")
    );
}

#[tokio::test]
async fn passwords_already_in_the_cluster_are_kept() {
    let stand_in = StandIn::start(Behaviour {
        existing_passwords: BTreeMap::from([(
            "postgresql-product-change-superuser".to_owned(),
            "already-there".to_owned(),
        )]),
        ready_after: Some(1),
        ..Behaviour::default()
    })
    .await;
    let report = apply_with_client(
        stand_in.client(),
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap();
    assert_eq!(
        report.kept_passwords,
        vec!["postgresql-product-change-superuser".to_owned()]
    );
    let superuser = stand_in
        .patches()
        .into_iter()
        .find(|p| {
            p.path
                .ends_with("/secrets/postgresql-product-change-superuser")
        })
        .unwrap();
    assert_eq!(superuser.body["data"]["password"], b64(b"already-there"));
}

#[tokio::test]
async fn a_kind_the_cluster_does_not_serve_fails_before_anything_is_applied() {
    let stand_in = StandIn::start(Behaviour {
        missing_groups: vec!["monitoring.coreos.com/v1".into()],
        ..Behaviour::default()
    })
    .await;
    let err = apply_with_client(
        stand_in.client(),
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::MissingKind { .. }), "{err:?}");
    assert!(err.to_string().contains("Prometheus Operator"), "{err}");
    assert!(stand_in.patches().is_empty());
}

#[tokio::test]
async fn a_rollout_that_never_finishes_times_out_with_the_numbers() {
    let stand_in = StandIn::start(Behaviour::default()).await;
    let err = apply_with_client(
        stand_in.client(),
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions {
            timeout: Duration::from_millis(200),
            ..ApplyOptions::default()
        }),
    )
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::RolloutTimeout {
                ready: 0,
                replicas: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("kubectl -n phonebill-dev describe statefulset postgresql-product-change"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_password_from_an_unset_environment_variable_is_a_clear_error() {
    let mut plan: Plan = seed_000();
    plan.roles[1].password = Some(SecretSource::env(
        "PGPLAN_TEST_VARIABLE_THAT_IS_NEVER_SET".parse().unwrap(),
    ));
    let stand_in = StandIn::start(Behaviour::default()).await;
    let err = apply_with_client(
        stand_in.client(),
        &valid(&plan),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("roles[1].password:"), "{msg}");
    assert!(
        msg.contains("PGPLAN_TEST_VARIABLE_THAT_IS_NEVER_SET"),
        "{msg}"
    );
    assert!(stand_in.patches().is_empty());
}

#[tokio::test]
async fn the_kubeconfig_context_picks_the_cluster() {
    let stand_in = StandIn::start(Behaviour {
        ready_after: Some(1),
        ..Behaviour::default()
    })
    .await;
    let dir = std::env::temp_dir().join(format!("pgplan-k8s-kubeconfig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    // The current context points at a port nothing listens on: only the
    // context named in the options reaches the stand-in.
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1
kind: Config
current-context: elsewhere
clusters:
- name: nowhere
  cluster: {{ server: \"http://127.0.0.1:9\" }}
- name: stand-in
  cluster: {{ server: \"{}\" }}
users:
- name: tester
  user: {{ token: test-token }}
contexts:
- name: elsewhere
  context: {{ cluster: nowhere, user: tester }}
- name: stand-in
  context: {{ cluster: stand-in, user: tester, namespace: phonebill-dev }}
",
            stand_in.url
        ),
    )
    .unwrap();
    let report = apply(
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions {
            kubeconfig: Some(path.clone()),
            context: Some("stand-in".into()),
            ..ApplyOptions::default()
        }),
    )
    .await
    .unwrap();
    assert!(!report.applied.is_empty());
    assert_eq!(stand_in.patches().len(), report.applied.len());

    let missing = apply(
        &valid(&seed_000()),
        &opts(),
        quiet(ApplyOptions {
            kubeconfig: Some(path),
            context: Some("no-such-context".into()),
            ..ApplyOptions::default()
        }),
    )
    .await
    .unwrap_err();
    assert!(matches!(missing, Error::Kubeconfig { .. }), "{missing:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn an_existing_secret_the_plan_names_must_be_there_before_anything_is_sent() {
    let mut plan: Plan = seed_000();
    plan.roles[1].password = Some(SecretSource::KubernetesSecret {
        name: "product-change-admin-db".parse().unwrap(),
        key: "password".parse().unwrap(),
    });
    let stand_in = StandIn::start(Behaviour::default()).await;
    let err = apply_with_client(
        stand_in.client(),
        &valid(&plan),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::MissingExistingSecret { .. }), "{msg}");
    assert!(
        msg.starts_with(
            "roles[1].password: Secret phonebill-dev/product-change-admin-db has no key `password`"
        ),
        "{msg}"
    );
    assert!(stand_in.patches().is_empty());

    // There: applied, and the Secret is not pgplan's to write.
    let stand_in = StandIn::start(Behaviour {
        existing_passwords: BTreeMap::from([(
            "product-change-admin-db".to_owned(),
            "the-operators".to_owned(),
        )]),
        ready_after: Some(1),
        ..Behaviour::default()
    })
    .await;
    apply_with_client(
        stand_in.client(),
        &valid(&plan),
        &opts(),
        quiet(ApplyOptions::default()),
    )
    .await
    .unwrap();
    assert!(
        !stand_in
            .patches()
            .iter()
            .any(|p| p.path.ends_with("/secrets/product-change-admin-db"))
    );
}
