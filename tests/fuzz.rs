//! A fuzz target over plan parsing, validation and every renderer: plan
//! files mutated the way a hostile or careless user would (lines deleted,
//! repeated or swapped; values replaced with hostile text, extreme numbers,
//! control and bidi characters; keys duplicated; indentation broken), from
//! every plan in the repository and the committed corpus
//! (`tests/fuzz/corpus/`, which also runs as it is).
//!
//! For each input: reading never panics; a plan that reads validates
//! without panicking, its report serialises, its excerpt shows no secret and
//! nothing that acts on a terminal; a plan that validates renders for every
//! backend that takes it ("what validates renders"), with no NUL in any
//! file.
//!
//! The run is bounded: `PGPLAN_FUZZ_CASES` mutated plans (default 1000, a few seconds;
//! `scripts/test.sh` runs the default in CI). A failure is shrunk and saved
//! under `tests/fuzz/proptest-regressions/`, replayed first next time;
//! commit it to the corpus once fixed.

use std::path::{Path, PathBuf};

use pgplan::Plan;
use pgplan::escape::terminal;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every plan file the repository holds, and the corpus.
fn seeds() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [
        "examples/plans",
        "tests/plans/pass",
        "tests/plans/fail",
        "tests/fuzz/corpus",
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        entries.sort();
        for p in entries {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p.strip_prefix(root()).unwrap().display().to_string(), text));
        }
    }
    out
}

