//! The same operations as an Azure CLI (2.91) script, `deploy.sh`.
//!
//! The script is `set -euo pipefail` and idempotent: every resource that a
//! second `create` would fail on or replace — the VNet integration's
//! subnet, private DNS zone and VNet link, the servers, databases, Entra
//! administrators and firewall rules — is shown first and created only when
//! `az` answers "not found" (exit code 3); any other failure stops the
//! script with `az`'s own message and exit code. Parameters are set (a PUT
//! of the same value changes nothing), the server restarts only when Azure
//! reports a parameter pending a restart, and metric alerts are PUTs that
//! create or replace the rule. Run it again and nothing changes.
//!
//! Secrets are read at run time into variables that are never printed and
//! never reach an argument list: the administrator password goes to `az` as
//! a file it reads (`--admin-password @<(printf '%s' "$admin_password")`,
//! `printf` being a bash builtin), the Entra token to `psql` in its
//! environment; the one create that gets the password prints nothing
//! (`--output none`). Every user-controlled value is quoted by one
//! function per form it takes: [`shell_quote`] for a word, [`here_doc`] for
//! a here-document, `comment` for a comment line.

mod entra;
mod network;
mod server;
mod words;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::seams::EntraPrincipalScript;
use pgplan_core::{PrincipalType, SecretSource, ValidPlan, azure_monitor};

use crate::Error;
use crate::models;
use crate::operation::{Body, Operation, OperationKind};
use crate::render::network::vnet_resources;
use crate::render::{Ctx, render_operations};

use words::{AZ_EXISTS, Az, Piece, Word, comment, fail, indent, say};
pub use words::{AZURE_CLI_VERSION, here_doc, shell_quote};

/// Options of a script render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// The SQL that makes the plan's Entra-identity roles Entra principals
    /// (`pgplan_sql::entra_principal_script`); required when the plan has
    /// such roles. The script runs it with `psql` as the plan's first Entra
    /// administrator.
    pub entra_principals: Option<&'a EntraPrincipalScript>,
}

/// Renders the plan as an `az` script for Azure CLI 2.91.
///
/// # Errors
///
/// As [`render_script_with`]: a plan for another platform, or one with
/// Entra-identity roles (their SQL comes from the SQL backend).
pub fn render_script(plan: &ValidPlan) -> Result<String, Error> {
    render_script_with(plan, &RenderOptions::default())
}

/// Renders the plan as an `az` script, with the inputs other backends
/// provide.
///
/// # Errors
///
/// [`Error::NotAzure`] for another platform; [`Error::MissingSeam`] when the
/// plan has roles that log in as Entra identities and `options` lacks their
/// SQL.
pub fn render_script_with(plan: &ValidPlan, options: &RenderOptions<'_>) -> Result<String, Error> {
    let ops = render_operations(plan)?;
    script_for(plan, &ops, options)
}

fn server_body(op: &Operation) -> Option<&models::Server> {
    match &op.body {
        Some(Body::Server(s)) => Some(s),
        _ => None,
    }
}

/// The shell variables a VNet integration's steps leave the ids in.
struct NetworkVars {
    subnet_id: String,
    zone_id: String,
}

/// What the script is writing: the text, the step count and the variables
/// already holding looked-up ids.
struct Script<'a> {
    out: String,
    step: usize,
    subscription: Option<&'a str>,
    networks: usize,
}

impl Script<'_> {
    fn heading(&mut self, title: &str) {
        self.step += 1;
        let _ = write!(self.out, "\n# {}. {}\n", self.step, comment(title));
    }
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }
    fn note(&mut self, text: &str) {
        let _ = writeln!(self.out, "# {}", comment(text));
    }
    /// An ARM command in the plan's subscription.
    fn arm(&self, cmd: Az) -> Az {
        cmd.subscription(self.subscription)
    }
    /// `if az_exists SHOW; then EXISTS else CREATE fi`.
    fn show_or(&mut self, show: &Az, exists: &str, create: &str) {
        let _ = writeln!(self.out, "if {}; then", show.render_as("az_exists"));
        let _ = writeln!(self.out, "{}", indent(exists, "  "));
        self.out.push_str("else\n");
        let _ = writeln!(self.out, "{}", indent(create, "  "));
        self.out.push_str("fi\n");
    }
    /// `az_exists SHOW || CREATE`.
    fn show_or_create(&mut self, show: &Az, create: &Az) {
        let _ = writeln!(
            self.out,
            "{} ||\n{}",
            show.render_as("az_exists"),
            indent(&create.render(), "  ")
        );
    }
}

