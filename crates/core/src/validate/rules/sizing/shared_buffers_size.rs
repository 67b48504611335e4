//! PGP018 shared-buffers-size: shared_buffers against the server's memory.
//!
//! - shared_buffers at or above RAM cannot work: error.
//! - On Azure the service accepts only 10–75 % of the SKU's memory
//!   ([`azure_facts::SHARED_BUFFERS_PERCENT_RANGE`]): error outside it.
//! - An explicit shared_buffers outside 15–40 % of RAM is a warning: the
//!   usual sizing (and pgplan's derivation) is 25 %; far below leaves the
//!   buffer cache small, far above starves the sessions and the OS cache that
//!   PostgreSQL's double buffering relies on. The desktop workload shares the
//!   machine with other programs: there the derivation takes 1/16 (PGTune's
//!   desktop profile) and the advised band is 5–25 %, so that the value
//!   pgplan derives is never one it warns about when written explicitly.

use super::{percent_of, percent_text, server_memory, share_ceil, share_floor};
use crate::azure_facts;
use crate::tuning::params::SHARED_BUFFERS;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};
use crate::{Bytes, Workload};

/// PGP018.
pub struct SharedBuffersSize;

/// The share of RAM pgplan derives and the usual advice, in percent of RAM
/// (×100 for the desktop's 6.25 %).
struct Advice {
    /// The derived share, in hundredths of a percent.
    typical_bp: u64,
    /// How the share is said in messages.
    typical_text: &'static str,
    /// Outside this band an explicit shared_buffers draws a warning.
    band: (u64, u64),
}

const SERVER: Advice = Advice {
    typical_bp: 2500,
    typical_text: "25 %",
    band: (15, 40),
};
/// A desktop shares its memory with other programs (PGTune: 1/16).
const DESKTOP: Advice = Advice {
    typical_bp: 625,
    typical_text: "1/16",
    band: (5, 25),
};

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP018",
    name: "shared-buffers-size",
    summary: "shared_buffers stays below the server's memory, within Azure's 10–75 % of it, and is usually 15–40 % of it (25 % is the rule of thumb; 5–25 % and 1/16 on a desktop)",
    rationale: "`shared_buffers` is allocated as one shared memory segment when the server starts: at the size of the memory it cannot start or is killed, and Azure rejects a value outside 10–75 % of the SKU's memory. Far below a quarter the buffer cache is small and more reads go through the kernel; far above, the sessions' work_mem, maintenance and the OS page cache PostgreSQL also reads through are starved.",
    examples: crate::rule_examples!("PGP018-shared-buffers-size"),
    replaces: &["PGP003"],
};

