//! PGP118 kubernetes-backup-login: a backup role the CronJob cannot log in as.

use super::common::{backup_path, kubernetes};
use crate::kubernetes_facts::{SUPERUSER, has_kubernetes_password, login_of_purpose};
use crate::model::roles::RolePurpose;
use crate::model::secrets::SecretSource;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP118.
pub struct KubernetesBackupLogin;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP118",
    name: "kubernetes-backup-login",
    summary: "the role a logical backup on Kubernetes runs as logs in with a password the CronJob can read",
    rationale: "The backup CronJob logs in with the password file of its role's Secret. A role without login, without a password, or whose password is a Microsoft Entra identity or a literal gives the CronJob nothing to log in with: every run fails authentication and no dump is taken.",
    examples: crate::rule_examples!("PGP118-kubernetes-backup-login"),
    replaces: &[],
};

impl Rule for KubernetesBackupLogin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let fallback = login_of_purpose(cx.plan, RolePurpose::Backup)
            .map_or(SUPERUSER, |(_, r)| r.name.as_str());
        for (i, b) in cx.plan.backups.logical.iter().enumerate() {
            // A role that is not planned at all is PGP060's to report.
            let Some(role) = b.role.as_ref().and_then(|r| cx.plan.role(r)) else {
                continue;
            };
            if has_kubernetes_password(role) {
                continue;
            }
            let lacks = match &role.password {
                _ if !role.login => "cannot log in (login: false)".to_owned(),
                None => "has no password".to_owned(),
                Some(SecretSource::EntraIdentity { principal }) => format!(
                    "authenticates as the Microsoft Entra identity `{principal}`, which a server on Kubernetes cannot check"
                ),
                Some(_) => {
                    "has a password written into the plan, which pgplan never renders".to_owned()
                }
            };
            out.error(
                backup_path(i, "role"),
                format!(
                    "pg_dump {} runs as {}, which {lacks}: the CronJob would have no password to log in with",
                    b.name, role.name
                ),
                format!(
                    "give role {} `login: true` and a password source such as `{{ generated: {{}} }}`, or remove backups.logical[{i}].role to run as {fallback}",
                    role.name
                ),
            );
        }
    }
}