/// Renders already-rendered operations as a script.
pub(crate) fn script_for(
    plan: &ValidPlan,
    ops: &[Operation],
    options: &RenderOptions<'_>,
) -> Result<String, Error> {
    let cx = Ctx::new(plan)?;
    let az = cx.azure;
    let has_entra_roles = plan
        .roles
        .iter()
        .any(|r| matches!(r.password, Some(SecretSource::EntraIdentity { .. })));
    let entra = match (has_entra_roles, options.entra_principals) {
        (false, _) => None,
        (true, Some(script)) => Some(script),
        (true, None) => {
            return Err(Error::MissingSeam {
                what: "the SQL that creates the plan's Microsoft Entra principals".into(),
                fix: "pass pgplan_sql::entra_principal_script(plan) as RenderOptions::entra_principals".into(),
            });
        }
    };
    let rg = az.resource_group.as_str();
    let primary = az.server_name.as_str();
    let subscription = az.subscription_id.as_ref().map(|s| s.as_str());

    let mut w = Script {
        out: String::new(),
        step: 0,
        subscription,
        networks: 0,
    };
    w.line("#!/usr/bin/env bash");
    w.note(&format!(
        "Azure Database for PostgreSQL flexible server `{primary}` for {} ({}), PostgreSQL {}.",
        plan.service.as_str(),
        plan.environment,
        plan.version
    ));
    w.line(&format!(
        "# Rendered by pgplan for Azure CLI {AZURE_CLI_VERSION}; run it after `az login`, with bash."
    ));
    match subscription {
        Some(s) => w.note(&format!("Subscription: {s}.")),
        None => w.line(
            "# Subscription: the CLI's current one (platform.azure.subscription_id is not set).",
        ),
    }
    w.line("# Idempotent: what exists is shown and left alone (parameters are set to the");
    w.line("# same value, alerts replaced by the same rule); run it again and nothing changes.");
    w.line("# Secrets are read at run time into shell variables, never printed and never");
    w.line("# passed as an argument.");
    w.line("set -euo pipefail");
    w.line("");
    w.out.push_str(AZ_EXISTS);

    let mut admins = 0;
    let mut alerts_started = false;
    let mut server_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut action_vars: Vec<String> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let first_of_kind = i == 0 || ops[i - 1].kind != op.kind || ops[i - 1].server != op.server;
        match op.kind {
            OperationKind::ServerCreate => {
                let Some(server) = server_body(op) else {
                    continue;
                };
                let network = az
                    .network
                    .private
                    .as_ref()
                    .map(|p| w.network(primary, &vnet_resources(&cx, p)));
                w.heading(&op.summary);
                for note in &op.notes {
                    w.note(note);
                }
                let show = w.arm(
                    Az::new("postgres flexible-server show")
                        .opt("--resource-group", rg)
                        .opt("--name", primary),
                );
                let mut create = String::new();
                // The renderer lists only sources the script can read
                // (rule PGP148): Key Vault or an environment variable.
                for secret in &op.secrets {
                    if let Some(readable) = secret.source.readable() {
                        create.push_str(&server::read_secret(&secret.source.describe(), readable));
                    }
                }
                create.push_str(
                    &w.arm(server::server_create(
                        plan,
                        az,
                        server,
                        !op.secrets.is_empty(),
                        network.as_ref(),
                    ))
                    .render(),
                );
                w.show_or(
                    &show,
                    &say(&format!(
                        "flexible server {primary} exists: not created again (its create-only settings stay as they are)"
                    )),
                    &create,
                );
            }
            OperationKind::Configuration => {
                if first_of_kind {
                    w.heading(&format!(
                        "Server parameters of {} (configurations API; setting a value again changes nothing)",
                        op.server
                    ));
                }
                let Some((name, value)) = op.configuration() else {
                    continue;
                };
                let cmd = Az::new("postgres flexible-server parameter set")
                    .opt("--resource-group", rg)
                    .opt("--server-name", &op.server)
                    .opt("--name", name)
                    .opt("--value", value)
                    .opt("--source", "user-override")
                    .opt("--output", "none")
                    .compact();
                if op.needs_restart {
                    w.note(&format!(
                        "{name} is static: it takes effect at the restart below."
                    ));
                }
                let cmd = w.arm(cmd).render();
                w.line(&cmd);
            }
            OperationKind::Restart => {
                w.heading(&format!(
                    "{} — only when Azure reports a parameter pending a restart",
                    op.summary
                ));
                let list = w.arm(
                    Az::new("postgres flexible-server parameter list")
                        .opt("--resource-group", rg)
                        .opt("--server-name", &op.server)
                        .opt("--query", "[?isConfigPendingRestart].name")
                        .opt("--output", "tsv"),
                );
                let restart = w.arm(
                    Az::new("postgres flexible-server restart")
                        .opt("--resource-group", rg)
                        .opt("--name", &op.server)
                        .opt("--output", "none")
                        .compact(),
                );
                w.line(&format!("pending=\"$({})\"", list.render()));
                w.line("if [ -n \"$pending\" ]; then");
                w.line(&format!(
                    "  printf '%s\\n' {}\"$pending\"",
                    shell_quote(&format!("restarting {} for: ", op.server))
                ));
                w.line(&indent(&restart.render(), "  "));
                w.line("fi");
            }
            OperationKind::Database => {
                if first_of_kind {
                    w.heading(&format!(
                        "Databases on {} (created when missing)",
                        op.server
                    ));
                }
                let Some(Body::Database(db)) = &op.body else {
                    continue;
                };
                let name = op.resource_path().rsplit('/').next().unwrap_or_default();
                let props = db.properties.clone().unwrap_or_default();
                let db_cmd = |cmd: Az| {
                    cmd.opt("--resource-group", rg)
                        .opt("--server-name", &op.server)
                        .opt("--name", name)
                };
                let show = w.arm(db_cmd(Az::new("postgres flexible-server db show")));
                let create = w.arm(
                    db_cmd(Az::new("postgres flexible-server db create"))
                        .opt_if("--charset", props.charset)
                        .opt_if("--collation", props.collation)
                        .opt("--output", "none"),
                );
                w.show_or_create(&show, &create);
            }
            OperationKind::Administrator => {
                if first_of_kind {
                    w.heading(&format!(
                        "Microsoft Entra administrators of {} (added when missing)",
                        op.server
                    ));
                }
                let Some(Body::Administrator(admin)) = &op.body else {
                    continue;
                };
                let props = admin.properties.clone().unwrap_or_default();
                let name = props.principal_name.clone().unwrap_or_default();
                let kind = plan_principal_type(plan, &name);
                let path_id = op.resource_path().rsplit('/').next().unwrap_or_default();
                admins += 1;
                let id_word = if path_id.starts_with('{') {
                    let var = format!("entra_admin_{admins}_object_id");
                    let lookup = match kind {
                        PrincipalType::Group => Az::new("ad group show")
                            .opt("--group", &name)
                            .opt("--query", "id"),
                        PrincipalType::User => Az::new("ad user show")
                            .opt("--id", &name)
                            .opt("--query", "id"),
                        PrincipalType::ServicePrincipal => Az::new("ad sp list")
                            .opt("--display-name", &name)
                            .opt("--query", "[0].id"),
                    }
                    .opt("--output", "tsv");
                    w.note(&format!(
                        "The object id of `{name}` is not in the plan: look it up."
                    ));
                    w.line(&format!("{var}=\"$({})\"", lookup.render()));
                    w.line(&require(
                        &var,
                        &format!("pgplan: no Microsoft Entra object id found for {name}"),
                    ));
                    Word::Var(var)
                } else {
                    Word::Lit(path_id.to_owned())
                };
                let admin_cmd = |cmd: Az, id: Word| {
                    let mut cmd = cmd
                        .opt("--resource-group", rg)
                        .opt("--server-name", &op.server);
                    cmd.options.push(("--object-id".into(), Some(id)));
                    cmd
                };
                let id_again = id_word.clone();
                let show = w.arm(admin_cmd(
                    Az::new("postgres flexible-server microsoft-entra-admin show"),
                    id_again,
                ));
                let create = w.arm(
                    admin_cmd(
                        Az::new("postgres flexible-server microsoft-entra-admin create"),
                        id_word,
                    )
                    .opt("--display-name", &name)
                    .opt(
                        "--type",
                        match kind {
                            PrincipalType::User => "User",
                            PrincipalType::Group => "Group",
                            PrincipalType::ServicePrincipal => "ServicePrincipal",
                        },
                    )
                    .opt("--output", "none"),
                );
                w.show_or_create(&show, &create);
            }
            OperationKind::FirewallRule => {
                if first_of_kind {
                    w.heading(&format!(
                        "Firewall rules of {} (created, or set to the plan's range)",
                        op.server
                    ));
                }
                let Some(Body::FirewallRule(rule)) = &op.body else {
                    continue;
                };
                let name = op.resource_path().rsplit('/').next().unwrap_or_default();
                let rule_cmd = |cmd: Az| {
                    cmd.opt("--resource-group", rg)
                        .opt("--server-name", &op.server)
                        .opt("--name", name)
                };
                let range = |cmd: Az| {
                    cmd.opt("--start-ip-address", &rule.properties.start_ip_address)
                        .opt("--end-ip-address", &rule.properties.end_ip_address)
                        .opt("--output", "none")
                };
                let show = w.arm(rule_cmd(Az::new(
                    "postgres flexible-server firewall-rule show",
                )));
                let update = w.arm(range(rule_cmd(Az::new(
                    "postgres flexible-server firewall-rule update",
                ))));
                let create = w.arm(range(rule_cmd(Az::new(
                    "postgres flexible-server firewall-rule create",
                ))));
                w.show_or(&show, &update.render(), &create.render());
            }
            OperationKind::ReplicaCreate => {
                let Some(server) = server_body(op) else {
                    continue;
                };
                let replica = plan
                    .topology
                    .replicas
                    .iter()
                    .find(|r| r.name.as_str() == op.server);
                let own_network = replica
                    .and_then(|r| r.network.as_ref())
                    .map(|p| w.network(&op.server, &vnet_resources(&cx, p)));
                w.heading(&op.summary);
                for note in &op.notes {
                    w.note(note);
                }
                let sku = server.sku.as_ref();
                let storage_gb = server
                    .properties
                    .as_ref()
                    .and_then(|p| p.storage.as_ref())
                    .and_then(|s| s.storage_size_gb);
                let mut cmd = Az::new("postgres flexible-server replica create")
                    .opt("--resource-group", rg)
                    .opt("--name", &op.server)
                    .opt("--source-server", primary)
                    .opt("--location", &server.tracked_resource.location)
                    .opt_if("--tier", sku.map(|s| tier_word(&s.tier)))
                    .opt_if("--sku-name", sku.map(|s| s.name.clone()))
                    .opt_if("--storage-size", storage_gb.map(|g| g.to_string()));
                if let Some(vars) = &own_network {
                    cmd = vnet_flags(cmd, vars);
                }
                let create = w.arm(cmd.opt("--output", "none"));
                let show = w.arm(
                    Az::new("postgres flexible-server show")
                        .opt("--resource-group", rg)
                        .opt("--name", &op.server),
                );
                w.show_or(
                    &show,
                    &say(&format!(
                        "read replica {} exists: not created again",
                        op.server
                    )),
                    &create.render(),
                );
            }
            OperationKind::MetricAlert => {
                let Some(Body::MetricAlert(alert)) = &op.body else {
                    continue;
                };
                if !alerts_started {
                    alerts_started = true;
                    w.heading(
                        "Azure Monitor metric alerts (a create replaces the rule of that name, so running it again converges it)",
                    );
                    for (n, group) in az.alerts.action_groups.iter().enumerate() {
                        if group.is_id() {
                            action_vars.push(String::new());
                            continue;
                        }
                        let var = format!("action_group_{}", n + 1);
                        let lookup = w.arm(
                            Az::new("monitor action-group show")
                                .opt("--resource-group", rg)
                                .opt("--name", group.as_str())
                                .opt("--query", "id")
                                .opt("--output", "tsv"),
                        );
                        w.line(&format!("{var}=\"$({})\"", lookup.render()));
                        action_vars.push(var);
                    }
                }
                let server_var = match server_ids.get(&op.server) {
                    Some(v) => v.clone(),
                    None => {
                        let var = format!("server_id_{}", server_ids.len() + 1);
                        let lookup = w.arm(
                            Az::new("postgres flexible-server show")
                                .opt("--resource-group", rg)
                                .opt("--name", &op.server)
                                .opt("--query", "id")
                                .opt("--output", "tsv"),
                        );
                        w.line(&format!("{var}=\"$({})\"", lookup.render()));
                        server_ids.insert(op.server.clone(), var.clone());
                        var
                    }
                };
                let Some(criterion) = alert.criterion() else {
                    continue;
                };
                let name = op.resource_path().rsplit('/').next().unwrap_or_default();
                let props = &alert.properties;
                let aggregation = match criterion.time_aggregation {
                    crate::monitor::TimeAggregation::Average => "avg",
                    crate::monitor::TimeAggregation::Minimum => "min",
                    crate::monitor::TimeAggregation::Maximum => "max",
                    crate::monitor::TimeAggregation::Total => "total",
                    crate::monitor::TimeAggregation::Count => "count",
                };
                let metric = match &criterion.metric_namespace {
                    Some(ns) => format!("{ns}.{}", criterion.metric_name),
                    None => criterion.metric_name.clone(),
                };
                let mut cmd = Az::new("monitor metrics alert create")
                    .opt("--resource-group", rg)
                    .opt("--name", name)
                    .var("--scopes", &server_var)
                    .opt(
                        "--condition",
                        format!(
                            "{aggregation} {metric} > {}",
                            azure_monitor::number(criterion.threshold)
                        ),
                    )
                    .opt("--window-size", az_window(&props.window_size))
                    .opt(
                        "--evaluation-frequency",
                        az_window(&props.evaluation_frequency),
                    )
                    .opt("--severity", props.severity.to_string())
                    .opt("--description", &props.description)
                    .opt(
                        "--auto-mitigate",
                        if props.auto_mitigate.unwrap_or(true) {
                            "true"
                        } else {
                            "false"
                        },
                    );
                for (n, group) in az.alerts.action_groups.iter().enumerate() {
                    cmd = match action_vars.get(n).filter(|v| !v.is_empty()) {
                        Some(var) => cmd.var("--action", var),
                        None => cmd.opt("--action", group.as_str()),
                    };
                }
                if !alert.tags.is_empty() {
                    let tags = alert.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    cmd.options.push(("--tags".into(), Some(Word::Lits(tags))));
                }
                let cmd = w.arm(cmd.opt("--output", "none")).render();
                w.line(&cmd);
            }
        }
    }
    if let Some(entra) = entra {
        entra::entra_step(&mut w, az, entra);
    }
    w.heading("Where to connect");
    let show = w.arm(
        Az::new("postgres flexible-server show")
            .opt("--resource-group", rg)
            .opt("--name", primary)
            .opt("--query", "fullyQualifiedDomainName")
            .opt("--output", "tsv"),
    );
    w.line(&show.render());
    migrations_note(&mut w, plan, az.administrator_login.as_str());
    Ok(w.out)
}

