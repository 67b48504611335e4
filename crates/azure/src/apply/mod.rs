//! Apply (feature `apply`): send a plan's operations to Azure Resource
//! Manager through the generated `azure_mgmt_postgresql` client.
//!
//! Apply reads what Azure holds first ([`observe`](Observed)), then works
//! out the changes with a pure function ([`diff`]): it creates what is
//! missing, updates only what differs, leaves alone what matches and
//! reports create-only differences as drift. Long-running operations are
//! followed to the end through their `Azure-AsyncOperation` (or
//! `Location`) URL, reporting to [`ApplyOptions::progress`]; the transport pipeline retries
//! 429 and 503 answers after their `Retry-After`. The server restarts only
//! when a static parameter actually changes. The first failed operation
//! stops the run with Azure's code and message.
//!
//! A dry run ([`Applier::dry_run`]) reads the same state and prints the
//! same changes with their reasons, and sends nothing.
//!
//! The tests drive all of this against a local ARM stand-in on 127.0.0.1 that
//! speaks the same protocol (PUT → 201 with `Azure-AsyncOperation` → polling
//! → final GET, the specification's example bodies, a 429 with
//! `Retry-After`, a failed operation); it is a stand-in, not Azure.
//!
//! ```no_run
//! # async fn run(plan: pgplan_core::ValidPlan) -> Result<(), pgplan_azure::Error> {
//! use pgplan_azure::apply::{ApplyOptions, Applier};
//! let applier = Applier::from_environment(ApplyOptions::new().subscription_id(
//!     "ffffffff-ffff-ffff-ffff-ffffffffffff",
//! ))?;
//! println!("{}", applier.dry_run(&plan).await?); // what would change, and why
//! let report = applier.apply(&plan).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

mod client;
mod diff;
mod lro;
mod observe;
mod run;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pgplan_core::{Progress, Quiet, ValidPlan};
use serde::Serialize;

pub use client::Applier;
pub use diff::{Change, Step, diff, same_value};
pub use observe::{Observed, PrerequisiteState, PresentServer, ServerState};

use crate::Error;
use crate::operation::{Body, OBJECT_ID_PLACEHOLDER, Operation, SUBSCRIPTION_PLACEHOLDER};
use crate::render::render_operations;

/// Azure's public-cloud Resource Manager endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";

/// Key Vault's URL; `{vault}` is replaced by the vault name.
pub const DEFAULT_KEY_VAULT_URL: &str = "https://{vault}.vault.azure.net";

/// How to apply: where, and what the plan leaves to apply time.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    endpoint: String,
    subscription_id: Option<String>,
    object_ids: BTreeMap<String, String>,
    key_vault_url: String,
    poll_interval: Duration,
    timeout: Duration,
    progress: Arc<dyn Progress>,
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
            progress: Arc::new(Quiet),
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
    /// Where to report how the requests and long-running operations go
    /// (the CLI draws a progress bar; nothing by default).
    #[must_use]
    pub fn progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }
}

/// What apply did with one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The resource did not exist and was created.
    Created,
    /// The resource differed and was changed (or the server restarted).
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

/// What apply would do: the live state read, the changes worked out from
/// it, nothing sent.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    subscription: String,
    resource_group: String,
    operations: Vec<Operation>,
    observed: Observed,
    changes: Vec<Change>,
}

impl DryRun {
    /// The operations compared, placeholders filled.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }
    /// What Azure holds now.
    pub fn observed(&self) -> &Observed {
        &self.observed
    }
    /// One change per operation, in order ([`diff`] of the two above).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
    /// The changes that would send a write.
    pub fn writes(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.step.writes())
    }
    /// True when apply would send nothing.
    pub fn is_noop(&self) -> bool {
        self.writes().next().is_none()
    }
    fn count(&self, word: &str) -> usize {
        self.changes
            .iter()
            .filter(|c| c.step.word() == word)
            .count()
    }
}

impl fmt::Display for DryRun {
    /// The changes with their reasons (unchanged and skipped operations are
    /// only counted), then the counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "dry run against subscription {}, resource group {}: nothing was sent",
            self.subscription, self.resource_group
        )?;
        for change in &self.changes {
            if !matches!(change.step, Step::Unchanged | Step::Skip) {
                writeln!(f, "  {change}")?;
            }
        }
        write!(
            f,
            "{} to create, {} to update, {} restart(s), {} unchanged, {} skipped, {} drifted, {} refused",
            self.count("create"),
            self.count("update"),
            self.count("restart"),
            self.count("unchanged"),
            self.count("skip"),
            self.count("drift"),
            self.count("refuse")
        )
    }
}

