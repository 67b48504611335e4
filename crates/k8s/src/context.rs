//! Everything the renderers share, checked once: the plan's Kubernetes
//! platform, resolved settings, names, labels and credentials.

use pgplan_core::ValidPlan;
use pgplan_core::{
    Bytes, ContainerImage, Kubernetes, Millicores, PasswordEncryption, Resources, Settings, params,
};

use crate::credentials::Credentials;
use crate::flavor::Flavor;
use crate::labels::{Labels, Names};
use crate::{Error, RenderOptions};

/// The postgres_exporter image used when the plan names none (tag-pinned:
/// the digest of a tag cannot be looked up while rendering).
pub(crate) const DEFAULT_EXPORTER_IMAGE: &str =
    "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";

/// Where pgplan mounts things, whatever the image.
pub(crate) mod paths {
    /// Password files: `<dir>/<purpose>/password`.
    pub const SECRETS: &str = "/var/run/secrets/pgplan";
    /// The server's TLS certificate and key.
    pub const TLS: &str = "/var/run/secrets/pgplan/tls";
}

/// A plan checked for rendering to Kubernetes.
pub(crate) struct Ctx<'a> {
    pub plan: &'a ValidPlan,
    pub k8s: &'a Kubernetes,
    /// The server image's family.
    pub flavor: Flavor,
    pub opts: &'a RenderOptions,
    pub settings: &'a Settings,
    pub names: Names,
    pub labels: Labels,
    pub creds: Credentials,
    /// The port PostgreSQL listens on.
    pub port: u16,
    /// True when the server has TLS on (`ssl = on`).
    pub tls: bool,
    /// Number of read replicas (one StatefulSet).
    pub read_replicas: u32,
    pub cpu: Resources<Millicores>,
    pub memory: Resources<Bytes>,
    pub data_volume: Bytes,
}

impl<'a> Ctx<'a> {
    pub fn new(plan: &'a ValidPlan, opts: &'a RenderOptions) -> Result<Self, Error> {
        let Some(k8s) = plan.platform.kubernetes() else {
            return Err(Error::NotKubernetes {
                found: plan.platform.kind(),
            });
        };
        if plan.topology.patroni.is_some() {
            return Err(Error::plan(
                "topology.patroni",
                "the Kubernetes backend renders a single primary with optional read replicas, not a Patroni cluster",
                "render Patroni clusters with the HA backend, or remove `topology.patroni`",
            ));
        }
        if k8s.run_as_user <= 0 {
            return Err(Error::plan(
                "platform.kubernetes.run_as_user",
                format!("UID {} is root or invalid", k8s.run_as_user),
                "use the image's non-root UID (1001 for bitnami/postgresql) or any UID above 0",
            ));
        }
        if plan.security.password_encryption == PasswordEncryption::Md5 {
            return Err(Error::plan(
                "security.password_encryption",
                "md5 password hashes cannot log in through the scram-sha-256 rules pgplan writes to pg_hba.conf",
                "use `scram-sha-256`",
            ));
        }
        check_pinned(&k8s.image, "platform.kubernetes.image")?;
        if let Some(tools) = &k8s.tools_image {
            check_pinned(tools, "platform.kubernetes.tools_image")?;
        }
        if let Some(image) = plan
            .monitoring
            .exporter
            .as_ref()
            .and_then(|e| e.image.as_ref())
        {
            check_pinned(image, "monitoring.exporter.image")?;
        }
        let read_replicas = check_replicas(plan)?;
        let settings = plan.settings();
        let port = match settings.get(params::PORT) {
            Some(p) if (1..=u32::from(u16::MAX)).contains(&p) => p as u16,
            Some(p) => {
                return Err(Error::plan(
                    "tuning.parameters.port",
                    format!("{p} is not a TCP port"),
                    "use a port from 1 to 65535 (5432 is the default)",
                ));
            }
            None => 5432,
        };
        let tls = settings.get(params::SSL) == Some(true);
        let names = Names::new(
            plan.service.as_str(),
            k8s.namespace.as_str(),
            opts.tls_secret.as_deref(),
            read_replicas > 0,
        )?;
        let labels = Labels::new(
            &names,
            plan.service.as_str(),
            &pgplan_core::label_strings(&plan.labels),
        )?;
        let creds = Credentials::new(plan, &names, read_replicas > 0)?;
        let cpu = plan.sizing.cpu.ok_or_else(|| {
            Error::plan(
                "sizing.cpu",
                "the plan sets no CPU request",
                "set `sizing.cpu: { request: 500m, limit: 1000m }`: a container without CPU requests and limits is scheduled blind",
            )
        })?;
        let memory = plan.sizing.memory.ok_or_else(|| {
            Error::plan(
                "sizing.memory",
                "the plan sets no memory request",
                "set `sizing.memory: { request: 1Gi, limit: 2Gi }`: tuning derives shared_buffers and work_mem from it",
            )
        })?;
        let data_volume = plan.sizing.data_volume.ok_or_else(|| {
            Error::plan(
                "sizing.data_volume",
                "the plan sets no data volume size",
                "set `sizing.data_volume: 20Gi`: the StatefulSet claims a volume of that size",
            )
        })?;
        check_limit(&cpu, "sizing.cpu")?;
        check_limit(&memory, "sizing.memory")?;
        let slots = creds.slots();
        if let Some(pw) = opts
            .passwords
            .keys()
            .find(|k| !slots.iter().any(|s| &s.secret == *k))
        {
            return Err(Error::plan(
                "RenderOptions::passwords",
                format!("there is no rendered Secret named `{pw}` to hold this password"),
                "pass values only for the Secrets `password_slots` lists",
            ));
        }
        Ok(Ctx {
            plan,
            k8s,
            flavor: Flavor::of(&k8s.image),
            opts,
            settings,
            names,
            labels,
            creds,
            port,
            tls,
            read_replicas,
            cpu,
            memory,
            data_volume,
        })
    }

