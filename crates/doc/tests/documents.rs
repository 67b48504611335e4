//! Snapshots of the documents, diagrams, comparisons and estimates of the
//! example plans, and the checks every document passes: it parses as
//! CommonMark with GitHub's tables, holds no raw HTML, and its tables have as
//! many cells as headers.

use std::path::{Path, PathBuf};

use pgplan_core::{Plan, ValidPlan};
use pgplan_doc::{CompareOptions, DocOptions, Lang, PriceTable, compare, cost, diagram, document};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> ValidPlan {
    let path = root().join("examples/plans").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut plan = Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // As the cli reads a plan file: its migrations from beside it.
    plan.read_migrations(path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plan.validate()
        .unwrap_or_else(|r| panic!("{}: {r}", path.display()))
}

const EXAMPLES: &[&str] = &[
    "dev-product-change",
    "prod-bill-inquiry",
    "ha-cluster",
    "dev-event-marketing",
    "prod-event-marketing",
];

fn options(name: &str, lang: Lang) -> DocOptions {
    DocOptions {
        lang,
        plan_file: format!("examples/plans/{name}.yaml"),
        ..DocOptions::default()
    }
}

/// Parses Markdown as GitHub does (CommonMark and tables) and checks it:
/// no raw HTML, every table row as wide as its header.
pub fn check_markdown(md: &str) {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let mut header_cells = 0;
    let mut cells = 0;
    let mut in_head = false;
    for event in Parser::new_ext(md, opts) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in the document: {h}"),
            Event::Start(Tag::TableHead) => {
                in_head = true;
                header_cells = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) if in_head => header_cells += 1,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow) => {
                assert_eq!(
                    cells, header_cells,
                    "a table row's cells differ from its header's"
                )
            }
            _ => {}
        }
    }
}

#[test]
fn documents_of_the_example_plans() {
    for name in EXAMPLES {
        let plan = example(name);
        for lang in [Lang::En, Lang::Ko] {
            let md = document(&plan, &options(name, lang));
            check_markdown(&md);
            insta::assert_snapshot!(format!("doc-{name}-{lang}"), md);
        }
    }
}

#[test]
fn diagrams_of_the_example_plans() {
    for name in EXAMPLES {
        let plan = example(name);
        for lang in [Lang::En, Lang::Ko] {
            insta::assert_snapshot!(format!("diagram-{name}-{lang}"), diagram(&plan, lang));
        }
    }
}

#[test]
fn estimates_of_the_example_plans() {
    let prices = PriceTable::builtin();
    for name in EXAMPLES {
        let e = cost::estimate(&example(name), &prices);
        insta::assert_snapshot!(format!("cost-{name}"), e.to_text(Lang::En));
    }
}

#[test]
fn seed_004_comparison() {
    let (dev, prod) = (
        example("dev-event-marketing"),
        example("prod-event-marketing"),
    );
    let opts = |lang| CompareOptions {
        lang,
        prices: None,
        files: (
            "examples/plans/dev-event-marketing.yaml".into(),
            "examples/plans/prod-event-marketing.yaml".into(),
        ),
    };
    for lang in [Lang::En, Lang::Ko] {
        let c = compare(&dev, &prod, &opts(lang));
        let md = c.to_markdown(lang);
        check_markdown(&md);
        insta::assert_snapshot!(format!("compare-event-marketing-{lang}"), md);
        insta::assert_snapshot!(
            format!("compare-event-marketing-{lang}-text"),
            c.to_text(lang)
        );
    }
    let json = serde_json::to_value(compare(&dev, &prod, &opts(Lang::En))).unwrap();
    insta::assert_json_snapshot!("compare-event-marketing-json", json);
}
