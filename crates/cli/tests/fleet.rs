//! Many plans in one `pgplan` process: directories and several files as
//! input, one subdirectory per plan, shared Namespaces written once, the
//! summary line and exit codes; and reports that stay proportional to their
//! findings (a rule that fires many times summed up, `--verbose` lists all).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pgplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        // Date rules (end of life) report the same on every day.
        .env("PGPLAN_AS_OF", "2026-12-06")
        .output()
        .expect("run pgplan")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("pgplan-fleet-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    fn str(&self, p: &str) -> String {
        self.path(p).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// `n` services of the render benchmark's template in `dir`.
fn services(dir: &Path, n: usize) {
    let template = std::fs::read_to_string(root().join("scripts/bench/service.yaml.tmpl")).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let name = format!("svc-{i:04}");
        std::fs::write(
            dir.join(format!("{name}.yaml")),
            template.replace("SERVICE", &name),
        )
        .unwrap();
    }
}

fn documents(yaml: &str) -> Vec<serde_json::Value> {
    serde_saphyr::from_multiple::<serde_json::Value>(yaml)
        .unwrap()
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

#[test]
fn a_directory_renders_one_subdirectory_per_plan_with_the_shared_namespace_once() {
    let scratch = Scratch::new("render");
    services(&scratch.path("plans/team-a"), 3);
    services(&scratch.path("plans/team-b"), 1);
    let out = pgplan(&[
        "render",
        &scratch.str("plans"),
        "--target",
        "k8s",
        "--out",
        &scratch.str("out"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("rendered 4 plans: 4 ok, 0 failed; 12 files"),
        "{stdout}"
    );
    assert!(stdout.contains("1 shared namespace(s)"), "{stdout}");

    let shared = std::fs::read_to_string(scratch.path("out/00-namespaces.yaml")).unwrap();
    let namespaces = documents(&shared);
    assert_eq!(namespaces.len(), 1, "{shared}");
    assert_eq!(namespaces[0]["kind"], "Namespace");
    assert_eq!(namespaces[0]["metadata"]["name"], "fleet-dev");
    for plan in [
        "team-a/svc-0000",
        "team-a/svc-0001",
        "team-a/svc-0002",
        "team-b/svc-0000",
    ] {
        let manifests =
            std::fs::read_to_string(scratch.path(&format!("out/{plan}/manifests.yaml"))).unwrap();
        let objects = documents(&manifests);
        assert!(objects.len() > 5, "{plan}: {manifests}");
        // The script that fills the Secrets also creates the Namespace when
        // it is missing, so each plan's directory deploys on its own.
        let bootstrap =
            std::fs::read_to_string(scratch.path(&format!("out/{plan}/bootstrap-secrets.sh")))
                .unwrap();
        assert!(bootstrap.contains("fleet-dev"), "{plan}: {bootstrap}");
        assert!(
            objects.iter().all(|o| o["kind"] != "Namespace"),
            "{plan} repeats the shared Namespace"
        );
        assert!(
            objects
                .iter()
                .all(|o| o["metadata"]["namespace"] == "fleet-dev"),
            "{plan}"
        );
    }

    // The same plan alone still renders its own Namespace into DIR.
    let out = pgplan(&[
        "render",
        &scratch.str("plans/team-a/svc-0000.yaml"),
        "--target",
        "k8s",
        "--out",
        &scratch.str("one"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let alone = std::fs::read_to_string(scratch.path("one/manifests.yaml")).unwrap();
    assert_eq!(documents(&alone)[0]["kind"], "Namespace");
}

#[test]
fn a_failing_plan_is_named_and_the_others_are_rendered() {
    let scratch = Scratch::new("failing");
    let fail = root().join("tests/plans/fail/seed-001-bill-inquiry-as-written.yaml");
    let good = root().join("examples/plans/prod-bill-inquiry.yaml");
    let out = pgplan(&[
        "render",
        fail.to_str().unwrap(),
        good.to_str().unwrap(),
        "--target",
        "azure",
        "--out",
        &scratch.str("out"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rendered 2 plans: 1 ok, 1 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failed: ") && stdout.contains("seed-001-bill-inquiry-as-written.yaml"),
        "{stdout}"
    );
    assert!(scratch.path("out/prod-bill-inquiry/deploy.sh").exists());
    assert!(
        !scratch
            .path("out/seed-001-bill-inquiry-as-written")
            .exists()
    );
    assert!(text(&out.stderr).contains("not rendered"));
}

#[test]
fn plans_that_would_share_a_subdirectory_are_refused() {
    let scratch = Scratch::new("clash");
    services(&scratch.path("a"), 1);
    services(&scratch.path("b"), 1);
    let out = pgplan(&[
        "validate",
        &scratch.str("a/svc-0000.yaml"),
        &scratch.str("b/svc-0000.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("would both be written to the subdirectory `svc-0000`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn target_all_renders_what_applies_to_each_platform() {
    let scratch = Scratch::new("all");
    let out = pgplan(&[
        "render",
        "examples/plans",
        "--target",
        "all",
        "--out",
        &scratch.str("out"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for file in [
        "dev-product-change/sql/init.sql",
        "dev-product-change/k8s/manifests.yaml",
        "dev-product-change/k8s/bootstrap-secrets.sh",
        "prod-bill-inquiry/sql/init.sql",
        "prod-bill-inquiry/azure/deploy.sh",
        "ha-cluster/sql/init.sql",
        "ha-cluster/ha/haproxy/haproxy.cfg",
        "00-namespaces.yaml",
    ] {
        assert!(scratch.path(&format!("out/{file}")).exists(), "{file}");
    }
    assert!(!scratch.path("out/prod-bill-inquiry/k8s").exists());
    assert!(!scratch.path("out/ha-cluster/k8s").exists());
    assert!(!scratch.path("out/dev-product-change/ha").exists());
    // A fleet's Kubernetes render is a single render's: the schema-init Job
    // also runs the plan's migrations (examples/plans/migrations/).
    let single = Scratch::new("all-single");
    let out = pgplan(&[
        "render",
        "examples/plans/dev-product-change.yaml",
        "--target",
        "k8s",
        "--out",
        &single.str("out"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fleet =
        std::fs::read_to_string(scratch.path("out/dev-product-change/k8s/manifests.yaml")).unwrap();
    let alone = std::fs::read_to_string(single.path("out/manifests.yaml")).unwrap();
    assert!(
        fleet.contains("V1__init.sql"),
        "the fleet's Job lacks the migrations"
    );
    let without_namespace = |yaml: &str| {
        documents(yaml)
            .into_iter()
            .filter(|d| d["kind"] != "Namespace")
            .collect::<Vec<_>>()
    };
    assert_eq!(without_namespace(&fleet), without_namespace(&alone));
}

#[test]
fn validate_sums_a_fleet_up_on_one_line_and_json_lists_every_plan() {
    let out = pgplan(&["validate", "examples/plans"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with("validated 5 plans: 5 ok, 0 failed; 0 error(s)"),
        "{stderr}"
    );

    let out = pgplan(&[
        "validate",
        "examples/plans",
        "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml",
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plans = json.as_array().unwrap();
    assert_eq!(plans.len(), 6);
    let seed = &plans[5];
    assert!(seed["file"].as_str().unwrap().ends_with("as-written.yaml"));
    assert!(
        seed["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "PGP001" && f["line"].is_u64())
    );
    assert!(text(&out.stderr).contains("failed: tests/plans/fail/seed-001"));
}

/// A local plan whose `roles` login roles have no password source: one
/// PGP044 warning per role.
fn roles_without_passwords(roles: usize) -> String {
    let mut plan = String::from(
        "service: many\nenvironment: development\nversion: 17\nplatform:\n  local: {}\n\
         databases:\n  - { name: app, owner: app_owner }\n\
         roles:\n  - { name: app_owner, purpose: owner, login: true, password: { generated: {} } }\n",
    );
    for i in 0..roles {
        plan.push_str(&format!(
            "  - name: bill_{i}\n    purpose: application\n    login: true\n"
        ));
    }
    plan
}

#[test]
fn a_rule_that_fires_many_times_is_summed_up_unless_verbose() {
    let scratch = Scratch::new("many");
    let plan = scratch.path("many.yaml");
    std::fs::write(&plan, roles_without_passwords(40)).unwrap();
    let plan = plan.to_str().unwrap();

    let out = pgplan(&["validate", plan]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("40 warning(s)"), "{stderr}");
    // The first finding in full, with its line …
    assert_eq!(stderr.matches("roles[1].password").count(), 1, "{stderr}");
    assert!(stderr.contains("many.yaml:10:"), "{stderr}");
    // … the others on one line, with where they are.
    assert!(
        stderr.contains("PGP044 (login-password-source): 39 more like this, at roles[2]"),
        "{stderr}"
    );
    assert!(stderr.contains("roles[2].password (line 13)"), "{stderr}");
    assert!(stderr.contains("and 34 more; `--verbose` lists them all"));
    let summed_up = stderr.lines().count();

    let out = pgplan(&["validate", plan, "--verbose"]);
    let verbose = text(&out.stderr);
    assert!(!verbose.contains("more like this"), "{verbose}");
    for i in 1..=40 {
        assert!(verbose.contains(&format!("roles[{i}]")), "roles[{i}]");
    }
    assert!(verbose.lines().count() > summed_up * 10);

    // JSON always lists every finding.
    let out = pgplan(&["validate", plan, "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == "PGP044")
            .count(),
        40
    );
}

#[test]
fn thousands_of_findings_print_a_short_report() {
    // The report's size (and so its cost) follows the findings that are
    // shown, not findings × file size.
    let scratch = Scratch::new("thousands");
    let plan = scratch.path("many.yaml");
    std::fs::write(&plan, roles_without_passwords(3000)).unwrap();
    let out = pgplan(&["validate", plan.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("3000 warning(s)"), "{stderr}");
    assert!(stderr.len() < 4000, "{} bytes:\n{stderr}", stderr.len());
}

/// Each plan's subdirectory is written as a single render writes: a file
/// pgplan did not write holds that plan back (exit 4, nothing of it
/// written), the others are written; `--force` replaces the file; a second
/// render replaces pgplan's own files without asking.
#[test]
fn each_plans_subdirectory_is_written_safely() {
    let scratch = Scratch::new("safe");
    services(&scratch.path("plans"), 2);
    std::fs::create_dir_all(scratch.path("out/svc-0001")).unwrap();
    std::fs::write(scratch.path("out/svc-0001/manifests.yaml"), "mine\n").unwrap();
    let render = |force: bool| {
        let mut args = vec![
            "render".to_owned(),
            scratch.str("plans"),
            "--target".into(),
            "k8s".into(),
            "--out".into(),
            scratch.str("out"),
        ];
        if force {
            args.push("--force".into());
        }
        pgplan(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = render(false);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(4), "{stdout}{stderr}");
    assert!(
        stderr.contains("manifests.yaml") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(
        stdout.contains("failed: ") && stdout.contains("svc-0001"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(scratch.path("out/svc-0001/manifests.yaml")).unwrap(),
        "mine\n"
    );
    assert!(scratch.path("out/svc-0000/manifests.yaml").is_file());
    assert!(scratch.path("out/svc-0000/.pgplan-render.json").is_file());

    let out = render(true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_ne!(
        std::fs::read_to_string(scratch.path("out/svc-0001/manifests.yaml")).unwrap(),
        "mine\n"
    );
    let out = render(false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// With `--output json`, a plan that cannot be read is its `{"file",
/// "error"}` in the fleet's list, the error the same object a single plan
/// prints (kind, message, line).
#[test]
fn json_names_an_unreadable_plan_of_a_fleet() {
    let scratch = Scratch::new("json-error");
    services(&scratch.path("plans"), 1);
    std::fs::write(scratch.path("plans/broken.yaml"), "service: [\n").unwrap();
    let out = pgplan(&["validate", &scratch.str("plans"), "--output", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let broken = list
        .iter()
        .find(|p| {
            p["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("broken.yaml"))
        })
        .expect("the broken plan is listed");
    assert_eq!(broken["error"]["kind"], "parse", "{broken}");
    assert!(broken["error"]["line"].is_u64(), "{broken}");
}
