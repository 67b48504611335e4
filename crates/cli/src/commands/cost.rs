//! `pgplan cost FILE`: the plan's monthly estimate from a dated price table.

use std::path::Path;

use pgplan_core::ValidPlan;
use pgplan_doc::{Estimate, Lang, PriceTable};

use super::doc::{load_prices, write_out};
use crate::doc_args::Format;

/// The plan's estimate with the repository's table, or `prices`.
pub fn estimate_of(plan: &ValidPlan, prices: Option<&PriceTable>) -> Estimate {
    match prices {
        Some(p) => pgplan_doc::cost::estimate(plan, p),
        None => pgplan_doc::cost::estimate(plan, &PriceTable::builtin()),
    }
}

/// Runs the command; returns the exit code.
pub fn run(file: &Path, output: Format, lang: Lang, prices: Option<&Path>) -> u8 {
    let prices = match load_prices(prices) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = match super::doc::load_plan(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let estimate = estimate_of(&plan, prices.as_ref());
    let text = match output {
        Format::Text => estimate.to_text(lang),
        Format::Markdown => estimate.to_markdown(lang),
        Format::Json => {
            let mut value = match serde_json::to_value(&estimate) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("cannot write JSON: {e}");
                    return super::EXIT_UNREADABLE;
                }
            };
            value["total_cents"] = estimate.total_cents().into();
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
    };
    write_out(None, &text)
}
