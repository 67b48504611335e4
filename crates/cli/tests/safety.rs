//! Issue 15 end to end through the `pgplan` binary: nothing printed acts on
//! the terminal or shows a secret, `--output json` is always JSON, input is
//! bounded, exit codes say what failed, `render --out` writes safely, a
//! rendered postgresql.conf cannot gain settings, generated passwords land
//! in private files, and the login password comes from where libpq looks.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pgplan_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgplan"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        // Date rules (end of life) report the same on every day.
        .env("PGPLAN_AS_OF", "2026-12-06")
        .env_remove("PGPASSWORD")
        .env_remove("PGPASSFILE")
        .env_remove("PGPLAN_DSN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run pgplan");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn pgplan(args: &[&str]) -> Output {
    pgplan_with(args, &[], None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgplan-safety-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_plan(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// No terminal control or bidi character in what was printed.
fn assert_terminal_safe(output: &str) {
    for c in output.chars() {
        let keeps = c == '\n' || c == '\t';
        assert!(
            keeps || !pgplan_core::escape::terminal::is_unsafe(c),
            "{c:?} in output:\n{output}"
        );
    }
}

const HOSTILE_ROLE_PLAN: &str = r#"service: orders
environment: development
version: 17
platform: { local: {} }
databases:
  - { name: orders, owner: orders_owner }
roles:
  - { name: orders_owner, purpose: owner }
  - name: "app\e[1A\e[2K (no changes)\e[8m\u202e"
    purpose: application
    login: true
    password: "LiteralPw-31337"
"#;

/// Findings 5 and 6: a role name with escape sequences erased lines of the
/// review, and the excerpt under PGP041 showed the literal password.
#[test]
fn validate_output_is_terminal_safe_and_shows_no_secret() {
    let dir = scratch("validate");
    let plan = write_plan(&dir, "plan.yaml", HOSTILE_ROLE_PLAN);
    for args in [
        vec!["validate", plan.as_str()],
        vec!["validate", plan.as_str(), "--output", "json"],
        vec![
            "render",
            plan.as_str(),
            "--target",
            "sql",
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        vec!["settings", plan.as_str()],
    ] {
        let out = pgplan(&args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_terminal_safe(&all);
        assert!(!all.contains("LiteralPw"), "{args:?}: {all}");
    }
    let out = pgplan(&["validate", &plan]);
    assert!(
        text(&out.stderr).contains("\\u{1b}[1A"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("<redacted>"),
        "{}",
        text(&out.stderr)
    );
    // A parse error whose excerpt covers the secret's line.
    let broken = HOSTILE_ROLE_PLAN.replace("    login: true\n", "    login: maybe\n");
    let plan = write_plan(&dir, "broken.yaml", &broken);
    let out = pgplan(&["validate", &plan]);
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_terminal_safe(&all);
    assert!(!all.contains("LiteralPw"), "{all}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Finding 10: --output json printed nothing when the file did not parse;
/// /dev/zero was read until memory ran out; library wording leaked.
#[test]
fn json_output_is_always_json_and_input_is_bounded() {
    let dir = scratch("json");
    let dup = write_plan(&dir, "dup.yaml", "service: a\nservice: b\n");
    for (file, kind) in [
        (dup.as_str(), "parse"),
        ("/dev/zero", "too_large"),
        ("/nonexistent/plan.yaml", "read"),
    ] {
        for command in ["validate", "settings"] {
            let out = pgplan(&[command, file, "--output", "json"]);
            assert_eq!(out.status.code(), Some(2), "{file}");
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{command} {file}: {e}: {}", text(&out.stdout)));
            assert_eq!(v["error"]["kind"], kind, "{v}");
        }
    }
    let out = pgplan(&["validate", &dup]);
    let err = text(&out.stderr);
    assert!(err.contains("the key `service` appears twice"), "{err}");
    assert!(!err.contains("DuplicateKeyPolicy"), "{err}");
    let deep = format!("service: x\nn: {}1{}\n", "[".repeat(300), "]".repeat(300));
    let deep = write_plan(&dir, "deep.yaml", &deep);
    let out = pgplan(&["validate", &deep]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains("budget breached"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Finding 7: render --out followed symlinks, overwrote files it did not
/// write, left stale files, and deploy.sh was not executable.
#[test]
fn render_out_writes_only_its_own_files_and_follows_no_link() {
    let dir = scratch("render");
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, out_dir.join("deploy.sh")).unwrap();
    let plan = "examples/plans/prod-bill-inquiry.yaml";
    let out_arg = out_dir.to_str().unwrap();
    let out = pgplan(&["render", plan, "--target", "azure", "--out", out_arg]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("deploy.sh"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let out = pgplan(&[
        "render", plan, "--target", "azure", "--out", out_arg, "--force",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let mode = std::fs::metadata(out_dir.join("deploy.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "deploy.sh is executable: {mode:o}");
    // A file the user edited is not overwritten; a stale one of ours goes.
    let sql_dir = dir.join("sql");
    let sql_arg = sql_dir.to_str().unwrap();
    assert_eq!(
        pgplan(&["render", plan, "--target", "sql", "--out", sql_arg])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(sql_dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(sql_dir.join("init.sql"), "-- edited\n").unwrap();
    let out = pgplan(&["render", plan, "--target", "sql", "--out", sql_arg]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(sql_dir.join("init.sql")).unwrap(),
        "-- edited\n"
    );
    assert_eq!(
        std::fs::read_to_string(sql_dir.join("notes.txt")).unwrap(),
        "mine"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Finding 1 end to end: a search_path with `\'` renders into the
/// Kubernetes ConfigMap as one value, which the server reads back whole.
#[test]
fn a_rendered_postgresql_conf_cannot_gain_settings() {
    let dir = scratch("conf");
    let base =
        std::fs::read_to_string(root().join("examples/plans/dev-product-change.yaml")).unwrap();
    let value = r"public\' fsync = off #";
    let plan_text = base.replacen(
        "  parameters:\n",
        &format!(
            "  parameters:\n    log_line_prefix: '{}'\n",
            value.replace('\'', "''")
        ),
        1,
    );
    assert_ne!(plan_text, base, "the example plan has tuning.parameters");
    // Its migrations stay where they are (the directory is relative to the
    // plan file, which moves).
    let migrations = root().join("examples/plans/migrations");
    let plan_text = plan_text.replace(
        "directory: migrations/",
        &format!("directory: {}/", migrations.display()),
    );
    let plan = write_plan(&dir, "plan.yaml", &plan_text);
    let out_dir = dir.join("k8s");
    let out = pgplan(&[
        "render",
        &plan,
        "--target",
        "k8s",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let manifests = std::fs::read_to_string(out_dir.join("manifests.yaml")).unwrap();
    let conf = manifests
        .split("\n---")
        .filter_map(|doc| serde_saphyr::from_str::<serde_json::Value>(doc).ok())
        .find_map(|v| v["data"]["postgresql.conf"].as_str().map(str::to_owned))
        .expect("a ConfigMap with postgresql.conf");
    let server = pgplan_testkit::shared(17);
    let read = server
        .read_config(&conf, &["log_line_prefix", "fsync"])
        .unwrap_or_else(|e| panic!("{e}\n{conf}"));
    assert_eq!(read[0], value);
    assert_eq!(read[1], "on");
    std::fs::remove_dir_all(&dir).ok();
}

/// Exit codes: a server that is not there is not "the plan has errors".
#[test]
fn exit_codes_tell_input_plan_and_target_apart() {
    let plan = "tests/plans/pass/local-minimal-with-roles.yaml";
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dsn = format!("postgresql://postgres:pw@127.0.0.1:{port}/postgres");
    let out = pgplan(&["diff", plan, "--dsn", &dsn]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(":pw@"), "{}", text(&out.stderr));
    let out = pgplan(&["diff", plan, "--dsn", ""]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("empty"), "{err}");
    assert!(!err.contains("localhost:5432"), "{err}");
    let out = pgplan(&["diff", plan, "--dsn", "postgresql://[::1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains("invalid connection string: invalid connection string"),
        "{}",
        text(&out.stderr)
    );
    let out = pgplan(&["--help"]);
    assert!(
        text(&out.stdout).contains("Exit codes:"),
        "{}",
        text(&out.stdout)
    );
}

const GENERATED_PLAN: &str = r#"service: gen-test
environment: development
version: 17
platform: { local: {} }
databases:
  - { name: gen_test_db, owner: gen_test_owner }
roles:
  - { name: gen_test_owner, purpose: owner }
  - name: gen_test_app
    purpose: application
    login: true
    password: { generated: {} }
    grants:
      - { database: gen_test_db, objects: database, privileges: [CONNECT] }
"#;

/// Findings 9 and 12: generated passwords went nowhere, and the login
/// password could only come in the DSN.
#[test]
fn generated_passwords_land_in_private_files_and_logins_come_from_libpq_places() {
    let server = pgplan_testkit::shared(17);
    let dir = scratch("generated");
    let plan = write_plan(&dir, "plan.yaml", GENERATED_PLAN);
    let bare = format!(
        "postgresql://postgres@{}:{}/postgres",
        server.host(),
        server.port()
    );
    let pw_dir = dir.join("passwords");
    let pw_arg = pw_dir.to_str().unwrap();

    // The password from standard input.
    let out = pgplan_with(
        &[
            "apply",
            &plan,
            "--target",
            "sql",
            "--dsn",
            &bare,
            "--yes",
            "--password-dir",
            pw_arg,
            "--password-stdin",
        ],
        &[],
        Some(&format!("{}\n", server.password())),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let file = pw_dir.join("gen-test.development.gen_test_app.password");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let generated = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert_eq!(generated.len(), 32);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !all.contains(&generated),
        "the password is never printed: {all}"
    );
    assert!(
        all.contains(file.to_str().unwrap()),
        "apply says where it is: {all}"
    );
    // The role logs in with it.
    server
        .psql("postgres", "SELECT 1")
        .expect("the server is up");
    let login = format!(
        "postgresql://gen_test_app:{generated}@{}:{}/gen_test_db",
        server.host(),
        server.port()
    );
    let out = Command::new(server.psql_path().unwrap())
        .args(["-X", "-At", "-d", &login, "-c", "SELECT current_user"])
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout).trim(),
        "gen_test_app",
        "{}",
        text(&out.stderr)
    );

    // PGPASSWORD, then a password file: the second apply changes nothing.
    let out = pgplan_with(
        &[
            "apply",
            &plan,
            "--target",
            "sql",
            "--dsn",
            &bare,
            "--yes",
            "--password-dir",
            pw_arg,
        ],
        &[("PGPASSWORD", server.password())],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 statements"),
        "{}",
        text(&out.stdout)
    );
    let pgpass = dir.join("pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "{}:{}:*:postgres:{}\n",
            server.host(),
            server.port(),
            server.password()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = pgplan_with(
        &["diff", &plan, "--dsn", &bare, "--password-dir", pw_arg],
        &[("PGPASSFILE", pgpass.to_str().unwrap())],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 statements"),
        "{}",
        text(&out.stdout)
    );
    std::fs::remove_dir_all(&dir).ok();
}
