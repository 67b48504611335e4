//! Server-side apply of the rendered objects (feature `apply`).
//!
//! The objects go to the API server in the order [`crate::render_objects`]
//! returns them (namespace; ServiceAccount, Secrets and ConfigMaps; storage;
//! policies; workloads; Services; monitoring; Jobs), each as an
//! `application/apply-patch+yaml` PATCH under one field manager, so a second
//! apply changes nothing and fields other managers own are left alone. With
//! `dry_run` every PATCH carries `dryRun=All`: the API server validates and
//! admits the objects without storing them. Then apply waits for each
//! StatefulSet to roll out, telling [`ApplyOptions::progress`] how it goes.
//!
//! Passwords: every Secret pgplan renders gets its `password` from the
//! caller ([`RenderOptions::passwords`]), else from the same Secret already in
//! the cluster (so a re-apply never rotates a password behind the server's
//! back), else from the environment variable the plan names, else from the
//! operating system's random number generator — the same as the rendered
//! `bootstrap-secrets.sh` does for `kubectl` users. A Secret the plan names as
//! existing must be there with its key, or nothing is sent.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::{self, Scope};
use kube::{Client, Config};
use pgplan_core::{Progress, Quiet, ValidPlan};

use crate::credentials::{Password, PasswordFill};
use crate::{Error, Object, RenderOptions, existing_secrets, password_slots, render_objects};

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Server-side dry run: the API server validates and admits every object
    /// but stores nothing (`dryRun=All`); no rollout wait.
    pub dry_run: bool,
    /// The field manager of the server-side apply (`pgplan`).
    pub field_manager: String,
    /// Take ownership of fields another manager set (`force=true`); without
    /// it such a conflict fails the apply and names the other manager.
    pub force_conflicts: bool,
    /// The kubeconfig context; the current context when unset.
    pub context: Option<String>,
    /// The kubeconfig file; `KUBECONFIG`, `~/.kube/config` or the in-cluster
    /// service account when unset.
    pub kubeconfig: Option<PathBuf>,
    /// Wait for the StatefulSets to roll out.
    pub wait: bool,
    /// How long to wait.
    pub timeout: Duration,
    /// How often to look.
    pub poll_interval: Duration,
    /// Told how the rollout wait goes (the CLI draws it; nothing by default).
    pub progress: Arc<dyn Progress>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            dry_run: false,
            field_manager: "pgplan".into(),
            force_conflicts: false,
            context: None,
            kubeconfig: None,
            wait: true,
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(2),
            progress: Arc::new(Quiet),
        }
    }
}

/// One object sent to the API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedObject {
    /// apiVersion.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`None` for cluster-scoped objects).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl fmt::Display for AppliedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A finished StatefulSet rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    /// StatefulSet name.
    pub name: String,
    /// Ready replicas.
    pub ready: i32,
    /// Wanted replicas.
    pub replicas: i32,
    /// Status reads until it was ready.
    pub polls: u32,
}

/// What `apply` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// True for a server-side dry run.
    pub dry_run: bool,
    /// The field manager.
    pub field_manager: String,
    /// Objects in the order they were applied.
    pub applied: Vec<AppliedObject>,
    /// Secrets whose password was generated or read from the environment now.
    pub new_passwords: Vec<String>,
    /// Secrets whose password already in the cluster was kept.
    pub kept_passwords: Vec<String>,
    /// StatefulSet rollouts waited for.
    pub rollouts: Vec<Rollout>,
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would apply (server dry run)"
        } else {
            "applied"
        };
        writeln!(
            f,
            "{verb} {} objects as field manager `{}`:",
            self.applied.len(),
            self.field_manager
        )?;
        for o in &self.applied {
            writeln!(f, "  {o}")?;
        }
        for s in &self.new_passwords {
            writeln!(f, "  new password in Secret {s}")?;
        }
        for s in &self.kept_passwords {
            writeln!(f, "  kept the password in Secret {s}")?;
        }
        for r in &self.rollouts {
            writeln!(
                f,
                "  StatefulSet {} ready: {}/{}",
                r.name, r.ready, r.replicas
            )?;
        }
        Ok(())
    }
}

fn api_error(action: impl Into<String>, e: kube::Error) -> Error {
    Error::Api {
        action: action.into(),
        source: Box::new(e),
    }
}

/// A client from the kubeconfig (the named file and context, or the usual
/// places: `KUBECONFIG`, `~/.kube/config`, the in-cluster service account).
async fn client(options: &ApplyOptions) -> Result<Client, Error> {
    let kco = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match (&options.kubeconfig, &options.context) {
        (Some(path), _) => {
            let kc = Kubeconfig::read_from(path).map_err(|e| Error::Kubeconfig {
                message: format!("{}: {e}", path.display()),
            })?;
            Config::from_custom_kubeconfig(kc, &kco)
                .await
                .map_err(|e| Error::Kubeconfig {
                    message: e.to_string(),
                })?
        }
        (None, Some(_)) => Config::from_kubeconfig(&kco)
            .await
            .map_err(|e| Error::Kubeconfig {
                message: e.to_string(),
            })?,
        (None, None) => Config::infer().await.map_err(|e| Error::Kubeconfig {
            message: e.to_string(),
        })?,
    };
    Client::try_from(config).map_err(|e| api_error("create a Kubernetes client", e))
}

