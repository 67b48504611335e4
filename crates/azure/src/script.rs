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

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::seams::EntraPrincipalScript;
use pgplan_core::{
    Azure, AzureHaMode, AzureStorageType, PrincipalType, ReadableSecret, SecretSource, ValidPlan,
    azure_facts, azure_monitor,
};

use crate::Error;
use crate::models::{self, storage};
use crate::operation::{Body, Operation, OperationKind};
use crate::render::network::{VnetResources, vnet_resources};
use crate::render::{Ctx, render_operations};

/// The CLI version the script is written for (and checked against).
pub const AZURE_CLI_VERSION: &str = "2.91";

/// The shell variable holding the administrator password.
const PASSWORD_VAR: &str = "admin_password";

/// The here-document delimiter the script prefers (another is chosen when
/// the text holds a line equal to it).
const HERE_DOC_DELIMITER: &str = "PGPLAN_SQL";

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

/// A quoted here-document carrying `text` unchanged: `<<'DELIMITER'`, the
/// text, a line break when it does not end with one, and the delimiter
/// line. Bash expands nothing in a quoted here-document, so the only thing
/// to avoid is a line equal to the delimiter: the delimiter then gets a
/// numeric suffix until no line equals it. Returns (the redirection, the
/// lines that follow the command).
///
/// ```
/// use pgplan_azure::script::here_doc;
/// let (redirect, body) = here_doc("SELECT '$HOME';\nPGPLAN_SQL\n");
/// assert_eq!(redirect, "<<'PGPLAN_SQL_1'");
/// assert_eq!(body, "SELECT '$HOME';\nPGPLAN_SQL\nPGPLAN_SQL_1\n");
/// ```
pub fn here_doc(text: &str) -> (String, String) {
    let mut delimiter = HERE_DOC_DELIMITER.to_owned();
    let mut n = 0;
    while text
        .lines()
        .any(|l| l == delimiter || l.trim_end_matches('\r') == delimiter)
    {
        n += 1;
        delimiter = format!("{HERE_DOC_DELIMITER}_{n}");
    }
    let mut body = text.to_owned();
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str(&delimiter);
    body.push('\n');
    (format!("<<'{delimiter}'"), body)
}

