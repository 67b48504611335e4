//! A local stand-in for Azure Resource Manager (and the token and Key Vault
//! endpoints apply uses), on 127.0.0.1. It is not Azure: it speaks the same
//! protocol for the Flexible Server resources pgplan sends — PUT answered
//! 201/202 with `Azure-AsyncOperation` and `Location` headers, an operation
//! status polled until `Succeeded` (or `Failed`), the resource then readable
//! by GET — with bodies built from the specification's example responses.
//! Tests can make it throttle a request (429/503 with `Retry-After`) or fail
//! an operation.
//!
//! Beyond the Flexible Server resources it serves metric alerts
//! (`Microsoft.Insights/metricAlerts`, API 2018-03-01: a PUT creates or
//! replaces the rule synchronously, answering the rule with its read-only
//! members, and refuses a body without `criterionType`), and GETs of the
//! network resources a test puts in `network` (subnets, private DNS zones
//! and their VNet links).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use pgplan_azure::models;
use serde_json::{Value, json};

use crate::support::spec_dir;

pub const TOKEN: &str = "stand-in-token";
const PROVIDER: &str = "/providers/Microsoft.DBforPostgreSQL/";

/// One request the stand-in answered.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub at: Instant,
    pub body: Option<Value>,
}

/// A long-running operation.
struct AsyncOp {
    polls_left: u32,
    failure: Option<(String, String)>,
    /// Applied when the operation succeeds.
    commit: Vec<(String, Option<Value>)>,
    restart_of: Option<String>,
    done: bool,
}

#[derive(Default)]
pub struct State {
    pub resources: BTreeMap<String, Value>,
    /// Server → parameter → configuration resource.
    pub configurations: BTreeMap<String, BTreeMap<String, Value>>,
    operations: BTreeMap<String, AsyncOp>,
    pub log: Vec<Logged>,
    /// (method, path ending) → answers to give first (429 or 503).
    pub throttle: Vec<(String, String, u16)>,
    /// Path endings whose operation fails: (ending, code, message).
    pub fail: Vec<(String, String, String)>,
    /// (vault, secret) → value.
    pub secrets: BTreeMap<(String, String), String>,
    pub restarts: Vec<String>,
    /// Metric alerts, by lowercase path.
    pub alerts: BTreeMap<String, Value>,
    /// Network resources a test puts here, by lowercase resource id.
    pub network: BTreeMap<String, Value>,
    next_id: u64,
    base: String,
}

