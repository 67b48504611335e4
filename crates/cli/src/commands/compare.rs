//! `pgplan compare A B`: two plans side by side, parity findings and a
//! promotion checklist.

use std::path::Path;

use pgplan_doc::{CompareOptions, Lang};

use super::doc::{load_prices, write_out};
use crate::doc_args::Format;

/// Runs the command; returns the exit code.
pub fn run(left: &Path, right: &Path, output: Format, lang: Lang, prices: Option<&Path>) -> u8 {
    let prices = match load_prices(prices) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (a, b) = match (super::doc::load_plan(left), super::doc::load_plan(right)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let comparison = pgplan_doc::compare(
        &a,
        &b,
        &CompareOptions {
            lang,
            prices,
            files: (left.display().to_string(), right.display().to_string()),
        },
    );
    let text = match output {
        Format::Text => comparison.to_text(lang),
        Format::Markdown => comparison.to_markdown(lang),
        Format::Json => match serde_json::to_string_pretty(&comparison) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("cannot write JSON: {e}");
                return super::EXIT_UNREADABLE;
            }
        },
    };
    write_out(None, &text)
}
