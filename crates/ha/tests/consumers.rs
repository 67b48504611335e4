//! Each rendered file, checked by the program that reads it: etcd starts from
//! its configuration file, `patroni --validate-config` accepts every member's
//! file (with etcd up and the member's ports free, as its checks need),
//! `haproxy -c` accepts both HAProxy configurations, and the docker-compose
//! file validates against the Compose specification's schema with every file
//! it references present. Several plan variants: the seed, TLS with strict
//! synchronous replication and a replication role of the plan, another data
//! directory and port, no exporter.

mod support;

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pgplan_core::strategies::{local_plan, reasonable_local_plan};
use pgplan_ha::{Layout, render_files};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use support::*;

/// Seed 003 moved to 127.0.0.6x/7x (so it never meets the cluster test's
/// addresses) with its monitoring password generated.
fn seed_variant() -> String {
    seed_15_text()
        .replace("127.0.0.1", "127.0.0.6")
        .replace("127.0.0.2", "127.0.0.7")
        .replace(
            "password: { env: { var: PGHA_MONITOR_PASSWORD } }",
            "password: { generated: {} }",
        )
}

fn variants() -> Vec<(&'static str, String)> {
    let seed = seed_variant();
    let tls_strict = seed
        .replace("tls: { required: false }", "tls: { required: true }")
        .replace("synchronous_mode: on", "synchronous_mode: strict")
        .replace(
            "  - name: monitor\n",
            "  - { name: \"Repl User\", purpose: replication, login: true, password: { generated: {} } }\n  - name: monitor\n",
        );
    let elsewhere = seed
        .replace("  local: {}", "  local: { port: 5433, data_dir: /tmp/pgplan-ha-elsewhere, locale: C.UTF-8, data_checksums: false }");
    let no_exporter = seed.replace("  exporter: {}\n", "");
    let without_rewind = seed.replace(
        "    scope: pg-ha\n",
        "    scope: pg-ha\n    use_pg_rewind: false\n",
    );
    assert_ne!(without_rewind, seed, "the seed's scope line moved");
    vec![
        ("seed", seed),
        ("tls-strict-replication-role", tls_strict),
        ("port-data-dir", elsewhere),
        ("no-exporter", no_exporter),
        ("without-rewind", without_rewind),
    ]
}

/// A temporary directory, removed however the test ends.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("pgplan-ha-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

fn write_all(dir: &Path, files: &BTreeMap<String, String>) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn program(name: &str) -> PathBuf {
    ["/usr/bin", "/usr/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("{name} is not installed (scripts/install-test-deps.sh installs it)")
        })
}

