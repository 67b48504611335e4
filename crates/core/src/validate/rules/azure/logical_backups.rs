//! PGP178 azure-logical-backups: the Azure target runs no pg_dump.

use super::support::platform;
use crate::azure_facts;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP178.
pub struct AzureLogicalBackups;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP178",
    name: "azure-logical-backups",
    summary: "logical (pg_dump) backups an Azure plan declares are not run by the Azure target; the warning says where to run them",
    rationale: "Flexible Server's own backups are physical (snapshots and WAL, restorable only to a new server of the service); core Azure CLI 2.91 has no command that schedules a dump (Azure Backup's vaulted long-term retention needs the dataprotection extension and a backup vault, and the server's long-term-retention commands were removed in 2.87), so `--target azure` renders nothing for them and must not look as if it did.",
    examples: crate::rule_examples!("PGP178-azure-logical-backups"),
    replaces: &[],
};

impl Rule for AzureLogicalBackups {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(az) = platform(cx) else {
            return;
        };
        let host = azure_facts::server_host_name(az.server_name.as_str());
        for (i, dump) in cx.plan.backups.logical.iter().enumerate() {
            out.warning(
                FieldPath::root().field("backups").field("logical").index(i),
                format!(
                    "logical backup `{}` ({}) is not run by the Azure target: Azure keeps physical backups only (backups.managed), and pgplan renders no pg_dump schedule for Azure",
                    dump.name, dump.schedule
                ),
                format!(
                    "run pg_dump on that schedule from a scheduler you operate — e.g. a Kubernetes CronJob in the clients' cluster, or a pipeline — against {host} as the dump's role, with TLS (sslmode=verify-full); or use Azure Backup's vaulted long-term retention (the az dataprotection extension); remove backups.logical[{i}] when the managed backups are enough"
                ),
            );
        }
    }
}

// Tests: crates/core/tests/azure_ops.rs (with the rule examples).