pub struct StandIn {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl StandIn {
    pub async fn start() -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            base: url.clone(),
            ..State::default()
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move { handle(&state, method, uri, headers, body) }
            },
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StandIn { url, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Requests that changed something (PUT, PATCH, POST), as `METHOD path`.
    pub fn writes(&self) -> Vec<String> {
        self.with(|s| {
            s.log
                .iter()
                .filter(|l| l.method != "GET" && !l.path.contains("/oauth2/"))
                .map(|l| {
                    format!(
                        "{} {}",
                        l.method,
                        l.path.split('?').next().unwrap_or_default()
                    )
                })
                .collect()
        })
    }
}

fn example(file: &str, status: &str) -> Value {
    let text = std::fs::read_to_string(spec_dir().join("examples").join(file)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["responses"][status]["body"].clone()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn handle(
    state: &Mutex<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    let path = uri.path().to_owned();
    let full = uri.to_string();
    let body_json: Option<Value> = serde_json::from_slice(&body).ok();
    let response = route(
        &mut s,
        &method,
        &path,
        uri.query().unwrap_or(""),
        &headers,
        body_json.as_ref(),
    );
    s.log.push(Logged {
        method: method.to_string(),
        path: full,
        status: response.status().as_u16(),
        at: Instant::now(),
        body: body_json,
    });
    response
}

fn route(
    s: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: Option<&Value>,
) -> Response {
    if method == Method::POST && path.ends_with("/oauth2/v2.0/token") {
        return axum::Json(json!({
            "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": TOKEN
        }))
        .into_response();
    }
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Bearer {TOKEN}")) {
        return error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "no valid bearer token",
        );
    }
    if let Some(rest) = path.strip_prefix("/vaults/") {
        let mut parts = rest.split('/');
        let (vault, _, secret) = (parts.next(), parts.next(), parts.next());
        let key = (
            vault.unwrap_or_default().to_owned(),
            secret.unwrap_or_default().to_owned(),
        );
        return match s.secrets.get(&key) {
            Some(v) => axum::Json(json!({ "value": v, "id": path })).into_response(),
            None => error(StatusCode::NOT_FOUND, "SecretNotFound", "no such secret"),
        };
    }
    if body.is_some_and(has_null) {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "the body has null members",
        );
    }
    let lower = path.to_ascii_lowercase();
    let api_version = if lower.contains("/providers/microsoft.insights/metricalerts/") {
        "2018-03-01"
    } else if lower.contains("/providers/microsoft.network/privatednszones/") {
        "2018-09-01"
    } else if lower.contains("/providers/microsoft.network/") {
        "2024-05-01"
    } else {
        "2024-08-01"
    };
    if !query
        .split('&')
        .any(|q| q == format!("api-version={api_version}"))
    {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            &format!("api-version must be {api_version}"),
        );
    }
    if lower.contains("/providers/microsoft.insights/metricalerts/") {
        return metric_alert(s, method, path, body);
    }
    if lower.contains("/providers/microsoft.network/") {
        return network(s, method, &lower);
    }
    if let Some(i) = s
        .throttle
        .iter()
        .position(|(m, end, _)| m == method.as_str() && path.ends_with(end.as_str()))
    {
        let (_, _, status) = s.throttle.remove(i);
        let mut r = error(
            StatusCode::from_u16(status).unwrap(),
            if status == 429 {
                "TooManyRequests"
            } else {
                "ServiceUnavailable"
            },
            "try again later",
        );
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
        return r;
    }
    if let Some(id) = path.split("/azureAsyncOperation/").nth(1) {
        return operation_status(s, id);
    }
    if let Some(id) = path.split("/operationResults/").nth(1) {
        let done = s.operations.get(id).is_some_and(|o| o.done);
        return if done {
            StatusCode::OK.into_response()
        } else {
            StatusCode::ACCEPTED.into_response()
        };
    }
    let key = path.to_ascii_lowercase();
    let Some((_, after)) = path.split_once(PROVIDER) else {
        return error(StatusCode::NOT_FOUND, "NotFound", "unknown path");
    };
    let segments: Vec<&str> = after.split('/').collect();
    // flexibleServers/{server}[/{child}/{name}]
    let server = segments.get(1).copied().unwrap_or_default().to_owned();
    let server_key = key
        .split_once(&format!("/flexibleservers/{}", server.to_ascii_lowercase()))
        .map(|(a, _)| format!("{a}/flexibleservers/{}", server.to_ascii_lowercase()))
        .unwrap_or_default();
    match (method.as_str(), &segments[..]) {
        ("GET", ["flexibleServers", _]) => get(s, &key),
        ("PUT", ["flexibleServers", _]) => put_server(s, path, &key, &server, body),
        ("PATCH", ["flexibleServers", _]) => {
            let Some(mut current) = s.resources.get(&key).cloned() else {
                return error(StatusCode::NOT_FOUND, "ResourceNotFound", "no such server");
            };
            if let Some(b) = body {
                merge(&mut current, b);
            }
            accepted(
                s,
                path,
                vec![(key, Some(current))],
                None,
                StatusCode::ACCEPTED,
                None,
            )
        }
        ("POST", ["flexibleServers", _, "restart"]) => {
            if !s.resources.contains_key(&server_key) {
                return error(StatusCode::NOT_FOUND, "ResourceNotFound", "no such server");
            }
            accepted(
                s,
                path,
                Vec::new(),
                Some(server),
                StatusCode::ACCEPTED,
                None,
            )
        }
        ("GET", ["flexibleServers", _, "configurations"]) => {
            let value: Vec<Value> = s
                .configurations
                .get(&server)
                .map(|c| c.values().cloned().collect())
                .unwrap_or_default();
            axum::Json(json!({ "value": value })).into_response()
        }
        ("GET", ["flexibleServers", _, "configurations", name]) => {
            match s.configurations.get(&server).and_then(|c| c.get(*name)) {
                Some(c) => axum::Json(c.clone()).into_response(),
                None => error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    "no such parameter",
                ),
            }
        }
        ("PUT", ["flexibleServers", _, "configurations", name]) => {
            let Some(current) = s
                .configurations
                .get(&server)
                .and_then(|c| c.get(*name))
                .cloned()
            else {
                return error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    &format!("{name} is not a server parameter"),
                );
            };
            let Some(Ok(req)) =
                body.map(|b| serde_json::from_value::<models::Configuration>(b.clone()))
            else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContent",
                    "not a Configuration",
                );
            };
            if current["properties"]["isReadOnly"] == true {
                return error(
                    StatusCode::BAD_REQUEST,
                    "ParameterIsReadOnly",
                    &format!("{name} is read-only"),
                );
            }
            let mut updated = current.clone();
            let value = req.properties.and_then(|p| p.value).unwrap_or_default();
            updated["properties"]["value"] = json!(value);
            updated["properties"]["source"] = json!("user-override");
            if current["properties"]["isDynamicConfig"] == false {
                updated["properties"]["isConfigPendingRestart"] = json!(true);
            }
            let config_key = format!("config:{server}:{name}");
            accepted(
                s,
                path,
                vec![(config_key, Some(updated))],
                None,
                StatusCode::ACCEPTED,
                None,
            )
        }
        ("GET", ["flexibleServers", _, _, _]) => get(s, &key),
        ("PUT", ["flexibleServers", _, child, name]) => {
            if !s.resources.contains_key(&server_key) {
                return error(
                    StatusCode::NOT_FOUND,
                    "ParentResourceNotFound",
                    "no such server",
                );
            }
            let (file, status, kind, ok) = match *child {
                "databases" => (
                    "DatabaseCreate.json",
                    "201",
                    "databases",
                    body.is_some_and(|b| {
                        serde_json::from_value::<models::Database>(b.clone()).is_ok()
                    }),
                ),
                "administrators" => (
                    "AdministratorAdd.json",
                    "201",
                    "administrators",
                    body.is_some_and(|b| {
                        serde_json::from_value::<models::ActiveDirectoryAdministratorAdd>(b.clone())
                            .is_ok()
                    }),
                ),
                "firewallRules" => (
                    "FirewallRuleCreate.json",
                    "201",
                    "firewallRules",
                    body.is_some_and(|b| {
                        serde_json::from_value::<models::FirewallRule>(b.clone()).is_ok()
                    }),
                ),
                _ => return error(StatusCode::NOT_FOUND, "NotFound", "unknown child resource"),
            };
            if !ok {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContent",
                    "body does not fit the model",
                );
            }
            let mut resource = example(file, status);
            if let Some(b) = body {
                merge(&mut resource, b);
            }
            resource["id"] = json!(path);
            resource["name"] = json!(name);
            resource["type"] = json!(format!("Microsoft.DBforPostgreSQL/flexibleServers/{kind}"));
            if *child == "administrators" {
                resource["properties"]["objectId"] = json!(name);
            }
            let response = resource.clone();
            accepted(
                s,
                path,
                vec![(key, Some(resource))],
                None,
                StatusCode::CREATED,
                Some(response),
            )
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "not served by the stand-in",
        ),
    }
}

