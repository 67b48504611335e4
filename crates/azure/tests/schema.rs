//! Every rendered request against the saved REST specification (API
//! 2024-08-01): bodies against the swagger definitions (Server,
//! Configuration, Database, FirewallRule, ActiveDirectoryAdministratorAdd),
//! paths against the spec's paths and path-parameter rules.
//!
//! The swagger definitions are turned into one self-contained JSON Schema
//! (draft 7) per body and checked with the `jsonschema` crate. The adaptation:
//! `$ref`s are inlined (across files, `types/common-types.json` included, and
//! the ARM base types from `azure-spec/arm`); `allOf` parents are merged
//! into the object; a property marked `readOnly`, or whose `x-ms-mutability`
//! does not include `create`, must be absent; an object that declares its
//! properties accepts no others unless it declares `additionalProperties`
//! (ARM ignores unknown members, so a misspelt one would be lost silently);
//! `int32` becomes a range; `enum`, `pattern`, `required`, `type`,
//! lengths are kept as they are. One extension: `ServerVersion` is
//! `modelAsString` and the service runs PostgreSQL 17, which the 2024-08-01
//! enum (11–16) predates, so the supported versions above 16 are added.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pgplan_azure::{Method, Operation, OperationKind, render_operations};
use serde_json::{Map, Value, json};

use crate::support::{azure_plans, name, seed, spec_dir};

const ARM_TYPES: &str = "arm/resource-types.json";
const SPEC_FILES: [&str; 8] = [
    "FlexibleServers.json",
    "Configuration.json",
    "Databases.json",
    "FirewallRules.json",
    "Administrators.json",
    "Replicas.json",
    "types/common-types.json",
    ARM_TYPES,
];

struct Spec {
    files: BTreeMap<String, Value>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let files = SPEC_FILES
            .iter()
            .map(|f| {
                let path = spec_dir().join(f);
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                ((*f).to_owned(), value)
            })
            .collect();
        Spec { files }
    })
}

impl Spec {
    /// The file and JSON pointer a `$ref` names, seen from `from`.
    fn target(&self, from: &str, reference: &str) -> (String, String) {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if file.is_empty() {
            from.to_owned()
        } else if file.ends_with("common-types/resource-management/v5/types.json") {
            ARM_TYPES.to_owned()
        } else if file.ends_with("types/common-types.json") {
            "types/common-types.json".to_owned()
        } else {
            file.trim_start_matches("./").to_owned()
        };
        (file, pointer.to_owned())
    }

    fn lookup(&self, file: &str, pointer: &str) -> &Value {
        self.files
            .get(file)
            .unwrap_or_else(|| panic!("the spec file {file} is not saved"))
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{file}#{pointer} does not exist"))
    }