/// The plan's migration scripts are not this script's: `pgplan apply
/// --target sql` runs them against the server, as each database's
/// migration role, which the administrator must be able to `SET ROLE` to.
/// Said last, on standard error (standard output ends with the server's
/// name).
fn migrations_note(w: &mut Script<'_>, plan: &ValidPlan, admin: &str) {
    let with: Vec<_> = plan
        .databases
        .iter()
        .filter(|d| d.migrations.as_ref().is_some_and(|m| !m.scripts.is_empty()))
        .collect();
    if with.is_empty() {
        return;
    }
    let runs_as = with
        .iter()
        .map(|d| format!("{} as {}", d.name, d.migration_role()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut grants: Vec<String> = with
        .iter()
        .map(|d| format!("GRANT \"{}\" TO \"{admin}\";", d.migration_role()))
        .collect();
    grants.dedup();
    w.heading("Application schema: pgplan apply --target sql");
    w.note("deploy.sh does not run the plan's migrations; `pgplan apply --target sql` does, with the history table the Kubernetes Job and every later apply read.");
    let text = format!(
        "deploy.sh: done. The plan's migrations ({runs_as}) are not run by this script: run `pgplan apply --target sql PLAN --dsn 'postgresql://{admin}@<the server name above>/postgres?sslmode=verify-full' --yes`. It creates the roles first; before it runs the migrations the administrator must be able to SET ROLE to their role: {} (apply stops with this GRANT if it is missing).",
        grants.join(" ")
    );
    w.line(&format!("{} >&2", say(&text)));
}

/// The Azure CLI's spelling of an ISO 8601 window (`PT5M` → `5m`).
fn az_window(iso: &str) -> String {
    let parse =
        |digits: &str, unit: fn(u64) -> pgplan_core::Interval| digits.parse::<u64>().ok().map(unit);
    let d = if let Some(n) = iso.strip_prefix("PT").and_then(|r| r.strip_suffix('M')) {
        parse(n, pgplan_core::Interval::minutes)
    } else if let Some(n) = iso.strip_prefix("PT").and_then(|r| r.strip_suffix('H')) {
        parse(n, pgplan_core::Interval::hours)
    } else if let Some(n) = iso.strip_prefix('P').and_then(|r| r.strip_suffix('D')) {
        parse(n, pgplan_core::Interval::days)
    } else {
        None
    };
    d.map_or_else(|| iso.to_owned(), azure_monitor::az_duration)
}

/// `--subnet`/`--private-dns-zone` of a VNet integration: the ids the
/// network step looked up (the CLI resolves names in other groups than the
/// plan's own otherwise).
fn vnet_flags(cmd: Az, vars: &NetworkVars) -> Az {
    cmd.var("--subnet", &vars.subnet_id)
        .var("--private-dns-zone", &vars.zone_id)
}

/// Stops the script with `message` when the variable is empty (a look-up
/// that found nothing).
fn require(var: &str, message: &str) -> String {
    format!(
        "[ -n \"${var}\" ] || {{ {}; }}",
        fail(&[Piece::Text(message)])
    )
}

fn plan_principal_type(plan: &ValidPlan, name: &str) -> PrincipalType {
    plan.platform
        .azure()
        .and_then(|a| {
            a.auth
                .administrators
                .iter()
                .find(|x| x.principal_name == name)
        })
        .map_or(PrincipalType::User, |a| a.principal_type)
}

fn tier_word(tier: &models::sku::Tier) -> String {
    match tier {
        models::sku::Tier::Burstable => "Burstable".into(),
        models::sku::Tier::GeneralPurpose => "GeneralPurpose".into(),
        models::sku::Tier::MemoryOptimized => "MemoryOptimized".into(),
        models::sku::Tier::UnknownValue(v) => v.clone(),
    }
}
