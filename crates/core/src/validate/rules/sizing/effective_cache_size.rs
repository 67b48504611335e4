//! PGP019 effective-cache-size: effective_cache_size against the server's
//! memory.
//!
//! Above RAM is an error: the planner is told about a cache that cannot exist
//! and prices index scans as if everything were cached. Above 90 % of RAM it
//! is a warning: the cache that remains once the sessions' memory and the OS
//! take their share is smaller than that (in a container the page cache
//! counts against the same memory limit).

use super::{percent_of, percent_text, server_memory, share_floor};
use crate::tuning::params::EFFECTIVE_CACHE_SIZE;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP019.
pub struct EffectiveCacheSize;

/// Above this share of RAM effective_cache_size draws a warning.
const CACHE_WARN_PERCENT: u64 = 90;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP019",
    name: "effective-cache-size",
    summary: "effective_cache_size does not exceed the server's memory, and stays under 90 % of it",
    rationale: "`effective_cache_size` allocates nothing: it tells the planner how much of the data it may expect to find cached in shared_buffers and the OS page cache. Larger than the memory, it makes index scans look cheaper than they are, and queries that should scan sequentially read pages one by one from disk instead.",
    examples: crate::rule_examples!("PGP019-effective-cache-size"),
    replaces: &["PGP003"],
};

impl Rule for EffectiveCacheSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some((ram, memory)) = server_memory(cx) else {
            return;
        };
        let s = cx.settings;
        let Some(ecs) = s.get(EFFECTIVE_CACHE_SIZE) else {
            return;
        };
        let path = if s.is_set(EFFECTIVE_CACHE_SIZE) {
            cx.path_of(EFFECTIVE_CACHE_SIZE)
        } else {
            FieldPath::from(cx.plan.memory_source())
        };
        let pct_text = percent_text(percent_of(ecs, ram));
        let advised = share_floor(ram, 75);
        let help = format!(
            "set effective_cache_size to about {} (75 % of {}: shared_buffers plus the OS cache), or remove it and let pgplan derive it",
            advised.to_postgres(),
            ram.human()
        );
        if ecs > ram {
            out.error(
                path,
                format!(
                    "effective_cache_size {} is {pct_text} % of {memory}: the planner counts on a cache larger than the memory and favours index scans that will read from disk",
                    ecs.to_postgres()
                ),
                help,
            );
        } else if percent_of(ecs, ram) > CACHE_WARN_PERCENT as f64 {
            out.warning(
                path,
                format!(
                    "effective_cache_size {} is {pct_text} % of {memory}: above {CACHE_WARN_PERCENT} %, nothing is left for sessions, maintenance and the OS, so the real cache is smaller",
                    ecs.to_postgres()
                ),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn three_quarters_and_derived_values_pass() {
        let mut plan = kubernetes_plan();
        assert!(run(&EffectiveCacheSize, &plan).is_empty());
        set_parameters(&mut plan, &[("effective_cache_size", "1536MB")]);
        assert!(run(&EffectiveCacheSize, &plan).is_empty());
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(&mut plan, &[("effective_cache_size", "12GB")]);
        assert!(run(&EffectiveCacheSize, &plan).is_empty());
    }

    #[test]
    fn effective_cache_size_above_memory_is_an_error() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("effective_cache_size", "3GB")]);
        let d = run(&EffectiveCacheSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP019");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.effective_cache_size");
        assert!(d[0].message.contains("3GB is 150 %"), "{}", d[0].message);
        assert!(d[0].help.contains("about 1536MB"), "{}", d[0].help);
    }

    #[test]
    fn effective_cache_size_above_90_percent_warns() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("effective_cache_size", "1900MB")]);
        let d = run(&EffectiveCacheSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("1900MB is 92.77 %"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn no_memory_no_findings() {
        let mut plan = kubernetes_plan();
        plan.sizing.memory = None;
        set_parameters(&mut plan, &[("effective_cache_size", "64GB")]);
        assert!(run(&EffectiveCacheSize, &plan).is_empty());
    }
}
