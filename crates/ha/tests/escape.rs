//! Every escaping function, fed arbitrary strings, read back exactly by the
//! consumer of its format: a YAML parser (serde-saphyr, and PyYAML, which
//! Patroni reads its configuration with), HAProxy itself (a value it returns
//! as an HTTP body), and bash (an env file sourced with `set -a`).
//!
//! The strings are drawn by proptest (`PROPTEST_CASES` of them, 64 when
//! unset, plus hand-picked hard cases) and checked in one batch per consumer,
//! so each consumer starts once.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pgplan_ha::escape;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

const HARD: &[&str] = &[
    "",
    " ",
    "off",
    "yes",
    "~",
    "null",
    "0x1F",
    "1e3",
    "'",
    "\"",
    "\\",
    "\\n",
    "a\nb",
    "a\r\nb",
    "\t",
    "#comment",
    "a #b",
    "a: b",
    "- x",
    "[x]",
    "{x}",
    "&anchor",
    "*alias",
    "!tag",
    "%percent",
    "@at",
    "`tick`",
    "$HOME",
    "${HOME}",
    "$(id)",
    "it's",
    "\u{85}",
    "\u{2028}\u{2029}",
    "\u{feff}bom",
    "한글 이름",
    "😀",
    "\u{7f}",
    "\u{1b}[31m",
];

/// A temporary directory, removed however the test ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("pgplan-ha-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cases() -> Vec<String> {
    let n: usize = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut runner = TestRunner::deterministic();
    let strategy = prop_oneof![any::<String>(), "[ -~]{0,40}", "[\\x00-\\x7f]{0,20}",];
    let mut out: Vec<String> = HARD.iter().map(|s| (*s).to_owned()).collect();
    for _ in 0..n {
        out.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    out
}

#[test]
fn yaml_scalars_read_back_exactly_with_serde_saphyr_and_pyyaml() {
    let values = cases();
    let mut doc = String::new();
    for (i, v) in values.iter().enumerate() {
        doc.push_str(&format!("k{i}: {}\n", escape::yaml(v)));
    }
    let read: BTreeMap<String, String> = serde_saphyr::from_str(&doc).unwrap();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(read[&format!("k{i}")], *v, "serde-saphyr, case {i}");
    }
    // Patroni's own parser.
    let scratch = Scratch::new("yaml");
    let file = scratch.0.join("doc.yml");
    std::fs::write(&file, &doc).unwrap();
    let out = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import json, sys, yaml; sys.stdout.write(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))",
        ])
        .arg(&file)
        .output()
        .expect("/usr/bin/python3 with PyYAML (Debian python3-yaml, a dependency of patroni)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(read[&format!("k{i}")], *v, "PyYAML, case {i}");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_body(port: u16, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    raw[split + 4..].to_vec()
}

#[test]
fn haproxy_words_read_back_exactly_from_haproxy() {
    let values = cases();
    let port = free_port();
    let mut cfg = format!(
        "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\nfrontend echo\n    bind 127.0.0.1:{port}\n"
    );
    let mut carried = Vec::new();
    for (i, v) in values.iter().enumerate() {
        // `return … string` refuses an empty argument (the escaper writes "").
        if v.is_empty() {
            continue;
        }
        match escape::haproxy(v) {
            Some(word) => {
                cfg.push_str(&format!(
                    "    http-request return status 200 content-type text/plain string {word} if {{ path /{i} }}\n"
                ));
                carried.push(i);
            }
            None => assert!(
                v.chars()
                    .any(|c| c.is_ascii_control() && !matches!(c, '\n' | '\r' | '\t')),
                "refused {v:?}"
            ),
        }
    }
    let scratch = Scratch::new("haproxy");
    let dir = &scratch.0;
    let file = dir.join("echo.cfg");
    std::fs::write(&file, &cfg).unwrap();
    let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("haproxy (Debian haproxy; scripts/install-test-deps.sh installs it)");
    let check = Command::new(haproxy)
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "haproxy -c: {}\n{cfg}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut child = Command::new(haproxy)
        .arg("-f")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "haproxy did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let result = std::panic::catch_unwind(|| {
        for i in &carried {
            let body = http_body(port, &format!("/{i}"));
            assert_eq!(
                String::from_utf8_lossy(&body),
                values[*i],
                "case {i}: {:?}",
                escape::haproxy(&values[*i])
            );
        }
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn shell_words_read_back_exactly_from_bash_env_files() {
    let values: Vec<String> = cases().into_iter().filter(|v| !v.contains('\0')).collect();
    let mut file = String::new();
    for (i, v) in values.iter().enumerate() {
        file.push_str(&format!("V{i}={}\n", escape::shell(v)));
    }
    let scratch = Scratch::new("shell");
    let path = scratch.0.join("vars.env");
    std::fs::write(&path, &file).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -a; . "$1"; set +a; for ((i = 0; i < $2; i++)); do n="V$i"; printf '%s\0' "${!n}"; done"#)
        .arg("bash")
        .arg(&path)
        .arg(values.len().to_string())
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(read[i], v.as_bytes(), "case {i}: {:?}", escape::shell(v));
    }
}

#[test]
fn compose_literals_keep_dollars() {
    assert_eq!(escape::compose_literal("a$b$$c"), "a$$b$$$$c");
}
