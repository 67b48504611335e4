//! The pure heart of apply: the rendered operations and what Azure holds
//! ([`Observed`]) in, the changes to make out — each with its reasons. No
//! IO: apply executes these changes, and a dry run prints them.
//!
//! Per operation: a missing resource is created; an existing one is updated
//! only where it differs (a server is PATCHed with just those properties;
//! create-only differences are drift, reported and never sent); a parameter
//! is set only when its value differs, and the restart after a server's
//! parameters happens only when a static one changes. A metric alert is
//! replaced whole when anything in it differs. A VNet-injected server to be
//! created whose subnet, private DNS zone or VNet link is missing is
//! refused, naming what is missing (apply creates none of them; the deploy
//! script does).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::observe::{Observed, PrerequisiteState, PresentServer, child_name};
use crate::models::{self, backup, high_availability};
use crate::monitor::MetricAlertResource;
use crate::operation::{Body, Operation, OperationKind, PrerequisiteKind};

/// What apply does with one operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The resource does not exist: create it.
    Create,
    /// The resource differs: change it in place. A server is PATCHed with
    /// `patch` (only what differs); anything else is PUT whole.
    Update {
        /// The server PATCH body; `None` for other resources.
        patch: Option<Box<models::ServerForUpdate>>,
    },
    /// Restart the server: a static parameter changes.
    Restart,
    /// The resource already matches.
    Unchanged,
    /// Nothing to do (a restart when no static parameter changes).
    Skip,
    /// It differs where Azure cannot change it in place: reported, not sent.
    Drift,
    /// Azure would refuse the change (a parameter it reports read-only),
    /// or a server cannot be created (its subnet, private DNS zone or VNet
    /// link is missing): apply stops here.
    Refuse,
}

impl Step {
    /// True when the step sends a write (PUT, PATCH or POST).
    pub fn writes(&self) -> bool {
        matches!(self, Step::Create | Step::Update { .. } | Step::Restart)
    }
    /// The step in one word.
    pub fn word(&self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Update { .. } => "update",
            Step::Restart => "restart",
            Step::Unchanged => "unchanged",
            Step::Skip => "skip",
            Step::Drift => "drift",
            Step::Refuse => "refuse",
        }
    }
}

/// The change apply makes for one operation, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The operation's id (`configuration:work_mem`).
    pub operation: String,
    /// The step.
    pub step: Step,
    /// What differs, with the values (`work_mem 4096 → 65536`), or why
    /// nothing is sent.
    pub reasons: Vec<String>,
    /// Differences Azure cannot change in place (create-only settings).
    pub drift: Vec<String>,
}

