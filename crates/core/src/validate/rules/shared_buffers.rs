//! PGP003 shared-buffers: shared_buffers and effective_cache_size against the
//! server's memory.
//!
//! - shared_buffers at or above RAM cannot work: error.
//! - On Azure the service accepts only 10–75 % of the SKU's memory
//!   ([`azure_facts::SHARED_BUFFERS_PERCENT_RANGE`]): error outside it.
//! - An explicit shared_buffers outside 15–40 % of RAM is a warning: the
//!   usual sizing (and pgplan's derivation) is 25 %; far below leaves the
//!   buffer cache small, far above starves the sessions and the OS cache that
//!   PostgreSQL's double buffering relies on. Derived values are deliberate
//!   (25 %, or 1/16 for the desktop workload) and only meet the hard limits.
//! - effective_cache_size above RAM is an error: the planner is told about a
//!   cache that cannot exist and prices index scans as if everything were
//!   cached. Above 90 % of RAM it is a warning: the cache that remains once
//!   the sessions' memory and the OS take their share is smaller than that (in
//!   a container the page cache counts against the same memory limit).

use crate::azure_facts;
use crate::catalog::format_number;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};
use crate::{Bytes, Platform, Workload};

/// PGP003.
pub struct SharedBuffers;

/// The share of RAM pgplan derives and the usual advice.
const TYPICAL_PERCENT: u64 = 25;
/// Outside this band an explicit shared_buffers draws a warning.
const ADVISED_PERCENT: (u64, u64) = (15, 40);
/// Above this share of RAM effective_cache_size draws a warning.
const CACHE_WARN_PERCENT: u64 = 90;

const MIB: u64 = 1024 * 1024;

/// `part` as a percentage of `whole`.
fn percent_of(part: Bytes, whole: Bytes) -> f64 {
    part.as_u64() as f64 * 100.0 / whole.as_u64().max(1) as f64
}

/// A percentage for messages: at most two decimals, no trailing zeros.
fn percent_text(p: f64) -> String {
    format_number((p * 100.0).round() / 100.0)
}

/// `percent` % of `ram`, rounded down to whole MiB (8 kB pages below 1 MiB).
fn share_floor(ram: Bytes, percent: u64) -> Bytes {
    let exact = u128::from(ram.as_u64()) * u128::from(percent) / 100;
    let b = Bytes::new(u64::try_from(exact).unwrap_or(u64::MAX));
    if b.as_u64() >= MIB {
        b.round_down_to(MIB)
    } else {
        b.round_down_to(8192)
    }
}

/// `percent` % of `ram`, rounded up to whole MiB.
fn share_ceil(ram: Bytes, percent: u64) -> Bytes {
    let exact = (u128::from(ram.as_u64()) * u128::from(percent)).div_ceil(100);
    let mib = exact.div_ceil(u128::from(MIB));
    Bytes::new(u64::try_from(mib * u128::from(MIB)).unwrap_or(u64::MAX))
}

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP003",
    name: "shared-buffers",
    summary: "shared_buffers should be about 25 % of RAM (15–40 %; 10–75 % on Azure) and below it; effective_cache_size must not exceed RAM",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for SharedBuffers {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(ram) = cx.plan.memory() else {
            return;
        };
        if ram == Bytes::ZERO {
            return;
        }
        let source = cx.plan.memory_source();
        let memory = match &cx.plan.platform {
            Platform::Azure(a) => format!("the {} of {} ({source})", ram.human(), a.sku.name),
            _ => format!("the {} of {source}", ram.human()),
        };
        let typical = share_floor(ram, TYPICAL_PERCENT);
        self.check_shared_buffers(cx, ram, &memory, typical, out);
        self.check_effective_cache_size(cx, ram, &memory, out);
    }
}