/// `Microsoft.Insights/metricAlerts/{name}`: GET, and PUT (create or
/// replace, synchronous).
fn metric_alert(s: &mut State, method: &Method, path: &str, body: Option<&Value>) -> Response {
    let key = path.to_ascii_lowercase();
    match method.as_str() {
        "GET" => match s.alerts.get(&key) {
            Some(a) => axum::Json(a.clone()).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                "The Resource was not found.",
            ),
        },
        "PUT" => {
            let Some(Ok(_)) = body.map(|b| {
                serde_json::from_value::<pgplan_azure::monitor::MetricAlertResource>(b.clone())
            }) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "the body is not a metric alert",
                );
            };
            let mut rule = body.cloned().unwrap_or_default();
            let criteria = &rule["properties"]["criteria"]["allOf"];
            if !criteria
                .as_array()
                .is_some_and(|c| c.iter().all(|c| c.get("criterionType").is_some()))
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "criterionType is required",
                );
            }
            let name = path.rsplit('/').next().unwrap_or_default();
            rule["id"] = json!(path);
            rule["name"] = json!(name);
            rule["type"] = json!("Microsoft.Insights/metricAlerts");
            rule["properties"]["lastUpdatedTime"] = json!("2025-03-15T18:30:22.123Z");
            rule["properties"]["isMigrated"] = json!(false);
            let status = if s.alerts.contains_key(&key) {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            s.alerts.insert(key, rule.clone());
            (status, axum::Json(rule)).into_response()
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "not served by the stand-in",
        ),
    }
}

