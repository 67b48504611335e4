//! PGP061 production-backups: a production plan has a backup to restore
//! from (replication alone is not one).

use super::has_backup;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP061.
pub struct ProductionBackups;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP061",
    name: "production-backups",
    summary: "a production plan has a backup: WAL archiving, scheduled dumps or snapshots, or Azure's managed backups",
    rationale: "Standbys protect against losing a server, not against losing data: a DROP TABLE, a bad migration or corruption replicates to every standby within seconds. Without a backup there is nothing to restore from, and the data is gone for good.",
    examples: crate::rule_examples!("PGP061-production-backups"),
    replaces: &["PGP012"],
};

impl Rule for ProductionBackups {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() || has_backup(cx) {
            return;
        }
        out.error(
            "backups",
            "a production plan without any backup: a dropped table, a corrupted disk or a lost volume cannot be recovered (replication copies mistakes too)",
            "add backups.wal_archiving (point-in-time recovery) and a scheduled backups.logical dump, or scheduled backups.snapshots",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use crate::validate::rules::test_support::*;

    #[test]
    fn production_without_backups() {
        let mut plan = kubernetes_reference_plan();
        plan.environment = Environment::Production;
        assert!(run(&ProductionBackups, &plan).is_empty());
        plan.backups.logical.clear();
        let d = run(&ProductionBackups, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP061");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "backups");
        // Development may go without.
        plan.environment = Environment::Development;
        assert!(run(&ProductionBackups, &plan).is_empty());
        // Azure always backs up.
        let mut plan = azure_reference_plan();
        plan.backups.managed = None;
        assert!(run(&ProductionBackups, &plan).is_empty());
    }

    #[test]
    fn replication_is_not_a_backup() {
        let mut plan = patroni_cluster_plan();
        if let Some(p) = &mut plan.topology.patroni {
            p.synchronous_mode = crate::SynchronousMode::On;
        }
        assert_eq!(run(&ProductionBackups, &plan).len(), 1);
    }
}
