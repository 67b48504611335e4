//! PGP305 file-location-parameters: the plan leaves where the server's
//! files are to the server.

use crate::Platform;
use crate::tuning::params;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP305.
pub struct FileLocationParameters;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP305",
    name: "file-location-parameters",
    summary: "a plan does not set config_file, data_directory, hba_file or ident_file (on Kubernetes PGP114 says why)",
    rationale: "These say where the server's own files are, and are fixed when it starts from its command line or postgresql.conf. ALTER SYSTEM refuses all four (parameter cannot be changed), so settings.sql and apply stop at them; a Patroni member's are Patroni's to set. A plan that moves them describes another server than the one it runs on.",
    examples: crate::rule_examples!("PGP305-file-location-parameters"),
    replaces: &[],
};

impl Rule for FileLocationParameters {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if matches!(cx.plan.platform, Platform::Kubernetes(_)) {
            return; // PGP114
        }
        for param in [
            params::CONFIG_FILE,
            params::DATA_DIRECTORY,
            params::HBA_FILE,
            params::IDENT_FILE,
        ] {
            let name = param.name();
            if let Some(value) = cx
                .plan
                .tuning
                .parameters
                .iter()
                .find(|(k, _)| k.as_str() == name)
                .map(|(_, v)| v)
            {
                out.error(
                    cx.param_path(name),
                    format!(
                        "{name} = {value}: where the server's files are is decided when it starts, and ALTER SYSTEM refuses to change it"
                    ),
                    format!("remove tuning.parameters.{name}; set it where the server is started (its command line or postgresql.conf)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn file_locations_are_errors_off_kubernetes() {
        let mut plan = patroni_cluster_plan();
        set_parameters(&mut plan, &[("hba_file", "/etc/pg_hba.conf")]);
        let d = run(&FileLocationParameters, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "tuning.parameters.hba_file");
        let mut k8s = kubernetes_plan();
        set_parameters(&mut k8s, &[("hba_file", "/etc/pg_hba.conf")]);
        assert!(run(&FileLocationParameters, &k8s).is_empty());
    }
}