/// One edit of a plan file.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    RepeatLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, String),
    InsertLine(usize, String),
    Indent(usize, usize),
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "-1",
            "1",
            "65535",
            "65536",
            "4294967296",
            "9223372036854775808",
            "1e308",
            "0.0",
            "-0",
            ".inf",
            ".nan",
            "null",
            "~",
            "true",
            "off",
            "''",
            "\"\"",
            "[]",
            "{}",
            "\"\\0\"",
            "\"\\e[1A\\e[2K\"",
            "\"\\u202e\"",
            "\"a\\nb\"",
            "\"it's\"",
            "\"\\\\'\"",
            "\"$(id)\"",
            "'`id`'",
            "\"%\"",
            "0Gi",
            "0m",
            "1Ei",
            "99999999Ti",
            "\"postgres\"",
            "\"pg_signal_backend\"",
            "\"public\"",
            "\"template1\"",
            "\"\\\"template1\\\"\"",
            "\"password=s3cret\"",
            "\"postgresql://u:p@h/d\"",
            "{ generated: { length: 0 } }",
            "{ min: 15, max: 1 }",
            "\"* * * * *\"",
            "\"61 25 32 13 8\"",
            "&a x",
            "*a",
            "!!binary aGk=",
            "|\n  block",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,12}".prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        "\\PC{0,8}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<prop::sample::Index>().prop_map(|i| Mutation::DeleteLine(i.index(1 << 16))),
        1 => any::<prop::sample::Index>().prop_map(|i| Mutation::RepeatLine(i.index(1 << 16))),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines(a.index(1 << 16), b.index(1 << 16))),
        4 => (any::<prop::sample::Index>(), hostile_text())
            .prop_map(|(i, v)| Mutation::ReplaceValue(i.index(1 << 16), v)),
        1 => (any::<prop::sample::Index>(), hostile_text())
            .prop_map(|(i, v)| Mutation::InsertLine(i.index(1 << 16), format!("x: {v}"))),
        1 => (any::<prop::sample::Index>(), 0..6usize)
            .prop_map(|(i, n)| Mutation::Indent(i.index(1 << 16), n)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::RepeatLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::ReplaceValue(i, v) => {
                let line = &mut lines[i % n];
                if let Some(at) = line.find(": ") {
                    line.truncate(at + 2);
                    line.push_str(v);
                }
            }
            Mutation::InsertLine(i, l) => {
                let indent = lines[i % n].len() - lines[i % n].trim_start().len();
                lines.insert(i % n, format!("{}{l}", " ".repeat(indent)));
            }
            Mutation::Indent(i, k) => {
                let line = &mut lines[i % n];
                *line = format!("{}{}", " ".repeat(*k), line.trim_start());
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Everything that may happen to one input, checked.
fn check(name: &str, text: &str) -> Result<(), String> {
    let fail = |what: String| Err(format!("{name}: {what}\n--- plan ---\n{text}"));
    let shown = pgplan::redact::Excerpt::new(text);
    if shown
        .text()
        .chars()
        .any(|c| terminal::is_unsafe(c) && c != '\n' && c != '\t')
    {
        return fail("the excerpt holds a character that acts on a terminal".into());
    }
    if text.contains("LiteralPw-31337") && shown.text().contains("LiteralPw-31337") {
        return fail("the excerpt shows the literal password".into());
    }
    let plan = match Plan::from_yaml(text) {
        Ok(plan) => plan,
        Err(e) => {
            let message = e.to_string();
            for leak in ["DuplicateKeyPolicy", "budget breached", "(used"] {
                if message.contains(leak) {
                    return fail(format!("the parser's wording leaks: {message}"));
                }
            }
            return Ok(());
        }
    };
    let report = plan.report().located(text);
    if let Err(e) = serde_json::to_string(&report) {
        return fail(format!("the report does not serialise: {e}"));
    }
    let Ok(valid) = plan.validate() else {
        return Ok(());
    };
    let mut files = Vec::new();
    match pgplan::sql::render_files(&valid) {
        Ok(f) => files.extend(f.into_values()),
        Err(e) => return fail(format!("validated, but the SQL renderer refuses it: {e}")),
    }
    if matches!(valid.platform, pgplan::Platform::Kubernetes(_)) {
        let opts = pgplan::k8s::RenderOptions {
            init_script: pgplan::sql::init_script_for_job(&valid).ok(),
            migrations: pgplan::sql::migration_runner_for_job(&valid),
            ..Default::default()
        };
        match pgplan::k8s::render_files(&valid, &opts) {
            Ok(f) => files.extend(f.into_values()),
            Err(e) => {
                return fail(format!(
                    "validated, but the Kubernetes renderer refuses it: {e}"
                ));
            }
        }
    }
    if matches!(valid.platform, pgplan::Platform::Azure(_)) {
        let entra = pgplan::sql::entra_principal_script(&valid);
        let opts = pgplan::azure::RenderOptions {
            entra_principals: entra.as_ref(),
        };
        match pgplan::azure::render_files_with(&valid, &opts) {
            Ok(f) => files.extend(f.into_values()),
            Err(e) => return fail(format!("validated, but the Azure renderer refuses it: {e}")),
        }
    }
    if pgplan::runner::local(&valid).is_some() {
        let layout = pgplan::ha::Layout::new("/run/pgplan-fuzz", "/usr/lib/postgresql/bin");
        match pgplan::ha::render_files(&valid, &layout) {
            Ok(f) => files.extend(f.into_values()),
            Err(e) => return fail(format!("validated, but the HA renderer refuses it: {e}")),
        }
    }
    if files.iter().any(|f| f.contains('\0')) {
        return fail("a rendered file holds a NUL".into());
    }
    Ok(())
}

#[test]
fn the_corpus_reads_validates_and_renders_safely() {
    let problems: Vec<String> = seeds()
        .iter()
        .filter_map(|(name, text)| check(name, text).err())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn mutated_plans_read_validate_and_render_safely() {
    let seeds = seeds();
    let cases = std::env::var("PGPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz/proptest-regressions/mutations.txt",
        ))),
        ..Config::default()
    });
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..6));
    runner
        .run(&strategy, |(seed, mutations)| {
            let (name, text) = &seeds[seed];
            let mutated = apply(text, &mutations);
            check(name, &mutated).map_err(TestCaseError::fail)
        })
        .unwrap();
}