/// Processes killed when the test ends, however it ends.
struct Kill(Vec<Child>);
impl Drop for Kill {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// PostgreSQL 18 without page checksums: 18's initdb turns them on unless
/// told otherwise, so bootstrap.initdb carries `no-data-checksums` (no Spilo
/// image carries 18, so this variant has no compose files).
fn pg18_without_checksums() -> (&'static str, String) {
    let text = seed_variant()
        .replace("\nversion: 15\n", "\nversion: 18\n")
        .replace("  local: {}", "  local: { data_checksums: false }");
    ("pg18-without-checksums", text)
}

#[test]
fn etcd_starts_and_patroni_validates_every_member_file() {
    let etcd = program("etcd");
    let patroni = program("patroni");
    for (name, yaml) in variants().into_iter().chain([pg18_without_checksums()]) {
        let plan = valid(&yaml);
        let dir = temp_dir(&format!("validate-{name}"));
        let layout = Layout::new(dir.join("run"), Layout::debian_bin_dir(15));
        let files = render_files(&plan, &layout).unwrap();
        write_all(&dir, &files);
        // The plan's checksums reach Patroni's bootstrap.initdb; without
        // them pgplan turns wal_log_hints on for pg_rewind.
        let member = &files["patroni/pg-0.yml"];
        match name {
            "pg18-without-checksums" => assert!(member.contains("- no-data-checksums"), "{member}"),
            "port-data-dir" => {
                assert!(!member.contains("data-checksums"), "{member}");
                assert!(member.contains("wal_log_hints: "), "{member}");
            }
            _ => assert!(member.contains("- data-checksums"), "{name}: {member}"),
        }
        assert_eq!(
            member.contains("use_pg_rewind: false"),
            name == "without-rewind",
            "{name}: {member}"
        );
        // etcd from its rendered configuration files.
        let mut procs = Kill(Vec::new());
        let mut endpoints = Vec::new();
        for (file, text) in files.iter().filter(|(f, _)| f.starts_with("etcd/")) {
            let url = text
                .lines()
                .find_map(|l| l.strip_prefix("advertise-client-urls: "))
                .unwrap()
                .trim_matches('"')
                .to_owned();
            endpoints.push(url.trim_start_matches("http://").to_owned());
            procs.0.push(
                Command::new(&etcd)
                    .arg("--config-file")
                    .arg(dir.join(file))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            );
        }
        let start = Instant::now();
        for e in &endpoints {
            while TcpStream::connect(e.as_str()).is_err() {
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "{name}: etcd {e} did not start"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        for (file, _) in files.iter().filter(|(f, _)| f.starts_with("patroni/")) {
            let out = Command::new(&patroni)
                .arg("--validate-config")
                .arg(dir.join(file))
                .env("PATRONI_SUPERUSER_PASSWORD", "x")
                .env("PATRONI_REPLICATION_PASSWORD", "x")
                .env("PATRONI_REWIND_PASSWORD", "x")
                .env("PATRONI_RESTAPI_PASSWORD", "x")
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "{name} {file}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        drop(procs);
    }
}

#[test]
fn haproxy_accepts_the_local_and_the_compose_configuration() {
    let haproxy = program("haproxy");
    for (name, yaml) in variants() {
        let plan = valid(&yaml);
        let dir = temp_dir(&format!("haproxy-{name}"));
        let files = render_files(
            &plan,
            &Layout::new(dir.join("run"), "/usr/lib/postgresql/15/bin"),
        )
        .unwrap();
        write_all(&dir, &files);
        for cfg in ["haproxy/haproxy.cfg", "compose/haproxy.cfg"] {
            let out = Command::new(&haproxy)
                .arg("-c")
                .arg("-f")
                .arg(dir.join(cfg))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name} {cfg}: {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                files[cfg]
            );
        }
    }
}

fn compose_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compose-spec/compose-spec.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

/// What `docker compose config` would refuse beyond the schema: a missing
/// referenced file, an undeclared network, volume or service.
fn compose_references(
    compose: &serde_json::Value,
    files: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let services = compose["services"].as_object().unwrap();
    let declared = |kind: &str, name: &str| {
        compose[kind]
            .as_object()
            .is_some_and(|m| m.contains_key(name))
    };
    for (svc, def) in services {
        for f in def["env_file"].as_array().into_iter().flatten() {
            let path = f.as_str().unwrap().trim_start_matches("./");
            if !files.contains_key(path) {
                problems.push(format!("{svc}: env_file {path} is not rendered"));
            }
        }
        for v in def["volumes"].as_array().into_iter().flatten() {
            let source = v.as_str().unwrap().split(':').next().unwrap();
            if let Some(path) = source.strip_prefix("./") {
                if !files.contains_key(path) {
                    problems.push(format!("{svc}: volume source {path} is not rendered"));
                }
            } else if !declared("volumes", source) {
                problems.push(format!("{svc}: volume {source} is not declared"));
            }
        }
        for n in def["networks"].as_array().into_iter().flatten() {
            if !declared("networks", n.as_str().unwrap()) {
                problems.push(format!("{svc}: network {n} is not declared"));
            }
        }
        for d in def["depends_on"].as_array().into_iter().flatten() {
            if !services.contains_key(d.as_str().unwrap()) {
                problems.push(format!("{svc}: depends on {d}, which is no service"));
            }
        }
    }
    // Every published host address and port is used once.
    let mut published = std::collections::BTreeSet::new();
    for def in services.values() {
        for p in def["ports"].as_array().into_iter().flatten() {
            let p = p.as_str().unwrap();
            let host = p.rsplit_once(':').unwrap().0;
            if !published.insert(host.to_owned()) {
                problems.push(format!("{host} is published twice"));
            }
        }
    }
    problems
}

#[test]
fn docker_compose_validates_against_the_compose_spec_and_its_files_exist() {
    let schema = compose_schema();
    for (name, yaml) in variants() {
        let plan = valid(&yaml);
        let files = render_files(
            &plan,
            &Layout::new("/var/lib/pgplan/x", "/usr/lib/postgresql/15/bin"),
        )
        .unwrap();
        let compose: serde_json::Value =
            serde_saphyr::from_str(&files["docker-compose.yml"]).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&compose)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let problems = compose_references(&compose, &files);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        // No secret in any file Compose reads; passwords are variables.
        for (f, text) in files
            .iter()
            .filter(|(f, _)| f.starts_with("compose/") || *f == "docker-compose.yml")
        {
            assert!(!text.contains("PASSWORD="), "{name} {f}");
        }
        assert!(files["docker-compose.yml"].contains("${PGPLAN_SUPERUSER_PASSWORD:?"));
    }
    // The schema does refuse what Compose refuses.
    let bad = serde_json::json!({"services": {"x": {"image": 1, "ports": "5000"}}});
    assert!(schema.iter_errors(&bad).next().is_some());
}

#[test]
fn what_validates_renders_for_generated_local_plans() {
    let mut runner = TestRunner::deterministic();
    let n: usize = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut rendered = 0;
    let mut patroni = 0;
    for strategy in [reasonable_local_plan(), local_plan()] {
        for _ in 0..n {
            let plan = strategy.new_tree(&mut runner).unwrap().current();
            let Ok(valid) = plan.validate() else { continue };
            let files = render_files(
                &valid,
                &Layout::new("/var/lib/pgplan/x", "/usr/lib/postgresql/15/bin"),
            )
            .unwrap_or_else(|e| {
                panic!(
                    "a validated plan does not render: {e}\n{}",
                    plan.to_yaml().unwrap()
                )
            });
            rendered += 1;
            for (name, text) in &files {
                if name.ends_with(".yml") {
                    patroni += usize::from(name.starts_with("patroni/"));
                    let _: serde_json::Value = serde_saphyr::from_str(text)
                        .unwrap_or_else(|e| panic!("{name} is not YAML: {e}\n{text}"));
                }
            }
        }
    }
    assert!(
        rendered > n / 4,
        "only {rendered} generated local plans validated"
    );
    assert!(patroni > 0, "no generated plan had a Patroni cluster");
}

#[test]
fn plans_that_do_not_run_here_are_not_rendered() {
    let k8s = valid(include_str!(
        "../../../tests/plans/pass/kubernetes-pooler.yaml"
    ));
    let e = render_files(&k8s, &Layout::new("/x", "/y")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the ha target renders and runs plans on platform local; this plan runs on kubernetes"
    );
    // A single local server renders its configuration.
    let single = valid(include_str!("../../../tests/plans/pass/local-minimal.yaml"));
    let files = render_files(
        &single,
        &Layout::new("/run/x", "/y").with_single_port(Some(6543)),
    )
    .unwrap();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["README.md", "pg_hba.conf", "postgresql.conf"]
    );
    assert!(
        files["postgresql.conf"].contains("\nport = 6543\n"),
        "{}",
        files["postgresql.conf"]
    );
    assert!(files["postgresql.conf"].contains("\nssl = on\n"));
    assert!(files["pg_hba.conf"].contains("hostnossl all      all   0.0.0.0/0      reject"));
}
