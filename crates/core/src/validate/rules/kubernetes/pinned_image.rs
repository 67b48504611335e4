//! PGP102 kubernetes-pinned-image: images that name a version.

use super::common::{kubernetes, platform_path};
use crate::kubernetes_facts::is_pinned;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP102.
pub struct KubernetesPinnedImage;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP102",
    name: "kubernetes-pinned-image",
    summary: "the server, tools and exporter images name a version (a tag other than `latest`, or a digest)",
    rationale: "An image without a tag, or tagged `latest`, is whatever the registry serves on the day a node pulls it: a rescheduled pod or a new node may start another PostgreSQL release than the one the plan was checked against, or another major version that cannot read the data directory.",
    examples: crate::rule_examples!("PGP102-kubernetes-pinned-image"),
    replaces: &["PGP017"],
};

impl Rule for KubernetesPinnedImage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k8s) = kubernetes(cx) else {
            return;
        };
        // (path, image, true for an image that runs PostgreSQL's programs)
        let mut images = vec![(platform_path("image"), &k8s.image, true)];
        if let Some(tools) = &k8s.tools_image {
            images.push((platform_path("tools_image"), tools, true));
        }
        if let Some(exporter) = cx
            .plan
            .monitoring
            .exporter
            .as_ref()
            .and_then(|e| e.image.as_ref())
        {
            let path = FieldPath::root()
                .field("monitoring")
                .field("exporter")
                .field("image");
            images.push((path, exporter, false));
        }
        for (path, image, postgres) in images {
            if is_pinned(image) {
                continue;
            }
            let named = match image.tag() {
                Some(tag) => format!("is tagged `{tag}`, which moves with every release"),
                None => "names no version".to_owned(),
            };
            let repo = image.repository();
            let release = if postgres {
                format!(" of PostgreSQL {}", cx.plan.version)
            } else {
                String::new()
            };
            out.error(
                path,
                format!(
                    "`{image}` {named}: each pull (a rescheduled pod, a new node) may bring another release than the one the plan was checked against"
                ),
                format!(
                    "pin it with a release tag{release} (`{repo}:<release>`) or, better, a digest (`{repo}@sha256:<digest>`)"
                ),
            );
        }
    }
}
