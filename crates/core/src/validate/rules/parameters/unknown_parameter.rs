//! PGP077 unknown-parameter: a parameter the plan sets exists in its major
//! version — an unknown name is an error with "did you mean" (and the
//! versions that do have it).

use super::plan_parameters;
use crate::azure_facts;
use crate::catalog::Catalog;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP077.
pub struct UnknownParameter;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP077",
    name: "unknown-parameter",
    summary: "every parameter the plan sets exists in its PostgreSQL version (custom prefix.name parameters aside)",
    rationale: "PostgreSQL refuses to start with an unknown parameter in postgresql.conf (unrecognized configuration parameter), and ALTER SYSTEM rejects it. A misspelt name is also a setting that never took effect: the server runs with the default the plan meant to change.",
    examples: crate::rule_examples!("PGP077-unknown-parameter"),
    replaces: &["PGP015"],
};

impl Rule for UnknownParameter {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let catalog = cx.settings.catalog();
        let major = catalog.major();
        let on_azure = cx.plan.platform.azure().is_some();
        for (path, name, _) in plan_parameters(cx) {
            if catalog.get(name.as_str()).is_some() || name.is_custom() {
                continue;
            }
            let name = name.as_str();
            // Server properties on Azure are PGP009's, with the field they
            // belong to; parameters only Azure has are known there.
            if on_azure
                && (azure_facts::server_property_for(name).is_some()
                    || azure_facts::AZURE_ONLY_PARAMETERS.contains(&name))
            {
                continue;
            }
            let elsewhere: Vec<String> = (14..=18)
                .filter(|m| *m != major)
                .filter(|m| Catalog::for_major(*m).is_some_and(|c| c.get(name).is_some()))
                .map(|m| m.to_string())
                .collect();
            let note = if elsewhere.is_empty() {
                String::new()
            } else {
                format!(" (PostgreSQL {} has it)", elsewhere.join(", "))
            };
            let suggestions = catalog.suggest(name);
            let help = if !suggestions.is_empty() {
                format!("did you mean {}?", suggestions.join(", "))
            } else if !elsewhere.is_empty() {
                format!(
                    "remove it, or plan a version that has it ({})",
                    elsewhere.join(", ")
                )
            } else {
                format!("remove it; the names PostgreSQL {major} knows are those in pg_settings")
            };
            out.error(
                path,
                format!("unknown parameter `{name}` in PostgreSQL {major}{note}"),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::{MajorVersion, ReadReplica};

    #[test]
    fn reference_plans_pass() {
        for plan in [
            azure_reference_plan(),
            kubernetes_reference_plan(),
            seed_000_plan(),
        ] {
            let d = run(&UnknownParameter, &plan);
            assert!(d.is_empty(), "{d:#?}");
        }
    }

    #[test]
    fn unknown_names_get_did_you_mean() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("shared_buffer", "256MB")]);
        let d = run(&UnknownParameter, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP077");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.shared_buffer");
        assert_eq!(
            d[0].message,
            "unknown parameter `shared_buffer` in PostgreSQL 14"
        );
        assert_eq!(d[0].help, "did you mean shared_buffers?");
    }

    #[test]
    fn names_from_other_versions_say_which() {
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("reserved_connections", "5")]);
        let d = run(&UnknownParameter, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("unknown parameter `reserved_connections` in PostgreSQL 14 (PostgreSQL 16, 17, 18 has it)"),
            "{}",
            d[0].message
        );
        plan.version = MajorVersion::new(16).unwrap();
        assert!(run(&UnknownParameter, &plan).is_empty());
    }

    #[test]
    fn replica_parameters_are_checked() {
        let mut plan = kubernetes_reference_plan();
        let mut replica = ReadReplica::builder().name(v("replica-1")).build();
        replica
            .parameters
            .insert(v("hot_standby_feedbak"), "on".into());
        plan.topology.replicas = vec![replica];
        let d = run(&UnknownParameter, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(
            d[0].path,
            "topology.replicas[0].parameters.hot_standby_feedbak"
        );
        assert_eq!(d[0].help, "did you mean hot_standby_feedback?");
    }

    #[test]
    fn azure_server_properties_are_left_to_pgp009() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("backup_retention_days", "35")]);
        assert!(run(&UnknownParameter, &plan).is_empty());
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("backup_retention_days", "35")]);
        assert_eq!(run(&UnknownParameter, &plan).len(), 1);
    }

    #[test]
    fn azure_only_parameters_are_known_on_azure_only() {
        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("require_secure_transport", "off")]);
        assert!(run(&UnknownParameter, &plan).is_empty());
        let mut plan = kubernetes_reference_plan();
        set_parameters(&mut plan, &[("require_secure_transport", "on")]);
        let d = run(&UnknownParameter, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("unknown parameter"),
            "{}",
            d[0].message
        );
    }
}