impl Applier {
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
        let target = self.target(plan, ops)?;
        let scope = observe::Scope {
            applier: self,
            subscription: &target.subscription,
            resource_group: &target.resource_group,
        };
        run::Run::new(scope, self.options.progress.clone(), ops.len())
            .execute(&target.operations)
            .await
    }

    /// Reads what Azure holds for the plan and works out what apply would
    /// change, and why — sending nothing (reads only; no secret is read).
    pub async fn dry_run(&self, plan: &ValidPlan) -> Result<DryRun, Error> {
        let ops = render_operations(plan)?;
        self.dry_run_operations(plan, &ops).await
    }

    /// [`Applier::dry_run`] of already-rendered operations.
    pub async fn dry_run_operations(
        &self,
        plan: &ValidPlan,
        ops: &[Operation],
    ) -> Result<DryRun, Error> {
        let target = self.target(plan, ops)?;
        let scope = observe::Scope {
            applier: self,
            subscription: &target.subscription,
            resource_group: &target.resource_group,
        };
        let observed = scope.observe(&target.operations).await?;
        let changes = diff(&target.operations, &observed);
        Ok(DryRun {
            changes,
            observed,
            operations: target.operations,
            subscription: target.subscription,
            resource_group: target.resource_group,
        })
    }

    /// Where the operations go, with their placeholders filled.
    fn target(&self, plan: &ValidPlan, ops: &[Operation]) -> Result<Target, Error> {
        let Some(azure) = plan.platform.azure() else {
            return Err(Error::NotAzure {
                platform: plan.platform.kind(),
            });
        };
        let subscription = self.subscription(plan, ops)?;
        let operations = ops
            .iter()
            .map(|op| self.resolve(op, &subscription))
            .collect::<Result<_, _>>()?;
        Ok(Target {
            subscription,
            resource_group: azure.resource_group.as_str().to_owned(),
            operations,
        })
    }

    /// The subscription: the options', the plan's, or `AZURE_SUBSCRIPTION_ID`.
    fn subscription(&self, plan: &ValidPlan, ops: &[Operation]) -> Result<String, Error> {
        let given = |s: String| {
            let s = s.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        self.options
            .subscription_id
            .clone()
            .and_then(given)
            .or_else(|| {
                plan.platform
                    .azure()
                    .and_then(|a| a.subscription_id.as_ref().map(ToString::to_string))
            })
            .or_else(|| std::env::var("AZURE_SUBSCRIPTION_ID").ok().and_then(given))
            .ok_or_else(|| Error::MissingInput {
                operation: ops.first().map_or("apply".into(), |o| o.id.clone()),
                what: "the subscription id".into(),
                fix: "set platform.azure.subscription_id, pass it to apply, or export AZURE_SUBSCRIPTION_ID".into(),
            })
    }

    /// An operation with its placeholders filled: the subscription in its
    /// path and body, an Entra administrator's object id from the options.
    fn resolve(&self, op: &Operation, subscription: &str) -> Result<Operation, Error> {
        let mut op = op.clone();
        op.path = op.path.replace(SUBSCRIPTION_PLACEHOLDER, subscription);
        let subscription_only = [(SUBSCRIPTION_PLACEHOLDER, subscription)];
        if let Some(Body::Server(server)) = &op.body {
            let filled = client::fill(&op.id, server, &subscription_only)?;
            op.body = Some(Body::Server(filled));
        }
        if let Some(Body::MetricAlert(alert)) = &op.body {
            let filled = client::fill(&op.id, alert, &subscription_only)?;
            op.body = Some(Body::MetricAlert(filled));
        }
        for p in &mut op.prerequisites {
            p.resource_id = p
                .resource_id
                .replace(SUBSCRIPTION_PLACEHOLDER, subscription);
            if let Some(v) = &mut p.virtual_network_id {
                *v = v.replace(SUBSCRIPTION_PLACEHOLDER, subscription);
            }
        }
        if let Some(Body::Administrator(admin)) = &op.body
            && op.path.contains(OBJECT_ID_PLACEHOLDER)
        {
            let principal = admin
                .properties
                .as_ref()
                .and_then(|p| p.principal_name.clone())
                .unwrap_or_default();
            let id = self.options.object_ids.get(&principal).ok_or_else(|| {
                Error::MissingInput {
                    operation: op.id.clone(),
                    what: format!("the object id of Entra principal `{principal}`"),
                    fix: format!(
                        "set object_id of `{principal}` under platform.azure.auth.administrators (`az ad group show --group {principal} --query id`), or pass it to apply"
                    ),
                }
            })?;
            op.path = op.path.replace(OBJECT_ID_PLACEHOLDER, id);
        }
        op.placeholders.clear();
        Ok(op)
    }
}

/// The resolved target of a run.
struct Target {
    subscription: String,
    resource_group: String,
    operations: Vec<Operation>,
}
