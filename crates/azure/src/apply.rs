//! Apply (feature `apply`): send a plan's operations to Azure Resource
//! Manager through the generated `azure_mgmt_postgresql` client.
//!
//! For every operation the applier first reads the resource; it creates what
//! is missing, updates only what differs, and leaves alone what matches.
//! Long-running operations are followed to the end through their
//! `Azure-AsyncOperation` (or `Location`) URL with a progress indicator; the
//! transport pipeline retries 429 and 503 answers after their `Retry-After`.
//! The server restarts only when a static parameter actually changed. The
//! first failed operation stops the run with Azure's code and message.
//!
//! The tests drive all of this against a local ARM stand-in on 127.0.0.1 that
//! speaks the same protocol (PUT → 201 with `Azure-AsyncOperation` → polling
//! → final GET, the specification's example bodies, a 429 with
//! `Retry-After`, a failed operation); it is a stand-in, not Azure.
//!
//! ```no_run
//! # async fn run(plan: pgplan_core::Plan) -> Result<(), pgplan_azure::Error> {
//! use pgplan_azure::apply::{ApplyOptions, Applier};
//! let applier = Applier::from_environment(ApplyOptions::new().subscription_id(
//!     "ffffffff-ffff-ffff-ffff-ffffffffffff",
//! ))?;
//! let report = applier.apply(&plan).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::auth::TokenCredential;
use azure_core::headers::{AZURE_ASYNCOPERATION, HeaderName, LOCATION};
use azure_core::{ClientOptions, Context, Pipeline, Request, StatusCode, TransportOptions, Url};
use azure_mgmt_postgresql::package_flexibleserver_2024_08_01 as api;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pgplan_core::{SecretSource, ValidPlan};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::models::{self, backup, high_availability};
use crate::operation::{
    Body, OBJECT_ID_PLACEHOLDER, Operation, OperationKind, SUBSCRIPTION_PLACEHOLDER,
};
use crate::render::render_operations;

/// Azure's public-cloud Resource Manager endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";

/// Key Vault's URL; `{vault}` is replaced by the vault name.
pub const DEFAULT_KEY_VAULT_URL: &str = "https://{vault}.vault.azure.net";

const KEY_VAULT_SCOPE: &str = "https://vault.azure.net/.default";
const KEY_VAULT_API_VERSION: &str = "7.4";

/// How to apply: where, and what the plan leaves to apply time.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    endpoint: String,
    subscription_id: Option<String>,
    object_ids: BTreeMap<String, String>,
    key_vault_url: String,
    poll_interval: Duration,
    timeout: Duration,
    progress: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            endpoint: DEFAULT_ENDPOINT.into(),
            subscription_id: None,
            object_ids: BTreeMap::new(),
            key_vault_url: DEFAULT_KEY_VAULT_URL.into(),
            poll_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(2 * 60 * 60),
            progress: true,
        }
    }
}

impl ApplyOptions {
    /// Azure's public cloud, the plan's (or `AZURE_SUBSCRIPTION_ID`'s)
    /// subscription, polling every 10 s, giving up after 2 h.
    pub fn new() -> Self {
        Self::default()
    }
    /// The Resource Manager endpoint (another cloud, or a stand-in).
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }
    /// The subscription, over the plan's.
    #[must_use]
    pub fn subscription_id(mut self, id: impl Into<String>) -> Self {
        self.subscription_id = Some(id.into());
        self
    }
    /// The object id of an Entra administrator the plan names without one.
    #[must_use]
    pub fn object_id(mut self, principal_name: impl Into<String>, id: impl Into<String>) -> Self {
        self.object_ids.insert(principal_name.into(), id.into());
        self
    }
    /// Key Vault's URL template (`{vault}` is replaced by the vault name).
    #[must_use]
    pub fn key_vault_url(mut self, template: impl Into<String>) -> Self {
        self.key_vault_url = template.into();
        self
    }
    /// How long to wait between polls when Azure does not say (`Retry-After`).
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }
    /// How long one long-running operation may take.
    #[must_use]
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
        self
    }
    /// Draw a progress indicator on standard error (when it is a terminal).
    #[must_use]
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }
}

