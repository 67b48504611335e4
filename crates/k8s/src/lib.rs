//! pgplan-k8s: a plan on Kubernetes, rendered to hardened, schema-valid
//! objects, and applied with server-side apply.
//!
//! ```
//! use pgplan_core::{Plan, seams::InitScript};
//! use pgplan_k8s::{RenderOptions, render_files, render_objects};
//!
//! let plan = Plan::from_yaml(r#"
//! service: orders
//! environment: production
//! version: 17
//! platform:
//!   kubernetes: { namespace: shop, image: "bitnami/postgresql:17.2.0" }
//! sizing:
//!   cpu: { request: 1, limit: 2 }
//!   memory: { request: 4Gi, limit: 4Gi }
//!   data_volume: 50Gi
//!   backup_volume: 20Gi
//! databases:
//!   - { name: orders, owner: orders_owner }
//! roles:
//!   - { name: orders_owner, purpose: owner, login: true, password: { generated: {} } }
//! backups:
//!   logical:
//!     - { name: nightly, schedule: "0 2 * * *", retention: 7d }
//! "#).unwrap();
//! // Only a validated plan renders: validation checks everything the
//! // backend needs (rules PGP100–PGP139 and the others), so rendering fails
//! // only on options that do not fit the plan.
//! let plan = plan.validate().expect("the plan validates");
//! // The schema-init Job runs the SQL backend's script (pgplan_sql's
//! // `init_script_for_job`; the cli wires the two): roles are created
//! // without a password, and the Job sets each from its Secret afterwards.
//! let opts = RenderOptions {
//!     init_script: Some(InitScript {
//!         sql: "CREATE SCHEMA IF NOT EXISTS orders;\n".into(),
//!         passwords_to_set: vec!["orders_owner".parse().unwrap()],
//!     }),
//!     ..RenderOptions::default()
//! };
//! let objects = render_objects(&plan, &opts).unwrap();
//! let kinds: Vec<&str> = objects.iter().map(|o| o.kind()).collect();
//! assert_eq!(kinds.first(), Some(&"Namespace"));
//! assert!(kinds.contains(&"StatefulSet") && kinds.contains(&"Job"));
//!
//! let files = render_files(&plan, &opts).unwrap();
//! let yaml = &files["manifests.yaml"];
//! assert!(yaml.contains("shared_buffers = 1GB"));
//! assert!(yaml.contains("name: postgresql-orders"));
//! ```
//!
//! # What is rendered
//!
//! For a plan whose platform is Kubernetes, in apply order ([`render_objects`]):
//!
//! - the **Namespace** (Pod Security `restricted` warnings and audit) and a
//!   **ServiceAccount** with no API token;
//! - a **Secret** per login (`postgresql-<service>-superuser`, one per plan
//!   role with a password, and one for replication when there are read
//!   replicas) holding `username` and — when the caller passes it — the
//!   `password`: a renderer is pure and never invents a value
//!   ([`password_slots`] lists what to fill; `apply` generates the values, or
//!   keeps the ones already in the cluster). Passwords kept in Azure Key
//!   Vault become an **ExternalSecret**; an existing Secret is referenced as
//!   is. Pods read every password as a file, never from an environment
//!   variable;
//! - a **ConfigMap** with `postgresql.conf` (every explicit and derived
//!   setting from [`ValidPlan::settings`], each preceded by its provenance) and
//!   `pg_hba.conf` (scram-sha-256 everywhere, `hostssl` when TLS is
//!   required), and one with the schema-init SQL;
//! - the backup **PersistentVolumeClaim**;
//! - **NetworkPolicies**: the server accepts PostgreSQL connections only from
//!   the plan's clients (by their labels), pgplan's Job pods, the read
//!   replicas and `security.allowed_cidrs`, and metrics requests only from
//!   the scraper ([`MetricsScraper`]); the Job pods accept nothing;
//! - **PodDisruptionBudgets** (`platform.kubernetes.disruption`, else pgplan's);
//! - the **StatefulSet** of the primary (and one for the read replicas):
//!   pinned image, resources from the plan's sizing, `pg_isready` startup,
//!   liveness and readiness probes, volume claim templates with the storage
//!   class and size, a non-root UID from the plan, no privilege escalation, a
//!   read-only root filesystem with scratch volumes where the image writes,
//!   every capability dropped, seccomp `RuntimeDefault`, no service-account
//!   token, anti-affinity and zone spread when there is more than one server
//!   pod, and the postgres_exporter sidecar;
//! - **Services**: `postgresql-<service>` (ClusterIP on 5432: seed 000's
//!   `postgresql-product-change.phonebill-dev.svc.cluster.local`), its
//!   headless twin, the read replicas' pair and the metrics Service;
//! - a **PrometheusRule** with the plan's thresholds;
//! - the schema-init **Job** and one backup **CronJob** per logical backup.
//!
//! Two image families are known: `bitnami/postgresql` (seed 000's) and the
//! official `postgres` image (and images built like it); they keep data,
//! configuration and scratch files in different places. What the plan asks
//! for that this backend leaves to others (a pooler, WAL shipping without an
//! `archive_command`, scheduled snapshots, alerts without an exporter) is
//! listed on the primary StatefulSet's `pgplan.io/not-rendered` annotation.
//!
//! Everything carries the labels `app`, `service`, `tier`,
//! `app.kubernetes.io/managed-by: pgplan` and the plan's own labels. The
//! output is deterministic: the same plan gives the same bytes.
//!
//! # Apply (feature `apply`)
//!
//! `apply` sends the objects with server-side apply under a field manager,
//! in the order above, as a server-side dry run when asked, then waits for
//! the StatefulSet rollout, reporting to a [`pgplan_core::Progress`]. Its tests run against a
//! small HTTP stand-in of the API server on 127.0.0.1 that answers
//! discovery, apply PATCHes and GETs the way the API server does; it is a
//! stand-in, not a real API server.
//!
//! ```no_run
//! # #[cfg(feature = "apply")]
//! # async fn run(plan: &pgplan_core::ValidPlan) -> Result<(), pgplan_k8s::Error> {
//! use pgplan_k8s::{ApplyOptions, RenderOptions, apply};
//! let report = apply(plan, &RenderOptions::default(), ApplyOptions {
//!     dry_run: true,
//!     ..ApplyOptions::default()
//! }).await?;
//! println!("{report}");
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "apply")]
mod apply;
mod context;
mod credentials;
mod error;
mod labels;
mod object;
mod quote;
mod render;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::seams::{InitScript, MigrationRunner};
use pgplan_core::{DnsSubdomain, LabelKey, LabelValue, Labels, ValidPlan};

