//! The commands that write what people and editors read, run as the binary:
//! every command's `--help` ends with examples; `doc`, `diagram`, `compare`
//! and `cost` of the example plans are the checked-in files under
//! `examples/out/` (regenerate them with `PGPLAN_UPDATE_EXAMPLES=1`); the
//! Markdown parses as CommonMark with tables and no raw HTML; the numbers a
//! document shows are the ones the rendered artifacts carry; no secret
//! appears; JSON shapes; exit codes; `schema`, `completions`, `man`; and
//! `import` of a real server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// The seeds' example plans and the names of their generated files.
const EXAMPLES: &[(&str, &str)] = &[
    ("dev-product-change", "000"),
    ("prod-bill-inquiry", "001"),
    ("ha-cluster", "003"),
    ("dev-event-marketing", "004"),
    ("prod-event-marketing", "004"),
];

/// Compares generated output with its checked-in file, or writes the file
/// when `PGPLAN_UPDATE_EXAMPLES` is set.
fn matches_checked_in(name: &str, generated: &str) {
    let path = root().join("examples/out").join(name);
    if std::env::var_os("PGPLAN_UPDATE_EXAMPLES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "examples/out/{name} is not what pgplan generates now; run `PGPLAN_UPDATE_EXAMPLES=1 cargo test -p pgplan-cli --test documents`, review the diff and commit it"
    );
}

/// Parses Markdown as GitHub does (CommonMark with tables): no raw HTML,
/// every table row as wide as its header. Returns the tables' cells.
fn check_markdown(md: &str) -> Vec<Vec<String>> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), None::<String>);
    let mut header = 0;
    for event in Parser::new_ext(md, opts) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML: {h}"),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.extend(cell.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::TableHead) => {
                header = row.len();
                rows.push(std::mem::take(&mut row));
            }
            Event::End(TagEnd::TableRow) => {
                assert_eq!(row.len(), header, "a row's cells differ from its header's");
                rows.push(std::mem::take(&mut row));
            }
            _ => {}
        }
    }
    rows
}

#[test]
fn every_help_ends_with_examples() {
    let out = pgplan(&["--help"]);
    assert!(stdout(&out).contains("Examples:"));
    for command in [
        "validate",
        "explain",
        "settings",
        "render",
        "diff",
        "apply",
        "doc",
        "diagram",
        "compare",
        "cost",
        "import",
        "schema",
        "completions",
        "man",
        "up",
        "status",
        "down",
    ] {
        let help = stdout(&pgplan(&[command, "--help"]));
        let examples = help
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("`pgplan {command} --help` has no examples"));
        assert!(
            examples.contains(&format!("pgplan {command}")),
            "`pgplan {command} --help` shows no example of itself"
        );
    }
}

#[test]
fn documents_of_the_example_plans_are_checked_in() {
    for (name, _) in EXAMPLES {
        let file = format!("examples/plans/{name}.yaml");
        for lang in ["en", "ko"] {
            let md = stdout(&pgplan(&["doc", &file, "--lang", lang]));
            check_markdown(&md);
            matches_checked_in(&format!("{name}.{lang}.md"), &md);
        }
        let mmd = stdout(&pgplan(&["diagram", &file]));
        assert!(mmd.starts_with("flowchart TB\n"));
        matches_checked_in(&format!("{name}.mmd"), &mmd);
    }
}

#[test]
fn seed_004_comparison_is_checked_in() {
    let (dev, prod) = (
        "examples/plans/dev-event-marketing.yaml",
        "examples/plans/prod-event-marketing.yaml",
    );
    for lang in ["en", "ko"] {
        let md = stdout(&pgplan(&[
            "compare", dev, prod, "--output", "markdown", "--lang", lang,
        ]));
        check_markdown(&md);
        matches_checked_in(&format!("env-comparison.{lang}.md"), &md);
    }
    let text = stdout(&pgplan(&["compare", dev, prod]));
    assert!(text.contains("Promotion checklist: development → production"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&pgplan(&[
        "compare", dev, prod, "--output", "json",
    ])))
    .unwrap();
    for key in [
        "left",
        "right",
        "sections",
        "settings",
        "parity",
        "checklist",
        "cost",
        "fields_that_differ",
    ] {
        assert!(json.get(key).is_some(), "compare JSON has `{key}`");
    }
    let parity = json["parity"].as_array().unwrap();
    assert!(
        parity
            .iter()
            .any(|f| f["id"] == "extension" && f["text"].as_str().unwrap().contains("pgcrypto")),
        "pgcrypto is only in production: {parity:#?}"
    );
    assert!(json["cost"]["right"]["lines"].as_array().unwrap().len() > 2);
}

