//! `bootstrap-secrets.sh`, the path for people who deploy with `kubectl`,
//! run with bash against a kubectl stand-in (pgplan-testkit's
//! [`KubectlStandIn`]: there is no cluster here). It fills every missing
//! password, keeps every one already there, prints none and passes none on
//! a command line, and stops before writing anything when an environment
//! variable or an existing Secret the plan names is missing.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use pgplan_core::Plan;
use pgplan_k8s::{PasswordFill, password_slots, render_files};
use pgplan_testkit::KubectlStandIn;

use crate::support::{opts_for, plan_at, seed_000, temp_dir, valid, variants};

fn run(script: &str, kubectl: &KubectlStandIn, env: &[(&str, &str)]) -> Output {
    Command::new("setsid")
        .arg("--wait")
        .args(["bash", "-c", script])
        .env_clear()
        .envs(kubectl.env("/usr/local/bin:/usr/bin:/bin"))
        .envs(env.iter().copied())
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn script(plan: &Plan) -> String {
    let plan = valid(plan);
    render_files(&plan, &opts_for(&plan)).unwrap()["bootstrap-secrets.sh"].clone()
}

fn passwords(kubectl: &KubectlStandIn, ns: &str, plan: &Plan) -> BTreeMap<String, Vec<u8>> {
    password_slots(&valid(plan))
        .unwrap()
        .into_iter()
        .map(|slot| {
            let data = kubectl
                .secret(ns, &slot.secret)
                .unwrap_or_else(|| panic!("no Secret {}", slot.secret));
            assert_eq!(data["username"], slot.username.as_bytes());
            (slot.secret, data["password"].clone())
        })
        .collect()
}

/// No password in any command line kubectl was called with, nor in the output.
fn assert_never_shown(kubectl: &KubectlStandIn, out: &Output, secrets: &BTreeMap<String, Vec<u8>>) {
    let calls = format!("{:?}", kubectl.calls());
    let shown = text(out);
    for pw in secrets.values() {
        let pw = String::from_utf8_lossy(pw);
        assert!(
            !calls.contains(pw.as_ref()),
            "a password on a command line: {calls}"
        );
        assert!(!shown.contains(pw.as_ref()), "a password printed: {shown}");
    }
}

#[test]
fn bootstrap_creates_every_missing_password_once_and_keeps_it() {
    let dir = temp_dir("bootstrap-seed-000");
    let kubectl = KubectlStandIn::new(&dir).unwrap();
    let plan = seed_000();
    let script = script(&plan);
    let out = run(&script, &kubectl, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(kubectl.has_namespace("phonebill-dev"));
    let first = passwords(&kubectl, "phonebill-dev", &plan);
    assert_eq!(
        first.len(),
        4,
        "superuser and three roles: {:?}",
        first.keys()
    );
    for (secret, pw) in &first {
        assert_eq!(pw.len(), 32, "{secret}");
        assert!(pw.iter().all(u8::is_ascii_alphanumeric), "{secret}");
    }
    assert_never_shown(&kubectl, &out, &first);

    // Again: nothing changes, nothing is written.
    let writes_before = kubectl.calls().iter().filter(|c| c[0] != "get").count();
    let again = run(&script, &kubectl, &[]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(passwords(&kubectl, "phonebill-dev", &plan), first);
    assert_eq!(
        kubectl.calls().iter().filter(|c| c[0] != "get").count(),
        writes_before,
        "a second run writes nothing: {:?}",
        kubectl.calls()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bootstrap_fills_a_secret_that_exists_without_its_password() {
    let dir = temp_dir("bootstrap-partial");
    let kubectl = KubectlStandIn::new(&dir).unwrap();
    let plan = seed_000();
    let superuser = "postgresql-product-change-superuser";
    kubectl
        .put_secret(
            "phonebill-dev",
            superuser,
            &BTreeMap::from([("username".into(), b"postgres".to_vec())]),
        )
        .unwrap();
    let admin = "postgresql-product-change-role-product-change-admin";
    kubectl
        .put_secret(
            "phonebill-dev",
            admin,
            &BTreeMap::from([
                ("username".into(), b"product_change_admin".to_vec()),
                ("password".into(), b"chosen-by-an-operator".to_vec()),
            ]),
        )
        .unwrap();
    let out = run(&script(&plan), &kubectl, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let all = passwords(&kubectl, "phonebill-dev", &plan);
    assert_eq!(all[admin], b"chosen-by-an-operator", "never overwritten");
    assert_eq!(all[superuser].len(), 32, "patched into the existing Secret");
    assert!(
        kubectl
            .calls()
            .iter()
            .any(|c| c[0] == "patch" && c[2] == superuser),
        "{:?}",
        kubectl.calls()
    );
    assert_never_shown(&kubectl, &out, &all);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bootstrap_takes_a_password_from_the_environment_and_stops_without_it() {
    // The bitnami variant reads product_change_readonly's password from
    // PRODUCT_CHANGE_READONLY_PASSWORD.
    let (_, plan) = variants().into_iter().next().unwrap();
    let slot = password_slots(&valid(&plan))
        .unwrap()
        .into_iter()
        .find(|s| matches!(&s.fill, PasswordFill::Env { .. }))
        .unwrap();
    let dir = temp_dir("bootstrap-env");
    let kubectl = KubectlStandIn::new(&dir).unwrap();
    let script = script(&plan);

    let out = run(&script, &kubectl, &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("PRODUCT_CHANGE_READONLY_PASSWORD is not set"),
        "{}",
        text(&out)
    );
    assert!(
        !kubectl
            .calls()
            .iter()
            .any(|c| c[0] == "create" && c[1] == "secret"),
        "nothing written before the check: {:?}",
        kubectl.calls()
    );

    let out = run(
        &script,
        &kubectl,
        &[("PRODUCT_CHANGE_READONLY_PASSWORD", "from-the-env-Pw9")],
    );
    assert!(out.status.success(), "{}", text(&out));
    let all = passwords(&kubectl, "phonebill-dev", &plan);
    assert_eq!(all[&slot.secret], b"from-the-env-Pw9");
    assert_never_shown(&kubectl, &out, &all);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bootstrap_checks_the_existing_secrets_the_plan_names_before_writing() {
    // event_app's password is the existing Secret event-marketing-db, key app-password.
    let plan = plan_at("examples/plans/dev-event-marketing.yaml");
    let dir = temp_dir("bootstrap-existing");
    let kubectl = KubectlStandIn::new(&dir).unwrap();
    let script = script(&plan);
    let out = run(&script, &kubectl, &[]);
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "Secret event-marketing-db in namespace event-marketing-dev has no key app-password"
        ) && stderr.contains("roles[1].password"),
        "{}",
        text(&out)
    );
    assert!(
        !kubectl
            .calls()
            .iter()
            .any(|c| c[1] == "secret" && c[0] != "get")
    );

    kubectl
        .put_secret(
            "event-marketing-dev",
            "event-marketing-db",
            &BTreeMap::from([("app-password".into(), b"the-apps-own".to_vec())]),
        )
        .unwrap();
    let out = run(&script, &kubectl, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        kubectl
            .secret("event-marketing-dev", "event-marketing-db")
            .unwrap()["app-password"],
        b"the-apps-own"
    );
    passwords(&kubectl, "event-marketing-dev", &plan);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_readme_gives_the_order() {
    let plan = valid(&seed_000());
    let files = render_files(&plan, &opts_for(&plan)).unwrap();
    let readme = &files["README.md"];
    let step = |s: &str| readme.find(s).unwrap_or_else(|| panic!("{s} in\n{readme}"));
    assert!(step("bash bootstrap-secrets.sh") < step("kubectl apply -f manifests.yaml"));
    assert!(
        step("kubectl apply -f manifests.yaml")
            < step("rollout status statefulset/postgresql-product-change")
    );
    assert!(readme.contains("`PrometheusRule`"), "{readme}");
}