impl Change {
    fn new(op: &Operation, step: Step, reasons: Vec<String>) -> Self {
        Change {
            operation: op.id.clone(),
            step,
            reasons,
            drift: Vec::new(),
        }
    }
    /// The reasons and the drift in one line.
    pub fn detail(&self) -> String {
        let mut detail = self.reasons.join("; ");
        if !self.drift.is_empty() {
            if !detail.is_empty() {
                detail.push_str("; ");
            }
            if self.step != Step::Drift {
                detail.push_str("cannot change in place: ");
            }
            detail.push_str(&self.drift.join("; "));
        }
        detail
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<9}  {}", self.step.word(), self.operation)?;
        let detail = self.detail();
        if !detail.is_empty() {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// The changes that bring what Azure holds to what the operations say, one
/// per operation, in their order. `ops` have their placeholders filled.
pub fn diff(ops: &[Operation], observed: &Observed) -> Vec<Change> {
    // Static parameters that change, per server, for the restart after them.
    let mut statics: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut changes = Vec::with_capacity(ops.len());
    for op in ops {
        let present = observed.server(&op.server);
        let change = match (op.kind, &op.body) {
            (OperationKind::ServerCreate | OperationKind::ReplicaCreate, Some(Body::Server(s))) => {
                match (present, missing_prerequisites(op, observed)) {
                    (None, missing) if !missing.is_empty() => {
                        Change::new(op, Step::Refuse, missing)
                    }
                    _ => server(op, s, present),
                }
            }
            (OperationKind::MetricAlert, Some(Body::MetricAlert(a))) => {
                alert(op, a, observed.alerts.get(child_name(op)))
            }
            (OperationKind::Configuration, Some(Body::Configuration(_))) => {
                let (change, is_static) = configuration(op, present);
                if is_static && let Some((name, _)) = op.configuration() {
                    statics.entry(&op.server).or_default().push(name.to_owned());
                }
                change
            }
            (OperationKind::Restart, _) => match statics.remove(op.server.as_str()) {
                Some(names) => Change::new(
                    op,
                    Step::Restart,
                    vec![format!("static parameters change: {}", names.join(", "))],
                ),
                None => Change::new(op, Step::Skip, vec!["no static parameter changes".into()]),
            },
            (OperationKind::Database, Some(Body::Database(d))) => database(op, d, present),
            (OperationKind::Administrator, Some(Body::Administrator(a))) => {
                administrator(op, a, present)
            }
            (OperationKind::FirewallRule, Some(Body::FirewallRule(r))) => {
                firewall_rule(op, r, present)
            }
            _ => Change::new(op, Step::Skip, vec!["nothing to send".into()]),
        };
        changes.push(change);
    }
    changes
}

/// What a server to be created lacks, in words with the fix.
fn missing_prerequisites(op: &Operation, observed: &Observed) -> Vec<String> {
    op.prerequisites
        .iter()
        .filter_map(|p| {
            let state = observed
                .prerequisites
                .get(&p.resource_id.to_ascii_lowercase())
                .cloned()
                .unwrap_or(PrerequisiteState::Missing);
            let fix = match p.kind {
                PrerequisiteKind::DelegatedSubnet => format!(
                    "create or delegate it (`az network vnet subnet create|update … --delegations {}`; deploy.sh does)",
                    pgplan_core::azure_facts::SUBNET_DELEGATION
                ),
                PrerequisiteKind::PrivateDnsZone => {
                    "create it (`az network private-dns zone create`; deploy.sh does)".to_owned()
                }
                PrerequisiteKind::VnetLink => {
                    "link the zone to the VNet (`az network private-dns link vnet create … --registration-enabled false`; deploy.sh does)".to_owned()
                }
            };
            match state {
                PrerequisiteState::Present => None,
                PrerequisiteState::Missing => Some(format!(
                    "{} does not exist ({}): {fix}",
                    p.description, p.resource_id
                )),
                PrerequisiteState::Wrong(why) => Some(format!(
                    "{} is not usable: {why} ({}): {fix}",
                    p.description, p.resource_id
                )),
            }
        })
        .collect()
}

fn alert(
    op: &Operation,
    desired: &MetricAlertResource,
    current: Option<&MetricAlertResource>,
) -> Change {
    let name = child_name(op);
    match current {
        None => Change::new(
            op,
            Step::Create,
            vec![format!("metric alert {name} does not exist")],
        ),
        Some(have) => {
            let differences = desired.differences(have);
            if differences.is_empty() {
                Change::new(op, Step::Unchanged, Vec::new())
            } else {
                Change::new(op, Step::Update { patch: None }, differences)
            }
        }
    }
}

fn server(op: &Operation, desired: &models::Server, present: Option<&PresentServer>) -> Change {
    let Some(current) = present else {
        return Change::new(
            op,
            Step::Create,
            vec![format!("server {} does not exist", op.server)],
        );
    };
    let (update, changes, drift) = server_update(desired, &current.server);
    let step = match update {
        Some(patch) => Step::Update {
            patch: Some(Box::new(patch)),
        },
        None if !drift.is_empty() => Step::Drift,
        None => Step::Unchanged,
    };
    Change {
        operation: op.id.clone(),
        step,
        reasons: changes,
        drift,
    }
}

/// The change of one parameter, and whether it is a static one.
fn configuration(op: &Operation, present: Option<&PresentServer>) -> (Change, bool) {
    let Some((name, value)) = op.configuration() else {
        return (Change::new(op, Step::Skip, vec!["no value".into()]), false);
    };
    let Some(server) = present else {
        let reason = format!(
            "{name} = {value} on the new server {} (unless Azure's default already matches)",
            op.server
        );
        return (
            Change::new(op, Step::Update { patch: None }, vec![reason]),
            op.needs_restart,
        );
    };
    let current = server.configurations.get(name);
    let current_value = current.and_then(|c| c.value.as_deref());
    if current_value.is_some_and(|cur| same_value(value, cur)) {
        return (Change::new(op, Step::Unchanged, Vec::new()), false);
    }
    if current.and_then(|c| c.is_read_only) == Some(true) {
        let reason = format!(
            "Azure reports {name} as read-only on {}; remove it from the plan",
            op.server
        );
        return (Change::new(op, Step::Refuse, vec![reason]), false);
    }
    let dynamic = current
        .and_then(|c| c.is_dynamic_config)
        .unwrap_or(!op.needs_restart);
    let reason = format!(
        "{name} {} → {value}{}",
        current_value.unwrap_or("(unset)"),
        if dynamic { "" } else { " (static)" }
    );
    (
        Change::new(op, Step::Update { patch: None }, vec![reason]),
        !dynamic,
    )
}

fn database(op: &Operation, desired: &models::Database, present: Option<&PresentServer>) -> Change {
    let name = child_name(op);
    let Some(have) = present.and_then(|p| p.databases.get(name)) else {
        return Change::new(
            op,
            Step::Create,
            vec![format!("database {name} does not exist")],
        );
    };
    let want = desired.properties.clone().unwrap_or_default();
    let differs = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if differs(&want.charset, &have.charset) || differs(&want.collation, &have.collation) {
        let mut change = Change::new(op, Step::Drift, Vec::new());
        change.drift.push(format!(
            "database {name} exists with {} / {}, the plan says {} / {}; a database's charset and collation cannot change (recreate it to change them)",
            have.charset.as_deref().unwrap_or("?"),
            have.collation.as_deref().unwrap_or("?"),
            want.charset.as_deref().unwrap_or("?"),
            want.collation.as_deref().unwrap_or("?"),
        ));
        change
    } else {
        Change::new(op, Step::Unchanged, Vec::new())
    }
}

fn administrator(
    op: &Operation,
    desired: &models::ActiveDirectoryAdministratorAdd,
    present: Option<&PresentServer>,
) -> Change {
    let want = desired.properties.clone().unwrap_or_default();
    let principal = want.principal_name.as_deref().unwrap_or("?");
    let Some(have) = present.and_then(|p| p.administrators.get(child_name(op))) else {
        return Change::new(
            op,
            Step::Create,
            vec![format!(
                "{principal} is not an administrator of {}",
                op.server
            )],
        );
    };
    let same_type = json(&have.principal_type) == json(&want.principal_type);
    if have.principal_name.as_deref() == want.principal_name.as_deref() && same_type {
        return Change::new(op, Step::Unchanged, Vec::new());
    }
    let reason = format!(
        "the administrator is {} ({}), the plan says {principal} ({})",
        have.principal_name.as_deref().unwrap_or("?"),
        json(&have.principal_type),
        json(&want.principal_type)
    );
    Change::new(op, Step::Update { patch: None }, vec![reason])
}

fn firewall_rule(
    op: &Operation,
    desired: &models::FirewallRule,
    present: Option<&PresentServer>,
) -> Change {
    let name = child_name(op);
    let want = &desired.properties;
    match present.and_then(|p| p.firewall_rules.get(name)) {
        None => Change::new(
            op,
            Step::Create,
            vec![format!("firewall rule {name} does not exist")],
        ),
        Some(have) if have == want => Change::new(op, Step::Unchanged, Vec::new()),
        Some(have) => Change::new(
            op,
            Step::Update { patch: None },
            vec![format!(
                "range {}–{} → {}–{}",
                have.start_ip_address,
                have.end_ip_address,
                want.start_ip_address,
                want.end_ip_address
            )],
        ),
    }
}

/// Parameter values compare the way Azure reports them: case-insensitive,
/// numbers by value, booleans by meaning, lists as sets.
pub fn same_value(desired: &str, current: &str) -> bool {
    let (a, b) = (desired.trim(), current.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()).max(1.0);
    }
    if let (Some(x), Some(y)) = (
        pgplan_core::catalog::parse_bool(a),
        pgplan_core::catalog::parse_bool(b),
    ) {
        return x == y;
    }
    if a.contains(',') || b.contains(',') {
        let set = |s: &str| -> BTreeSet<String> {
            s.split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect()
        };
        return set(a) == set(b);
    }
    false
}

/// What a server PATCH must change, in words, and what cannot change in place.
fn server_update(
    desired: &models::Server,
    current: &models::Server,
) -> (Option<models::ServerForUpdate>, Vec<String>, Vec<String>) {
    let mut update = models::ServerForUpdate::default();
    let mut props = models::ServerPropertiesForUpdate::default();
    let mut changes = Vec::new();
    let mut drift = Vec::new();
    let want = desired.properties.clone().unwrap_or_default();
    let have = current.properties.clone().unwrap_or_default();

    if !desired
        .tracked_resource
        .location
        .eq_ignore_ascii_case(&current.tracked_resource.location.replace(' ', ""))
    {
        drift.push(format!(
            "location is {}, the plan says {}",
            current.tracked_resource.location, desired.tracked_resource.location
        ));
    }
    if let Some(sku) = &desired.sku
        && current.sku.as_ref() != Some(sku)
    {
        changes.push(format!(
            "SKU {} → {}",
            current.sku.as_ref().map_or("?".into(), |s| s.name.clone()),
            sku.name
        ));
        update.sku = Some(sku.clone());
    }
    if let Some(ws) = &want.storage {
        let hs = have.storage.clone().unwrap_or_default();
        let mut storage = models::Storage::default();
        let mut storage_changed = false;
        match (ws.storage_size_gb, hs.storage_size_gb) {
            (Some(w), Some(h)) if w > h => {
                changes.push(format!("storage {h} → {w} GiB"));
                storage.storage_size_gb = Some(w);
                storage_changed = true;
            }
            (Some(w), Some(h)) if w < h => drift.push(format!(
                "storage is {h} GiB, the plan says {w} GiB; storage cannot shrink"
            )),
            _ => {}
        }
        if ws.auto_grow.is_some() && ws.auto_grow != hs.auto_grow {
            changes.push(format!(
                "storage autogrow {} → {}",
                json(&hs.auto_grow),
                json(&ws.auto_grow)
            ));
            storage.auto_grow = ws.auto_grow.clone();
            storage_changed = true;
        }
        if ws.tier.is_some() && ws.tier != hs.tier {
            changes.push(format!(
                "performance tier {} → {}",
                json(&hs.tier),
                json(&ws.tier)
            ));
            storage.tier = ws.tier.clone();
            storage_changed = true;
        }
        if storage_changed {
            props.storage = Some(storage);
        }
    }
    if let Some(wb) = &want.backup {
        let hb = have.backup.clone().unwrap_or_default();
        if wb.backup_retention_days.is_some()
            && wb.backup_retention_days != hb.backup_retention_days
        {
            changes.push(format!(
                "backup retention {} → {} days",
                json(&hb.backup_retention_days),
                json(&wb.backup_retention_days)
            ));
            props.backup = Some(models::Backup {
                backup_retention_days: wb.backup_retention_days,
                ..Default::default()
            });
        }
        let enabled = |g: &Option<backup::GeoRedundantBackup>| {
            g.as_ref() == Some(&backup::GeoRedundantBackup::Enabled)
        };
        if enabled(&wb.geo_redundant_backup) != enabled(&hb.geo_redundant_backup) {
            drift.push(
                "geo-redundant backup differs; it is chosen at server creation only".to_owned(),
            );
        }
    }
    if let Some(wh) = &want.high_availability {
        let hh = have.high_availability.clone().unwrap_or_default();
        let mode = |m: &Option<high_availability::Mode>| {
            m.clone().unwrap_or(high_availability::Mode::Disabled)
        };
        let (wm, hm) = (mode(&wh.mode), mode(&hh.mode));
        let standby_differs = wh.standby_availability_zone.is_some()
            && wh.standby_availability_zone != hh.standby_availability_zone;
        if wm != hm || (wm != high_availability::Mode::Disabled && standby_differs) {
            if wm != high_availability::Mode::Disabled
                && hm != high_availability::Mode::Disabled
                && wm != hm
            {
                drift.push(format!(
                    "high availability is {}, the plan says {}; Azure cannot switch modes directly (disable it, then enable the new mode)",
                    json(&hh.mode),
                    json(&wh.mode)
                ));
            } else {
                changes.push(format!(
                    "high availability {} → {}",
                    json(&hh.mode),
                    json(&wh.mode)
                ));
                props.high_availability = Some(models::HighAvailability {
                    mode: wh.mode.clone(),
                    state: None,
                    standby_availability_zone: wh.standby_availability_zone.clone(),
                });
            }
        }
    }
    if let Some(wa) = &want.auth_config {
        let ha = have.auth_config.clone().unwrap_or_default();
        let differs = (wa.active_directory_auth.is_some()
            && wa.active_directory_auth != ha.active_directory_auth)
            || (wa.password_auth.is_some() && wa.password_auth != ha.password_auth)
            || (wa.tenant_id.is_some() && wa.tenant_id != ha.tenant_id);
        if differs {
            changes.push("authentication settings".to_owned());
            props.auth_config = Some(wa.clone());
        }
    }
    if let (Some(wv), Some(hv)) = (&want.version, &have.version)
        && wv != hv
    {
        drift.push(format!(
            "PostgreSQL version is {}, the plan says {}; apply does not run major version upgrades",
            json(&Some(hv.clone())),
            json(&Some(wv.clone()))
        ));
    }
    let create_only = [
        (
            "availability zone",
            want.availability_zone.clone(),
            have.availability_zone.clone(),
        ),
        (
            "administrator login",
            want.administrator_login.clone(),
            have.administrator_login.clone(),
        ),
        (
            "delegated subnet",
            want.network
                .as_ref()
                .and_then(|n| n.delegated_subnet_resource_id.clone()),
            have.network
                .as_ref()
                .and_then(|n| n.delegated_subnet_resource_id.clone()),
        ),
        (
            "private DNS zone",
            want.network
                .as_ref()
                .and_then(|n| n.private_dns_zone_arm_resource_id.clone()),
            have.network
                .as_ref()
                .and_then(|n| n.private_dns_zone_arm_resource_id.clone()),
        ),
    ];
    for (what, w, h) in create_only {
        if let Some(w) = w
            && h.as_deref().is_some_and(|h| !h.eq_ignore_ascii_case(&w))
        {
            drift.push(format!(
                "{what} is {}, the plan says {w}; it is chosen at server creation only",
                h.unwrap_or_default()
            ));
        }
    }
    let props_changed = props != models::ServerPropertiesForUpdate::default();
    if props_changed {
        update.properties = Some(props);
    }
    let any = props_changed || update.sku.is_some();
    (any.then_some(update), changes, drift)
}

/// A model value as its JSON text, for messages.
fn json<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "unset".into(),
        Ok(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests;
