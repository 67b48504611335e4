//! Server settings, compared in each parameter's own unit.

use std::collections::BTreeSet;

use pgplan_core::catalog::{Catalog, TypedValue};

use super::{Change, ChangeSet, DiffInputs, Phase, Scope};
use crate::catalog::ServerState;
use crate::desired::{DesiredState, SettingsDelivery, is_list_parameter, list_elements};
use crate::statement::Statement;

/// True when a setting's configured value equals the plan's.
pub fn same_setting(major: u16, name: &str, wanted: &str, have: &str) -> bool {
    if is_list_parameter(name) {
        return list_elements(wanted) == list_elements(have);
    }
    let spec = Catalog::for_major(major).and_then(|c| c.get(name));
    let case_insensitive = matches!(name, "timezone" | "log_timezone" | "datestyle");
    match spec.map(|s| (s.parse_value(wanted), s.parse_value(have))) {
        Some((Ok(TypedValue::Number(a)), Ok(TypedValue::Number(b)))) => {
            (a - b).abs() <= 1e-9 * a.abs().max(1.0)
        }
        Some((Ok(TypedValue::Text(a)), Ok(TypedValue::Text(b)))) if case_insensitive => {
            a.eq_ignore_ascii_case(&b)
        }
        Some((Ok(a), Ok(b))) => a == b,
        _ => wanted.trim().trim_matches('\'') == have.trim().trim_matches('\''),
    }
}

pub(super) fn diff_settings(
    desired: &DesiredState,
    actual: &ServerState,
    inputs: &DiffInputs<'_>,
    changes: &mut Vec<Change>,
    cs: &mut ChangeSet,
) {
    let settings = match &desired.settings {
        SettingsDelivery::Managed { platform, through } => {
            cs.notes.push(format!(
                "server settings are not changed over SQL on {platform}: they go through {through}"
            ));
            return;
        }
        SettingsDelivery::AlterSystem {
            settings,
            declared_method,
            left_out,
        } => {
            if !left_out.is_empty() && inputs.include_settings {
                cs.notes.push(format!(
                    "{} derived setting(s) left as the server has them: on a server of this machine (platform: local) pgplan changes only the plan's tuning.parameters",
                    left_out.len()
                ));
            }
            if *declared_method == Some(pgplan_core::SettingsMethod::ConfigFile)
                && inputs.include_settings
            {
                cs.notes.push(
                    "the plan delivers settings in postgresql.conf (tuning.method = config_file); ALTER SYSTEM values override that file".into(),
                );
            }
            settings
        }
    };
    if !inputs.include_settings {
        cs.notes
            .push("server settings were left out (settings not included in this apply)".into());
        return;
    }
    let mut restart = BTreeSet::new();
    for (name, s) in &actual.settings {
        if s.pending_restart {
            restart.insert(name.clone());
        }
    }
    let mut any = false;
    for s in settings.values() {
        let configured = actual
            .auto_conf
            .as_ref()
            .and_then(|m| m.get(&s.name))
            .or_else(|| actual.settings.get(&s.name).map(|a| &a.setting));
        let same =
            configured.is_some_and(|have| same_setting(desired.major, &s.name, &s.value, have));
        if same {
            continue;
        }
        any = true;
        if s.needs_restart {
            restart.insert(s.name.clone());
        }
        changes.push(Change {
            scope: Scope::Settings,
            phase: Phase::Settings,
            summary: format!(
                "set {} = {}{} (is {}; {})",
                s.name,
                s.value,
                if s.needs_restart {
                    ", needs a restart"
                } else {
                    ""
                },
                configured.map(String::as_str).unwrap_or("unset"),
                s.provenance
            ),
            destructive: false,
            statements: vec![Statement::AlterSystemSet {
                name: s.name.clone(),
                value: s.sql_value.clone(),
            }],
        });
    }
    if let Some(auto) = &actual.auto_conf {
        for (name, value) in auto {
            if settings.contains_key(name) {
                continue;
            }
            any = true;
            changes.push(Change {
                scope: Scope::Settings,
                phase: Phase::Settings,
                summary: format!("reset {name} (= {value} by ALTER SYSTEM, not in the plan)"),
                destructive: true,
                statements: vec![Statement::AlterSystemReset { name: name.clone() }],
            });
        }
    }
    if any {
        changes.push(Change {
            scope: Scope::Settings,
            phase: Phase::Settings,
            summary: "reload the configuration".into(),
            destructive: false,
            statements: vec![Statement::ReloadConfiguration],
        });
    }
    for (name, s) in &actual.settings {
        if s.source == "command line"
            && let Some(d) = settings.get(name)
            && !same_setting(desired.major, name, &d.value, &s.setting)
        {
            cs.notes.push(format!(
                "{name} is set on the server's command line ({}), which overrides ALTER SYSTEM",
                s.setting
            ));
        }
    }
    cs.restart_needed = restart.into_iter().collect();
}
