//! PGP037 etcd-quorum: etcd needs members (error); production wants at least
//! three (warning), and an odd count, since an even one tolerates no more
//! failures than one member fewer (warning).

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP037.
pub struct EtcdQuorum;

/// Etcd members production should have.
const MIN_ETCD_PRODUCTION: usize = 3;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP037",
    name: "etcd-quorum",
    summary: "a Patroni cluster has etcd members: at least three in production, and an odd number",
    rationale: "Patroni keeps the leader lock in etcd, and etcd accepts a write only from a majority of its members. Without etcd Patroni cannot run; with one or two members, losing one stops leader elections, and Patroni then demotes the primary rather than risk two; four members tolerate one failure, no more than three.",
    examples: crate::rule_examples!("PGP037-etcd-quorum"),
    replaces: &["PGP008"],
};

impl Rule for EtcdQuorum {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let n = p.etcd.len();
        if n == 0 {
            out.error(
                "topology.patroni.etcd",
                "the Patroni cluster has no etcd members: Patroni keeps the leader lock in etcd and cannot run without it",
                "list 3 etcd members (an odd number: 3 tolerate one failure, 5 tolerate two)",
            );
        } else if cx.is_production() && n < MIN_ETCD_PRODUCTION {
            out.warning(
                "topology.patroni.etcd",
                format!(
                    "production runs {n} etcd member(s): etcd needs a majority, so losing one member stops leader elections and Patroni demotes the primary"
                ),
                format!(
                    "run at least {MIN_ETCD_PRODUCTION} etcd members, on different hosts or zones"
                ),
            );
        } else if n.is_multiple_of(2) {
            out.warning(
                "topology.patroni.etcd",
                format!(
                    "{n} etcd members need a majority of {}: they tolerate {} failure(s), no more than {} members would",
                    n / 2 + 1,
                    (n - 1) / 2,
                    n - 1
                ),
                format!("run an odd number of etcd members: {} or {}", n - 1, n + 1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{Environment, EtcdMember};

    #[test]
    fn etcd_size() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&EtcdQuorum, &plan).is_empty());
        cluster(&mut plan).etcd.truncate(1);
        let d = run(&EtcdQuorum, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP037");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.patroni.etcd");
        assert!(
            d[0].message.contains("production runs 1 etcd member(s)"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 3"), "{}", d[0].help);

        // One etcd is fine in development.
        plan.environment = Environment::Development;
        assert!(run(&EtcdQuorum, &plan).is_empty());

        // Four is no better than three.
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan)
            .etcd
            .push(EtcdMember::builder().name(v("etcd-4")).build());
        let d = run(&EtcdQuorum, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains(
                "4 etcd members need a majority of 3: they tolerate 1 failure(s), no more than 3"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("3 or 5"), "{}", d[0].help);

        cluster(&mut plan).etcd.clear();
        let d = run(&EtcdQuorum, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
    }
}