/// `| name | value | …` rows of the document's parameter table.
fn parameters(md: &str) -> Vec<(String, String, Option<String>)> {
    let rows = check_markdown(md);
    let start = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Parameter"))
        .expect("a parameter table");
    let azure = rows[start].get(2).is_some_and(|c| c == "Sent to Azure as");
    rows[start + 1..]
        .iter()
        .take_while(|r| r.len() == rows[start].len())
        .map(|r| (r[0].clone(), r[1].clone(), azure.then(|| r[2].clone())))
        .collect()
}

#[test]
fn the_numbers_in_a_document_are_the_artifacts_numbers() {
    let out = std::env::temp_dir().join(format!("pgplan-doc-artifacts-{}", std::process::id()));
    // Kubernetes: every parameter is a line of the ConfigMap's postgresql.conf.
    let k8s = out.join("k8s");
    let file = "examples/plans/dev-product-change.yaml";
    stdout(&pgplan(&[
        "render",
        file,
        "--target",
        "k8s",
        "--out",
        k8s.to_str().unwrap(),
    ]));
    let manifests = std::fs::read_to_string(k8s.join("manifests.yaml")).unwrap();
    let md = stdout(&pgplan(&["doc", file]));
    let params = parameters(&md);
    assert!(params.len() > 10);
    for (name, value, _) in &params {
        assert!(
            manifests.contains(&format!("\n    {name} = {value}\n"))
                || manifests.contains(&format!("\n    {name} = '{value}'\n")),
            "{name} = {value} is not in the ConfigMap"
        );
    }
    // Azure: the value sent is the operation's body.
    let azure = out.join("azure");
    let file = "examples/plans/prod-bill-inquiry.yaml";
    stdout(&pgplan(&[
        "render",
        file,
        "--target",
        "azure",
        "--out",
        azure.to_str().unwrap(),
    ]));
    let ops: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(azure.join("operations.json")).unwrap())
            .unwrap();
    let sent = |name: &str| {
        ops.as_array().unwrap().iter().find_map(|op| {
            (op["id"] == format!("configuration:{name}")).then(|| {
                op["body"]["properties"]["value"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
        })
    };
    let md = stdout(&pgplan(&["doc", file]));
    let params = parameters(&md);
    assert!(params.len() > 10);
    for (name, _, azure_value) in &params {
        match sent(name) {
            Some(v) => assert_eq!(azure_value.as_deref(), Some(v.as_str()), "{name}"),
            None => assert!(
                azure_value.as_deref().is_some_and(
                    |v| v.contains("managed by Azure") || v.contains("server property")
                ),
                "{name} is not sent and the document does not say why"
            ),
        }
    }
    // The connection budget is the rule's: max_connections in the document
    // is the one rendered.
    assert!(md.contains("| max_connections | 270 |"), "{md}");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn no_secret_appears_in_a_document() {
    let dir = std::env::temp_dir().join(format!("pgplan-doc-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.yaml");
    std::fs::write(
        &plan,
        "service: orders\nenvironment: development\nversion: 17\nplatform: { local: {} }\n\
         sizing: { memory: { request: 2Gi }, cpu: { request: 2 } }\n\
         databases: [{ name: orders, owner: orders_owner }]\n\
         roles:\n  - { name: orders_owner, purpose: owner, login: true, password: { env: { var: ORDERS_OWNER_PASSWORD } } }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args(["doc", plan.to_str().unwrap(), "--lang", "ko"])
        .env("ORDERS_OWNER_PASSWORD", "Very#Secret#2025")
        .env("PGPLAN_PASSWORD_ORDERS_OWNER", "Very#Secret#2025")
        .output()
        .unwrap();
    let md = stdout(&out);
    assert!(md.contains("ORDERS_OWNER_PASSWORD"), "the source is named");
    assert!(!md.contains("Very#Secret#2025"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exit_codes() {
    // A plan with errors is not documented.
    let out = pgplan(&[
        "doc",
        "tests/plans/fail/seed-001-bill-inquiry-as-written.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // A file that does not read.
    let out = pgplan(&["cost", "no-such-plan.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    // A price table that does not read names the field.
    let dir = std::env::temp_dir().join(format!("pgplan-prices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("prices.yaml");
    let builtin =
        std::fs::read_to_string(root().join("crates/doc/prices/koreacentral.yaml")).unwrap();
    std::fs::write(
        &bad,
        builtin.replace("memory_per_gib_month: 5.1", "memory_per_gib_month: -5"),
    )
    .unwrap();
    let out = pgplan(&[
        "cost",
        "examples/plans/dev-product-change.yaml",
        "--prices",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kubernetes.memory_per_gib_month"));
    // An override changes the estimate.
    let cheap = dir.join("cheap.yaml");
    std::fs::write(
        &cheap,
        builtin.replace("cpu_per_core_month: 20.4", "cpu_per_core_month: 0"),
    )
    .unwrap();
    let total = |args: &[&str]| -> u64 {
        let json: serde_json::Value = serde_json::from_str(&stdout(&pgplan(args))).unwrap();
        json["total_cents"].as_u64().unwrap()
    };
    let file = "examples/plans/dev-product-change.yaml";
    let default = total(&["cost", file, "--output", "json"]);
    let overridden = total(&[
        "cost",
        file,
        "--output",
        "json",
        "--prices",
        cheap.to_str().unwrap(),
    ]);
    // 500m requested × 20.40 a core-month.
    assert_eq!(default - overridden, 1020);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cost_json_shape() {
    let json: serde_json::Value = serde_json::from_str(&stdout(&pgplan(&[
        "cost",
        "examples/plans/prod-bill-inquiry.yaml",
        "--output",
        "json",
    ])))
    .unwrap();
    for key in [
        "currency",
        "price_date",
        "price_region",
        "price_source",
        "lines",
        "total_cents",
    ] {
        assert!(json.get(key).is_some(), "cost JSON has `{key}`");
    }
    let line = &json["lines"][0];
    for key in [
        "item",
        "resource",
        "quantity",
        "unit",
        "unit_price",
        "monthly_cents",
    ] {
        assert!(line.get(key).is_some(), "a cost line has `{key}`");
    }
    let md = stdout(&pgplan(&[
        "cost",
        "examples/plans/prod-bill-inquiry.yaml",
        "--output",
        "markdown",
        "--lang",
        "ko",
    ]));
    check_markdown(&md);
    assert!(md.contains("월간 예상 비용 (USD)"));
}

#[test]
fn schema_completions_and_man() {
    let schema: serde_json::Value =
        serde_json::from_str(&stdout(&pgplan(&["schema"]))).expect("JSON");
    assert_eq!(schema["title"], "pgplan plan file");
    let checked_in: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/plan.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema, checked_in,
        "pgplan schema prints schema/plan.schema.json"
    );
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&pgplan(&["completions", shell]));
        assert!(script.contains("compare"), "{shell} completes subcommands");
    }
    let bash = stdout(&pgplan(&["completions", "bash"]));
    let check = Command::new("bash")
        .args(["-n", "-c", &bash])
        .output()
        .unwrap();
    assert!(check.status.success(), "bash reads the completion script");
    let man = stdout(&pgplan(&["man"]));
    assert!(
        man.starts_with(".ie") || man.contains(".TH pgplan"),
        "{man}"
    );
    let dir = std::env::temp_dir().join(format!("pgplan-man-{}", std::process::id()));
    stdout(&pgplan(&["man", "--out", dir.to_str().unwrap()]));
    for page in ["pgplan.1", "pgplan-doc.1", "pgplan-import.1"] {
        assert!(dir.join(page).exists(), "{page}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn import_writes_a_plan_that_validates() {
    let pg = pgplan_testkit::PgServer::start(17).expect("server");
    for sql in [
        "CREATE ROLE shop_owner LOGIN",
        "CREATE DATABASE shop OWNER shop_owner",
        "CREATE ROLE shop_app LOGIN",
        "GRANT CONNECT ON DATABASE shop TO shop_app",
    ] {
        pg.psql("postgres", sql).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("pgplan-import-{}", std::process::id()));
    let file = dir.join("shop.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_pgplan"))
        .args([
            "import",
            "--service",
            "shop",
            "--out",
            file.to_str().unwrap(),
        ])
        .env("PGPLAN_DSN", pg.dsn("postgres"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema="));
    assert!(
        !text.contains(pg.password()),
        "the DSN's password is not written"
    );
    let out = pgplan(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `az` commands of a document: fenced bash lines (continuations joined)
/// and inline code, placeholders replaced by their examples.
fn az_commands(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang))) => {
                block = (&*lang == "bash").then(String::new);
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(text) = block.take() {
                    let joined = text.replace("\\\n", " ");
                    out.extend(
                        joined
                            .lines()
                            .map(str::trim)
                            .filter(|l| l.starts_with("az "))
                            .map(str::to_owned),
                    );
                }
            }
            Event::Text(t) if block.is_some() => {
                if let Some(b) = block.as_mut() {
                    b.push_str(&t);
                }
            }
            Event::Code(c) if c.starts_with("az ") => out.push(c.to_string()),
            _ => {}
        }
    }
    out.iter()
        .map(|c| {
            // "<UTC time, e.g. 2025-01-31T02:30:00Z>" → its example.
            let mut s = c.clone();
            while let (Some(a), Some(b)) = (s.find('<'), s.find('>')) {
                let inner = &s[a + 1..b];
                let example = inner.split("e.g. ").nth(1).unwrap_or("x").to_owned();
                s.replace_range(a..=b, &example);
            }
            s
        })
        .collect()
}

#[test]
fn azure_commands_in_documents_pass_the_azure_cli_parser() {
    let az = std::env::var_os("PGPLAN_TOOLS_BIN")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan/bin")))
        .map(|d| d.join("az"))
        .filter(|p| p.is_file())
        .expect("the Azure CLI is missing: run scripts/install-test-deps.sh");
    let mut commands = std::collections::BTreeSet::new();
    for name in ["prod-bill-inquiry", "prod-event-marketing"] {
        for lang in ["en", "ko"] {
            let md = std::fs::read_to_string(root().join(format!("examples/out/{name}.{lang}.md")))
                .unwrap();
            commands.extend(az_commands(&md));
        }
    }
    assert!(commands.len() >= 8, "{commands:#?}");
    let config = std::env::temp_dir().join(format!("pgplan-doc-az-{}", std::process::id()));
    std::fs::create_dir_all(&config).unwrap();
    for command in &commands {
        // bash splits the words as a reader's shell would.
        let words = Command::new("bash")
            .arg("-c")
            .arg(format!("printf '%s\\0' {}", &command[3..]))
            .output()
            .unwrap();
        let args: Vec<String> = String::from_utf8(words.stdout)
            .unwrap()
            .split('\0')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let out = Command::new(&az)
            .args(&args)
            .env("AZURE_CONFIG_DIR", &config)
            .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(2),
            "the Azure CLI rejects `{command}`: {stderr}"
        );
    }
    std::fs::remove_dir_all(&config).unwrap();
}

/// Fenced blocks of one language.
fn code_blocks(md: &str, language: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang))) => {
                block = (&*lang == language).then(String::new);
            }
            Event::End(TagEnd::CodeBlock) => out.extend(block.take()),
            Event::Text(t) => {
                if let Some(b) = block.as_mut() {
                    b.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn verification_queries_run_on_the_planned_server() {
    let pg = pgplan_testkit::PgServer::start(14).expect("server");
    let file = "examples/plans/dev-product-change.yaml";
    let out = pgplan(&[
        "apply",
        file,
        "--target",
        "sql",
        "--dsn",
        &pg.dsn("postgres"),
        "--yes",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(root().join("examples/out/dev-product-change.en.md")).unwrap();
    let queries = code_blocks(&md, "sql");
    assert!(queries.len() >= 3, "{queries:#?}");
    for sql in &queries {
        let rows = pg
            .psql("product_change_db", sql)
            .unwrap_or_else(|e| panic!("{sql}\n{e}"));
        assert!(!rows.is_empty(), "{sql} returns rows");
    }
    // Every role the plan grants CONNECT can connect.
    let connect = queries
        .iter()
        .find(|q| q.contains("has_database_privilege"))
        .unwrap();
    let rows = pg.psql("product_change_db", connect).unwrap();
    assert!(rows.lines().all(|l| l.ends_with("|t")), "{rows}");
}

/// The Patroni cluster's document speaks of what `pgplan render --target ha`
/// writes and `pgplan up` binds: every `out/ha/…` file it names is in the
/// render, the endpoints are HAProxy's binds, every listener `up` starts is
/// listed, and the cluster is started, checked and stopped with up, status
/// and down.
#[test]
fn the_ha_document_names_what_pgplan_up_runs() {
    let plan = "examples/plans/ha-cluster.yaml";
    let scratch = std::env::temp_dir().join(format!("pgplan-doc-ha-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for lang in ["en", "ko"] {
        let md = stdout(&pgplan(&["doc", plan, "--lang", lang]));
        check_markdown(&md);
        let bash = code_blocks(&md, "bash").join("\n");
        let render = bash
            .lines()
            .find(|l| l.starts_with("pgplan render") && l.contains("--target ha"))
            .expect("a render step for the ha target");
        let out_dir = render.rsplit(' ').next().unwrap();
        assert_eq!(out_dir, "out/ha");
        let rendered = scratch.join(lang).join(out_dir);
        stdout(&pgplan(&[
            "render",
            plan,
            "--target",
            "ha",
            "--out",
            rendered.to_str().unwrap(),
        ]));
        let named: Vec<&str> = md
            .split(|c: char| c.is_whitespace() || c == '`' || c == '\'' || c == '|')
            .filter(|w| w.starts_with("out/ha/"))
            .collect();
        assert!(
            named.iter().any(|w| w.starts_with("out/ha/patroni/")),
            "{md}"
        );
        for path in named {
            let file = scratch.join(lang).join(path);
            assert!(
                file.is_file(),
                "the document names {path}, which the render lacks"
            );
        }
        let patroni = std::fs::read_to_string(rendered.join("patroni/pg-0.yml")).unwrap();
        // Plain or quoted: the YAML writer quotes only what needs it.
        assert!(
            patroni.contains("scope: pg-ha\n") || patroni.contains("scope: \"pg-ha\""),
            "{patroni}"
        );
        assert!(bash.contains("list pg-ha"), "{bash}");
        let haproxy = std::fs::read_to_string(rendered.join("haproxy/haproxy.cfg")).unwrap();
        for address in ["127.0.0.10:5000", "127.0.0.10:5001", "127.0.0.10:8404"] {
            assert!(haproxy.contains(&format!("bind {address}")), "{haproxy}");
            assert!(
                md.contains(&format!("`{address}`")),
                "{address} in the document"
            );
        }
        // 3 members × (PostgreSQL, REST API, exporter), 3 etcd × 2, HAProxy × 3.
        let cells = check_markdown(&md);
        for address in [
            "127.0.0.11:5432",
            "127.0.0.12:8008",
            "127.0.0.13:9187",
            "127.0.0.21:2379",
            "127.0.0.23:2380",
        ] {
            assert!(
                cells.iter().any(|row| row.iter().any(|c| c == address)),
                "{address} is not in a table"
            );
        }
        for command in [
            format!("pgplan up {plan}"),
            format!("pgplan status {plan}"),
            format!("pgplan down {plan}"),
        ] {
            assert!(md.contains(&command), "{command}");
        }
        assert!(!md.contains("patroni-pg-0.yml"));
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}
