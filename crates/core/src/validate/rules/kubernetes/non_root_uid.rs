//! PGP101 kubernetes-non-root-uid: the UID the pods run as.

use super::common::{kubernetes, platform_path};
use crate::kubernetes_facts::ImageFamily;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP101.
pub struct KubernetesNonRootUid;

/// The largest UID the API server accepts in a security context.
const MAX_UID: i64 = 2_147_483_647;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP101",
    name: "kubernetes-non-root-uid",
    summary: "platform.kubernetes.run_as_user is a UID from 1 to 2147483647",
    rationale: "Every pod pgplan renders runs with runAsNonRoot, so the kubelet refuses to start a container as UID 0, and PostgreSQL itself refuses to run as root; the API server rejects a UID outside 0–2147483647. Either way the StatefulSet never gets a running pod.",
    examples: crate::rule_examples!("PGP101-kubernetes-non-root-uid"),
    replaces: &["PGP017"],
};

impl Rule for KubernetesNonRootUid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k8s) = kubernetes(cx) else {
            return;
        };
        let uid = k8s.run_as_user;
        let what = match uid {
            0 => "root: PostgreSQL refuses to run as root, and the pods run with runAsNonRoot",
            i64::MIN..0 => "not a UID: the API server accepts 0 to 2147483647",
            1..=MAX_UID => return,
            _ => "above 2147483647, the largest UID the API server accepts",
        };
        let (image_uid, image) = match ImageFamily::of(&k8s.image) {
            ImageFamily::Bitnami => (1001, "bitnami/postgresql"),
            ImageFamily::Official => (999, "the postgres image"),
        };
        out.error(
            platform_path("run_as_user"),
            format!("UID {uid} is {what}"),
            format!(
                "set run_as_user to {image_uid} (the postgres user of {image}) or to a UID of 10000 or more"
            ),
        );
    }
}