/// GETs of the network resources in `State::network`; a zone's
/// `virtualNetworkLinks` lists the links under it.
fn network(s: &State, method: &Method, lower: &str) -> Response {
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the stand-in serves network resources for reading only",
        );
    }
    if let Some(zone) = lower.strip_suffix("/virtualnetworklinks") {
        if !s.network.contains_key(zone) {
            return error(StatusCode::NOT_FOUND, "ResourceNotFound", "no such zone");
        }
        let prefix = format!("{lower}/");
        let value: Vec<Value> = s
            .network
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v.clone())
            .collect();
        return axum::Json(json!({ "value": value })).into_response();
    }
    match s.network.get(lower) {
        Some(v) => axum::Json(v.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("The Resource '{lower}' was not found."),
        ),
    }
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

fn get(s: &State, key: &str) -> Response {
    match s.resources.get(key) {
        Some(r) => axum::Json(r.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("The Resource '{key}' was not found."),
        ),
    }
}

fn put_server(
    s: &mut State,
    path: &str,
    key: &str,
    server: &str,
    body: Option<&Value>,
) -> Response {
    let Some(Ok(req)) = body.map(|b| serde_json::from_value::<models::Server>(b.clone())) else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "not a Server",
        );
    };
    let props = req.properties.clone().unwrap_or_default();
    let replica = props.create_mode == Some(models::server_properties::CreateMode::Replica);
    let (mut resource, version) = if replica {
        let source = props
            .source_server_resource_id
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some(primary) = s.resources.get(&source).cloned() else {
            return error(
                StatusCode::BAD_REQUEST,
                "SourceServerNotFound",
                "the source server does not exist",
            );
        };
        let mut r = example("ServerCreateReplica.json", "201");
        r["properties"]["version"] = primary["properties"]["version"].clone();
        r["properties"]["replicationRole"] = json!("AsyncReplica");
        r.as_object_mut().unwrap().remove("identity");
        r["properties"]
            .as_object_mut()
            .unwrap()
            .remove("dataEncryption");
        let v = primary["properties"]["version"]
            .as_str()
            .unwrap_or("16")
            .to_owned();
        (r, v)
    } else {
        if props
            .administrator_login_password
            .as_deref()
            .unwrap_or_default()
            .len()
            < 8
        {
            return error(
                StatusCode::BAD_REQUEST,
                "PasswordTooShort",
                "administratorLoginPassword is required",
            );
        }
        let r = example("ServerCreate.json", "201");
        let v = serde_json::to_value(&props.version)
            .unwrap()
            .as_str()
            .unwrap_or("16")
            .to_owned();
        (r, v)
    };
    let mut request = body.cloned().unwrap_or_default();
    if let Some(p) = request.get_mut("properties").and_then(Value::as_object_mut) {
        p.remove("administratorLoginPassword");
        p.remove("createMode");
    }
    merge(&mut resource, &request);
    resource["id"] = json!(path);
    resource["name"] = json!(server);
    resource["type"] = json!("Microsoft.DBforPostgreSQL/flexibleServers");
    resource["properties"]["fullyQualifiedDomainName"] =
        json!(format!("{server}.postgres.database.azure.com"));
    resource["properties"]["state"] = json!("Ready");
    // The service's defaults for every parameter of the version.
    let major: u16 = version.parse().unwrap_or(16);
    let mut configs = BTreeMap::new();
    if let Some(catalog) = pgplan_core::Catalog::for_major(major) {
        for (name, spec) in catalog.iter() {
            configs.insert(
                name.to_owned(),
                configuration(path, name, spec.boot_val, spec.needs_restart(), false),
            );
        }
    }
    for (name, value, restart, read_only) in [
        ("azure.extensions", "", false, false),
        ("pg_stat_statements.track", "none", false, false),
        (
            "shared_preload_libraries",
            "pg_cron,pg_stat_statements",
            true,
            false,
        ),
        ("require_secure_transport", "on", false, false),
        ("metrics.collector_database_activity", "off", false, false),
        ("ssl", "on", true, true),
        ("superuser_reserved_connections", "10", true, true),
    ] {
        configs.insert(
            name.to_owned(),
            configuration(path, name, value, restart, read_only),
        );
    }
    let response = resource.clone();
    let commit = vec![
        (key.to_owned(), Some(resource)),
        (
            format!("configs:{server}"),
            Some(Value::Object(configs.into_iter().collect())),
        ),
    ];
    accepted(s, path, commit, None, StatusCode::CREATED, Some(response))
}

