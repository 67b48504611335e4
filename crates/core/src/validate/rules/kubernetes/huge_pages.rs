//! PGP119 kubernetes-huge-pages: a server on Kubernetes uses huge pages only
//! when its pod requests them, and pgplan's pods request none.

use super::common::{kubernetes, replica_path};
use crate::tuning::params::HUGE_PAGES;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP119.
pub struct KubernetesHugePages;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP119",
    name: "kubernetes-huge-pages",
    summary: "a plan on Kubernetes sets huge_pages to off, since the pods pgplan renders request no hugepages-2Mi",
    rationale: "A container can map huge pages only up to its pod's hugepages-2Mi limit, and a pod without that resource has a limit of 0. With huge_pages = on the postmaster stops at start with FATAL: could not map anonymous shared memory, so the StatefulSet restarts it forever. With huge_pages = try PostgreSQL can still map huge pages the node has reserved, and the kernel then kills it with SIGBUS when the cgroup's hugetlb limit of 0 is hit, which looks like a random crash. pgplan derives off on Kubernetes; a plan value of on or try undoes that.",
    examples: crate::rule_examples!("PGP119-kubernetes-huge-pages"),
    replaces: &[],
};

/// What a `huge_pages` value asks for, read as PostgreSQL reads it.
enum Wanted {
    On,
    Try,
    Off,
}

fn wanted(value: &str) -> Wanted {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Wanted::On,
        "try" => Wanted::Try,
        _ => Wanted::Off,
    }
}

impl Rule for KubernetesHugePages {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let name = HUGE_PAGES.name();
        let mut report = |path, value: &str, server: &str| {
            match wanted(value) {
            Wanted::On => out.error(
                path,
                format!(
                    "huge_pages = {value} on {server}, but the pod requests no hugepages-2Mi: PostgreSQL cannot map its shared memory and does not start"
                ),
                "set huge_pages to off (what pgplan derives on Kubernetes): the pods pgplan renders request no huge pages".to_owned(),
            ),
            Wanted::Try => out.warning(
                path,
                format!(
                    "huge_pages = try on {server}: PostgreSQL can map huge pages the node has and then be killed (SIGBUS) by the pod's hugetlb limit of 0"
                ),
                "set huge_pages to off (what pgplan derives on Kubernetes)".to_owned(),
            ),
            Wanted::Off => {}
        }
        };
        if cx.settings.is_set(HUGE_PAGES)
            && let Some(setting) = cx.settings.setting(HUGE_PAGES)
        {
            report(
                cx.param_path(name),
                &setting.value.to_string(),
                "the primary",
            );
        }
        for (i, r) in cx.plan.topology.replicas.iter().enumerate() {
            if let Some((key, value)) = r.parameters.iter().find(|(k, _)| k.as_str() == name) {
                report(
                    replica_path(i).field("parameters").key(key.as_str()),
                    &value.to_string(),
                    &format!("read replica {}", r.name),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_postgresql_reads_them() {
        assert!(matches!(wanted("ON"), Wanted::On));
        assert!(matches!(wanted(" true "), Wanted::On));
        assert!(matches!(wanted("1"), Wanted::On));
        assert!(matches!(wanted("try"), Wanted::Try));
        assert!(matches!(wanted("off"), Wanted::Off));
        assert!(matches!(wanted("0"), Wanted::Off));
    }
}
