//! The plan file's JSON Schema against the parser, both ways: every plan
//! file in the repository that parses is one the schema accepts (a password
//! written into a plan aside: the schema flags it on purpose), every plan the
//! model can write is one the schema accepts, and a plan file the schema
//! accepts parses — checked on thousands of mutations of the repository's
//! plans (values of other types, removed and unknown fields). The checked-in
//! `schema/plan.schema.json` is the one the model generates.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pgplan_core::schema::plan_schema;
use pgplan_core::{Plan, SecretSource};
use proptest::prelude::*;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(&plan_schema()).expect("the schema compiles"))
}

fn errors(value: &Value) -> Vec<String> {
    validator()
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every plan file in the repository: examples and test plans.
fn plan_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples/plans", "tests/plans/pass", "tests/plans/fail"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn has_literal_password(plan: &Plan) -> bool {
    let literal = |s: &Option<SecretSource>| matches!(s, Some(SecretSource::Literal(_)));
    plan.roles.iter().any(|r| literal(&r.password))
        || plan
            .platform
            .azure()
            .is_some_and(|a| literal(&a.administrator_password))
}

/// A plan file as an editor's schema check sees it: the YAML read as JSON
/// values with YAML 1.2's booleans (yaml-language-server reads `on` as the
/// string it is for `synchronous_mode: on`).
fn as_json(text: &str) -> Value {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).expect("YAML reads as JSON values")
}

#[test]
fn every_plan_file_that_parses_is_accepted() {
    let mut checked = 0;
    for path in plan_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(plan) = Plan::from_yaml(&text) else {
            continue;
        };
        let errs = errors(&as_json(&text));
        if has_literal_password(&plan) {
            assert!(
                !errs.is_empty(),
                "{}: the schema flags a password in the plan",
                path.display()
            );
            continue;
        }
        assert!(errs.is_empty(), "{}: {errs:#?}", path.display());
        checked += 1;
    }
    assert!(checked > 100, "only {checked} plan files checked");
}

#[test]
fn the_checked_in_schema_is_current() {
    let path = root().join("schema/plan.schema.json");
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&plan_schema()).unwrap()
    );
    if std::env::var_os("PGPLAN_UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "schema/plan.schema.json is not the schema the model generates; run `PGPLAN_UPDATE_SCHEMA=1 cargo test -p pgplan-core --test schema` and commit it"
    );
}

#[test]
fn example_plans_name_the_schema_for_editors() {
    for entry in std::fs::read_dir(root().join("examples/plans")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../schema/plan.schema.json\n"),
            "{}: first line names the schema",
            path.display()
        );
    }
}

/// The repository's plans that parse, as JSON (without literal passwords).
fn corpus() -> &'static [Value] {
    static C: OnceLock<Vec<Value>> = OnceLock::new();
    C.get_or_init(|| {
        plan_files()
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let plan = Plan::from_yaml(&text).ok()?;
                (!has_literal_password(&plan)).then(|| as_json(&text))
            })
            .collect()
    })
}

/// Every path to a value in a JSON document.
fn paths(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(Value::String(k.clone()));
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                here.push(json!(i));
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    AddField,
}

fn mutate(doc: &mut Value, path: &[Value], m: &Mutation) {
    let Some((last, parent_path)) = path.split_last() else {
        if let Mutation::Replace(v) = m {
            *doc = v.clone();
        }
        return;
    };
    let mut parent = &mut *doc;
    for step in parent_path {
        parent = match step {
            Value::String(k) => parent.get_mut(k.as_str()).unwrap(),
            Value::Number(i) => parent.get_mut(i.as_u64().unwrap() as usize).unwrap(),
            _ => unreachable!(),
        };
    }
    match (m, last, parent) {
        (Mutation::Replace(v), Value::String(k), Value::Object(o)) => {
            o.insert(k.clone(), v.clone());
        }
        (Mutation::Replace(v), Value::Number(i), Value::Array(a)) => {
            a[i.as_u64().unwrap() as usize] = v.clone();
        }
        (Mutation::Remove, Value::String(k), Value::Object(o)) => {
            o.remove(k.as_str());
        }
        (Mutation::Remove, Value::Number(i), Value::Array(a)) => {
            a.remove(i.as_u64().unwrap() as usize);
        }
        (Mutation::AddField, Value::String(k), Value::Object(o)) => {
            if let Some(Value::Object(child)) = o.get_mut(k.as_str()) {
                child.insert("not_a_field".into(), json!(1));
            }
        }
        _ => {}
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Replace(json!(7))),
        Just(Mutation::Replace(json!(-1))),
        Just(Mutation::Replace(json!(1.5))),
        Just(Mutation::Replace(json!(70000))),
        Just(Mutation::Replace(json!(true))),
        Just(Mutation::Replace(Value::Null)),
        Just(Mutation::Replace(json!({}))),
        Just(Mutation::Replace(json!([]))),
        Just(Mutation::Replace(json!(""))),
        Just(Mutation::Remove),
        Just(Mutation::AddField),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256).max(256) * 8
    ))]

    /// What the schema accepts parses: shapes and types the schema allows
    /// are ones serde reads (the values' own rules — a DNS label's
    /// characters, a schedule's fields — are the parser's to check).
    #[test]
    fn a_mutated_plan_the_schema_accepts_parses(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        m in mutation(),
    ) {
        let plans = corpus();
        let mut doc = plans[which.index(plans.len())].clone();
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let path = &all[at.index(all.len())];
        mutate(&mut doc, path, &m);
        if errors(&doc).is_empty() {
            let parsed = Plan::from_json(&doc.to_string());
            prop_assert!(parsed.is_ok(), "the schema accepts {m:?} at {path:?} but: {}", parsed.unwrap_err());
        }
    }

    /// What the model writes, the schema accepts.
    #[test]
    fn every_plan_the_model_writes_is_accepted(plan in pgplan_core::strategies::plan()) {
        prop_assume!(!has_literal_password(&plan));
        let value = serde_json::to_value(&plan).unwrap();
        let errs = errors(&value);
        prop_assert!(errs.is_empty(), "{errs:#?}\n{}", serde_json::to_string_pretty(&value).unwrap());
    }
}