    /// Follows `$ref`s to the definition and its file.
    fn deref<'a>(&'a self, file: &str, node: &'a Value) -> (String, &'a Value) {
        let mut file = file.to_owned();
        let mut node = node;
        for _ in 0..20 {
            let Some(r) = node.get("$ref").and_then(Value::as_str) else {
                return (file, node);
            };
            let (f, p) = self.target(&file, r);
            node = self.lookup(&f, &p);
            file = f;
        }
        panic!("a $ref chain is too long near {file}");
    }

    /// True when a property must not be sent in a create request.
    fn not_creatable(&self, file: &str, prop: &Value) -> bool {
        let flags = |v: &Value| {
            let read_only = v.get("readOnly").and_then(Value::as_bool) == Some(true);
            let no_create = v
                .get("x-ms-mutability")
                .and_then(Value::as_array)
                .is_some_and(|m| !m.iter().any(|x| x == "create"));
            read_only || no_create
        };
        let (_, target) = self.deref(file, prop);
        flags(prop) || flags(target)
    }

    /// Collects an object's properties and required names, `allOf` parents first.
    fn collect(
        &self,
        file: &str,
        node: &Value,
        props: &mut Map<String, Value>,
        required: &mut Vec<String>,
        additional: &mut Option<Value>,
        depth: usize,
    ) {
        let (file, node) = self.deref(file, node);
        for parent in node
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.collect(&file, parent, props, required, additional, depth + 1);
        }
        if let Some(p) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in p {
                let schema = if self.not_creatable(&file, v) {
                    json!({ "not": {}, "description": "read-only or not settable at creation" })
                } else {
                    self.convert(&file, v, depth + 1)
                };
                props.insert(k.clone(), schema);
            }
        }
        for r in node
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str()
                && !required.iter().any(|x| x == r)
            {
                required.push(r.to_owned());
            }
        }
        match node.get("additionalProperties") {
            Some(Value::Bool(b)) => *additional = Some(Value::Bool(*b)),
            Some(schema @ Value::Object(_)) => {
                *additional = Some(self.convert(&file, schema, depth + 1));
            }
            _ => {}
        }
    }

    /// One swagger schema as a self-contained JSON Schema (draft 7).
    fn convert(&self, file: &str, node: &Value, depth: usize) -> Value {
        assert!(depth < 40, "reference cycle near {file}");
        let (file, node) = self.deref(file, node);
        let mut out = Map::new();
        if let Some(t) = node.get("type") {
            out.insert("type".into(), t.clone());
        }
        for k in [
            "pattern",
            "minLength",
            "maxLength",
            "minimum",
            "maximum",
            "minItems",
            "maxItems",
        ] {
            if let Some(v) = node.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
        match node.get("format").and_then(Value::as_str) {
            Some("int32") => {
                out.insert("minimum".into(), json!(i32::MIN));
                out.insert("maximum".into(), json!(i32::MAX));
            }
            Some("int64") => {
                out.insert("minimum".into(), json!(i64::MIN));
                out.insert("maximum".into(), json!(i64::MAX));
            }
            _ => {}
        }
        if let Some(values) = node.get("enum").and_then(Value::as_array) {
            let mut values = values.clone();
            let enum_name = node.pointer("/x-ms-enum/name").and_then(Value::as_str);
            if enum_name == Some("ServerVersion") {
                for v in pgplan_core::azure_facts::SUPPORTED_VERSIONS {
                    let s = json!(v.to_string());
                    if !values.contains(&s) {
                        values.push(s);
                    }
                }
            }
            out.insert("enum".into(), Value::Array(values));
        }
        if let Some(items) = node.get("items") {
            out.insert("items".into(), self.convert(&file, items, depth + 1));
        }
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut additional = None;
        self.collect(
            &file,
            node,
            &mut props,
            &mut required,
            &mut additional,
            depth,
        );
        let has_props = !props.is_empty();
        if has_props {
            out.insert("properties".into(), Value::Object(props));
            out.entry("type").or_insert(json!("object"));
        }
        match additional {
            Some(a) => {
                out.insert("additionalProperties".into(), a);
            }
            None if has_props => {
                out.insert("additionalProperties".into(), json!(false));
            }
            None => {}
        }
        if !required.is_empty() {
            out.insert("required".into(), json!(required));
        }
        Value::Object(out)
    }

    fn schema_of(&self, file: &str, definition: &str) -> Value {
        let node = self.lookup(file, &format!("/definitions/{definition}"));
        self.convert(file, node, 0)
    }

    /// Problems of a body, as `path: message` lines.
    fn body_errors(&self, file: &str, definition: &str, body: &Value) -> Vec<String> {
        static CACHE: OnceLock<std::sync::Mutex<BTreeMap<String, jsonschema::Validator>>> =
            OnceLock::new();
        let key = format!("{file}#{definition}");
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let validator = cache.entry(key.clone()).or_insert_with(|| {
            let schema = self.schema_of(file, definition);
            jsonschema::draft7::new(&schema)
                .unwrap_or_else(|e| panic!("the schema of {key} does not compile: {e}"))
        });
        validator
            .iter_errors(body)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }

    /// Spec paths (`/subscriptions/{subscriptionId}/…`) with their operations.
    fn paths(&self) -> Vec<(String, &str, &Value)> {
        let mut out = Vec::new();
        for (file, doc) in &self.files {
            for (path, item) in doc
                .get("paths")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                out.push((file.clone(), path.as_str(), item));
            }
        }
        out
    }

    /// Problems of an operation's path: no matching spec path and method,
    /// a wrong api-version, a path parameter breaking its rule.
    fn path_errors(&self, op: &Operation) -> Vec<String> {
        let mut errors = Vec::new();
        let (path, query) = op.path.split_once('?').unwrap_or((&op.path, ""));
        if query != "api-version=2024-08-01" {
            errors.push(format!("query is `{query}`, not api-version=2024-08-01"));
        }
        if op.kind == OperationKind::Restart {
            // Servers_Restart lives in ServerStartStopRestart.json, which is
            // not among the saved files.
            assert!(
                path.ends_with("/restart") && op.body.is_none(),
                "{}",
                op.path
            );
            return errors;
        }
        let method = match op.method {
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Post => "post",
        };
        let segments: Vec<&str> = path.split('/').collect();
        let found = self.paths().into_iter().find_map(|(file, template, item)| {
            let t: Vec<&str> = template.split('/').collect();
            let matches = t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
            (matches && item.get(method).is_some()).then(|| (file, t, &item[method]))
        });
        let Some((file, template, operation)) = found else {
            errors.push(format!("no {method} {path} in the spec"));
            return errors;
        };
        for (t, value) in template.iter().zip(&segments) {
            let Some(param) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
                continue;
            };
            if value.starts_with('{') {
                // A placeholder apply fills in.
                continue;
            }
            let definition = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    // ARM's common parameters (subscription, resource group,
                    // api-version) live in a file that is not saved.
                    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                        let (f, pointer) = self.target(&file, r);
                        self.files.get(&f)?.pointer(&pointer)?;
                    }
                    Some(self.deref(&file, p))
                })
                .find(|(_, p)| p.get("name").and_then(Value::as_str) == Some(param));
            let Some((_, definition)) = definition else {
                // Subscription and resource group come from the ARM common
                // parameters, which are not saved.
                continue;
            };
            let mut schema = Map::new();
            schema.insert("type".into(), json!("string"));
            for k in ["pattern", "minLength", "maxLength"] {
                if let Some(v) = definition.get(k) {
                    schema.insert(k.into(), v.clone());
                }
            }
            let schema = Value::Object(schema);
            if !jsonschema::is_valid(&schema, &json!(value)) {
                errors.push(format!(
                    "path parameter {param} = `{value}` breaks {schema}"
                ));
            }
        }
        errors
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

