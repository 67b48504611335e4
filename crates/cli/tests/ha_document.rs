//! The document of seed 003's Patroni cluster, followed as an operator
//! follows it: its installation steps (render, `pgplan up`, `pgplan status`),
//! its verification steps (the passwords from the run directory, pg_isready,
//! `patronictl list`, HAProxy's write and read ports, the SQL queries) and
//! its switchover and stop commands run with bash, psql and patronictl on a
//! cluster started on this machine.
//!
//! The one change made to the document's commands: `pgplan up`, `status`
//! and `down` get `--dir` (and `--user` as root) through a bash function, and
//! the run directory line points there, so the test never touches
//! /var/lib/pgplan. The cluster lives on 127.0.0.120–126, apart from the
//! other clusters the tests start.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|l| l.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// PostgreSQL 15's client programs (Debian's), which the cluster runs.
fn pg15_bin() -> String {
    std::env::var("PGPLAN_PG15_BIN").unwrap_or_else(|_| {
        panic!(
            "PGPLAN_PG15_BIN is not set: run scripts/install-test-deps.sh, then \
             `source ~/.cache/pgplan/env.sh`"
        )
    })
}

/// The scratch directory, stopped (`pgplan down --purge`) and removed however
/// the test ends.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn run_dir(&self) -> PathBuf {
        self.dir.join("run")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_pgplan"))
            .args(["down", "plan.yaml", "--purge", "--dir"])
            .arg(self.run_dir())
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Seed 003 with `version: 15`, on 127.0.0.120–126, archiving WAL into the
/// scratch directory.
fn seed_plan(scratch: &Path) -> String {
    let mut plan = std::fs::read_to_string(root().join("examples/plans/ha-cluster.yaml"))
        .unwrap()
        .replace("\nversion: 17\n", "\nversion: 15\n")
        .replace(
            "destination: /var/lib/pgplan/pg-ha/wal-archive",
            &format!("destination: {}", scratch.join("wal-archive").display()),
        );
    for (from, to) in [
        (10, 120),
        (11, 121),
        (12, 122),
        (13, 123),
        (21, 124),
        (22, 125),
        (23, 126),
    ] {
        for end in [' ', ','] {
            plan = plan.replace(
                &format!("127.0.0.{from}{end}"),
                &format!("127.0.0.{to}{end}"),
            );
        }
    }
    assert!(plan.contains("127.0.0.120,") || plan.contains("127.0.0.120 "));
    plan
}

