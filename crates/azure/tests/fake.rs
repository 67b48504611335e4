//! Running a rendered `deploy.sh` with bash, exactly as a user would
//! (`bash deploy.sh`), against a fake `az` and a fake `psql` on PATH
//! (`tools/fake_az.sh` talking to `tools/fake_az.py`'s server, and
//! `tools/fake_psql.py`): the fake keeps state, so a
//! `show` answers "not found" (exit code 3) until the matching create ran,
//! and records every call. The calls are then checked in one batch with the
//! real Azure CLI 2.91 (`tools/az_check.py`, in-process with a stand-in
//! login, run by the azure-cli virtualenv's Python).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use pgplan_azure::{Operation, OperationKind, PrerequisiteKind};
use pgplan_core::{ReadableSecret, ValidPlan};
use serde_json::{Value, json};

/// The fake's subscription (the CLI's "current" one).
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// The administrator password the fake's Key Vault and environment hold.
pub const ADMIN_PASSWORD: &str = "Stand-in Passw0rd! '$(x)' `y`";
/// The Entra access token the fake hands out.
pub const TOKEN: &str = "stand-in-entra-token.eyJhbGciOi";

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(label: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pgplan-azure-{label}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `az`'s arguments (or `psql` and its arguments).
    pub argv: Vec<String>,
    /// Its exit code.
    pub rc: i64,
    /// How many `@file` arguments az read (their contents are checked by
    /// the fake, never recorded).
    pub files_read: u64,
}

impl Call {
    /// The arguments as one line.
    pub fn line(&self) -> String {
        self.argv.join(" ")
    }
    /// True for `az <words…>` (the leading words).
    pub fn is(&self, words: &str) -> bool {
        let n = words.split(' ').count();
        self.argv
            .iter()
            .take(n)
            .map(String::as_str)
            .eq(words.split(' '))
    }
    /// The value of an option (`--flag value` or `--flag=value`).
    pub fn opt(&self, flag: &str) -> Option<&str> {
        let joined = format!("{flag}=");
        for (i, a) in self.argv.iter().enumerate() {
            if a == flag {
                return self.argv.get(i + 1).map(String::as_str);
            }
            if let Some(v) = a.strip_prefix(&joined) {
                return Some(v);
            }
        }
        None
    }
}

/// A directory with the fakes on PATH and their state, and the fake az's
/// server.
pub struct Fake {
    dir: PathBuf,
    server: std::process::Child,
    port: String,
    pub env: Vec<(String, String)>,
}

impl Fake {
    /// Fakes whose world is `state` (see [`world`]).
    pub fn new(label: &str, state: &Value) -> Fake {
        let dir = temp_dir(label);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for (name, tool) in [("az", "fake_az.sh"), ("psql", "fake_psql.py")] {
            let runner = if tool.ends_with(".py") {
                "python3 -S "
            } else {
                ""
            };
            let wrapper = format!(
                "#!/bin/sh\nexec {runner}{} \"$@\"\n",
                shell(&tools().join(tool).display().to_string())
            );
            std::fs::write(bin.join(name), wrapper).unwrap();
            let ok = Command::new("chmod")
                .arg("+x")
                .arg(bin.join(name))
                .status()
                .unwrap();
            assert!(ok.success());
        }
        std::fs::write(
            dir.join("state.json"),
            serde_json::to_string_pretty(state).unwrap(),
        )
        .unwrap();
        let port_file = dir.join("port");
        let server = Command::new("python3")
            .arg("-S")
            .arg(tools().join("fake_az.py"))
            .arg("serve")
            .arg(dir.join("state.json"))
            .arg(dir.join("calls.jsonl"))
            .arg(&port_file)
            .spawn()
            .expect("python3 runs the fake az");
        let started = std::time::Instant::now();
        let port = loop {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                break p.trim().to_owned();
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the fake az's server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Fake {
            dir,
            server,
            port,
            env: Vec::new(),
        }
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }
    fn log_path(&self) -> PathBuf {
        self.dir.join("calls.jsonl")
    }
    fn psql_log_path(&self) -> PathBuf {
        self.dir.join("psql.jsonl")
    }

