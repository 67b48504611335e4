//! PGP060 backup-role: a logical backup runs as a planned role.

use super::role_exists;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP060.
pub struct BackupRole;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP060",
    name: "backup-role",
    summary: "every logical backup runs as a planned role (or the Azure administrator)",
    rationale: "`pg_dump` connects as the backup's role; when the plan does not create it, every scheduled dump fails to connect and the backups the recovery objectives count on are never written — typically discovered on the day a restore is needed.",
    examples: crate::rule_examples!("PGP060-backup-role"),
    replaces: &["PGP011"],
};

impl Rule for BackupRole {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (b, backup) in cx.plan.backups.logical.iter().enumerate() {
            let Some(role) = &backup.role else {
                continue;
            };
            if role_exists(cx, role.as_str()) {
                continue;
            }
            out.error(
                format!("backups.logical[{b}].role"),
                format!(
                    "logical backup {} runs as {role}, which is not a planned role",
                    backup.name
                ),
                format!("add role {role} (purpose: backup, member of pg_read_all_data) to roles"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::name;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn backup_roles_are_planned() {
        let mut plan = kubernetes_reference_plan();
        plan.backups.logical[0].role = Some(name("product_change_backup"));
        let d = run(&BackupRole, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP060");
        assert_eq!(d[0].path, "backups.logical[0].role");
        assert!(
            d[0].message.contains("runs as product_change_backup"),
            "{}",
            d[0].message
        );
        plan.backups.logical[0].role = Some(name("product_change_owner"));
        assert!(run(&BackupRole, &plan).is_empty());
    }
}