impl SharedBuffers {
    fn check_shared_buffers(
        &self,
        cx: &Context<'_>,
        ram: Bytes,
        memory: &str,
        typical: Bytes,
        out: &mut Findings<'_>,
    ) {
        let s = cx.settings;
        let Some(sb) = s.bytes("shared_buffers") else {
            return;
        };
        let explicit = s.is_explicit("shared_buffers");
        // A derived value follows from the memory and the workload (the
        // desktop workload takes 1/16 instead of 1/4), so the fix is there.
        let path = if explicit {
            cx.param_path("shared_buffers")
        } else if cx.plan.tuning.workload == Workload::Desktop {
            FieldPath::from("tuning.workload")
        } else {
            FieldPath::from(cx.plan.memory_source())
        };
        let pct = percent_of(sb, ram);
        let pct_text = percent_text(pct);
        let fix_value = if explicit {
            format!(
                "set shared_buffers to {} ({TYPICAL_PERCENT} % of {}), or remove it and let pgplan derive it",
                typical.to_postgres(),
                ram.human()
            )
        } else {
            format!(
                "set shared_buffers explicitly to {} ({TYPICAL_PERCENT} % of {})",
                typical.to_postgres(),
                ram.human()
            )
        };

        if sb >= ram {
            out.error(                path,
                format!(
                    "shared_buffers {} is {pct_text} % of {memory}: the shared memory segment alone needs all of it, and the server cannot start or is killed for memory",
                    sb.to_postgres()
                ),
                fix_value);
            return;
        }

        if cx.plan.platform.is_managed() {
            let (lo, hi) = azure_facts::SHARED_BUFFERS_PERCENT_RANGE;
            if pct < f64::from(lo) || pct > f64::from(hi) {
                let (lo, hi) = (u64::from(lo), u64::from(hi));
                out.error(                    path,
                    format!(
                        "shared_buffers {} is {pct_text} % of {memory}; Azure accepts only {lo}–{hi} % of memory ({}–{}) and rejects the value",
                        sb.to_postgres(),
                        share_ceil(ram, lo).to_postgres(),
                        share_floor(ram, hi).to_postgres(),
                    ),
                    format!(
                        "{fix_value}; anything from {} to {} is accepted",
                        share_ceil(ram, lo).to_postgres(),
                        share_floor(ram, hi).to_postgres(),
                    ));
                return;
            }
        }

        let (lo, hi) = ADVISED_PERCENT;
        if explicit && (pct < lo as f64 || pct > hi as f64) {
            let why = if pct < lo as f64 {
                "the buffer cache is small for this memory and more reads go through the OS"
            } else {
                "little memory is left for work_mem, maintenance and the OS cache PostgreSQL also reads through"
            };
            out.warning(                path,
                format!(
                    "shared_buffers {} is {pct_text} % of {memory}, outside the usual {lo}–{hi} %: {why}; {TYPICAL_PERCENT} % would be {}",
                    sb.to_postgres(),
                    typical.to_postgres(),
                ),
                format!(
                    "{fix_value}; keep it between {} and {} ({lo}–{hi} %)",
                    share_ceil(ram, lo).to_postgres(),
                    share_floor(ram, hi).to_postgres(),
                ));
        }
    }

