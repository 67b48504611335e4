//! PGP114 kubernetes-container-parameters: parameters the container sets.

use super::common::{kubernetes, replica_path};
use crate::kubernetes_facts::{CONTAINER_OWNED_PARAMETERS, ImageFamily};
use crate::tuning::params;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP114.
pub struct KubernetesContainerParameters;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP114",
    name: "kubernetes-container-parameters",
    summary: "a plan on Kubernetes leaves config_file, data_directory, external_pid_file, hba_file and ident_file to the container",
    rationale: "The server image decides where the data directory is (PGDATA on the data volume) and pgplan mounts postgresql.conf and pg_hba.conf from a ConfigMap; the root filesystem is read-only. A plan value for one of these points the server at files that do not exist in the container: it does not start, or starts with another configuration than the rendered one.",
    examples: crate::rule_examples!("PGP114-kubernetes-container-parameters"),
    replaces: &[],
};

impl Rule for KubernetesContainerParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(k8s) = kubernetes(cx) else {
            return;
        };
        let family = ImageFamily::of(&k8s.image);
        for param in CONTAINER_OWNED_PARAMETERS {
            let name = param.name();
            let why = reason(name, family);
            if cx.settings.is_set(param)
                && let Some(setting) = cx.settings.setting(param)
            {
                out.error(
                    cx.param_path(name),
                    format!("{name} = {}: {why}", setting.value),
                    format!("remove tuning.parameters.{name}"),
                );
            }
            for (i, r) in cx.plan.topology.replicas.iter().enumerate() {
                if let Some((key, value)) = r.parameters.iter().find(|(k, _)| k.as_str() == name) {
                    out.error(
                        replica_path(i).field("parameters").key(key.as_str()),
                        format!("{name} = {value} on read replica {}: {why}", r.name),
                        format!("remove topology.replicas[{i}].parameters.{name}"),
                    );
                }
            }
        }
    }
}

/// Why the container decides a parameter, with the image family's paths.
fn reason(name: &str, family: ImageFamily) -> String {
    let config = family.config_mount();
    match name {
        n if n == params::DATA_DIRECTORY.name() => format!(
            "the image keeps the data directory at PGDATA, {} on the data volume",
            family.pgdata()
        ),
        n if n == params::CONFIG_FILE.name() => format!(
            "the container reads the postgresql.conf pgplan renders, from the ConfigMap mounted at {config}"
        ),
        n if n == params::HBA_FILE.name() => format!(
            "the container reads the pg_hba.conf pgplan renders, from the ConfigMap mounted at {config}"
        ),
        n if n == params::IDENT_FILE.name() => format!(
            "no pg_ident.conf is mounted; the server uses the one in PGDATA ({})",
            family.pgdata()
        ),
        _ => format!(
            "the root filesystem is read-only; the server writes its pid file into PGDATA ({})",
            family.pgdata()
        ),
    }
}