#[cfg(feature = "apply")]
pub use apply::{AppliedObject, ApplyOptions, ApplyReport, Rollout, apply, apply_with_client};
pub use credentials::{Password, PasswordFill, PasswordSlot};
pub use error::Error;
pub use labels::{COMPONENT, MANAGED_BY, ROLE};
pub use object::Object;

/// The pods allowed to scrape the exporter (the NetworkPolicy's second rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsScraper {
    /// Labels of the scraper's namespace.
    pub namespace_labels: Labels,
    /// Labels of the scraper's pods.
    pub pod_labels: Labels,
}

impl Default for MetricsScraper {
    /// Prometheus pods (`app.kubernetes.io/name: prometheus`, as the
    /// Prometheus Operator labels them) in the namespace `monitoring`.
    fn default() -> Self {
        // Constants, valid labels (a test renders them): not user input.
        let label = |key: &str, value: &str| -> Labels {
            BTreeMap::from([(
                LabelKey::new(key).expect("a constant label key"),
                LabelValue::new(value).expect("a constant label value"),
            )])
        };
        MetricsScraper {
            namespace_labels: label("kubernetes.io/metadata.name", "monitoring"),
            pod_labels: label("app.kubernetes.io/name", "prometheus"),
        }
    }
}

/// What the renderer needs besides the plan.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// The script the schema-init Job runs with `psql --no-psqlrc --file`,
    /// and the roles whose passwords it sets afterwards from their Secrets:
    /// the SQL backend's `pgplan_sql::init_script_for_job`. Without it no Job
    /// is rendered (unless read replicas need pgplan's replication login).
    pub init_script: Option<InitScript>,
    /// The plan's migration scripts and their psql runner, which the
    /// schema-init Job runs after the init script and the passwords, as the
    /// superuser (each script `SET ROLE`s to its migration role): the SQL
    /// backend's `pgplan_sql::migration_runner_for_job`, so the history the
    /// Job writes is the one `pgplan apply --target sql` reads. Rendered
    /// into the init script's ConfigMap.
    pub migrations: Option<MigrationRunner>,
    /// Password values for the Secrets pgplan renders, by Secret name (see
    /// [`password_slots`]). Secrets without a value are rendered with their
    /// `username` only, for `apply` or a secret generator to complete.
    pub passwords: BTreeMap<String, Password>,
    /// The `kubernetes.io/tls` Secret with the server's `tls.crt` and
    /// `tls.key` (cert-manager's, say), mounted when the server has TLS on;
    /// `postgresql-<service>-tls` when unset.
    pub tls_secret: Option<DnsSubdomain>,
    /// Who may scrape the exporter.
    pub metrics_scraper: MetricsScraper,
}