    fn check_effective_cache_size(
        &self,
        cx: &Context<'_>,
        ram: Bytes,
        memory: &str,
        out: &mut Findings<'_>,
    ) {
        let s = cx.settings;
        let Some(ecs) = s.bytes("effective_cache_size") else {
            return;
        };
        let path = if s.is_explicit("effective_cache_size") {
            cx.param_path("effective_cache_size")
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
            out.error(                path,
                format!(
                    "effective_cache_size {} is {pct_text} % of {memory}: the planner counts on a cache larger than the memory and favours index scans that will read from disk",
                    ecs.to_postgres()
                ),
                help);
        } else if percent_of(ecs, ram) > CACHE_WARN_PERCENT as f64 {
            out.warning(                path,
                format!(
                    "effective_cache_size {} is {pct_text} % of {memory}: above {CACHE_WARN_PERCENT} %, nothing is left for sessions, maintenance and the OS, so the real cache is smaller",
                    ecs.to_postgres()
                ),
                help);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn set(plan: &mut crate::Plan, name: &str, value: &str) {
        plan.tuning
            .parameters
            .insert(name.parse().unwrap(), value.into());
    }

    #[test]
    fn seed_000_256mb_is_not_25_percent_of_2gi() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "shared_buffers", "256MB");
        set(&mut plan, "effective_cache_size", "1GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        let d = &d[0];
        assert_eq!(d.id(), "PGP003");
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.path, "tuning.parameters.shared_buffers");
        assert!(d.message.contains("256MB is 12.5 %"), "{}", d.message);
        assert!(
            d.message.contains("2 GiB of sizing.memory.limit"),
            "{}",
            d.message
        );
        assert!(d.message.contains("25 % would be 512MB"), "{}", d.message);
        assert!(d.help.contains("set shared_buffers to 512MB"), "{}", d.help);
        assert!(d.help.contains("between 308MB and 819MB"), "{}", d.help);
    }

    #[test]
    fn a_quarter_of_memory_passes() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "shared_buffers", "512MB");
        set(&mut plan, "effective_cache_size", "1536MB");
        assert!(run(&SharedBuffers, &plan).is_empty());
        // Derived values pass too.
        assert!(run(&SharedBuffers, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn too_large_a_share_warns() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "shared_buffers", "1GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("1GB is 50 %"), "{}", d[0].message);
        assert!(
            d[0].message.contains("outside the usual 15–40 %"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn shared_buffers_at_or_above_memory_is_an_error() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "shared_buffers", "2GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_buffers");
        assert!(d[0].message.contains("2GB is 100 %"), "{}", d[0].message);
        assert!(d[0].help.contains("512MB"), "{}", d[0].help);
    }

    #[test]
    fn azure_rejects_shares_outside_10_to_75_percent() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set(&mut plan, "shared_buffers", "1GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_buffers");
        assert!(d[0].message.contains("1GB is 6.25 %"), "{}", d[0].message);
        assert!(d[0].message.contains("Standard_D4s_v3"), "{}", d[0].message);
        assert!(d[0].message.contains("10–75 %"), "{}", d[0].message);
        assert!(
            d[0].help.contains("set shared_buffers to 4GB"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("from 1639MB to 12GB"), "{}", d[0].help);

        set(&mut plan, "shared_buffers", "13GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("81.25 %"), "{}", d[0].message);
    }

    #[test]
    fn azure_seed_001_4gb_of_16gb_passes() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set(&mut plan, "shared_buffers", "4GB");
        set(&mut plan, "effective_cache_size", "12GB");
        assert!(run(&SharedBuffers, &plan).is_empty());
    }

    #[test]
    fn derived_desktop_share_is_rejected_on_azure() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        plan.tuning.workload = Workload::Desktop;
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.workload");
        assert!(d[0].message.contains("1GB is 6.25 %"), "{}", d[0].message);
        assert!(
            d[0].help.contains("set shared_buffers explicitly to 4GB"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn effective_cache_size_above_memory_is_an_error() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "effective_cache_size", "3GB");
        let d = run(&SharedBuffers, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.effective_cache_size");
        assert!(d[0].message.contains("3GB is 150 %"), "{}", d[0].message);
        assert!(d[0].help.contains("about 1536MB"), "{}", d[0].help);
    }

    #[test]
    fn effective_cache_size_above_90_percent_warns() {
        let mut plan = kubernetes_plan();
        set(&mut plan, "effective_cache_size", "1900MB");
        let d = run(&SharedBuffers, &plan);
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
        set(&mut plan, "shared_buffers", "64GB");
        assert!(run(&SharedBuffers, &plan).is_empty());
    }
}