/// A comment line's text: control characters (a newline would end the
/// comment) become spaces.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Lines prefixed with `indent` (empty lines stay empty).
fn indent(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `printf '%s\n' <message> >&2; exit 1`: the message is one word built
/// of quoted literals and `"$variable"`s.
fn fail(parts: &[Piece<'_>]) -> String {
    let word: String = parts
        .iter()
        .map(|p| match p {
            Piece::Text("") => String::new(),
            Piece::Text(t) => shell_quote(t),
            Piece::Var(v) => format!("\"${v}\""),
        })
        .collect();
    format!("printf '%s\\n' {word} >&2; exit 1")
}

/// Part of a message for [`fail`] and `say`.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// `printf '%s\n' <message>` on standard output.
fn say(text: &str) -> String {
    format!("printf '%s\\n' {}", shell_quote(text))
}

/// One argument: a literal (quoted) or a variable (`"$name"`).
#[derive(Clone)]
enum Word {
    Lit(String),
    Var(String),
    /// Several literal words after one option (`--tags a=1 b=2`).
    Lits(Vec<String>),
    /// A secret in a variable, handed to az as a file it reads
    /// (`@<(printf '%s' "$name")`: the CLI loads an argument written
    /// `@path` from that file), so the value is in no argument list.
    Secret(String),
}

impl Word {
    fn render(&self) -> String {
        match self {
            Word::Lit(s) => shell_quote(s),
            Word::Var(v) => format!("\"${v}\""),
            Word::Secret(v) => format!("@<(printf '%s' \"${v}\")"),
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
    fn secret(mut self, flag: &str, variable: &str) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Secret(variable.to_owned()))));
        self
    }
    fn flag(mut self, flag: &str) -> Self {
        self.options.push((flag.to_owned(), None));
        self
    }
    /// `--subscription` when one is known.
    fn subscription(self, subscription: Option<&str>) -> Self {
        match subscription {
            Some(s) => self.opt("--subscription", s),
            None => self,
        }
    }
    /// The command as `az …`.
    fn render(&self) -> String {
        self.render_as("az")
    }
    /// The command with another head: `az_exists …` runs the same
    /// arguments through the existence check.
    fn render_as(&self, program: &str) -> String {
        let head = std::iter::once(program.to_owned())
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

/// The function the script uses to ask whether a resource exists.
const AZ_EXISTS: &str = r#"# az_exists ARGS...: true when `az ARGS` finds the resource, false when az
# answers "not found" (exit code 3); any other failure stops the script with
# az's own message and exit code.
az_exists() {
  local err rc=0
  err="$(az "$@" --output none 2>&1 >/dev/null)" || rc=$?
  case "$rc" in
    0) return 0 ;;
    3) return 1 ;;
    *) printf '%s\n' "$err" >&2; exit "$rc" ;;
  esac
}
"#;

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
    /// The steps that make a VNet integration's subnet, private DNS zone
    /// and VNet link exist; returns the variables holding the subnet's and
    /// the zone's ids.
    fn network(&mut self, server: &str, n: &VnetResources) -> NetworkVars {
        self.networks += 1;
        let i = self.networks;
        let delegation = azure_facts::SUBNET_DELEGATION;
        self.heading(&format!(
            "Network of {server}: subnet {} of VNet {} delegated to {delegation}, private DNS zone {} linked to the VNet (created when missing)",
            n.subnet.name, n.vnet, n.zone.name
        ));
        let in_subnet = |cmd: Az| {
            cmd.opt("--resource-group", &n.subnet.resource_group)
                .opt("--vnet-name", &n.vnet)
                .opt("--name", &n.subnet.name)
                .subscription(n.subnet.subscription.as_deref())
        };
        let in_zone = |cmd: Az| {
            cmd.opt("--resource-group", &n.zone.resource_group)
                .subscription(n.zone.subscription.as_deref())
        };
        let show_subnet = in_subnet(Az::new("network vnet subnet show"));
        let delegations = in_subnet(Az::new("network vnet subnet show"))
            .opt("--query", "delegations[].serviceName")
            .opt("--output", "tsv")
            .compact();
        let update = in_subnet(Az::new("network vnet subnet update"))
            .opt("--delegations", delegation)
            .opt("--output", "none")
            .compact();
        let exists = format!(
            "delegations=\"$({})\"\ncase \"$delegations\" in\n  {}) ;;\n  '') {} ;;\n  *) {} ;;\nesac",
            delegations.render(),
            shell_quote(delegation),
            update.render(),
            fail(&[
                Piece::Text(&format!(
                    "pgplan: subnet {} of VNet {} is delegated to ",
                    n.subnet.name, n.vnet
                )),
                Piece::Var("delegations"),
                Piece::Text(&format!(
                    "; a flexible server needs a subnet delegated to {delegation} alone"
                )),
            ])
        );
        let create = match &n.subnet_cidr {
            Some(cidr) => in_subnet(Az::new("network vnet subnet create"))
                .opt("--address-prefixes", cidr)
                .opt("--delegations", delegation)
                .opt("--output", "none")
                .render(),
            None => fail(&[Piece::Text(&format!(
                "pgplan: subnet {} does not exist in VNet {} (resource group {}), and the plan gives no subnet_cidr to create it with: create it delegated to {delegation}, or set subnet_cidr",
                n.subnet.name, n.vnet, n.subnet.resource_group
            ))]),
        };
        self.show_or(&show_subnet, &exists, &create);
        let subnet_id = format!("subnet_id_{i}");
        let vnet_id = format!("vnet_id_{i}");
        let zone_id = format!("zone_id_{i}");
        let subnet_query = in_subnet(Az::new("network vnet subnet show"))
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{subnet_id}=\"$({})\"", subnet_query.render()));
        let vnet_query = Az::new("network vnet show")
            .opt("--resource-group", &n.subnet.resource_group)
            .opt("--name", &n.vnet)
            .subscription(n.subnet.subscription.as_deref())
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{vnet_id}=\"$({})\"", vnet_query.render()));
        let zone = |cmd: Az| in_zone(cmd).opt("--name", &n.zone.name);
        self.show_or_create(
            &zone(Az::new("network private-dns zone show")),
            &zone(Az::new("network private-dns zone create")).opt("--output", "none"),
        );
        let link = |cmd: Az| {
            in_zone(cmd)
                .opt("--zone-name", &n.zone.name)
                .opt("--name", &n.link)
        };
        self.show_or_create(
            &link(Az::new("network private-dns link vnet show")),
            &link(Az::new("network private-dns link vnet create"))
                .var("--virtual-network", &vnet_id)
                .opt("--registration-enabled", "false")
                .opt("--output", "none"),
        );
        let zone_query = zone(Az::new("network private-dns zone show"))
            .opt("--query", "id")
            .opt("--output", "tsv");
        self.line(&format!("{zone_id}=\"$({})\"", zone_query.render()));
        NetworkVars { subnet_id, zone_id }
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
                        create.push_str(&read_secret(&secret.source.describe(), readable));
                    }
                }
                create.push_str(
                    &w.arm(server_create(
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
        entra_step(&mut w, az, entra);
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
    Ok(w.out)
}

/// The Azure CLI's spelling of an ISO 8601 window (`PT5M` → `5m`).
fn az_window(iso: &str) -> String {
    let parse =
        |digits: &str, unit: fn(u64) -> pgplan_core::Duration| digits.parse::<u64>().ok().map(unit);
    let d = if let Some(n) = iso.strip_prefix("PT").and_then(|r| r.strip_suffix('M')) {
        parse(n, pgplan_core::Duration::minutes)
    } else if let Some(n) = iso.strip_prefix("PT").and_then(|r| r.strip_suffix('H')) {
        parse(n, pgplan_core::Duration::hours)
    } else if let Some(n) = iso.strip_prefix('P').and_then(|r| r.strip_suffix('D')) {
        parse(n, pgplan_core::Duration::days)
    } else {
        None
    };
    d.map_or_else(|| iso.to_owned(), azure_monitor::az_duration)
}

/// The step that creates the plan's Entra principals: each identity's
/// object id looked up, an Entra token, and the SQL run with psql as the
/// first Entra administrator (rule PGP175 guarantees one, Entra
/// authentication and listed identities).
fn entra_step(w: &mut Script<'_>, az: &Azure, entra: &EntraPrincipalScript) {
    let rg = az.resource_group.as_str();
    let admin = az
        .auth
        .administrators
        .first()
        .map_or("", |a| a.principal_name.as_str());
    w.heading(&format!(
        "Microsoft Entra principals: roles that log in as managed identities (psql in the {} database, as Entra administrator {admin})",
        entra.database
    ));
    w.note("psql must reach the server: from its VNet (private access) or an address a firewall rule admits.");
    w.note("Run this as (a member of) that administrator; its Entra token is the password, passed in psql's environment.");
    let mut vars = Vec::new();
    for p in &entra.principals {
        let entry = azure_facts::managed_identity(az, &p.identity).unwrap_or(&p.identity);
        let lookup = if entry.starts_with('/') {
            Az::new("identity show").opt("--ids", entry)
        } else {
            w.arm(
                Az::new("identity show")
                    .opt("--resource-group", rg)
                    .opt("--name", entry),
            )
        }
        .opt("--query", "principalId")
        .opt("--output", "tsv");
        let var = &p.object_id_variable;
        w.line(&format!("{var}=\"$({})\"", lookup.render()));
        w.line(&require(
            var,
            &format!(
                "pgplan: no principal id found for managed identity {}",
                p.identity
            ),
        ));
        vars.push(var.clone());
    }
    let host = w.arm(
        Az::new("postgres flexible-server show")
            .opt("--resource-group", rg)
            .opt("--name", az.server_name.as_str())
            .opt("--query", "fullyQualifiedDomainName")
            .opt("--output", "tsv"),
    );
    w.line(&format!("pg_host=\"$({})\"", host.render()));
    let token = Az::new("account get-access-token")
        .opt("--resource-type", "oss-rdbms")
        .opt("--query", "accessToken")
        .opt("--output", "tsv");
    w.line(&format!("entra_token=\"$({})\"", token.render()));
    let (redirect, body) = here_doc(&entra.sql);
    // `--option=value`: a value that starts with `-` stays a value.
    let mut psql = format!(
        "PGPASSWORD=\"$entra_token\" PGSSLMODE=\"${{PGSSLMODE:-require}}\" psql --no-psqlrc --set=ON_ERROR_STOP=1 \\\n  --host=\"$pg_host\" --dbname={} --username={} \\\n ",
        shell_quote(&entra.database),
        shell_quote(admin)
    );
    for var in &vars {
        let _ = write!(psql, " --set={var}=\"${var}\"");
    }
    let _ = write!(psql, " --file=- {redirect}");
    w.line(&psql);
    w.out.push_str(&body);
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

/// Reads the administrator password into [`PASSWORD_VAR`], never echoing
/// it: the lines to run before the create.
fn read_secret(description: &str, source: ReadableSecret<'_>) -> String {
    let mut out = format!(
        "# {}\n",
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
            // Key Vault is a data-plane call: no --subscription.
            let cmd = Az::new("keyvault secret show")
                .opt("--vault-name", vault.as_str())
                .opt("--name", secret.as_str())
                .opt("--query", "value")
                .opt("--output", "tsv");
            let _ = writeln!(out, "{PASSWORD_VAR}=\"$({})\"", cmd.render());
        }
    }
    out
}

fn server_create(
    plan: &ValidPlan,
    az: &Azure,
    server: &models::Server,
    with_password: bool,
    network: Option<&NetworkVars>,
) -> Az {
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
    match network {
        Some(vars) => cmd = vnet_flags(cmd, vars),
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
            .secret("--admin-password", PASSWORD_VAR);
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