/// The objects of a Kubernetes plan, in apply order.
///
/// Every plan that validates renders: this fails only with
/// [`Error::NotKubernetes`] for a plan on another platform, and with
/// [`Error::UnknownPasswordSecret`] for a password in
/// [`RenderOptions::passwords`] that no rendered Secret takes.
pub fn render_objects(plan: &ValidPlan, opts: &RenderOptions) -> Result<Vec<Object>, Error> {
    let ctx = context::Ctx::new(plan, opts)?;
    Ok(render::render(&ctx))
}

/// The plan's manifests as files, for `pgplan apply` or `kubectl`:
///
/// - `manifests.yaml`: every object as a YAML document in apply order;
/// - `bootstrap-secrets.sh`: run before `kubectl apply -f manifests.yaml`,
///   it creates every missing password key of the Secrets the pods read (a
///   generated password, or the environment variable the plan names),
///   idempotently, never overwriting one and never printing one;
/// - `README.md`: the files and the order to apply them in.
pub fn render_files(
    plan: &ValidPlan,
    opts: &RenderOptions,
) -> Result<BTreeMap<String, String>, Error> {
    let ctx = context::Ctx::new(plan, opts)?;
    let objects = render::render(&ctx);
    Ok(BTreeMap::from([
        ("manifests.yaml".to_owned(), to_yaml(plan, &objects)?),
        (
            render::bootstrap::SCRIPT.to_owned(),
            render::bootstrap::script(&ctx),
        ),
        (
            "README.md".to_owned(),
            render::bootstrap::readme(&ctx, &objects),
        ),
    ]))
}

/// [`render_files`] for one plan of several rendered together: the plan's
/// Namespace is left out of `manifests.yaml` and returned apart, so that a
/// Namespace many plans share is written once (`bootstrap-secrets.sh` still
/// creates it when it is missing).
///
/// # Errors
///
/// As for [`render_files`].
pub fn render_files_without_namespace(
    plan: &ValidPlan,
    opts: &RenderOptions,
) -> Result<
    (
        BTreeMap<String, String>,
        Option<k8s_openapi::api::core::v1::Namespace>,
    ),
    Error,
> {
    let ctx = context::Ctx::new(plan, opts)?;
    let mut objects = render::render(&ctx);
    let mut namespace = None;
    objects.retain(|o| match o {
        Object::Namespace(ns) => {
            namespace = Some(ns.clone());
            false
        }
        _ => true,
    });
    let files = BTreeMap::from([
        ("manifests.yaml".to_owned(), to_yaml(plan, &objects)?),
        (
            render::bootstrap::SCRIPT.to_owned(),
            render::bootstrap::script(&ctx),
        ),
        (
            "README.md".to_owned(),
            render::bootstrap::readme(&ctx, &objects),
        ),
    ]);
    Ok((files, namespace))
}

/// Objects as one multi-document YAML stream with a header comment.
pub fn to_yaml(plan: &ValidPlan, objects: &[Object]) -> Result<String, Error> {
    // A service's manifest is some tens of KiB: one buffer, grown rarely.
    let mut out = String::with_capacity(32 * 1024);
    let _ = writeln!(
        out,
        "# {} ({}), PostgreSQL {}: {} objects in apply order, rendered by pgplan.",
        plan.service,
        plan.environment,
        plan.version,
        objects.len()
    );
    for o in objects {
        out.push_str("---\n");
        o.write_yaml(&mut out)?;
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

/// The Secrets the plan names as existing (`kubernetes_secret` passwords):
/// `(secret, key, plan field)`, which `apply` checks before sending anything.
#[cfg(feature = "apply")]
pub(crate) fn existing_secrets(plan: &ValidPlan) -> Result<Vec<(String, String, String)>, Error> {
    let opts = RenderOptions::default();
    let ctx = context::Ctx::new(plan, &opts)?;
    Ok(ctx
        .creds
        .existing()
        .into_iter()
        .map(|c| (c.secret.clone(), c.key.clone(), c.field.clone()))
        .collect())
}

/// The Secrets pgplan renders whose password the caller (or `apply`)
/// fills, and how each value is obtained.
pub fn password_slots(plan: &ValidPlan) -> Result<Vec<PasswordSlot>, Error> {
    let opts = RenderOptions::default();
    let ctx = context::Ctx::new(plan, &opts)?;
    Ok(ctx.creds.slots())
}