/// Renders the plan and applies it with the cluster from the kubeconfig.
pub async fn apply(
    plan: &ValidPlan,
    opts: &RenderOptions,
    options: ApplyOptions,
) -> Result<ApplyReport, Error> {
    let client = client(&options).await?;
    apply_with_client(client, plan, opts, options).await
}

/// A random password of `length` letters and digits from the operating
/// system's generator (rejection sampling keeps every character equally likely).
fn generate_password(length: u16) -> Result<Password, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // The largest multiple of 62 that fits a byte.
    const LIMIT: u8 = 248;
    let mut out = String::with_capacity(usize::from(length));
    let mut buf = [0u8; 64];
    while out.len() < usize::from(length) {
        getrandom::fill(&mut buf).map_err(|e| Error::Random(e.to_string()))?;
        for b in buf {
            if b < LIMIT && out.len() < usize::from(length) {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(Password::new(out))
}

/// Fills in the password of every Secret pgplan renders.
async fn fill_passwords(
    client: &Client,
    plan: &ValidPlan,
    opts: &RenderOptions,
    report: &mut ApplyReport,
) -> Result<RenderOptions, Error> {
    let mut filled = opts.clone();
    let Some(namespace) = plan.platform.kubernetes().map(|k| k.namespace.clone()) else {
        return Ok(filled);
    };
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace.as_str());
    // The Secrets someone else owns come first: when one is missing, nothing
    // is generated or sent.
    for (secret, key, field) in existing_secrets(plan)? {
        let present = secrets
            .get_opt(&secret)
            .await
            .map_err(|e| api_error(format!("read Secret {namespace}/{secret}"), e))?
            .and_then(|s| s.data)
            .and_then(|d| d.get(&key).map(|v| !v.0.is_empty()))
            .unwrap_or(false);
        if !present {
            return Err(Error::MissingExistingSecret {
                field,
                namespace: namespace.to_string(),
                secret,
                key,
            });
        }
    }
    for slot in password_slots(plan)? {
        if filled.passwords.contains_key(&slot.secret) {
            continue;
        }
        let existing = secrets
            .get_opt(&slot.secret)
            .await
            .map_err(|e| api_error(format!("read Secret {namespace}/{}", slot.secret), e))?
            .and_then(|s| s.data)
            .and_then(|mut d| d.remove("password"))
            .and_then(|b| String::from_utf8(b.0).ok())
            .filter(|p| !p.is_empty());
        let password = match (existing, &slot.fill) {
            (Some(p), _) => {
                report.kept_passwords.push(slot.secret.clone());
                Password::new(p)
            }
            (None, PasswordFill::Generate { length }) => {
                report.new_passwords.push(slot.secret.clone());
                generate_password(*length)?
            }
            (None, PasswordFill::Env { var }) => {
                let value = std::env::var(var).map_err(|_| Error::MissingEnv {
                    field: slot.field.clone(),
                    var: var.clone(),
                })?;
                report.new_passwords.push(slot.secret.clone());
                Password::new(value)
            }
        };
        filled.passwords.insert(slot.secret, password);
    }
    Ok(filled)
}

/// What provides a kind the cluster may not serve.
fn crd_hint(group: &str) -> &'static str {
    match group {
        "monitoring.coreos.com" => "the Prometheus Operator",
        "external-secrets.io" => "the External Secrets Operator",
        _ => "the operator that defines it",
    }
}

/// The API resource of an object's kind, from the cluster's discovery.
async fn resolve(
    client: &Client,
    cache: &mut BTreeMap<(String, String), (ApiResource, bool)>,
    object: &Object,
) -> Result<(ApiResource, bool), Error> {
    let key = (object.api_version().to_owned(), object.kind().to_owned());
    if let Some(hit) = cache.get(&key) {
        return Ok(hit.clone());
    }
    let (group, version) = match key.0.split_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), key.0.clone()),
    };
    let gvk = GroupVersionKind::gvk(&group, &version, &key.1);
    let missing = || Error::MissingKind {
        api_version: key.0.clone(),
        kind: key.1.clone(),
        hint: crd_hint(&group).to_owned(),
    };
    let (ar, caps) = match discovery::pinned_kind(client, &gvk).await {
        Ok(found) => found,
        Err(kube::Error::Api(s)) if s.code == 404 => return Err(missing()),
        Err(kube::Error::Discovery(_)) => return Err(missing()),
        Err(e) => return Err(api_error(format!("discover {} {}", key.0, key.1), e)),
    };
    let namespaced = caps.scope == Scope::Namespaced;
    cache.insert(key, (ar.clone(), namespaced));
    Ok((ar, namespaced))
}