fn check(op: &Operation) -> Vec<String> {
    // Metric alerts are not Flexible Server resources: their bodies are
    // checked against what the Azure CLI sends (alerts.rs).
    if op.kind == OperationKind::MetricAlert {
        return Vec::new();
    }
    let mut errors = spec().path_errors(op);
    if let Some(body) = &op.body {
        let json = body.to_json().expect("serialises");
        if has_null(&json) {
            errors.push("the body contains a null".into());
        }
        match body.definition() {
            Some((file, definition)) => errors.extend(spec().body_errors(file, definition, &json)),
            None => errors.push("a Flexible Server body without a definition".into()),
        }
    }
    errors
}

#[test]
fn every_rendered_request_follows_the_spec() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (path, plan) in azure_plans() {
        let ops = render_operations(&plan.validate().expect("the plan validates"))
            .unwrap_or_else(|e| panic!("{}: {e}", name(&path)));
        for op in &ops {
            checked += usize::from(op.body.is_some());
            for e in check(op) {
                problems.push(format!("{} {}: {e}", name(&path), op.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 10, "only {checked} bodies checked");
}

#[test]
fn the_specs_own_example_requests_pass_the_checker() {
    for (example, file, definition) in [
        ("ServerCreate.json", "FlexibleServers.json", "Server"),
        ("ServerCreateReplica.json", "FlexibleServers.json", "Server"),
        (
            "ServerCreateWithAadAuthEnabled.json",
            "FlexibleServers.json",
            "Server",
        ),
        (
            "ServerCreateGeoRestoreWithDataEncryptionEnabled.json",
            "FlexibleServers.json",
            "Server",
        ),
        (
            "ConfigurationUpdateUsingPut.json",
            "Configuration.json",
            "Configuration",
        ),
        ("DatabaseCreate.json", "Databases.json", "Database"),
        (
            "FirewallRuleCreate.json",
            "FirewallRules.json",
            "FirewallRule",
        ),
        (
            "AdministratorAdd.json",
            "Administrators.json",
            "ActiveDirectoryAdministratorAdd",
        ),
    ] {
        let text = std::fs::read_to_string(spec_dir().join("examples").join(example)).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let body = &doc["parameters"]["parameters"];
        let errors = spec().body_errors(file, definition, body);
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

/// The checker is only worth something if it fails: each mutation of the
/// seed's bodies is something ARM would reject or silently drop.
#[test]
fn the_checker_rejects_what_arm_would_not_take() {
    let ops = render_operations(&seed().validate().expect("the plan validates")).unwrap();
    let body_of = |id: &str| {
        ops.iter()
            .find(|o| o.id == id)
            .unwrap()
            .body_json()
            .unwrap()
            .unwrap()
    };
    let server = body_of("server");
    let database = body_of("database:bill_inquiry_db");
    let mutations: Vec<(&str, &str, &str, Value)> = vec![
        ("read-only state", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b["properties"]["state"] = json!("Ready");
            b
        }),
        ("tier not in the enum", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b["sku"]["tier"] = json!("Premium");
            b
        }),
        ("no location", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b.as_object_mut().unwrap().remove("location");
            b
        }),
        ("size as a string", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b["properties"]["storage"]["storageSizeGB"] = json!("256");
            b
        }),
        (
            "retention as a top-level member",
            "FlexibleServers.json",
            "Server",
            {
                let mut b = server.clone();
                b["backupRetentionDays"] = json!(35);
                b
            },
        ),
        (
            "maintenance window at creation",
            "FlexibleServers.json",
            "Server",
            {
                let mut b = server.clone();
                b["properties"]["maintenanceWindow"] = json!({"customWindow": "Enabled"});
                b
            },
        ),
        ("storage beyond int32", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b["properties"]["storage"]["storageSizeGB"] = json!(4_294_967_296u64);
            b
        }),
        ("version 10", "FlexibleServers.json", "Server", {
            let mut b = server.clone();
            b["properties"]["version"] = json!("10");
            b
        }),
        ("collation as en_US.UTF-8", "Databases.json", "Database", {
            let mut b = database.clone();
            b["properties"]["collation"] = json!("en_US.UTF-8");
            b
        }),
        (
            "firewall rule without end",
            "FirewallRules.json",
            "FirewallRule",
            json!({"properties": {"startIpAddress": "10.0.0.1"}}),
        ),
        (
            "firewall rule with a bad address",
            "FirewallRules.json",
            "FirewallRule",
            json!({"properties": {"startIpAddress": "10.0.0.256", "endIpAddress": "10.0.0.1"}}),
        ),
        (
            "configuration sending isReadOnly",
            "Configuration.json",
            "Configuration",
            json!({"properties": {"value": "on", "isReadOnly": false}}),
        ),
        (
            "administrator of an unknown type",
            "Administrators.json",
            "ActiveDirectoryAdministratorAdd",
            json!({"properties": {"principalType": "Robot", "principalName": "x"}}),
        ),
    ];
    for (what, file, definition, body) in mutations {
        let errors = spec().body_errors(file, definition, &body);
        assert!(!errors.is_empty(), "the checker accepted {what}: {body}");
    }
}

#[test]
fn bodies_carry_no_nulls_and_no_password() {
    for (path, plan) in azure_plans() {
        for op in render_operations(&plan.validate().expect("the plan validates")).unwrap() {
            let Some(json) = op.body_json().unwrap() else {
                continue;
            };
            let text = json.to_string();
            assert!(!has_null(&json), "{} {}: {text}", name(&path), op.id);
            assert!(
                !text.contains("administratorLoginPassword"),
                "{} {}: {text}",
                name(&path),
                op.id
            );
        }
    }
}
