//! The same operations as an Azure CLI (2.91) script: `set -euo pipefail`,
//! secrets read at run time into variables that are never printed, every
//! argument quoted by [`shell_quote`].

use std::fmt::Write as _;

use pgplan_core::{Azure, AzureHaMode, AzureStorageType, PrincipalType, ReadableSecret, ValidPlan};

use crate::Error;
use crate::models::{self, storage};
use crate::operation::{Body, Operation, OperationKind};
use crate::render::render_operations;

/// The CLI version the script is written for (and checked against).
pub const AZURE_CLI_VERSION: &str = "2.91";

/// The shell variable holding the administrator password.
const PASSWORD_VAR: &str = "admin_password";

/// Quotes one shell word: bare when it is made of characters the shell
/// never interprets, otherwise single-quoted (`'` written as `'\''`).
///
/// ```
/// use pgplan_azure::shell_quote;
/// assert_eq!(shell_quote("phonebill-rg"), "phonebill-rg");
/// assert_eq!(shell_quote("%t [%p]: "), "'%t [%p]: '");
/// assert_eq!(shell_quote("it's"), r"'it'\''s'");
/// assert_eq!(shell_quote(""), "''");
/// ```
pub fn shell_quote(word: &str) -> String {
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b);
    if !word.is_empty() && word.bytes().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A comment line's text: control characters (a newline would end the
/// comment) become spaces.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// One argument: a literal (quoted) or a variable (`"$name"`).
enum Word {
    Lit(String),
    Var(String),
    /// Several literal words after one option (`--tags a=1 b=2`).
    Lits(Vec<String>),
}

impl Word {
    fn render(&self) -> String {
        match self {
            Word::Lit(s) => shell_quote(s),
            Word::Var(v) => format!("\"${v}\""),
            Word::Lits(words) => words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// An `az` command being built.
struct Az {
    words: Vec<String>,
    options: Vec<(String, Option<Word>)>,
    one_line: bool,
}

impl Az {
    fn new(command: &str) -> Self {
        Az {
            words: command.split(' ').map(str::to_owned).collect(),
            options: Vec::new(),
            one_line: false,
        }
    }
    /// Keeps the command on one line however long (the many `parameter set`
    /// lines read best as a table).
    fn compact(mut self) -> Self {
        self.one_line = true;
        self
    }
    fn opt(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Lit(value.into()))));
        self
    }
    fn opt_if(self, flag: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.opt(flag, v),
            None => self,
        }
    }
    fn var(mut self, flag: &str, variable: &str) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Var(variable.to_owned()))));
        self
    }
    fn flag(mut self, flag: &str) -> Self {
        self.options.push((flag.to_owned(), None));
        self
    }
    /// One line when short, one option per line otherwise.
    fn render(&self) -> String {
        let head = std::iter::once("az".to_owned())
            .chain(self.words.iter().map(|w| shell_quote(w)))
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<String> = self
            .options
            .iter()
            .map(|(flag, value)| match value {
                Some(v) => {
                    let v = v.render();
                    // argparse reads a value starting with `-` as an option.
                    if v.starts_with('-') {
                        format!("{flag}={v}")
                    } else {
                        format!("{flag} {v}")
                    }
                }
                None => flag.clone(),
            })
            .collect();
        let one_line = format!("{head} {}", parts.join(" "));
        if self.one_line || one_line.len() <= 110 {
            one_line
        } else {
            let mut s = head;
            for p in parts {
                s.push_str(" \\\n  ");
                s.push_str(&p);
            }
            s
        }
    }
}

/// Renders the plan as an `az` script for Azure CLI 2.91.
pub fn render_script(plan: &ValidPlan) -> Result<String, Error> {
    let ops = render_operations(plan)?;
    script_for(plan, &ops)
}

fn server_body(op: &Operation) -> Option<&models::Server> {
    match &op.body {
        Some(Body::Server(s)) => Some(s),
        _ => None,
    }
}