impl Rule for SharedBuffersSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some((ram, memory)) = server_memory(cx) else {
            return;
        };
        let s = cx.settings;
        let Some(sb) = s.get(SHARED_BUFFERS) else {
            return;
        };
        let explicit = s.is_set(SHARED_BUFFERS);
        let advice = if cx.plan.tuning.workload == Workload::Desktop {
            &DESKTOP
        } else {
            &SERVER
        };
        let typical = Bytes::new(
            u64::try_from(u128::from(ram.as_u64()) * u128::from(advice.typical_bp) / 10_000)
                .unwrap_or(u64::MAX),
        )
        .round_down_to(1024 * 1024);
        let typical_text = advice.typical_text;
        // A derived value follows from the memory and the workload (the
        // desktop workload takes 1/16 instead of 1/4), so the fix is there.
        let path = if explicit {
            cx.path_of(SHARED_BUFFERS)
        } else if cx.plan.tuning.workload == Workload::Desktop {
            FieldPath::from("tuning.workload")
        } else {
            FieldPath::from(cx.plan.memory_source())
        };
        let pct = percent_of(sb, ram);
        let pct_text = percent_text(pct);
        let fix_value = if explicit {
            format!(
                "set shared_buffers to {} ({typical_text} of {}), or remove it and let pgplan derive it",
                typical.to_postgres(),
                ram.human()
            )
        } else {
            format!(
                "set shared_buffers explicitly to {} ({typical_text} of {})",
                typical.to_postgres(),
                ram.human()
            )
        };

        if sb >= ram {
            out.error(
                path,
                format!(
                    "shared_buffers {} is {pct_text} % of {memory}: the shared memory segment alone needs all of it, and the server cannot start or is killed for memory",
                    sb.to_postgres()
                ),
                fix_value,
            );
            return;
        }

        if cx.plan.platform.is_managed() {
            let (lo, hi) = azure_facts::SHARED_BUFFERS_PERCENT_RANGE;
            if pct < f64::from(lo) || pct > f64::from(hi) {
                let (lo, hi) = (u64::from(lo), u64::from(hi));
                out.error(
                    path,
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
                    ),
                );
                return;
            }
        }

        let (lo, hi) = advice.band;
        if explicit && (pct < lo as f64 || pct > hi as f64) {
            let why = if pct < lo as f64 {
                "the buffer cache is small for this memory and more reads go through the OS"
            } else {
                "little memory is left for work_mem, maintenance and the OS cache PostgreSQL also reads through"
            };
            out.warning(
                path,
                format!(
                    "shared_buffers {} is {pct_text} % of {memory}, outside the usual {lo}–{hi} %: {why}; {typical_text} would be {}",
                    sb.to_postgres(),
                    typical.to_postgres(),
                ),
                format!(
                    "{fix_value}; keep it between {} and {} ({lo}–{hi} %)",
                    share_ceil(ram, lo).to_postgres(),
                    share_floor(ram, hi).to_postgres(),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_000_256mb_is_not_25_percent_of_2gi() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("shared_buffers", "256MB"), ("effective_cache_size", "1GB")],
        );
        let d = run(&SharedBuffersSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        let d = &d[0];
        assert_eq!(d.id(), "PGP018");
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
        set_parameters(&mut plan, &[("shared_buffers", "512MB")]);
        assert!(run(&SharedBuffersSize, &plan).is_empty());
        // Derived values pass too.
        assert!(run(&SharedBuffersSize, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn too_large_a_share_warns() {
        let mut plan = kubernetes_plan();
        set_parameters(&mut plan, &[("shared_buffers", "1GB")]);
        let d = run(&SharedBuffersSize, &plan);
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
        set_parameters(&mut plan, &[("shared_buffers", "2GB")]);
        let d = run(&SharedBuffersSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_buffers");
        assert!(d[0].message.contains("2GB is 100 %"), "{}", d[0].message);
        assert!(d[0].help.contains("512MB"), "{}", d[0].help);
    }

    #[test]
    fn azure_rejects_shares_outside_10_to_75_percent() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(&mut plan, &[("shared_buffers", "1GB")]);
        let d = run(&SharedBuffersSize, &plan);
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

        set_parameters(&mut plan, &[("shared_buffers", "13GB")]);
        let d = run(&SharedBuffersSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("81.25 %"), "{}", d[0].message);
    }

    #[test]
    fn azure_seed_001_4gb_of_16gb_passes() {
        let mut plan = azure_plan_with_clients(200, 10, 10);
        set_parameters(&mut plan, &[("shared_buffers", "4GB")]);
        assert!(run(&SharedBuffersSize, &plan).is_empty());
    }

    #[test]
    fn derived_desktop_share_is_raised_to_what_azure_accepts() {
        // The desktop workload's 1/16 of memory is below Azure's 10 %: the
        // derivation produces the lowest value Azure accepts instead.
        let mut plan = azure_plan_with_clients(200, 10, 10);
        plan.tuning.workload = Workload::Desktop;
        assert!(run(&SharedBuffersSize, &plan).is_empty());
        let settings = plan.settings();
        let sb = settings.get(SHARED_BUFFERS).unwrap();
        assert_eq!(sb.to_postgres(), "1677728kB");
        let Some(crate::tuning::Provenance::Derived { formula, .. }) =
            settings.lookup("shared_buffers").map(|s| s.provenance)
        else {
            panic!("derived");
        };
        assert!(formula.contains("at least Azure's 10 %"), "{formula}");
    }

    #[test]
    fn a_desktop_value_written_out_is_not_warned_about() {
        // The desktop workload derived RAM/16 and the rule then warned about
        // the same value written explicitly.
        let mut plan = kubernetes_plan();
        plan.tuning.workload = Workload::Desktop;
        let derived = plan.settings().get(SHARED_BUFFERS).unwrap();
        assert_eq!(derived, Bytes::mib(128));
        set_parameters(&mut plan, &[("shared_buffers", "128MB")]);
        assert!(run(&SharedBuffersSize, &plan).is_empty());
        // Far above the desktop's share still warns, against 1/16.
        set_parameters(&mut plan, &[("shared_buffers", "1GB")]);
        let d = run(&SharedBuffersSize, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("outside the usual 5–25 %"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("1/16 would be 128MB"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn no_memory_no_findings() {
        let mut plan = kubernetes_plan();
        plan.sizing.memory = None;
        set_parameters(&mut plan, &[("shared_buffers", "64GB")]);
        assert!(run(&SharedBuffersSize, &plan).is_empty());
    }
}
