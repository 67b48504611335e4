//! PGP089 replication-attribute: in production, REPLICATION belongs to
//! replication, backup and admin roles.

use crate::model::roles::{RoleAttribute, RolePurpose};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP089.
pub struct ReplicationAttribute;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP089",
    name: "replication-attribute",
    summary: "in production, REPLICATION is held only by roles for replication, backups or administration",
    rationale: "A role with REPLICATION streams the server's WAL — every change to every row of every database, whatever it was granted — and takes base backups, which copy every file of the cluster. It also creates replication slots, and a slot nobody reads holds WAL until the disk is full and the server stops. Standbys and physical backup tools (pg_basebackup, pgBackRest, Barman) need it; a service's login that has it can copy the whole cluster.",
    examples: crate::rule_examples!("PGP089-replication-attribute"),
    replaces: &[],
};

impl Rule for ReplicationAttribute {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if !cx.is_production() {
            return;
        }
        for (i, role) in cx.plan.roles.iter().enumerate() {
            if !role.has(RoleAttribute::Replication)
                || matches!(
                    role.purpose,
                    RolePurpose::Replication | RolePurpose::Backup | RolePurpose::Admin
                )
            {
                continue;
            }
            let message = format!(
                "{} role {} has REPLICATION in production: it can stream the WAL and base backups of every database, and create replication slots that hold WAL until the disk is full",
                role.purpose, role.name
            );
            let help = "remove REPLICATION; give it to a role with purpose replication (standbys) or backup (pg_basebackup, pgBackRest)".to_owned();
            let path = format!("roles[{i}].attributes");
            out.report(
                super::misplaced_attribute(role.purpose),
                path,
                message,
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use crate::validate::rules::test_support::*;

    #[test]
    fn replication_stays_with_replication_and_backup_roles() {
        let mut plan = azure_reference_plan();
        plan.roles[1].attributes.insert(RoleAttribute::Replication);
        plan.roles[2].attributes.insert(RoleAttribute::Replication);
        let d = run(&ReplicationAttribute, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path.to_string(), "roles[1].attributes");
        assert!(d[0].message.contains("has REPLICATION in production"));
        assert_eq!(d[1].severity, Severity::Warning);

        plan.roles[1].purpose = RolePurpose::Backup;
        plan.roles[2].purpose = RolePurpose::Replication;
        assert!(run(&ReplicationAttribute, &plan).is_empty());

        plan.roles[1].purpose = RolePurpose::Application;
        plan.environment = Environment::Staging;
        assert!(run(&ReplicationAttribute, &plan).is_empty());
    }
}