/// Applies the plan with a given client (the tests' stand-in API server).
pub async fn apply_with_client(
    client: Client,
    plan: &ValidPlan,
    opts: &RenderOptions,
    options: ApplyOptions,
) -> Result<ApplyReport, Error> {
    let mut report = ApplyReport {
        dry_run: options.dry_run,
        field_manager: options.field_manager.clone(),
        applied: Vec::new(),
        new_passwords: Vec::new(),
        kept_passwords: Vec::new(),
        rollouts: Vec::new(),
    };
    // Render first: a plan the backend refuses never reaches the cluster.
    render_objects(plan, opts)?;
    let filled = fill_passwords(&client, plan, opts, &mut report).await?;
    let objects = render_objects(plan, &filled)?;

    let mut params = PatchParams::apply(&options.field_manager);
    if options.force_conflicts {
        params = params.force();
    }
    if options.dry_run {
        params = params.dry_run();
    }
    // Discover every kind first: a kind the cluster does not serve (a CRD
    // not installed) fails the apply before anything is sent.
    let mut cache = BTreeMap::new();
    let mut targets = Vec::with_capacity(objects.len());
    for object in &objects {
        targets.push(resolve(&client, &mut cache, object).await?);
    }
    let mut stateful_sets = Vec::new();
    for (object, (ar, namespaced)) in objects.iter().zip(targets) {
        let applied = AppliedObject {
            api_version: object.api_version().to_owned(),
            kind: object.kind().to_owned(),
            namespace: namespaced
                .then(|| object.namespace().map(str::to_owned))
                .flatten(),
            name: object.name().to_owned(),
        };
        let api: Api<DynamicObject> = match &applied.namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
            None => Api::all_with(client.clone(), &ar),
        };
        api.patch(&applied.name, &params, &Patch::Apply(object.to_json()))
            .await
            .map_err(|e| api_error(format!("apply {applied}"), e))?;
        if let Object::StatefulSet(s) = object {
            stateful_sets.push((
                applied.namespace.clone().unwrap_or_default(),
                applied.name.clone(),
                s.spec.replicas.unwrap_or(1),
            ));
        }
        report.applied.push(applied);
    }

    if options.wait && !options.dry_run {
        for (namespace, name, replicas) in stateful_sets {
            let rollout = wait_for_rollout(&client, &namespace, &name, replicas, &options).await?;
            report.rollouts.push(rollout);
        }
    }
    Ok(report)
}

/// True when a StatefulSet's current spec is fully rolled out and ready.
fn rolled_out(s: &StatefulSet, replicas: i32) -> (bool, i32) {
    let Some(status) = &s.status else {
        return (false, 0);
    };
    let ready = status.ready_replicas.unwrap_or(0);
    let observed = match (status.observed_generation, s.metadata.generation) {
        (Some(o), Some(g)) => o >= g,
        (_, None) => true,
        (None, Some(_)) => false,
    };
    let updated = status.updated_replicas.unwrap_or(0) >= replicas;
    let revision = match (&status.current_revision, &status.update_revision) {
        (Some(c), Some(u)) => c == u,
        _ => true,
    };
    (observed && updated && revision && ready >= replicas, ready)
}

async fn wait_for_rollout(
    client: &Client,
    namespace: &str,
    name: &str,
    replicas: i32,
    options: &ApplyOptions,
) -> Result<Rollout, Error> {
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
    let progress = &options.progress;
    progress.begin(
        &format!("StatefulSet {namespace}/{name} ready"),
        Some(u64::try_from(replicas).unwrap_or(0)),
    );
    let started = Instant::now();
    let mut polls = 0u32;
    loop {
        polls += 1;
        let s = api
            .get(name)
            .await
            .map_err(|e| api_error(format!("read StatefulSet {namespace}/{name}"), e))?;
        let (done, ready) = rolled_out(&s, replicas);
        progress.advance(u64::try_from(ready).unwrap_or(0), "");
        if done {
            progress.end(None);
            return Ok(Rollout {
                name: name.to_owned(),
                ready,
                replicas,
                polls,
            });
        }
        if started.elapsed() >= options.timeout {
            progress.end(Some("timed out"));
            return Err(Error::RolloutTimeout {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                waited_secs: started.elapsed().as_secs(),
                ready,
                replicas,
            });
        }
        tokio::time::sleep(options.poll_interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_alphanumeric_and_differ() {
        let a = generate_password(32).unwrap();
        let b = generate_password(32).unwrap();
        assert_eq!(a.expose().len(), 32);
        assert!(a.expose().bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
