//! PGP109 kubernetes-scram-only: md5 password hashing on Kubernetes.

use super::common::kubernetes;
use crate::model::security::PasswordEncryption;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP109.
pub struct KubernetesScramOnly;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP109",
    name: "kubernetes-scram-only",
    summary: "a plan on Kubernetes hashes passwords with scram-sha-256",
    rationale: "The pg_hba.conf pgplan renders for Kubernetes accepts password logins with scram-sha-256 only. With password_encryption = md5 every password the schema-init Job sets is stored as an md5 hash, which scram-sha-256 authentication cannot check: no application role could log in.",
    examples: crate::rule_examples!("PGP109-kubernetes-scram-only"),
    replaces: &[],
};

impl Rule for KubernetesScramOnly {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none()
            || cx.plan.security.password_encryption != PasswordEncryption::Md5
        {
            return;
        }
        let who = match cx.plan.roles.iter().filter(|r| r.login).count() {
            0 => "no password set on the server could be used to log in".to_owned(),
            n => format!("none of the plan's {n} login role(s) could log in with its password"),
        };
        out.error(
            FieldPath::root()
                .field("security")
                .field("password_encryption"),
            format!(
                "password_encryption md5 stores md5 hashes, but the pg_hba.conf rendered for Kubernetes accepts only scram-sha-256: {who}"
            ),
            "set security.password_encryption: scram-sha-256 (every libpq since PostgreSQL 10 and current drivers speak SCRAM)",
        );
    }
}
