//! Plans and tools shared by the tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use pgplan_core::prelude::*;
use pgplan_core::seams::InitScript;
use pgplan_core::{Plan, RoleName, SecretSource, ValidPlan};
use pgplan_k8s::{Object, RenderOptions};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every example and passing test plan, with its path relative to the workspace.
pub fn all_plans() -> Vec<(String, Plan)> {
    let mut out = Vec::new();
    for dir in ["examples/plans", "tests/plans/pass"] {
        let Ok(entries) = std::fs::read_dir(workspace().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            let plan = Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            out.push((name, plan));
        }
    }
    assert!(!out.is_empty(), "no plans under {}", workspace().display());
    out
}

/// The example and passing test plans whose platform is Kubernetes.
pub fn kubernetes_plans() -> Vec<(String, Plan)> {
    all_plans()
        .into_iter()
        .filter(|(_, p)| p.platform.kubernetes().is_some())
        .collect()
}

/// The plan in a file, relative to the workspace.
pub fn plan_at(relative: &str) -> Plan {
    let text = std::fs::read_to_string(workspace().join(relative)).unwrap();
    Plan::from_yaml(&text).unwrap()
}

/// Seed 000's plan (examples/plans/dev-product-change.yaml).
pub fn seed_000() -> Plan {
    plan_at("examples/plans/dev-product-change.yaml")
}

/// Plans that reach what the example plans do not: read replicas on both
/// image families, TLS, Key Vault and environment passwords, a WAL volume,
/// allowed CIDRs, a high UID.
pub fn variants() -> Vec<(String, Plan)> {
    // Seed 000 with two bitnami read replicas and TLS.
    let bitnami = seed_000()
        .edit()
        .topology(|t| t.replica("read-1", |r| r).replica("read-2", |r| r))
        .security(|s| s.tls_required(TlsVersion::default()))
        .role_mut("product_change_readonly", |r| {
            r.password(secret::env("PRODUCT_CHANGE_READONLY_PASSWORD"))
        })
        .monitoring(|m| m.replication_lag(above(30.seconds()).sustained_for(2.minutes())))
        .build()
        .expect("the bitnami variant builds");

    // The event-marketing plan (official image) with replicas that differ
    // from the primary in parameters, a WAL volume and more.
    let official = plan_at("examples/plans/dev-event-marketing.yaml")
        .edit()
        .topology(|t| {
            t.replica("r1", |r| r.storage(20.gib()).parameter("work_mem", "8MB"))
                .replica("r2", |r| r.storage(20.gib()).parameter("work_mem", "8MB"))
        })
        .security(|s| {
            s.tls_required(TlsVersion::default())
                .allow("10.0.1.0/24")
                .allow("fd00::/8")
        })
        .sizing(|s| s.wal_volume(5.gib()))
        .role_mut("event_owner", |r| {
            r.password(secret::key_vault("event-kv", "event-owner-password"))
        })
        .kubernetes_mut(|k| k.run_as_user(10001).tools_image("postgres:16.4-bookworm"))
        .build()
        .expect("the official-image variant builds");

    vec![
        ("variants/seed-000-read-replicas".into(), bitnami),
        ("variants/official-image-read-replicas".into(), official),
    ]
}

/// Kubernetes example plans and the variants.
pub fn every_kubernetes_plan() -> Vec<(String, Plan)> {
    let mut plans = kubernetes_plans();
    plans.extend(variants());
    plans
}

/// A plan the tests expect to validate.
pub fn valid(plan: &Plan) -> ValidPlan {
    plan.validate()
        .unwrap_or_else(|report| panic!("the plan does not validate:\n{report}"))
}

/// Render options the tests use: an init script, so the schema-init Job is
/// there (it sets no role's password; see [`opts_for`]). The script the
/// SQL backend renders for a plan runs with this Job in the workspace's
/// root tests (`tests/k8s_pod.rs`): this crate does not depend on pgplan-sql.
pub fn opts() -> RenderOptions {
    RenderOptions {
        init_script: Some(InitScript {
            sql: "CREATE SCHEMA IF NOT EXISTS app;\n".into(),
            passwords_to_set: vec![],
        }),
        ..RenderOptions::default()
    }
}

/// [`opts`] with the Job setting the password of every login role of the
/// plan with a password the cluster holds (as the SQL backend's
/// `init_script_for_job` lists them).
pub fn opts_for(plan: &ValidPlan) -> RenderOptions {
    let mut passwords_to_set: Vec<RoleName> = plan
        .roles
        .iter()
        .filter(|r| {
            r.login
                && matches!(
                    r.password,
                    Some(
                        SecretSource::Generated { .. }
                            | SecretSource::Env { .. }
                            | SecretSource::KeyVault { .. }
                            | SecretSource::KubernetesSecret { .. }
                    )
                )
        })
        .map(|r| r.name.clone())
        .collect();
    passwords_to_set.sort();
    let mut opts = opts();
    if let Some(script) = &mut opts.init_script {
        script.passwords_to_set = passwords_to_set;
    }
    opts
}

/// A file-system-safe name for a plan.
pub fn file_name(plan_name: &str) -> String {
    plan_name.replace(['/', '.'], "_")
}

/// A fresh empty directory under the system's temporary directory.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pgplan-k8s-{label}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Python tool installed by scripts/install-test-deps.sh; fails with the
/// fix when it is missing.
pub fn tool(name: &str) -> PathBuf {
    let dir = std::env::var_os("PGPLAN_TOOLS_BIN")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan/bin")))
        .unwrap_or_default();
    let path = dir.join(name);
    let runs = Command::new(&path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "{name} not found at {} (PGPLAN_TOOLS_BIN or ~/.cache/pgplan/bin): run scripts/install-test-deps.sh",
        path.display()
    );
    path
}

/// The objects of a plan as YAML documents of the kinds Kubernetes serves
/// (custom resources are checked separately: there is no schema for them).
pub fn builtin_yaml(objects: &[Object]) -> String {
    let mut out = String::new();
    for o in objects.iter().filter(|o| o.is_builtin()) {
        out.push_str("---\n");
        out.push_str(&o.to_yaml().unwrap());
    }
    out
}
