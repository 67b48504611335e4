//! Every command of every rendered `az` script goes through the real Azure
//! CLI's argument parser (azure-cli 2.91 from PyPI, installed by
//! scripts/install-test-deps.sh).
//!
//! First the script itself runs under bash with a recording `az` in front of
//! the real one, so the commands are exactly what bash passes after quoting
//! and variable expansion (Key Vault and Entra look-ups answer with stand-in
//! values). Then each recorded command runs through the real CLI, logged
//! out, with a private configuration directory and telemetry off: exit code 2
//! is a parser rejection; an accepted command stops at "Please run 'az login'".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use pgplan_azure::render_script;
use pgplan_core::SecretSource;

use crate::support::{azure_plans, is_rule_example, name};

const STAND_IN_SECRET: &str = "Stand-in-Passw0rd!";
const STAND_IN_GUID: &str = "00000000-0000-0000-0000-0000000000a1";

/// The real `az`: $PGPLAN_TOOLS_BIN/az, else ~/.cache/pgplan/bin/az.
fn real_az() -> PathBuf {
    let candidates = std::env::var_os("PGPLAN_TOOLS_BIN")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan/bin")));
    for dir in candidates {
        let az = dir.join("az");
        if az.is_file() {
            return az;
        }
    }
    panic!(
        "the Azure CLI (azure-cli 2.91) is missing: run scripts/install-test-deps.sh, which installs it \
         into ~/.cache/pgplan (and `source ~/.cache/pgplan/env.sh` to set PGPLAN_TOOLS_BIN)"
    );
}

fn temp_dir(label: &str) -> PathBuf {
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

/// Runs a script with a recording `az`; returns the argument lists.
fn record(script: &str, env: &[(String, String)]) -> Vec<Vec<String>> {
    let dir = temp_dir("record");
    let bin = dir.join("bin");
    let log = dir.join("calls");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&log).unwrap();
    let shim = format!(
        r#"#!/usr/bin/env bash
n=$(ls "$AZ_RECORD_DIR" | wc -l)
printf '%s\0' "$@" > "$AZ_RECORD_DIR/$(printf '%05d' "$n")"
case "$1 $2 $3" in
  "keyvault secret show") printf '%s\n' '{STAND_IN_SECRET}' ;;
  "ad "*) printf '%s\n' '{STAND_IN_GUID}' ;;
esac
"#
    );
    let shim_path = bin.join("az");
    std::fs::write(&shim_path, shim).unwrap();
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&shim_path)
        .status()
        .unwrap();
    assert!(status.success());
    let script_path = dir.join("deploy.sh");
    std::fs::write(&script_path, script).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(&script_path)
        .env("PATH", path)
        .env("AZ_RECORD_DIR", &log)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the script failed under bash: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        script
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(STAND_IN_SECRET)
            && !String::from_utf8_lossy(&out.stderr).contains(STAND_IN_SECRET),
        "the script printed the password"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&log)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let calls = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap();
            bytes
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    calls
}

struct Verdict {
    args: Vec<String>,
    code: Option<i32>,
    output: String,
}

fn run_all(az: &Path, commands: Vec<Vec<String>>) -> Vec<Verdict> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let next = AtomicUsize::new(0);
    let verdicts = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let config = temp_dir("azconfig");
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(args) = commands.get(i) else {
                        break;
                    };
                    let out = Command::new(az)
                        .args(args)
                        .env("AZURE_CONFIG_DIR", &config)
                        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
                        .env("AZURE_CORE_NO_COLOR", "true")
                        .output()
                        .expect("az runs");
                    let output = format!(
                        "{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    verdicts.lock().unwrap().push(Verdict {
                        args: args.clone(),
                        code: out.status.code(),
                        output,
                    });
                }
                let _ = std::fs::remove_dir_all(&config);
            });
        }
    });
    verdicts.into_inner().unwrap()
}

/// A command's subcommand words and its flags, without their values.
fn shape(args: &[String]) -> Vec<String> {
    let mut words: Vec<String> = args
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let mut flags: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_owned())
        .collect();
    flags.sort();
    words.extend(flags);
    words
}

#[test]
fn every_az_command_of_every_script_passes_the_cli_parser() {
    let az = real_az();
    let started = Instant::now();
    let mut commands = BTreeSet::new();
    let mut shapes = BTreeSet::new();
    let mut per_plan = Vec::new();
    let mut plans = azure_plans();
    // The rules' examples last, so that the other plans' shapes are known.
    plans.sort_by_key(|(path, _)| is_rule_example(path));
    for (path, plan) in plans {
        let script = render_script(&plan.validate().expect("the plan validates"))
            .unwrap_or_else(|e| panic!("{}: {e}", name(&path)));
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        assert!(script.contains("\nset -euo pipefail\n"));
        let mut env = Vec::new();
        if let Some(SecretSource::Env { var }) = plan
            .platform
            .azure()
            .and_then(|a| a.administrator_password.clone())
        {
            env.push((var.to_string(), STAND_IN_SECRET.to_owned()));
        }
        let calls = record(&script, &env);
        assert!(
            calls
                .iter()
                .any(|c| c.get(2).map(String::as_str) == Some("create")),
            "{}: no server create among {calls:?}",
            name(&path)
        );
        per_plan.push((name(&path), calls.len()));
        if is_rule_example(&path) {
            // The rules' fixed examples are small variations of one plan:
            // only commands of a shape (subcommand and flags) no plan has
            // shown yet go to the parser, which takes about a second each.
            commands.extend(calls.into_iter().filter(|c| shapes.insert(shape(c))));
        } else {
            shapes.extend(calls.iter().map(|c| shape(c)));
            commands.extend(calls);
        }
    }
    let recorded = started.elapsed();
    let commands: Vec<Vec<String>> = commands.into_iter().collect();
    let count = commands.len();
    let verdicts = run_all(&az, commands);
    let mut rejected = Vec::new();
    for v in &verdicts {
        let accepted = v.code == Some(1) && v.output.contains("Please run 'az login'");
        if !accepted {
            rejected.push(format!(
                "az {}\n  exit {:?}: {}",
                v.args.join(" "),
                v.code,
                v.output.trim()
            ));
        }
    }
    eprintln!(
        "az parser check: {count} distinct commands from {per_plan:?}, recorded in {:.1} s, checked by azure-cli in {:.1} s",
        recorded.as_secs_f64(),
        started.elapsed().as_secs_f64() - recorded.as_secs_f64()
    );
    assert!(
        rejected.is_empty(),
        "rejected by the Azure CLI:\n{}",
        rejected.join("\n")
    );
}

/// The recording itself must notice a rejected command, or the check above
/// proves nothing: the seed's old `--high-availability` flag exits 2.
#[test]
fn the_cli_check_catches_a_removed_flag() {
    let az = real_az();
    let verdicts = run_all(
        &az,
        vec![
            "postgres flexible-server create --resource-group rg --name pgplan-check --high-availability ZoneRedundant"
                .split(' ')
                .map(str::to_owned)
                .collect(),
            "postgres flexible-server db create --resource-group rg --server-name pgplan-check --database-name d"
                .split(' ')
                .map(str::to_owned)
                .collect(),
        ],
    );
    for v in verdicts {
        assert_eq!(v.code, Some(2), "az {}: {}", v.args.join(" "), v.output);
    }
}
