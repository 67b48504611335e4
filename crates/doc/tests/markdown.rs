//! Markdown escaping, checked against a CommonMark parser (pulldown-cmark,
//! with GitHub's tables): whatever a plan holds reads back as itself in a
//! paragraph, a list item, a table cell, a code span and a heading.

use pgplan_doc::markdown::{Cell, Table, Writer, code, inline, prose, text};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The text a reader sees: every text and code event, in order.
fn rendered(md: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let mut out = String::new();
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML: {h:?} in {md:?}"),
            _ => {}
        }
    }
    out
}

/// Cells of the first body row of a table.
fn cells(md: &str) -> Vec<String> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    let mut out = Vec::new();
    let (mut in_body, mut cell) = (false, None::<String>);
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::End(TagEnd::TableHead) => in_body = true,
            Event::Start(Tag::TableCell) if in_body => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) if in_body => out.extend(cell.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t)
                }
            }
            Event::End(TagEnd::TableRow) if in_body && !out.is_empty() => break,
            _ => {}
        }
    }
    out
}

/// What survives: control characters become spaces, and the ends are
/// trimmed (a paragraph or a cell drops its edges' whitespace).
fn expected(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("*".to_owned()),
        Just("_".to_owned()),
        Just("`".to_owned()),
        Just("\\".to_owned()),
        Just("|".to_owned()),
        Just("[x](y)".to_owned()),
        Just("<b>".to_owned()),
        Just("<http://x>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#35;".to_owned()),
        Just("1. ".to_owned()),
        Just("2) ".to_owned()),
        Just("- ".to_owned()),
        Just("+ ".to_owned()),
        Just("# ".to_owned()),
        Just("> ".to_owned()),
        Just("===".to_owned()),
        Just("~~".to_owned()),
        Just("$x$".to_owned()),
        Just("!".to_owned()),
        Just("  ".to_owned()),
        Just("\n".to_owned()),
        Just("\t".to_owned()),
        Just("max_connections".to_owned()),
        Just("개발환경".to_owned()),
        "[a-z0-9]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn text_reads_back_in_a_paragraph(s in tricky()) {
        let want = expected(&s);
        prop_assume!(!want.is_empty());
        prop_assert_eq!(rendered(&text(&s)), want);
    }

    #[test]
    fn text_reads_back_in_a_list_item(s in tricky()) {
        let want = expected(&s);
        prop_assume!(!want.is_empty());
        let mut w = Writer::new();
        w.bullets([text(&s)]);
        prop_assert_eq!(rendered(&w.finish()), want);
    }

    #[test]
    fn cells_read_back(a in tricky(), b in tricky(), c in tricky()) {
        let mut t = Table::new(["a", "b", "c"]);
        t.row([Cell::Text(a.clone()), Cell::Code(b.clone()), Cell::Prose(c.clone())]);
        let got = cells(&t.render());
        prop_assert_eq!(got.len(), 3, "{}", t.render());
        prop_assert_eq!(&got[0], &expected(&a));
        // A code span keeps its content (control characters as spaces),
        // except the one space a padded span drops on each side.
        let code_want: String = b.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        if !code_want.contains("\\|") && !code_want.trim().is_empty() {
            prop_assert_eq!(&got[1], &code_want);
        }
    }

    #[test]
    fn code_spans_keep_their_content(s in tricky()) {
        let want: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        prop_assume!(!want.trim().is_empty());
        prop_assert_eq!(rendered(&format!("x {} y", code(&s))), format!("x {want} y"));
    }

    #[test]
    fn headings_read_back(s in tricky()) {
        let want = expected(&s);
        prop_assume!(!want.is_empty());
        let mut w = Writer::new();
        w.heading(2, &s);
        prop_assert_eq!(rendered(&w.finish()), want);
    }

    #[test]
    fn prose_reads_back_without_its_backticks(s in "[a-z _*<]{0,8}", c in "[a-z_|*]{1,8}", t in "[a-z _*<]{0,8}") {
        let raw = format!("{s}`{c}`{t}");
        let want = expected(&format!("{s}{c}{t}"));
        prop_assert_eq!(rendered(&prose(&raw)), want);
    }
}

#[test]
fn inline_text_in_a_cell_needs_no_line_start_escapes() {
    assert_eq!(inline("> 80%"), "> 80%");
    assert_eq!(inline("0.5"), "0.5");
}