fn configuration(
    server_path: &str,
    name: &str,
    value: &str,
    restart: bool,
    read_only: bool,
) -> Value {
    let mut c = example("ConfigurationUpdateUsingPut.json", "200");
    c["id"] = json!(format!("{server_path}/configurations/{name}"));
    c["name"] = json!(name);
    c["properties"]["value"] = json!(value);
    c["properties"]["defaultValue"] = json!(value);
    c["properties"]["source"] = json!("system-default");
    c["properties"]["isDynamicConfig"] = json!(!restart);
    c["properties"]["isReadOnly"] = json!(read_only);
    c["properties"]["isConfigPendingRestart"] = json!(false);
    c["properties"]["dataType"] = json!("Enumeration");
    c["properties"]["description"] = json!(format!("{name} (stand-in)"));
    c
}

/// Starts a long-running operation: the answer carries its status URL.
fn accepted(
    s: &mut State,
    path: &str,
    commit: Vec<(String, Option<Value>)>,
    restart_of: Option<String>,
    status: StatusCode,
    body: Option<Value>,
) -> Response {
    s.next_id += 1;
    let id = format!("00000000-0000-0000-0000-{:012}", s.next_id);
    let failure = s
        .fail
        .iter()
        .find(|(end, _, _)| path.ends_with(end.as_str()))
        .map(|(_, code, message)| (code.clone(), message.clone()));
    s.operations.insert(
        id.clone(),
        AsyncOp {
            polls_left: 2,
            failure,
            commit,
            restart_of,
            done: false,
        },
    );
    let sub = path.split('/').nth(2).unwrap_or_default();
    let base = format!(
        "{}/subscriptions/{sub}/providers/Microsoft.DBforPostgreSQL/locations/koreacentral",
        s.base
    );
    let mut r = match body {
        Some(b) => (status, axum::Json(b)).into_response(),
        None => status.into_response(),
    };
    let h = r.headers_mut();
    h.insert(
        "azure-asyncoperation",
        HeaderValue::from_str(&format!(
            "{base}/azureAsyncOperation/{id}?api-version=2024-08-01"
        ))
        .unwrap(),
    );
    h.insert(
        "location",
        HeaderValue::from_str(&format!(
            "{base}/operationResults/{id}?api-version=2024-08-01"
        ))
        .unwrap(),
    );
    r
}

fn operation_status(s: &mut State, id: &str) -> Response {
    let Some(op) = s.operations.get_mut(id) else {
        return error(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            "no such operation",
        );
    };
    if op.polls_left > 0 {
        op.polls_left -= 1;
        return axum::Json(
            json!({ "name": id, "status": "InProgress", "startTime": "2025-03-15T18:30:22.123Z" }),
        )
        .into_response();
    }
    if let Some((code, message)) = op.failure.clone() {
        op.done = true;
        return axum::Json(json!({
            "name": id, "status": "Failed", "startTime": "2025-03-15T18:30:22.123Z",
            "error": { "code": code, "message": message }
        }))
        .into_response();
    }
    if !op.done {
        op.done = true;
        let commit = std::mem::take(&mut op.commit);
        let restart = op.restart_of.take();
        for (key, value) in commit {
            if let Some(server) = key.strip_prefix("configs:") {
                if let Some(Value::Object(map)) = value {
                    s.configurations
                        .insert(server.to_owned(), map.into_iter().collect());
                }
            } else if let Some(rest) = key.strip_prefix("config:") {
                let (server, name) = rest.split_once(':').unwrap();
                if let (Some(c), Some(v)) = (s.configurations.get_mut(server), value) {
                    c.insert(name.to_owned(), v);
                }
            } else {
                match value {
                    Some(v) => s.resources.insert(key, v),
                    None => s.resources.remove(&key),
                };
            }
        }
        if let Some(server) = restart {
            if let Some(c) = s.configurations.get_mut(&server) {
                for v in c.values_mut() {
                    v["properties"]["isConfigPendingRestart"] = json!(false);
                }
            }
            s.restarts.push(server);
        }
    }
    axum::Json(json!({
        "name": id, "status": "Succeeded",
        "startTime": "2025-03-15T18:30:22.123Z", "endTime": "2025-03-15T18:31:22.123Z"
    }))
    .into_response()
}