/// What apply did with one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The resource did not exist and was created.
    Created,
    /// The resource differed and was changed.
    Updated,
    /// The resource already matched.
    Unchanged,
    /// Not needed (a restart when no static parameter changed).
    Skipped,
    /// A difference apply cannot fix in place (create-only settings).
    Drift,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The operation id.
    pub operation: String,
    /// What happened.
    pub outcome: Outcome,
    /// Details (what differed).
    pub detail: String,
}

/// What apply did, operation by operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// In operation order.
    pub actions: Vec<Action>,
}

impl ApplyReport {
    /// Actions with an outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.actions.iter().filter(|a| a.outcome == outcome).count()
    }
    /// True when nothing was created or changed.
    pub fn is_noop(&self) -> bool {
        self.count(Outcome::Created) + self.count(Outcome::Updated) == 0
    }
    /// The action of an operation.
    pub fn get(&self, operation: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.operation == operation)
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.actions {
            let word = match a.outcome {
                Outcome::Created => "created",
                Outcome::Updated => "updated",
                Outcome::Unchanged => "unchanged",
                Outcome::Skipped => "skipped",
                Outcome::Drift => "DRIFT",
            };
            write!(f, "{word:>9}  {}", a.operation)?;
            if !a.detail.is_empty() {
                write!(f, ": {}", a.detail)?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "{} created, {} updated, {} unchanged, {} skipped, {} drifted",
            self.count(Outcome::Created),
            self.count(Outcome::Updated),
            self.count(Outcome::Unchanged),
            self.count(Outcome::Skipped),
            self.count(Outcome::Drift)
        )
    }
}

/// Sends operations to Azure Resource Manager.
pub struct Applier {
    client: api::Client,
    credential: Arc<dyn TokenCredential>,
    pipeline: Pipeline,
    arm_scope: String,
    options: ApplyOptions,
}

impl fmt::Debug for Applier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applier")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn setup_error(context: &str, source: azure_core::Error) -> Error {
    Error::Azure {
        operation: "setup".into(),
        context: context.into(),
        source,
    }
}

impl Applier {
    /// An applier with these credentials.
    pub fn new(credential: Arc<dyn TokenCredential>, options: ApplyOptions) -> Result<Self, Error> {
        let endpoint = Url::parse(&options.endpoint).map_err(|e| Error::MissingInput {
            operation: "setup".into(),
            what: format!("a valid endpoint (`{}`: {e})", options.endpoint),
            fix: "pass an absolute URL such as https://management.azure.com".into(),
        })?;
        let arm_scope = endpoint
            .join(azure_core::auth::DEFAULT_SCOPE_SUFFIX)
            .map_err(|e| setup_error("building the token scope", e.into()))?
            .to_string();
        let http = azure_core::new_http_client();
        let client = api::ClientBuilder::new(credential.clone())
            .endpoint(endpoint)
            .transport(TransportOptions::new_custom_policy(Arc::new(
                NullStrippingTransport { http: http.clone() },
            )))
            .build()
            .map_err(|e| setup_error("building the client", e))?;
        let pipeline = Pipeline::new(
            option_env!("CARGO_PKG_NAME"),
            option_env!("CARGO_PKG_VERSION"),
            ClientOptions::new(TransportOptions::new(http)),
            Vec::new(),
            Vec::new(),
        );
        Ok(Applier {
            client,
            credential,
            pipeline,
            arm_scope,
            options,
        })
    }

    /// An applier with the default credential chain (environment, workload
    /// and managed identity, Azure CLI).
    pub fn from_environment(options: ApplyOptions) -> Result<Self, Error> {
        let credential = azure_identity::create_default_credential()
            .map_err(|e| setup_error("finding Azure credentials", e))?;
        Self::new(credential, options)
    }

    /// Renders the plan and applies its operations in order.
    pub async fn apply(&self, plan: &ValidPlan) -> Result<ApplyReport, Error> {
        let ops = render_operations(plan)?;
        self.apply_operations(plan, &ops).await
    }

