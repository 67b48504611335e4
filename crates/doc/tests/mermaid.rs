//! The diagrams drawn the way documentation sites draw them: Mermaid's own
//! CLI (`@mermaid-js/mermaid-cli`, on Debian's chromium) renders the diagram
//! of every example plan (English and Korean) and of every passing test plan
//! whose diagram has a shape of its own (the same nodes and edges as another
//! but for the labels is the same drawing) to SVG, from Markdown files as
//! `pgplan doc` embeds them. A diagram Mermaid cannot parse fails the test.
//!
//! `scripts/install-test-deps.sh` installs mmdc and chromium and exports
//! `PGPLAN_MMDC` and `PGPLAN_MMDC_PUPPETEER_CONFIG` in its env.sh.

use std::path::{Path, PathBuf};
use std::process::Command;

use pgplan_core::Plan;
use pgplan_doc::{Lang, diagram};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tool(var: &str, cached: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).or_else(|| {
        let cache = std::env::var_os("PGPLAN_CACHE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pgplan")))?;
        Some(cache.join(cached))
    });
    match path {
        Some(p) if p.exists() => p,
        _ => panic!(
            "{var} is not set and {cached} is not in the cache: run scripts/install-test-deps.sh, then `source ~/.cache/pgplan/env.sh`"
        ),
    }
}

fn plans_in(dir: &str) -> Vec<(String, Plan)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join(dir)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if let Ok(plan) = Plan::from_yaml(&text) {
            out.push((
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                plan,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn mermaid_draws_every_diagram() {
    let mmdc = tool("PGPLAN_MMDC", "mermaid/node_modules/.bin/mmdc");
    let config = tool("PGPLAN_MMDC_PUPPETEER_CONFIG", "mermaid/puppeteer.json");
    let mut diagrams = Vec::new();
    let mut shapes = std::collections::BTreeSet::new();
    for (dir, langs) in [
        ("examples/plans", &[Lang::En, Lang::Ko][..]),
        ("tests/plans/pass", &[Lang::En][..]),
    ] {
        for (name, plan) in plans_in(dir) {
            let Ok(valid) = plan.validate() else { continue };
            for &lang in langs {
                let d = diagram(&valid, lang);
                if shapes.insert(shape(&d)) || dir == "examples/plans" {
                    diagrams.push((format!("{name} ({lang})"), d));
                }
            }
        }
    }
    assert!(diagrams.len() >= 15, "only {} diagrams", diagrams.len());
    let dir = std::env::temp_dir().join(format!("pgplan-mermaid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // mmdc renders a file's diagrams all at once: a few per run keeps a
    // loaded machine's browser within its page timeout.
    for (batch, chunk) in diagrams.chunks(8).enumerate() {
        let mut md = String::new();
        for (name, d) in chunk {
            md.push_str(&format!("## {name}\n\n```mermaid\n{d}```\n\n"));
        }
        let input = dir.join(format!("diagrams-{batch:02}.md"));
        std::fs::write(&input, &md).unwrap();
        render(
            &mmdc,
            &config,
            &input,
            &dir.join(format!("rendered-{batch:02}.md")),
        );
    }
    let mut svgs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    svgs.sort();
    assert_eq!(svgs.len(), diagrams.len(), "one SVG per diagram");
    for svg in &svgs {
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(
            !text.contains("Syntax error") && text.contains("<svg"),
            "{} is not a drawing",
            svg.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A diagram without its labels: what makes two drawings different.
fn shape(diagram: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in diagram.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

fn render(mmdc: &Path, config: &Path, input: &Path, output: &Path) {
    let output = Command::new(mmdc)
        .arg("--puppeteerConfigFile")
        .arg(config)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .arg("--outputFormat")
        .arg("svg")
        .arg("--quiet")
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .output()
        .expect("mmdc runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "mmdc failed on {}: {stderr}",
        input.display()
    );
}