    /// Replaces the fake's state.
    pub fn set_state(&self, state: &Value) {
        std::fs::write(
            self.state_path(),
            serde_json::to_string_pretty(state).unwrap(),
        )
        .unwrap();
    }
    /// The fake's state.
    pub fn state(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.state_path()).unwrap()).unwrap()
    }
    /// Forgets the recorded calls.
    pub fn clear_log(&self) {
        let _ = std::fs::remove_file(self.log_path());
        let _ = std::fs::remove_file(self.psql_log_path());
    }

    /// Runs `bash deploy.sh` in the fake's directory.
    pub fn run(&self, script: &str) -> Output {
        std::fs::write(self.dir.join("deploy.sh"), script).unwrap();
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .arg("deploy.sh")
            .current_dir(&self.dir)
            .env("PATH", path)
            .env("FAKE_AZ_PORT", &self.port)
            .env("FAKE_AZ_LOG", self.log_path())
            .env("FAKE_PSQL_LOG", self.psql_log_path())
            .env("FAKE_PSQL_TOKEN", TOKEN)
            .env_remove("PGSSLMODE")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("bash runs")
    }

    /// The calls recorded since the last [`Fake::clear_log`], in order.
    pub fn calls(&self) -> Vec<Call> {
        read_lines(&self.log_path())
            .into_iter()
            .map(|v| Call {
                argv: v["argv"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
                rc: v["rc"].as_i64().unwrap_or(-1),
                files_read: v["files_read"].as_u64().unwrap_or(0),
            })
            .collect()
    }

    /// The psql calls: arguments, whether the password was the token, the
    /// sslmode and the script read from standard input.
    pub fn psql_calls(&self) -> Vec<Value> {
        read_lines(&self.psql_log_path())
    }

    /// Everything the fakes wrote down, as text.
    pub fn log_text(&self) -> String {
        format!(
            "{}{}",
            std::fs::read_to_string(self.log_path()).unwrap_or_default(),
            std::fs::read_to_string(self.psql_log_path()).unwrap_or_default()
        )
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        // The server this Fake started, by its own handle.
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The world a plan's script runs in: the VNets its subnets live in, its
/// managed identities, action groups and administrator password, and the
/// static parameters (a change of one leaves a restart pending).
pub fn world(plan: &ValidPlan, ops: &[Operation]) -> Value {
    let az = plan.platform.azure().expect("an Azure plan");
    let fill = |s: &str| s.replace("{subscriptionId}", SUBSCRIPTION);
    let mut vnets = Vec::new();
    let mut resources = serde_json::Map::new();
    for op in ops {
        for p in &op.prerequisites {
            if p.kind != PrerequisiteKind::DelegatedSubnet {
                continue;
            }
            let vnet = fill(p.virtual_network_id.as_deref().unwrap_or_default());
            let parts: Vec<&str> = vnet.split('/').collect();
            vnets.push(json!(format!("{}|{}|{}", parts[2], parts[4], parts[8])));
            // A subnet the plan gives no range for is one it says exists,
            // delegated (subnet_delegated: true).
            if p.address_prefix.is_none() {
                let id = fill(&p.resource_id);
                let name = id.rsplit('/').next().unwrap_or_default();
                resources.insert(
                    format!("subnet|{}|{}|{}|{name}", parts[2], parts[4], parts[8]),
                    json!({"id": id, "delegation": pgplan_core::azure_facts::SUBNET_DELEGATION}),
                );
            }
        }
    }
    let identities: serde_json::Map<String, Value> = az
        .managed_identities
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                m.rsplit('/').next().unwrap_or(m).to_owned(),
                json!(format!("1d1d1d1d-0000-0000-0000-{:012}", i + 1)),
            )
        })
        .collect();
    let mut secrets = serde_json::Map::new();
    if let Some(ReadableSecret::KeyVault { vault, secret }) = az
        .administrator_password
        .as_ref()
        .and_then(|s| s.readable())
    {
        secrets.insert(format!("{vault}/{secret}"), json!(ADMIN_PASSWORD));
    }
    let statics: Vec<Value> = ops
        .iter()
        .filter(|o| o.kind == OperationKind::Configuration && o.needs_restart)
        .filter_map(|o| o.configuration().map(|(n, _)| json!(n)))
        .collect();
    json!({
        "subscription": SUBSCRIPTION,
        "vnets": vnets,
        "identities": identities,
        "action_groups": az.alerts.action_groups.iter().filter(|g| !g.is_id()).map(|g| g.to_string()).collect::<Vec<_>>(),
        "secrets": secrets,
        "admin_password": ADMIN_PASSWORD,
        "static": statics,
        "token": TOKEN,
        "resources": resources,
    })
}

/// The environment a plan's script needs: the administrator password when
/// it comes from an environment variable.
pub fn environment(plan: &ValidPlan) -> Vec<(String, String)> {
    let az = plan.platform.azure().expect("an Azure plan");
    match az
        .administrator_password
        .as_ref()
        .and_then(|s| s.readable())
    {
        Some(ReadableSecret::Env(var)) => vec![(var.to_string(), ADMIN_PASSWORD.to_owned())],
        _ => Vec::new(),
    }
}

/// The Python of the azure-cli virtualenv that scripts/install-test-deps.sh
/// installs.
pub fn azure_cli_python() -> PathBuf {
    let cache = std::env::var_os("PGPLAN_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan")));
    let python = cache.map(|c| c.join("venv/azure-cli/bin/python"));
    match python {
        Some(p) if p.is_file() => p,
        _ => panic!(
            "the Azure CLI (azure-cli 2.91) is missing: run scripts/install-test-deps.sh, which installs it \
             into ~/.cache/pgplan (and `source ~/.cache/pgplan/env.sh` to set PGPLAN_CACHE)"
        ),
    }
}

/// What the real CLI made of one command.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub argv: Vec<String>,
    pub code: Option<i64>,
    pub output: String,
    /// The first request it would have sent (method, url, if, body).
    pub request: Option<Value>,
}

impl Verdict {
    /// The CLI accepted the command: it got as far as a request to Azure
    /// (or succeeded without one).
    pub fn accepted(&self) -> bool {
        self.request.is_some() || self.code == Some(0)
    }
}

/// Runs commands through the real Azure CLI 2.91 in one process.
pub fn az_check(commands: &[Vec<String>]) -> Vec<Verdict> {
    let python = azure_cli_python();
    let config = temp_dir("azconfig");
    let mut child = Command::new(python)
        .arg("-I")
        .arg(tools().join("az_check.py"))
        .env("AZURE_CONFIG_DIR", &config)
        .env("FAKE_SUBSCRIPTION", SUBSCRIPTION)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the azure-cli virtualenv's python runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(commands).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&config);
    assert!(
        out.status.success(),
        "az_check.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .into_iter()
        .map(|r| Verdict {
            argv: r["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect(),
            code: r["code"].as_i64(),
            output: r["output"].as_str().unwrap_or_default().to_owned(),
            request: Some(r["request"].clone()).filter(|r| !r.is_null()),
        })
        .collect()
}