    /// The image of the schema-init Job and backup CronJobs.
    pub fn tools_image(&self) -> &ContainerImage {
        self.k8s.tools_image.as_ref().unwrap_or(&self.k8s.image)
    }

    /// The UID (and GID) every container runs as.
    pub fn uid(&self) -> i64 {
        self.k8s.run_as_user
    }

    /// The postgres_exporter image.
    pub fn exporter_image(&self) -> Option<ContainerImage> {
        let exporter = self.plan.monitoring.exporter.as_ref()?;
        Some(exporter.image.clone().unwrap_or_else(|| {
            DEFAULT_EXPORTER_IMAGE
                .parse()
                .unwrap_or_else(|_| self.k8s.image.clone())
        }))
    }

    /// The exporter's port, when the plan has an exporter.
    pub fn exporter_port(&self) -> Option<u16> {
        self.plan.monitoring.exporter.as_ref().map(|e| e.port)
    }

    /// What the plan asks for that the Kubernetes backend leaves to others,
    /// each with what to do (the primary StatefulSet's `pgplan.io/not-rendered`).
    pub fn not_rendered(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.plan.pooler.is_some() {
            notes.push(format!(
                "pooler: deploy PgBouncer separately with pod label app: {}-pooler (the NetworkPolicy admits it) and point it at {}",
                self.names.base, self.names.base
            ));
        }
        if let Some(arch) = &self.plan.backups.wal_archiving
            && self.plan.tuning.explicit("archive_command").is_none()
            && self.plan.tuning.explicit("archive_library").is_none()
        {
            notes.push(format!(
                "backups.wal_archiving: nothing ships WAL to {}; archive_mode is on, so the server keeps every WAL segment until tuning.parameters.archive_command (or archive_library) is set",
                arch.destination
            ));
        }
        if let Some(schedule) = self
            .plan
            .backups
            .snapshots
            .as_ref()
            .and_then(|s| s.schedule.as_ref())
        {
            notes.push(format!(
                "backups.snapshots: volume snapshots on `{schedule}` need a snapshot scheduler in the cluster"
            ));
        }
        let t = &self.plan.monitoring.thresholds;
        if self.exporter_port().is_none() {
            for (set, name) in [
                (t.connections.is_some(), "connections"),
                (t.slow_query.is_some(), "slow_query"),
                (
                    t.replication_lag.is_some() && self.read_replicas > 0,
                    "replication_lag",
                ),
            ] {
                if set {
                    notes.push(format!(
                        "monitoring.thresholds.{name}: the alert reads postgres_exporter's metrics and the plan has no monitoring.exporter"
                    ));
                }
            }
        }
        if t.replication_lag.is_some() && self.read_replicas == 0 {
            notes.push(
                "monitoring.thresholds.replication_lag: the plan has no read replicas".into(),
            );
        }
        if t.failed_connections_per_minute.is_some() {
            notes.push(
                "monitoring.thresholds.failed_connections_per_minute: postgres_exporter exports no count of failed logins".into(),
            );
        }
        notes
    }