/// Renders already-rendered operations as a script.
pub(crate) fn script_for(plan: &ValidPlan, ops: &[Operation]) -> Result<String, Error> {
    let Some(az) = plan.platform.azure() else {
        return Err(Error::NotAzure {
            platform: plan.platform.kind(),
        });
    };
    let rg = az.resource_group.as_str();
    let primary = az.server_name.as_str();
    let subscription = az.subscription_id.as_ref().map(|s| s.as_str());
    // `--subscription` on every ARM command when the plan names one.
    let arm = |cmd: Az| match subscription {
        Some(s) => cmd.opt("--subscription", s),
        None => cmd,
    };

    let mut out = String::new();
    out.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(
        out,
        "# {}",
        comment(&format!(
            "Azure Database for PostgreSQL flexible server `{primary}` for {} ({}), PostgreSQL {}.",
            plan.service.as_str(),
            plan.environment,
            plan.version
        ))
    );
    let _ = writeln!(
        out,
        "# Rendered by pgplan for Azure CLI {AZURE_CLI_VERSION}; run it after `az login`."
    );
    match subscription {
        Some(s) => {
            let _ = writeln!(out, "# {}", comment(&format!("Subscription: {s}.")));
        }
        None => out.push_str(
            "# Subscription: the CLI's current one (platform.azure.subscription_id is not set).\n",
        ),
    }
    out.push_str(
        "# Secrets are read at run time into shell variables and never printed.\nset -euo pipefail\n",
    );

    let mut step = 0;
    let mut admins = 0;
    let mut heading = |out: &mut String, title: &str| {
        step += 1;
        let _ = write!(out, "\n# {step}. {}\n", comment(title));
    };

    for (i, op) in ops.iter().enumerate() {
        let first_of_kind = i == 0 || ops[i - 1].kind != op.kind || ops[i - 1].server != op.server;
        match op.kind {
            OperationKind::ServerCreate => {
                let Some(server) = server_body(op) else {
                    continue;
                };
                heading(&mut out, &op.summary);
                // The renderer lists only sources the script can read
                // (rule PGP148): Key Vault or an environment variable.
                for secret in &op.secrets {
                    if let Some(readable) = secret.source.readable() {
                        read_secret(&mut out, &secret.source.describe(), readable);
                    }
                }
                for note in &op.notes {
                    let _ = writeln!(out, "# {}", comment(note));
                }
                let _ = writeln!(
                    out,
                    "{}",
                    arm(server_create(plan, az, server, !op.secrets.is_empty())).render()
                );
            }
            OperationKind::Configuration => {
                if first_of_kind {
                    heading(
                        &mut out,
                        &format!("Server parameters of {} (configurations API)", op.server),
                    );
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
                    let _ = writeln!(
                        out,
                        "# {name} is static: it takes effect at the restart below."
                    );
                }
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
            OperationKind::Restart => {
                heading(&mut out, &op.summary);
                let cmd = Az::new("postgres flexible-server restart")
                    .opt("--resource-group", rg)
                    .opt("--name", &op.server)
                    .opt("--output", "none")
                    .compact();
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
            OperationKind::Database => {
                if first_of_kind {
                    heading(&mut out, &format!("Databases on {}", op.server));
                }
                let Some(Body::Database(db)) = &op.body else {
                    continue;
                };
                let name = op.resource_path().rsplit('/').next().unwrap_or_default();
                let props = db.properties.clone().unwrap_or_default();
                let cmd = Az::new("postgres flexible-server db create")
                    .opt("--resource-group", rg)
                    .opt("--server-name", &op.server)
                    .opt("--name", name)
                    .opt_if("--charset", props.charset)
                    .opt_if("--collation", props.collation)
                    .opt("--output", "none")
                    .compact();
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
            OperationKind::Administrator => {
                if first_of_kind {
                    heading(
                        &mut out,
                        &format!("Microsoft Entra administrators of {}", op.server),
                    );
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
                    let _ = writeln!(
                        out,
                        "# {}",
                        comment(&format!(
                            "The object id of `{name}` is not in the plan: look it up."
                        ))
                    );
                    let _ = writeln!(out, "{var}=\"$({})\"", lookup.render());
                    let _ = writeln!(
                        out,
                        ": \"${{{var}:?{}}}\"",
                        shell_safe_message(&format!(
                            "no Microsoft Entra object id found for {name}"
                        ))
                    );
                    Word::Var(var)
                } else {
                    Word::Lit(path_id.to_owned())
                };
                let mut cmd = Az::new("postgres flexible-server microsoft-entra-admin create")
                    .opt("--resource-group", rg)
                    .opt("--server-name", &op.server)
                    .opt("--display-name", &name);
                cmd.options.push(("--object-id".into(), Some(id_word)));
                let cmd = cmd
                    .opt(
                        "--type",
                        match kind {
                            PrincipalType::User => "User",
                            PrincipalType::Group => "Group",
                            PrincipalType::ServicePrincipal => "ServicePrincipal",
                        },
                    )
                    .opt("--output", "none");
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
            OperationKind::FirewallRule => {
                if first_of_kind {
                    heading(&mut out, &format!("Firewall rules of {}", op.server));
                }
                let Some(Body::FirewallRule(rule)) = &op.body else {
                    continue;
                };
                let name = op.resource_path().rsplit('/').next().unwrap_or_default();
                let cmd = Az::new("postgres flexible-server firewall-rule create")
                    .opt("--resource-group", rg)
                    .opt("--server-name", &op.server)
                    .opt("--name", name)
                    .opt("--start-ip-address", &rule.properties.start_ip_address)
                    .opt("--end-ip-address", &rule.properties.end_ip_address)
                    .opt("--output", "none");
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
            OperationKind::ReplicaCreate => {
                let Some(server) = server_body(op) else {
                    continue;
                };
                heading(&mut out, &op.summary);
                for note in &op.notes {
                    let _ = writeln!(out, "# {}", comment(note));
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
                let replica_network = plan
                    .topology
                    .replicas
                    .iter()
                    .find(|r| r.name.as_str() == op.server)
                    .and_then(|r| r.network.as_ref());
                if let Some(private) = replica_network {
                    cmd = vnet_flags(cmd, private);
                }
                let cmd = cmd.opt("--output", "none");
                let _ = writeln!(out, "{}", arm(cmd).render());
            }
        }
    }
    heading(&mut out, "Where to connect");
    let show = Az::new("postgres flexible-server show")
        .opt("--resource-group", rg)
        .opt("--name", primary)
        .opt("--query", "fullyQualifiedDomainName")
        .opt("--output", "tsv");
    let _ = writeln!(out, "{}", arm(show).render());
    Ok(out)
}

/// `--vnet`/`--subnet`/`--private-dns-zone` of a VNet integration.
fn vnet_flags(cmd: Az, private: &pgplan_core::PrivateAccess) -> Az {
    let subnet = private.subnet.as_str();
    let cmd = if private.subnet.is_id() {
        cmd.opt("--subnet", subnet)
    } else {
        cmd.opt("--vnet", private.vnet.as_str())
            .opt("--subnet", subnet)
    };
    cmd.opt("--private-dns-zone", private.private_dns_zone.as_str())
}

/// Text for `${var:?message}`: the message is not quoted there, so keep
/// only characters the shell takes literally in that position.
fn shell_safe_message(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
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

/// Reads the administrator password into [`PASSWORD_VAR`], never echoing it.
fn read_secret(out: &mut String, description: &str, source: ReadableSecret<'_>) {
    let _ = writeln!(
        out,
        "# {}",
        comment(&format!(
            "Administrator password: {description} (never printed)."
        ))
    );
    match source {
        ReadableSecret::Env(var) => {
            let _ = writeln!(
                out,
                "{PASSWORD_VAR}=\"${{{var}:?set {var} to the administrator password}}\""
            );
        }
        ReadableSecret::KeyVault { vault, secret } => {
            let cmd = Az::new("keyvault secret show")
                .opt("--vault-name", vault.as_str())
                .opt("--name", secret.as_str())
                .opt("--query", "value")
                .opt("--output", "tsv");
            let _ = writeln!(out, "{PASSWORD_VAR}=\"$({})\"", cmd.render());
        }
    }
}

fn server_create(plan: &ValidPlan, az: &Azure, server: &models::Server, with_password: bool) -> Az {
    let props = server.properties.clone().unwrap_or_default();
    let storage = props.storage.clone().unwrap_or_default();
    let mut cmd = Az::new("postgres flexible-server create")
        .opt("--resource-group", az.resource_group.as_str())
        .opt("--name", az.server_name.as_str())
        .opt("--location", &server.tracked_resource.location);
    if let Some(sku) = &server.sku {
        cmd = cmd
            .opt("--tier", tier_word(&sku.tier))
            .opt("--sku-name", &sku.name);
    }
    cmd = cmd
        .opt("--version", plan.version.to_string())
        .opt_if(
            "--storage-size",
            storage.storage_size_gb.map(|g| g.to_string()),
        )
        .opt(
            "--storage-type",
            match az.storage.kind {
                AzureStorageType::PremiumLrs => "Premium_LRS",
                AzureStorageType::PremiumV2Lrs => "PremiumV2_LRS",
            },
        )
        .opt(
            "--storage-auto-grow",
            if storage.auto_grow == Some(storage::AutoGrow::Enabled) {
                "Enabled"
            } else {
                "Disabled"
            },
        )
        .opt_if(
            "--performance-tier",
            storage
                .tier
                .as_ref()
                .and_then(|t| serde_json::to_value(t).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
        )
        .opt_if("--iops", storage.iops.map(|n| n.to_string()))
        .opt_if("--throughput", storage.throughput.map(|n| n.to_string()))
        .opt_if("--zone", props.availability_zone.clone());
    match az.high_availability.mode {
        AzureHaMode::Disabled => {}
        AzureHaMode::ZoneRedundant => {
            cmd = cmd
                .opt("--zonal-resiliency", "Enabled")
                .opt_if("--standby-zone", az.high_availability.standby_zone.clone());
        }
        AzureHaMode::SameZone => {
            cmd = cmd
                .opt("--zonal-resiliency", "Enabled")
                .flag("--allow-same-zone")
                .opt_if("--standby-zone", az.high_availability.standby_zone.clone());
        }
    }
    if let Some(backup) = &props.backup {
        cmd = cmd
            .opt_if(
                "--backup-retention",
                backup.backup_retention_days.map(|d| d.to_string()),
            )
            .opt(
                "--geo-redundant-backup",
                if backup.geo_redundant_backup == Some(models::backup::GeoRedundantBackup::Enabled)
                {
                    "Enabled"
                } else {
                    "Disabled"
                },
            );
    }
    match &az.network.private {
        Some(private) => cmd = vnet_flags(cmd, private),
        // Public access without a blanket rule; the plan's rules follow.
        None => cmd = cmd.opt("--public-access", "None"),
    }
    cmd = cmd
        .opt(
            "--microsoft-entra-auth",
            if az.auth.entra { "Enabled" } else { "Disabled" },
        )
        .opt(
            "--password-auth",
            if az.auth.password {
                "Enabled"
            } else {
                "Disabled"
            },
        );
    if with_password {
        cmd = cmd
            .opt("--admin-user", az.administrator_login.as_str())
            .var("--admin-password", PASSWORD_VAR);
    }
    if !plan.labels.is_empty() {
        let tags = plan
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        cmd.options.push(("--tags".into(), Some(Word::Lits(tags))));
    }
    // The create command prints the server (and the password it was given)
    // unless told not to.
    cmd.flag("--yes").opt("--output", "none")
}