    /// Applies already-rendered operations of a plan.
    pub async fn apply_operations(
        &self,
        plan: &ValidPlan,
        ops: &[Operation],
    ) -> Result<ApplyReport, Error> {
        let Some(azure) = plan.platform.azure() else {
            return Err(Error::NotAzure {
                platform: plan.platform.kind(),
            });
        };
        let bar = if self.options.progress {
            ProgressBar::with_draw_target(Some(ops.len() as u64), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed:>4} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let mut run = Run {
            applier: self,
            subscription: self.subscription(plan, ops)?,
            resource_group: azure.resource_group.as_str().to_owned(),
            bar,
            configurations: BTreeMap::new(),
            static_changed: BTreeMap::new(),
            report: ApplyReport::default(),
        };
        for op in ops {
            run.bar.set_message(op.summary.clone());
            let result = run.operation(op).await;
            match result {
                Ok((outcome, detail)) => run.report.actions.push(Action {
                    operation: op.id.clone(),
                    outcome,
                    detail,
                }),
                Err(e) => {
                    run.bar
                        .abandon_with_message(format!("stopped at {}: {e}", op.id));
                    return Err(e);
                }
            }
            run.bar.inc(1);
        }
        run.bar.finish_and_clear();
        Ok(run.report)
    }

    fn subscription(&self, plan: &ValidPlan, ops: &[Operation]) -> Result<String, Error> {
        let from_plan = plan
            .platform
            .azure()
            .and_then(|a| a.subscription_id.as_ref().map(ToString::to_string));
        let found = self
            .options
            .subscription_id
            .clone()
            .or(from_plan)
            .or_else(|| std::env::var("AZURE_SUBSCRIPTION_ID").ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        found.ok_or_else(|| Error::MissingInput {
            operation: ops.first().map_or("apply".into(), |o| o.id.clone()),
            what: "the subscription id".into(),
            fix: "set platform.azure.subscription_id, pass it to apply, or export AZURE_SUBSCRIPTION_ID".into(),
        })
    }

    async fn token(&self, operation: &str, scope: &str) -> Result<String, Error> {
        let token = self
            .credential
            .get_token(&[scope])
            .await
            .map_err(|source| Error::Azure {
                operation: operation.into(),
                context: format!("getting a token for {scope}"),
                source,
            })?;
        Ok(token.token.secret().to_owned())
    }

    /// A GET through the pipeline (retries 429/503 after `Retry-After`).
    async fn get(
        &self,
        operation: &str,
        url: Url,
        scope: &str,
    ) -> Result<azure_core::Response, Error> {
        let mut req = Request::new(url.clone(), azure_core::Method::Get);
        let token = self.token(operation, scope).await?;
        req.insert_header(
            azure_core::headers::AUTHORIZATION,
            format!("Bearer {token}"),
        );
        self.pipeline
            .send(&Context::default(), &mut req)
            .await
            .map_err(|e| rejected(operation, &format!("polling {}", url.path()), e))
    }

    async fn read_secret(&self, operation: &str, source: &SecretSource) -> Result<String, Error> {
        match source {
            SecretSource::Env { var } => {
                std::env::var(var.as_str()).map_err(|_| Error::MissingInput {
                    operation: operation.into(),
                    what: format!("the administrator password (environment variable {var})"),
                    fix: format!("export {var}"),
                })
            }
            SecretSource::KeyVault { vault, secret } => {
                let base = self
                    .options
                    .key_vault_url
                    .replace("{vault}", vault.as_str());
                let url = Url::parse(&format!(
                    "{}/secrets/{}?api-version={KEY_VAULT_API_VERSION}",
                    base.trim_end_matches('/'),
                    secret.as_str()
                ))
                .map_err(|e| Error::MissingInput {
                    operation: operation.into(),
                    what: format!("a Key Vault URL for `{vault}` ({e})"),
                    fix: "check the vault name".into(),
                })?;
                let rsp = self.get(operation, url, KEY_VAULT_SCOPE).await?;
                #[derive(serde::Deserialize)]
                struct SecretBundle {
                    value: String,
                }
                let bundle: SecretBundle = rsp.json().await.map_err(|source| Error::Azure {
                    operation: operation.into(),
                    context: format!("reading secret `{secret}` of Key Vault `{vault}`"),
                    source,
                })?;
                Ok(bundle.value)
            }
            other => Err(Error::MissingInput {
                operation: operation.into(),
                what: format!("the administrator password ({})", other.describe()),
                fix: "keep it in Key Vault or an environment variable".into(),
            }),
        }
    }
}

/// The HTTP transport of the generated client, with one correction: JSON
/// request bodies lose their `null` members. The generated models serialise
/// unset dates as `null` (`earliestRestoreDate`, `pointInTimeUTC`, both
/// read-only or create-only), which must not reach ARM.
#[derive(Debug)]
struct NullStrippingTransport {
    http: Arc<dyn azure_core::HttpClient>,
}

#[async_trait::async_trait]
impl azure_core::Policy for NullStrippingTransport {
    async fn send(
        &self,
        _ctx: &Context,
        request: &mut Request,
        _next: &[Arc<dyn azure_core::Policy>],
    ) -> azure_core::PolicyResult {
        let json = request
            .headers()
            .get_optional_str(&azure_core::headers::CONTENT_TYPE)
            .is_some_and(|c| c.contains("json"));
        if json
            && let azure_core::Body::Bytes(bytes) = request.body()
            && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes)
        {
            crate::operation::strip_nulls(&mut value);
            if let Ok(cleaned) = serde_json::to_vec(&value) {
                request.set_body(cleaned);
            }
        }
        self.http.execute_request(request).await
    }
}

/// The error of a refused request: Azure's status, code and message.
fn rejected(operation: &str, context: &str, e: azure_core::Error) -> Error {
    match e.as_http_error() {
        Some(http) => Error::Rejected {
            operation: operation.into(),
            status: u16::from(http.status()),
            code: http.error_code().map(str::to_owned),
            message: http
                .error_message()
                .map_or_else(|| context.to_owned(), str::to_owned),
        },
        None => Error::Azure {
            operation: operation.into(),
            context: context.into(),
            source: e,
        },
    }
}

fn is_not_found(e: &azure_core::Error) -> bool {
    e.as_http_error()
        .is_some_and(|h| h.status() == StatusCode::NotFound)
}

/// Fills the placeholders of a typed body: through JSON, where they are text.
fn fill<T: Serialize + DeserializeOwned>(
    operation: &str,
    body: &T,
    replacements: &[(&str, &str)],
) -> Result<T, Error> {
    let mut text = serde_json::to_string(body).map_err(|source| Error::Serialize {
        what: operation.into(),
        source,
    })?;
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).map_err(|source| Error::Serialize {
        what: operation.into(),
        source,
    })
}

