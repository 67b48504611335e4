//! The orchestration: observe, diff, then execute the changes in operation
//! order — the writes of each step, followed to the end when they are
//! long-running. After it creates a server, apply reads that server again
//! and works out its remaining changes anew: Azure creates a server with
//! its own defaults, which may already match the plan.

use std::collections::BTreeMap;

use std::sync::Arc;

use pgplan_core::Progress;

use super::client::rejected;
use super::diff::{Change, Step, diff};
use super::lro::follow;
use super::observe::{Observed, Scope, child_name};
use super::{Action, ApplyReport, Outcome};
use crate::Error;
use crate::models;
use crate::operation::{Body, Operation, OperationKind};

/// One apply run.
pub(super) struct Run<'a> {
    scope: Scope<'a>,
    progress: Arc<dyn Progress>,
    observed: Observed,
    /// Parameters Azure reports pending a restart after they were set, per
    /// server (a parameter the catalog calls dynamic may still need one).
    pending_restart: BTreeMap<String, Vec<String>>,
}

impl<'a> Run<'a> {
    pub(super) fn new(scope: Scope<'a>, progress: Arc<dyn Progress>, operations: usize) -> Self {
        progress.begin("Azure requests", Some(operations as u64));
        Run {
            scope,
            progress,
            observed: Observed::default(),
            pending_restart: BTreeMap::new(),
        }
    }

    /// Observes, diffs and executes; stops at the first error.
    pub(super) async fn execute(mut self, ops: &[Operation]) -> Result<ApplyReport, Error> {
        self.observed = self.scope.observe(ops).await?;
        let mut changes = diff(ops, &self.observed);
        let mut report = ApplyReport::default();
        for (i, op) in ops.iter().enumerate() {
            self.progress.advance(i as u64, &op.summary);
            // `diff` gives exactly one change per operation, in order.
            let change = &changes[i];
            let result = self.step(op, change).await;
            let (outcome, detail) = match result {
                Ok(done) => done,
                Err(e) => {
                    self.progress
                        .end(Some(&format!("stopped at {}: {e}", op.id)));
                    return Err(e);
                }
            };
            let created_server = outcome == Outcome::Created
                && matches!(
                    op.kind,
                    OperationKind::ServerCreate | OperationKind::ReplicaCreate
                );
            report.actions.push(Action {
                operation: op.id.clone(),
                outcome,
                detail,
            });
            if created_server {
                let state = self.scope.server(&op.server, ops).await?;
                self.observed.servers.insert(op.server.clone(), state);
                changes = diff(ops, &self.observed);
            }
            self.progress.advance(i as u64 + 1, &op.summary);
        }
        self.progress.end(None);
        Ok(report)
    }

    /// Executes one change.
    async fn step(&mut self, op: &Operation, change: &Change) -> Result<(Outcome, String), Error> {
        let detail = change.detail();
        match &change.step {
            Step::Unchanged => Ok((Outcome::Unchanged, detail)),
            Step::Skip if op.kind == OperationKind::Restart => self.restart(op, None).await,
            Step::Skip => Ok((Outcome::Skipped, detail)),
            Step::Drift => Ok((Outcome::Drift, detail)),
            Step::Refuse
                if matches!(
                    op.kind,
                    OperationKind::ServerCreate | OperationKind::ReplicaCreate
                ) =>
            {
                Err(Error::MissingPrerequisite {
                    operation: op.id.clone(),
                    server: op.server.clone(),
                    missing: detail,
                })
            }
            Step::Refuse => Err(Error::Rejected {
                operation: op.id.clone(),
                status: 400,
                code: Some("ReadOnlyParameter".into()),
                message: detail,
            }),
            Step::Restart => self.restart(op, Some(detail)).await,
            Step::Create | Step::Update { .. } => {
                self.write(op, &change.step).await?;
                let outcome = if change.step == Step::Create {
                    Outcome::Created
                } else {
                    Outcome::Updated
                };
                Ok((outcome, detail))
            }
        }
    }