/// Fenced bash blocks of a section (from its `## N. Title` heading to the
/// next section).
fn bash_blocks(md: &str, title: &str) -> Vec<String> {
    let start = md
        .find(&format!(". {title}\n"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let section = &md[start..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(i) = rest.find("```bash\n") {
        let body = &rest[i + 8..];
        let end = body.find("```").unwrap();
        // Steps are list items: their code is indented by three spaces.
        let block: Vec<&str> = body[..end]
            .lines()
            .map(|l| l.strip_prefix("   ").unwrap_or(l))
            .collect();
        out.push(block.join("\n"));
        rest = &body[end + 3..];
    }
    out
}

/// Runs a script with bash in the scratch directory: the document's
/// commands, with the `pgplan` binary, psql and patronictl on PATH.
fn bash(s: &Scratch, script: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_pgplan")).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        pg15_bin(),
        std::env::var("PATH").unwrap_or_default()
    );
    let user = if is_root() { "--user pgplan-test" } else { "" };
    let prelude = format!(
        "set -euo pipefail\n\
         pgplan() {{\n\
           case \"$1\" in\n\
             up) command pgplan \"$@\" --quiet --dir {run} {user} ;;\n\
             status|down) command pgplan \"$@\" --dir {run} ;;\n\
             *) command pgplan \"$@\" ;;\n\
           esac\n\
         }}\n",
        run = s.run_dir().display()
    );
    Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .current_dir(&s.dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        // Date rules (end of life) report the same on every day.
        .env("PGPLAN_AS_OF", "2026-12-06")
        .env("PGHA_APP_OWNER_PASSWORD", "owner-Secret-1")
        .env("PGHA_APP_USER_PASSWORD", "user-Secret-2")
        .env("PGHA_MONITOR_PASSWORD", "monitor-Secret-3")
        .output()
        .expect("run bash")
}

fn ok(out: &Output, what: &str) -> String {
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}\n--- stdout\n{stdout}\n--- stderr\n{}",
        text(&out.stderr)
    );
    stdout
}

/// The inline commands of the operations table whose cell starts with
/// `prefix`.
fn operation(md: &str, prefix: &str) -> String {
    md.lines()
        .filter(|l| l.starts_with('|'))
        .flat_map(|l| l.split('|'))
        .map(str::trim)
        .find_map(|c| {
            c.strip_prefix('`')?
                .strip_suffix('`')
                .filter(|c| c.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no operation {prefix}"))
        .to_owned()
}

#[test]
fn the_ha_documents_commands_run_on_the_cluster() {
    let dir = std::env::temp_dir().join(format!("pgplan-cli-ha-doc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = Scratch { dir };
    std::fs::write(s.dir.join("plan.yaml"), seed_plan(&s.dir)).unwrap();
    let md = ok(&bash(&s, "pgplan doc plan.yaml"), "pgplan doc");

    // Installation: render into out/ha, up, status.
    let install: Vec<String> = bash_blocks(&md, "Installation")
        .into_iter()
        .filter(|b| b.contains("pgplan render") || b.contains("pgplan up"))
        .collect();
    assert!(
        install
            .iter()
            .any(|b| b.contains("--target ha --out out/ha"))
    );
    let stdout = ok(&bash(&s, &install.join("\n")), "installation steps");
    assert!(stdout.contains("127.0.0.120:5000"), "{stdout}");
    assert!(s.dir.join("out/ha/patroni/pg-0.yml").is_file());

    // Verification, block by block; the run directory line points at the
    // test's.
    let default_run = "run_dir=/var/lib/pgplan/pg-ha-staging";
    let verification = bash_blocks(&md, "Verification");
    let passwords = verification
        .iter()
        .find(|b| b.contains(default_run))
        .expect("a step that reads the run directory's passwords")
        .replace(default_run, &format!("run_dir={}", s.run_dir().display()));
    let mut checks = Vec::new();
    for block in &verification {
        if block.contains(default_run) {
            continue;
        }
        let script = format!("{passwords}\n{block}");
        let out = ok(&bash(&s, &script), block);
        checks.push((block.clone(), out));
    }
    let routed = checks
        .iter()
        .find(|(b, _)| b.contains("pg_is_in_recovery"))
        .map(|(_, out)| out.split_whitespace().collect::<Vec<_>>())
        .expect("the HAProxy routing step");
    assert_eq!(
        routed,
        ["f", "t"],
        "writes to the leader, reads to a replica"
    );
    // After up, the server is the plan: the diff (as the superuser, its
    // password read from the run directory) finds nothing to do.
    let diff = checks
        .iter()
        .find(|(b, _)| b.contains("pgplan diff"))
        .map(|(_, out)| out.clone())
        .expect("the diff step");
    assert!(diff.contains("no changes, 0 statements"), "{diff}");
    let listed = checks
        .iter()
        .find(|(b, _)| b.contains("patronictl"))
        .map(|(_, out)| out.clone())
        .unwrap();
    assert!(listed.contains("| Leader"), "{listed}");
    assert!(listed.contains("| Sync Standby"), "{listed}");

    // The SQL of the verification steps, as the superuser through the write
    // port.
    let sql: Vec<&str> = {
        let start = md.find(". Verification\n").unwrap();
        let section = &md[start..];
        let section = &section[..section[1..].find("\n## ").unwrap() + 1];
        section
            .split("```sql\n")
            .skip(1)
            .map(|b| b.split("```").next().unwrap())
            .collect()
    };
    assert!(!sql.is_empty());
    for query in sql {
        let query: String = query
            .lines()
            .map(|l| l.strip_prefix("   ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let script = format!(
            "{passwords}\npsql --host 127.0.0.120 --port 5000 --username postgres --dbname postgres --no-psqlrc --set ON_ERROR_STOP=1 <<'SQL'\n{query}\nSQL"
        );
        let out = ok(&bash(&s, &script), &query);
        assert!(!out.trim().is_empty(), "{query} returns rows");
    }

    // Operations: a switchover, then the write port follows the new leader.
    let leader = |s: &Scratch| -> Option<String> {
        let out = bash(s, "pgplan status plan.yaml --output json");
        let status: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        let leaders: Vec<&str> = status["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["role"] == "leader")
            .filter_map(|m| m["name"].as_str())
            .collect();
        (leaders.len() == 1).then(|| leaders[0].to_owned())
    };
    let before = leader(&s).expect("one leader");
    let switchover = operation(
        &md,
        "patronictl --config-file out/ha/patroni/pg-0.yml switchover",
    );
    ok(
        &bash(&s, &format!("{passwords}\n{switchover}")),
        &switchover,
    );
    let mut leader_moved = false;
    for _ in 0..100 {
        if leader(&s).is_some_and(|now| now != before) {
            leader_moved = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert!(leader_moved, "the switchover moved the leader off {before}");
    let routing = checks
        .iter()
        .find(|(b, _)| b.contains("pg_is_in_recovery"))
        .map(|(b, _)| b.clone())
        .unwrap();
    let mut routed = Vec::new();
    for _ in 0..100 {
        let out = bash(&s, &format!("{passwords}\n{routing}"));
        routed = text(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if out.status.success() && routed == ["f", "t"] {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert_eq!(routed, ["f", "t"], "after the switchover");

    let down = operation(&md, "pgplan down");
    let stdout = ok(&bash(&s, &down), &down);
    assert!(stdout.contains("stopped"), "{stdout}");
}
