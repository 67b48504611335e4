//! PGP002 memory-budget: shared_buffers + max_connections × work_mem +
//! maintenance memory must fit the server's memory.

use crate::Bytes;
use crate::tuning::OrUnset;
use crate::tuning::params::{
    AUTOVACUUM_MAX_WORKERS, AUTOVACUUM_WORK_MEM, MAINTENANCE_WORK_MEM, MAX_CONNECTIONS,
    SHARED_BUFFERS, WAL_BUFFERS, WORK_MEM,
};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP002.
pub struct MemoryBudget;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP002",
    name: "memory-budget",
    summary: "shared_buffers + max_connections × work_mem + maintenance and autovacuum memory + wal_buffers fit the server's memory",
    rationale: "Each session may use work_mem for every sort and hash it runs, beside shared_buffers, maintenance_work_mem and each autovacuum worker's memory. When they add up to more than the server has, a busy moment ends with the OOM killer (or the container's memory limit) killing a backend, and PostgreSQL then ends every session and runs crash recovery.",
    examples: crate::rule_examples!("PGP002-memory-budget"),
    replaces: &[],
};

impl Rule for MemoryBudget {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let s = cx.settings;
        let Some(ram) = cx.plan.memory() else {
            return;
        };
        let (Some(sb), Some(wm), Some(conns)) = (
            s.get(SHARED_BUFFERS),
            s.get(WORK_MEM),
            s.get(MAX_CONNECTIONS),
        ) else {
            return;
        };
        let conns = u64::from(conns);
        let mwm = s.get(MAINTENANCE_WORK_MEM).unwrap_or(Bytes::mib(64));
        let av_workers = u64::from(s.get(AUTOVACUUM_MAX_WORKERS).unwrap_or(3));
        // autovacuum_work_mem = -1 means "use maintenance_work_mem".
        let av_mem = match s.get(AUTOVACUUM_WORK_MEM) {
            Some(OrUnset::Value(b)) => b,
            _ => mwm,
        };
        // wal_buffers = -1 means 1/32 of shared_buffers, between 64kB and 16MB.
        let wal_buffers = match s.get(WAL_BUFFERS) {
            Some(OrUnset::Value(b)) => b,
            _ => Bytes::new(sb.as_u64() / 32).clamp(Bytes::kib(64), Bytes::mib(16)),
        };
        let sessions = wm.saturating_mul(conns);
        let maintenance = mwm.saturating_add(av_mem.saturating_mul(av_workers));
        let total = sb
            .saturating_add(sessions)
            .saturating_add(maintenance)
            .saturating_add(wal_buffers);
        if total <= ram {
            return;
        }
        let message = format!(
            "shared_buffers {} + max_connections {conns} × work_mem {} ({}) + maintenance {} (maintenance_work_mem {} + {av_workers} autovacuum workers × {}) = {} exceeds the {} of {}",
            sb.to_postgres(),
            wm.to_postgres(),
            sessions.human(),
            maintenance.human(),
            mwm.to_postgres(),
            av_mem.to_postgres(),
            total.human(),
            ram.human(),
            cx.plan.memory_source(),
        );
        // The fixes, the largest contributor's first: shared_buffers above
        // the container's limit is fixed there, not by a pooler.
        let left = ram
            .saturating_sub(sb)
            .saturating_sub(maintenance)
            .saturating_sub(wal_buffers);
        let fit_wm = Bytes::new(left.as_u64() / conns.max(1));
        let fit_wm = if fit_wm >= Bytes::mib(1) {
            fit_wm.round_down_to(1024 * 1024)
        } else {
            fit_wm.round_down_to(1024)
        };
        let mut parts: Vec<(Bytes, String)> = Vec::new();
        let quarter = Bytes::new(ram.as_u64() / 4).round_down_to(1024 * 1024);
        let sb_fix = if sb >= ram {
            format!(
                "lower shared_buffers to {} (25 % of {}): alone it is {} of the {}",
                quarter.to_postgres(),
                ram.human(),
                sb.human(),
                ram.human()
            )
        } else {
            format!(
                "lower shared_buffers ({}) towards {} (25 % of {})",
                sb.to_postgres(),
                quarter.to_postgres(),
                ram.human()
            )
        };
        if sb > quarter {
            parts.push((sb, sb_fix));
        }
        let mut session_fix = Vec::new();
        if fit_wm >= Bytes::kib(64) {
            session_fix.push(format!(
                "lower work_mem to {} or less (or remove it and let pgplan derive it)",
                fit_wm.to_postgres()
            ));
        }
        session_fix.push(format!(
            "lower max_connections ({conns}) and put a pooler in front"
        ));
        parts.push((sessions, session_fix.join("; or ")));
        if maintenance > Bytes::ZERO {
            parts.push((
                maintenance,
                format!(
                    "lower maintenance_work_mem ({}) or autovacuum_work_mem ({} for each of {av_workers} workers)",
                    mwm.to_postgres(),
                    av_mem.to_postgres()
                ),
            ));
        }
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        let mut fixes: Vec<String> = parts.into_iter().map(|(_, fix)| fix).collect();
        fixes.push(format!(
            "or give the server more memory than {}",
            total.human()
        ));
        // The largest explicit contributor is where the plan goes wrong.
        let path = if s.is_set(SHARED_BUFFERS) && sb >= sessions && sb >= maintenance {
            cx.path_of(SHARED_BUFFERS)
        } else if s.is_set(WORK_MEM) {
            cx.path_of(WORK_MEM)
        } else if s.is_set(SHARED_BUFFERS) {
            cx.path_of(SHARED_BUFFERS)
        } else {
            cx.path_of(MAX_CONNECTIONS)
        };
        let last = fixes.pop().unwrap_or_default();
        out.error(path, message, format!("{}; {last}", fixes.join("; or ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_001_work_mem_times_connections_exceeds_16gb() {
        let mut plan = azure_plan_with_clients(200, 10, 15);
        for (k, v) in [
            ("shared_buffers", "4GB"),
            ("work_mem", "64MB"),
            ("maintenance_work_mem", "1GB"),
        ] {
            plan.tuning.parameters.insert(k.parse().unwrap(), v.into());
        }
        let d = run(&MemoryBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "tuning.parameters.work_mem");
        assert!(
            d[0].message
                .contains("max_connections 200 × work_mem 64MB (12.5 GiB)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].message.contains("exceeds the 16 GiB"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower work_mem to 40MB"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn the_largest_contributor_comes_first_in_the_help() {
        // shared_buffers above the container's limit is the fix, not a pooler.
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("shared_buffers", "3GB"), ("max_connections", "100")],
        );
        let d = run(&MemoryBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "tuning.parameters.shared_buffers");
        assert!(
            d[0].help
                .starts_with("lower shared_buffers to 512MB (25 % of 2 GiB)"),
            "{}",
            d[0].help
        );
        // Sessions first when work_mem × max_connections is the largest part.
        let mut plan = azure_plan_with_clients(200, 10, 15);
        set_parameters(&mut plan, &[("work_mem", "64MB")]);
        let d = run(&MemoryBudget, &plan);
        assert!(d[0].help.starts_with("lower work_mem to"), "{}", d[0].help);
    }

    #[test]
    fn derived_settings_fit() {
        let mut plan = azure_plan_with_clients(200, 10, 15);
        plan.tuning.parameters.clear();
        assert!(run(&MemoryBudget, &plan).is_empty());
    }

    #[test]
    fn automatic_wal_buffers_count_as_the_server_sizes_them() {
        let mut plan = kubernetes_plan();
        for (k, v) in [
            ("max_connections", "100"),
            ("shared_buffers", "512MB"),
            ("work_mem", "10MB"),
            ("maintenance_work_mem", "64MB"),
            ("wal_buffers", "-1"),
        ] {
            plan.tuning.parameters.insert(k.parse().unwrap(), v.into());
        }
        // 512MB + 1000MB + 4 × 64MB + 16MB = 1784MB of 2GB: fits; with
        // 15MB of work_mem it does not, and wal_buffers is counted as 16MB.
        assert!(run(&MemoryBudget, &plan).is_empty());
        plan.tuning
            .parameters
            .insert("work_mem".parse().unwrap(), "15MB".into());
        let d = run(&MemoryBudget, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