/// State of one run.
struct Run<'a> {
    applier: &'a Applier,
    subscription: String,
    resource_group: String,
    bar: ProgressBar,
    /// Current parameters per server, read once.
    configurations: BTreeMap<String, BTreeMap<String, models::ConfigurationProperties>>,
    /// Static parameters that changed, per server.
    static_changed: BTreeMap<String, BTreeSet<String>>,
    report: ApplyReport,
}

type Step = Result<(Outcome, String), Error>;

impl Run<'_> {
    fn client(&self) -> &api::Client {
        &self.applier.client
    }

    async fn operation(&mut self, op: &Operation) -> Step {
        match (op.kind, &op.body) {
            (OperationKind::ServerCreate | OperationKind::ReplicaCreate, Some(Body::Server(s))) => {
                self.server(op, s).await
            }
            (OperationKind::Configuration, Some(Body::Configuration(c))) => {
                self.configuration(op, c).await
            }
            (OperationKind::Restart, _) => self.restart(op).await,
            (OperationKind::Database, Some(Body::Database(d))) => self.database(op, d).await,
            (OperationKind::Administrator, Some(Body::Administrator(a))) => {
                self.administrator(op, a).await
            }
            (OperationKind::FirewallRule, Some(Body::FirewallRule(r))) => {
                self.firewall_rule(op, r).await
            }
            _ => Ok((Outcome::Skipped, "nothing to send".into())),
        }
    }

    fn child_name(op: &Operation) -> String {
        op.resource_path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    async fn server(&mut self, op: &Operation, desired: &models::Server) -> Step {
        let sub = self.subscription.clone();
        let rg = self.resource_group.clone();
        let name = op.server.clone();
        let desired = fill(&op.id, desired, &[(SUBSCRIPTION_PLACEHOLDER, &sub)])?;
        let current = match self.client().servers_client().get(&sub, &rg, &name).await {
            Ok(s) => Some(s),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(rejected(&op.id, &format!("reading server {name}"), e)),
        };
        match current {
            None => {
                let mut body = desired;
                for secret in &op.secrets {
                    let value = self.applier.read_secret(&op.id, &secret.source).await?;
                    if let Some(p) = body.properties.as_mut() {
                        p.administrator_login_password = Some(value);
                    }
                }
                let rsp = self
                    .client()
                    .servers_client()
                    .create(&sub, &rg, &name, body)
                    .send()
                    .await
                    .map_err(|e| rejected(&op.id, &format!("creating server {name}"), e))?;
                self.follow(op, rsp.into_raw_response()).await?;
                self.client()
                    .servers_client()
                    .get(&sub, &rg, &name)
                    .await
                    .map_err(|e| rejected(&op.id, &format!("reading server {name}"), e))?;
                Ok((Outcome::Created, String::new()))
            }
            Some(current) => {
                let (update, changes, drift) = server_update(&desired, &current);
                if let Some(update) = update {
                    let rsp = self
                        .client()
                        .servers_client()
                        .update(&sub, &rg, &name, update)
                        .send()
                        .await
                        .map_err(|e| rejected(&op.id, &format!("updating server {name}"), e))?;
                    self.follow(op, rsp.into_raw_response()).await?;
                    let mut detail = changes.join("; ");
                    if !drift.is_empty() {
                        detail.push_str(&format!("; cannot change in place: {}", drift.join("; ")));
                    }
                    Ok((Outcome::Updated, detail))
                } else if !drift.is_empty() {
                    Ok((Outcome::Drift, drift.join("; ")))
                } else {
                    Ok((Outcome::Unchanged, String::new()))
                }
            }
        }
    }

    async fn current_configurations(
        &mut self,
        op: &Operation,
    ) -> Result<&BTreeMap<String, models::ConfigurationProperties>, Error> {
        let server = op.server.clone();
        if !self.configurations.contains_key(&server) {
            let mut all = BTreeMap::new();
            let mut pages = self
                .client()
                .configurations_client()
                .list_by_server(&self.subscription, &self.resource_group, &server)
                .into_stream();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    rejected(&op.id, &format!("listing the parameters of {server}"), e)
                })?;
                for c in page.value {
                    if let (Some(name), Some(props)) =
                        (c.proxy_resource.resource.name, c.properties)
                    {
                        all.insert(name.to_ascii_lowercase(), props);
                    }
                }
            }
            self.configurations.insert(server.clone(), all);
        }
        Ok(&self.configurations[&server])
    }

    async fn configuration(&mut self, op: &Operation, desired: &models::Configuration) -> Step {
        let Some((name, value)) = op.configuration() else {
            return Ok((Outcome::Skipped, "no value".into()));
        };
        let (name, value) = (name.to_owned(), value.to_owned());
        let current = self.current_configurations(op).await?.get(&name).cloned();
        let current_value = current.as_ref().and_then(|c| c.value.clone());
        if let Some(cur) = &current_value
            && same_value(&value, cur)
        {
            return Ok((Outcome::Unchanged, String::new()));
        }
        if current.as_ref().and_then(|c| c.is_read_only) == Some(true) {
            return Err(Error::Rejected {
                operation: op.id.clone(),
                status: 400,
                code: Some("ReadOnlyParameter".into()),
                message: format!("Azure reports {name} as read-only; remove it from the plan"),
            });
        }
        let rsp = self
            .client()
            .configurations_client()
            .put(
                &self.subscription,
                &self.resource_group,
                &op.server,
                &name,
                desired.clone(),
            )
            .send()
            .await
            .map_err(|e| rejected(&op.id, &format!("setting {name}"), e))?;
        self.follow(op, rsp.into_raw_response()).await?;
        let after = self
            .client()
            .configurations_client()
            .get(&self.subscription, &self.resource_group, &op.server, &name)
            .await
            .map_err(|e| rejected(&op.id, &format!("reading {name}"), e))?;
        let dynamic = current
            .as_ref()
            .and_then(|c| c.is_dynamic_config)
            .map_or(!op.needs_restart, |d| d);
        let pending = after
            .properties
            .as_ref()
            .and_then(|p| p.is_config_pending_restart)
            .unwrap_or(false);
        if !dynamic || pending {
            self.static_changed
                .entry(op.server.clone())
                .or_default()
                .insert(name.clone());
        }
        if let Some(cache) = self.configurations.get_mut(&op.server)
            && let Some(props) = after.properties
        {
            cache.insert(name.clone(), props);
        }
        Ok((
            Outcome::Updated,
            format!(
                "{} → {value}{}",
                current_value.as_deref().unwrap_or("(unset)"),
                if dynamic { "" } else { " (static)" }
            ),
        ))
    }

    async fn restart(&mut self, op: &Operation) -> Step {
        let Some(changed) = self.static_changed.remove(&op.server) else {
            return Ok((Outcome::Skipped, "no static parameter changed".into()));
        };
        let rsp = self
            .client()
            .servers_client()
            .restart(&self.subscription, &self.resource_group, &op.server)
            .send()
            .await
            .map_err(|e| rejected(&op.id, &format!("restarting {}", op.server), e))?;
        self.follow(op, rsp.into_raw_response()).await?;
        Ok((
            Outcome::Updated,
            format!(
                "restarted for {}",
                changed.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    async fn database(&mut self, op: &Operation, desired: &models::Database) -> Step {
        let name = Self::child_name(op);
        let (sub, rg) = (self.subscription.clone(), self.resource_group.clone());
        match self
            .client()
            .databases_client()
            .get(&sub, &rg, &op.server, &name)
            .await
        {
            Ok(current) => {
                let want = desired.properties.clone().unwrap_or_default();
                let have = current.properties.unwrap_or_default();
                let differs = |a: &Option<String>, b: &Option<String>| match (a, b) {
                    (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
                    _ => false,
                };
                if differs(&want.charset, &have.charset)
                    || differs(&want.collation, &have.collation)
                {
                    Ok((
                        Outcome::Drift,
                        format!(
                            "exists with {} / {}; a database's charset and collation cannot change (recreate it to change them)",
                            have.charset.unwrap_or_default(),
                            have.collation.unwrap_or_default()
                        ),
                    ))
                } else {
                    Ok((Outcome::Unchanged, String::new()))
                }
            }
            Err(e) if is_not_found(&e) => {
                let rsp = self
                    .client()
                    .databases_client()
                    .create(&sub, &rg, &op.server, &name, desired.clone())
                    .send()
                    .await
                    .map_err(|e| rejected(&op.id, &format!("creating database {name}"), e))?;
                self.follow(op, rsp.into_raw_response()).await?;
                self.client()
                    .databases_client()
                    .get(&sub, &rg, &op.server, &name)
                    .await
                    .map_err(|e| rejected(&op.id, &format!("reading database {name}"), e))?;
                Ok((Outcome::Created, String::new()))
            }
            Err(e) => Err(rejected(&op.id, &format!("reading database {name}"), e)),
        }
    }

    async fn administrator(
        &mut self,
        op: &Operation,
        desired: &models::ActiveDirectoryAdministratorAdd,
    ) -> Step {
        let (sub, rg) = (self.subscription.clone(), self.resource_group.clone());
        let props = desired.properties.clone().unwrap_or_default();
        let principal = props.principal_name.clone().unwrap_or_default();
        let mut object_id = Self::child_name(op);
        if object_id == OBJECT_ID_PLACEHOLDER {
            object_id = self
                .applier
                .options
                .object_ids
                .get(&principal)
                .cloned()
                .ok_or_else(|| Error::MissingInput {
                    operation: op.id.clone(),
                    what: format!("the object id of Entra principal `{principal}`"),
                    fix: format!(
                        "set object_id of `{principal}` under platform.azure.auth.administrators (`az ad group show --group {principal} --query id`), or pass it to apply"
                    ),
                })?;
        }
        let current = match self
            .client()
            .administrators_client()
            .get(&sub, &rg, &op.server, &object_id)
            .await
        {
            Ok(a) => Some(a),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(rejected(&op.id, "reading the administrator", e)),
        };
        let same = current.as_ref().is_some_and(|c| {
            c.properties.principal_name.as_deref() == props.principal_name.as_deref()
                && serde_json::to_value(&c.properties.principal_type).ok()
                    == serde_json::to_value(&props.principal_type).ok()
        });
        if same {
            return Ok((Outcome::Unchanged, String::new()));
        }
        let rsp = self
            .client()
            .administrators_client()
            .create(&sub, &rg, &op.server, &object_id, desired.clone())
            .send()
            .await
            .map_err(|e| rejected(&op.id, &format!("adding administrator {principal}"), e))?;
        self.follow(op, rsp.into_raw_response()).await?;
        Ok(written(current.is_some()))
    }

    async fn firewall_rule(&mut self, op: &Operation, desired: &models::FirewallRule) -> Step {
        let name = Self::child_name(op);
        let (sub, rg) = (self.subscription.clone(), self.resource_group.clone());
        let current = match self
            .client()
            .firewall_rules_client()
            .get(&sub, &rg, &op.server, &name)
            .await
        {
            Ok(r) => Some(r),
            Err(e) if is_not_found(&e) => None,
            Err(e) => {
                return Err(rejected(
                    &op.id,
                    &format!("reading firewall rule {name}"),
                    e,
                ));
            }
        };
        if current
            .as_ref()
            .is_some_and(|c| c.properties == desired.properties)
        {
            return Ok((Outcome::Unchanged, String::new()));
        }
        let rsp = self
            .client()
            .firewall_rules_client()
            .create_or_update(&sub, &rg, &op.server, &name, desired.clone())
            .send()
            .await
            .map_err(|e| rejected(&op.id, &format!("writing firewall rule {name}"), e))?;
        self.follow(op, rsp.into_raw_response()).await?;
        Ok(written(current.is_some()))
    }

    /// Follows a long-running operation to its end: the
    /// `Azure-AsyncOperation` status resource when there is one, else the
    /// `Location` URL of a 202.
    async fn follow(&self, op: &Operation, rsp: azure_core::Response) -> Result<(), Error> {
        let status = rsp.status();
        let headers = rsp.headers().clone();
        let header_url = |name: &HeaderName| -> Option<Url> {
            headers
                .get_optional_str(name)
                .and_then(|s| Url::parse(s).ok())
        };
        let async_url = header_url(&AZURE_ASYNCOPERATION);
        let location = header_url(&LOCATION);
        let started = Instant::now();
        let mut wait = retry_after(&headers).unwrap_or(self.applier.options.poll_interval);
        let (url, via_location) = match (async_url, location) {
            (Some(url), _) => (url, false),
            (None, Some(url)) if status == StatusCode::Accepted => (url, true),
            _ => return Ok(()),
        };
        self.bar.enable_steady_tick(Duration::from_millis(120));
        let result = loop {
            if started.elapsed() > self.applier.options.timeout {
                break Err(Error::OperationFailed {
                    operation: op.id.clone(),
                    status: "TimedOut".into(),
                    code: None,
                    message: format!(
                        "still running after {} s; check it in the portal and apply again",
                        started.elapsed().as_secs()
                    ),
                });
            }
            tokio::time::sleep(wait).await;
            let rsp = self
                .applier
                .get(&op.id, url.clone(), &self.applier.arm_scope)
                .await?;
            let status = rsp.status();
            wait = retry_after(rsp.headers()).unwrap_or(self.applier.options.poll_interval);
            if via_location {
                if status == StatusCode::Accepted {
                    continue;
                }
                break Ok(());
            }
            let body: OperationStatus = rsp.json().await.map_err(|source| Error::Azure {
                operation: op.id.clone(),
                context: "reading the operation status".into(),
                source,
            })?;
            self.bar.set_message(format!(
                "{}: {} ({} s)",
                op.summary,
                body.status,
                started.elapsed().as_secs()
            ));
            match body.status.as_str() {
                "Succeeded" => break Ok(()),
                "Failed" | "Canceled" | "Cancelled" => {
                    let error = body.error.unwrap_or_default();
                    break Err(Error::OperationFailed {
                        operation: op.id.clone(),
                        status: body.status,
                        code: error.code,
                        message: error
                            .message
                            .unwrap_or_else(|| "Azure gave no reason".into()),
                    });
                }
                _ => continue,
            }
        };
        self.bar.disable_steady_tick();
        result
    }
}

/// The `Azure-AsyncOperation` status resource.
#[derive(Debug, serde::Deserialize)]
struct OperationStatus {
    status: String,
    #[serde(default)]
    error: Option<OperationError>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct OperationError {
    code: Option<String>,
    message: Option<String>,
}

fn retry_after(headers: &azure_core::headers::Headers) -> Option<Duration> {
    headers
        .get_optional_str(&azure_core::headers::RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
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

/// The outcome of a PUT: an update when the resource existed, else a create.
fn written(existed: bool) -> (Outcome, String) {
    let outcome = if existed {
        Outcome::Updated
    } else {
        Outcome::Created
    };
    (outcome, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_like_azure_reports_them() {
        assert!(same_value("524288", "524288"));
        assert!(same_value("on", "ON"));
        assert!(same_value("on", "true"));
        assert!(same_value("1.1", "1.10"));
        assert!(same_value("pg_trgm,uuid-ossp", "UUID-OSSP, pg_trgm"));
        assert!(!same_value("top", "none"));
        assert!(!same_value("4096", "8192"));
    }
}
