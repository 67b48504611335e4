//! PGP017 kubernetes: what Kubernetes itself would refuse in a plan for it —
//! names and labels that are not valid object names or labels, object names
//! derived from the service that exceed Kubernetes' limits, unpinned images,
//! a root UID, and CronJob schedules with day-of-week 7.

use crate::kubernetes_facts::{MAX_CONTROLLER_NAME, MAX_DNS_LABEL};
use crate::model::platform::ContainerImage;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP017.
pub struct KubernetesNames;

const ID: &str = "PGP017";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "kubernetes",
    summary: "Kubernetes names, labels, Secret references, derived object names, pinned images, non-root UID and CronJob schedules are valid",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for KubernetesNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k8s) = cx.plan.platform.kubernetes() else {
            return;
        };
        let error = |out: &mut Findings<'_>, path: String, message: String, help: &str| {
            out.error(path, message, help);
        };
        if k8s.run_as_user < 1 {
            error(
                out,
                "platform.kubernetes.run_as_user".into(),
                format!(
                    "UID {} is root or invalid: PostgreSQL refuses to run as root",
                    k8s.run_as_user
                ),
                "use the image's postgres user (999 for postgres, 1001 for bitnami/postgresql) or a UID of 10000 or more",
            );
        }
        let mut images = vec![("platform.kubernetes.image", &k8s.image)];
        if let Some(t) = &k8s.tools_image {
            images.push(("platform.kubernetes.tools_image", t));
        }
        if let Some(image) = cx
            .plan
            .monitoring
            .exporter
            .as_ref()
            .and_then(|e| e.image.as_ref())
        {
            images.push(("monitoring.exporter.image", image));
        }
        for (path, image) in images {
            check_pinned(path, image, out);
        }
        for (i, b) in cx.plan.backups.logical.iter().enumerate() {
            let schedule = b.schedule.as_str();
            if let Some(dow) = schedule.split_whitespace().nth(4)
                && dow.split([',', '-', '/']).any(|part| part == "7")
            {
                error(
                    out,
                    format!("backups.logical[{i}].schedule"),
                    format!(
                        "`{schedule}` names day 7; Kubernetes CronJobs count days of the week 0–6"
                    ),
                    "write Sunday as 0 or SUN",
                );
            }
        }
        check_derived_names(cx, out);
    }
}

fn check_pinned(path: &str, image: &ContainerImage, out: &mut Findings<'_>) {
    if image.is_pinned_by_digest() {
        return;
    }
    match image.tag() {
        None | Some("latest") => out.error(            path,
            format!("`{image}` is not pinned: it names no version, so every pull may bring another server"),
            "name a release tag (e.g. postgres:17.2), or better a digest (image@sha256:…)"),
        Some(_) => {}
    }
}

/// The objects the Kubernetes backend names after the service
/// (`postgresql-<service>…`) must fit Kubernetes' limits: Services are DNS
/// labels, and StatefulSet and CronJob names leave room for the suffix their
/// controllers append.
fn check_derived_names(cx: &Context<'_>, out: &mut Findings<'_>) {
    let service = cx.plan.service.as_str();
    let base = format!("postgresql-{service}");
    let mut names: Vec<(String, usize, String)> = vec![
        (format!("{base}-headless"), MAX_DNS_LABEL, "service".into()),
        (format!("{base}-metrics"), MAX_DNS_LABEL, "service".into()),
        (base.clone(), MAX_CONTROLLER_NAME, "service".into()),
    ];
    if !cx.plan.topology.replicas.is_empty() {
        names.push((
            format!("{base}-read-headless"),
            MAX_DNS_LABEL,
            "service".into(),
        ));
        names.push((
            format!("{base}-read"),
            MAX_CONTROLLER_NAME,
            "service".into(),
        ));
    }
    for (i, b) in cx.plan.backups.logical.iter().enumerate() {
        names.push((
            format!("{base}-backup-{}", b.name),
            MAX_CONTROLLER_NAME,
            format!("backups.logical[{i}].name"),
        ));
    }
    for (name, limit, path) in names {
        if name.len() > limit {
            out.error(
                path,
                format!(
                    "the object name `{name}` is {} characters; Kubernetes allows {limit} for it",
                    name.len()
                ),
                format!("shorten the name by {} characters", name.len() - limit),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Platform, ServiceName};

    fn k8s(plan: &mut crate::Plan) -> &mut crate::Kubernetes {
        match &mut plan.platform {
            Platform::Kubernetes(k) => k,
            _ => panic!("not a Kubernetes plan"),
        }
    }

    #[test]
    fn the_reference_plan_passes() {
        assert!(run(&KubernetesNames, &kubernetes_plan()).is_empty());
        assert!(run(&KubernetesNames, &azure_reference_plan()).is_empty());
    }

    #[test]
    fn root_and_unpinned_images_are_errors() {
        // Invalid namespaces, labels and Secret names no longer reach the
        // rule: their types refuse them when the plan is read.
        let mut plan = kubernetes_plan();
        k8s(&mut plan).run_as_user = 0;
        k8s(&mut plan).image = "bitnami/postgresql".parse().unwrap();
        let d = run(&KubernetesNames, &plan);
        let paths: Vec<String> = d.iter().map(|d| d.path.to_string()).collect();
        for p in [
            "platform.kubernetes.run_as_user",
            "platform.kubernetes.image",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing in {paths:?}");
        }
        assert!(d.iter().all(|d| d.severity == Severity::Error));
    }

    #[test]
    fn long_service_names_and_sunday_as_7_are_errors() {
        let mut plan = kubernetes_plan();
        plan.service = ServiceName::new("a".repeat(45)).unwrap();
        plan.backups.logical.push(crate::LogicalBackup {
            name: "weekly".parse().unwrap(),
            schedule: "0 3 * * 7".parse().unwrap(),
            retention: crate::Duration::days(28),
            databases: Vec::new(),
            format: Default::default(),
            jobs: 1,
            destination: Default::default(),
            role: None,
        });
        let d = run(&KubernetesNames, &plan);
        assert!(
            d.iter()
                .any(|d| d.path == "service" && d.message.contains("postgresql-aaa")),
            "{d:?}"
        );
        assert!(
            d.iter().any(|d| d.path == "backups.logical[0].schedule"),
            "{d:?}"
        );
    }
}
