//! `pgplan explain ID` and `pgplan explain --list`: what a rule checks and
//! why, with its failing and fixed example plans (the files under
//! `tests/plans/` the tests run, built into the binary) and what pgplan
//! reports on the failing one; for a retired id, what it became.

use std::fmt::Write as _;

use pgplan_core::validate::rules::{self, RetiredRule};
use pgplan_core::{Plan, RuleExamples, RuleInfo};

/// Text width the documentation is wrapped at.
const WIDTH: usize = 78;

/// Runs `pgplan explain --list`: every rule, one per line.
pub fn list() -> u8 {
    let infos: Vec<&RuleInfo> = rules::infos().collect();
    let width = infos.iter().map(|i| i.name.len()).max().unwrap_or(0);
    for info in infos {
        crate::out::line(&format!(
            "{}  {:width$}  {}",
            info.id, info.name, info.summary
        ));
    }
    0
}

/// Runs `pgplan explain ID` (an id or a name, any case).
pub fn run(query: &str) -> u8 {
    let query = query.trim();
    if let Some(info) = rules::by_id(query).or_else(|| rules::by_name(query)) {
        crate::out::text(&explain(info));
        return 0;
    }
    if let Some(old) = rules::retired_rule_of(query) {
        crate::out::text(&explain_retired(old));
        return 0;
    }
    let close = rules::close_to(query);
    if close.is_empty() {
        crate::out::error(&format!(
            "no rule `{query}`; `pgplan explain --list` shows every rule"
        ));
    } else {
        crate::out::error(&format!(
            "no rule `{query}`; close: {}; `pgplan explain --list` shows every rule",
            close.join(", ")
        ));
    }
    super::EXIT_UNREADABLE
}

/// A rule's documentation and examples, as printed.
fn explain(info: &RuleInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}\n", info.id, info.name);
    paragraph(&mut out, "Checks: ", info.summary);
    if !info.rationale.is_empty() {
        paragraph(&mut out, "Why: ", info.rationale);
    }
    if !info.replaces.is_empty() {
        let _ = writeln!(
            out,
            "Replaces: {} (retired when it split into one rule per check)\n",
            info.replaces.join(", ")
        );
    }
    match &info.examples {
        Some(examples) => examples_of(&mut out, info, examples),
        None => {
            let _ = writeln!(
                out,
                "No example plans: no plan is known to make this rule fire."
            );
        }
    }
    out
}

fn examples_of(out: &mut String, info: &RuleInfo, examples: &RuleExamples) {
    let _ = writeln!(out, "Failing example ({}):\n", examples.fail_path);
    indented(out, examples.fail);
    let _ = writeln!(out, "pgplan reports:\n");
    match Plan::from_yaml(examples.fail) {
        Err(e) => {
            let _ = writeln!(out, "    {e}\n");
        }
        Ok(plan) => {
            let report = plan.report().located(examples.fail);
            for d in report.by_id(info.id) {
                let at = match d.span {
                    Some(span) => format!("{} (line {})", d.path, span.line),
                    None => d.path.to_string(),
                };
                let _ = writeln!(out, "    {}[{}] {at}", d.severity, d.rule.id);
                wrap(out, "      ", &d.message);
                wrap(out, "      help: ", &d.help);
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "Fixed ({}):\n", examples.fixed_path);
    indented(out, examples.fixed);
}

/// What a retired id became, as printed.
fn explain_retired(old: &RetiredRule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} is retired: it checked several things under one id, and each is now a rule of its own:\n",
        old.id, old.name
    );
    for id in old.became {
        match rules::by_id(id) {
            Some(info) => {
                let _ = writeln!(out, "  {} {}", info.id, info.name);
                wrap(&mut out, "      ", info.summary);
            }
            None => {
                let _ = writeln!(out, "  {id}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n`pgplan explain` with one of these ids shows its documentation and examples."
    );
    out
}

/// `label` and `text`, wrapped, followed by a blank line.
fn paragraph(out: &mut String, label: &str, text: &str) {
    wrap(out, label, text);
    out.push('\n');
}

/// `text` wrapped at [`WIDTH`], the first line after `first`, the others
/// indented as far as `first` is long.
fn wrap(out: &mut String, first: &str, text: &str) {
    let indent = " ".repeat(first.chars().count());
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// A plan file, indented by four spaces, followed by a blank line.
fn indented(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_the_width_with_a_hanging_indent() {
        let mut out = String::new();
        let text = "word ".repeat(40);
        wrap(&mut out, "Why: ", &text);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out}");
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(lines[0].starts_with("Why: word"));
        assert!(lines[1].starts_with("     word"));
    }

    #[test]
    fn a_word_longer_than_the_width_stays_whole() {
        let mut out = String::new();
        let long = "x".repeat(WIDTH + 5);
        wrap(&mut out, "  ", &format!("a {long} b"));
        assert_eq!(out, format!("  a\n  {long}\n  b\n"));
    }
}