    /// The ClusterIP Service clients use.
    pub fn host(&self) -> &str {
        &self.names.base
    }

    /// `sslmode` of the pods that connect to the server.
    pub fn client_sslmode(&self) -> &'static str {
        if self.plan.security.tls.required {
            "require"
        } else {
            "prefer"
        }
    }
}

/// An image without a tag or digest (or tagged `latest`) is whatever the
/// registry serves that day.
fn check_pinned(image: &ContainerImage, field: &str) -> Result<(), Error> {
    if image.is_pinned_by_digest() || image.tag().is_some_and(|t| t != "latest") {
        return Ok(());
    }
    Err(Error::plan(
        field,
        format!("`{image}` is not pinned: it names no version"),
        "add a version tag (postgres:17.2) or, better, a digest (postgres:17.2@sha256:...)",
    ))
}

/// A request above its limit is refused by the API server; say which field.
fn check_limit<T: PartialOrd + std::fmt::Display + Copy>(
    r: &Resources<T>,
    field: &str,
) -> Result<(), Error> {
    if let Some(limit) = r.limit
        && limit < r.request
    {
        return Err(Error::plan(
            format!("{field}.limit"),
            format!("the limit {limit} is below the request {}", r.request),
            "raise the limit to at least the request",
        ));
    }
    Ok(())
}

/// Read replicas run as one StatefulSet, so they must agree on storage and
/// parameters; Azure-only fields are refused.
fn check_replicas(plan: &ValidPlan) -> Result<u32, Error> {
    let replicas = &plan.topology.replicas;
    for (i, r) in replicas.iter().enumerate() {
        if r.sku.is_some() {
            return Err(Error::plan(
                format!("topology.replicas[{i}].sku"),
                "a compute SKU applies to Azure replicas only",
                "remove it: replicas on Kubernetes use `sizing`",
            ));
        }
        if r.region.is_some() {
            return Err(Error::plan(
                format!("topology.replicas[{i}].region"),
                "a region applies to Azure replicas only",
                "remove it: replicas on Kubernetes run in the primary's cluster",
            ));
        }
        if let Some(first) = replicas.first()
            && (r.storage != first.storage || r.parameters != first.parameters)
        {
            return Err(Error::plan(
                format!("topology.replicas[{i}]"),
                "read replicas on Kubernetes run as one StatefulSet and share storage and parameters, but this one differs from topology.replicas[0]",
                "give every replica the same `storage` and `parameters`",
            ));
        }
    }
    u32::try_from(replicas.len()).map_err(|_| {
        Error::plan(
            "topology.replicas",
            "too many replicas",
            "use fewer read replicas",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_exporter_image_is_a_pinned_reference() {
        let image = ContainerImage::new(DEFAULT_EXPORTER_IMAGE).unwrap();
        assert!(check_pinned(&image, "x").is_ok());
        assert!(check_pinned(&"postgres".parse().unwrap(), "x").is_err());
        assert!(check_pinned(&"postgres:latest".parse().unwrap(), "x").is_err());
    }
}