    /// Sends the write of a create or an update and follows it.
    async fn write(&mut self, op: &Operation, step: &Step) -> Result<(), Error> {
        let (sub, rg) = (self.scope.subscription, self.scope.resource_group);
        let applier = self.scope.applier;
        let client = &applier.client;
        let server = op.server.as_str();
        let child = child_name(op).to_owned();
        let failed = |what: String| move |e| rejected(&op.id, &what, e);
        let rsp = match (&op.body, step) {
            (Some(Body::Server(desired)), Step::Create) => {
                let mut body = (**desired).clone();
                for secret in &op.secrets {
                    let password = applier.read_secret(&op.id, &secret.source).await?;
                    if let Some(p) = body.properties.as_mut() {
                        p.administrator_login_password = Some(password.expose().to_owned());
                    }
                }
                client
                    .servers_client()
                    .create(sub, rg, server, body)
                    .send()
                    .await
                    .map_err(failed(format!("creating server {server}")))?
                    .into_raw_response()
            }
            (Some(Body::Server(_)), Step::Update { patch: Some(patch) }) => client
                .servers_client()
                .update(sub, rg, server, (**patch).clone())
                .send()
                .await
                .map_err(failed(format!("updating server {server}")))?
                .into_raw_response(),
            (Some(Body::Configuration(desired)), _) => client
                .configurations_client()
                .put(sub, rg, server, &child, desired.clone())
                .send()
                .await
                .map_err(failed(format!("setting {child}")))?
                .into_raw_response(),
            (Some(Body::Database(desired)), _) => client
                .databases_client()
                .create(sub, rg, server, &child, desired.clone())
                .send()
                .await
                .map_err(failed(format!("creating database {child}")))?
                .into_raw_response(),
            (Some(Body::Administrator(desired)), _) => client
                .administrators_client()
                .create(sub, rg, server, &child, desired.clone())
                .send()
                .await
                .map_err(failed(format!("adding administrator {child}")))?
                .into_raw_response(),
            (Some(Body::MetricAlert(desired)), _) => {
                let url = applier.arm_url(&op.id, &op.path)?;
                let body = serde_json::to_value(desired).map_err(|source| Error::Serialize {
                    what: op.id.clone(),
                    source,
                })?;
                applier.put_json(&op.id, url, &body).await?
            }
            (Some(Body::FirewallRule(desired)), _) => client
                .firewall_rules_client()
                .create_or_update(sub, rg, server, &child, desired.clone())
                .send()
                .await
                .map_err(failed(format!("writing firewall rule {child}")))?
                .into_raw_response(),
            // A server update without a PATCH body, or an operation without
            // a body: the diff makes neither.
            _ => return Ok(()),
        };
        follow(applier, self.progress.as_ref(), op, rsp).await?;
        self.after_write(op, &child).await
    }

    /// Reads back what a write changed: a created server or database (a
    /// failure shows here, not later), a parameter's pending restart.
    async fn after_write(&mut self, op: &Operation, child: &str) -> Result<(), Error> {
        let (sub, rg) = (self.scope.subscription, self.scope.resource_group);
        let client = &self.scope.applier.client;
        let server = op.server.as_str();
        match op.kind {
            OperationKind::ServerCreate | OperationKind::ReplicaCreate => {
                client
                    .servers_client()
                    .get(sub, rg, server)
                    .await
                    .map_err(|e| rejected(&op.id, &format!("reading server {server}"), e))?;
            }
            OperationKind::Database => {
                client
                    .databases_client()
                    .get(sub, rg, server, child)
                    .await
                    .map_err(|e| rejected(&op.id, &format!("reading database {child}"), e))?;
            }
            OperationKind::Configuration => {
                let after: models::Configuration = client
                    .configurations_client()
                    .get(sub, rg, server, child)
                    .await
                    .map_err(|e| rejected(&op.id, &format!("reading {child}"), e))?;
                let pending = after
                    .properties
                    .and_then(|p| p.is_config_pending_restart)
                    .unwrap_or(false);
                if pending {
                    self.pending_restart
                        .entry(server.to_owned())
                        .or_default()
                        .push(child.to_owned());
                }
            }
            OperationKind::Administrator
            | OperationKind::FirewallRule
            | OperationKind::Restart
            | OperationKind::MetricAlert => {}
        }
        Ok(())
    }

    /// Restarts the server when the diff says so (`planned`), or when Azure
    /// reported a parameter pending a restart.
    async fn restart(
        &mut self,
        op: &Operation,
        planned: Option<String>,
    ) -> Result<(Outcome, String), Error> {
        let pending = self.pending_restart.remove(&op.server);
        let detail = match (planned, pending) {
            (Some(planned), _) => planned,
            (None, Some(names)) => {
                format!("Azure reports a restart pending for {}", names.join(", "))
            }
            (None, None) => return Ok((Outcome::Skipped, "no static parameter changes".into())),
        };
        let (sub, rg) = (self.scope.subscription, self.scope.resource_group);
        let rsp = self
            .scope
            .applier
            .client
            .servers_client()
            .restart(sub, rg, &op.server)
            .send()
            .await
            .map_err(|e| rejected(&op.id, &format!("restarting {}", op.server), e))?;
        follow(
            self.scope.applier,
            self.progress.as_ref(),
            op,
            rsp.into_raw_response(),
        )
        .await?;
        Ok((Outcome::Updated, format!("restarted: {detail}")))
    }
}
