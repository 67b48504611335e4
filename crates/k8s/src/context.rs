//! Everything the renderers share, derived once: the plan's Kubernetes
//! platform, resolved settings, names, labels and credentials. Nothing here
//! checks the plan: a [`ValidPlan`] has passed the Kubernetes rules
//! (PGP100–PGP139) and every other rule the rendering relies on.

use pgplan_core::kubernetes_facts::ImageFamily;
use pgplan_core::{
    Bytes, ContainerImage, Kubernetes, Millicores, Resources, Settings, ValidPlan, params,
};

use crate::credentials::Credentials;
use crate::labels::{Labels, Names};
use crate::{Error, RenderOptions};

/// The postgres_exporter image used when the plan names none (tag-pinned:
/// the digest of a tag cannot be looked up while rendering).
pub(crate) const DEFAULT_EXPORTER_IMAGE: &str =
    "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";

/// The port PostgreSQL listens on unless the plan sets `port`.
const DEFAULT_PORT: u16 = 5432;

/// Where pgplan mounts things, whatever the image.
pub(crate) mod paths {
    /// Password files: `<dir>/<purpose>/password`.
    pub const SECRETS: &str = "/var/run/secrets/pgplan";
    /// The server's TLS certificate and key.
    pub const TLS: &str = "/var/run/secrets/pgplan/tls";
}

/// A validated plan on Kubernetes, with what every renderer needs.
pub(crate) struct Ctx<'a> {
    pub plan: &'a ValidPlan,
    pub k8s: &'a Kubernetes,
    /// The server image's family.
    pub flavor: ImageFamily,
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
    pub read_replicas: usize,
    /// The server container's CPU (PGP103 requires it on Kubernetes).
    pub cpu: Option<Resources<Millicores>>,
    /// The server container's memory (PGP023 requires it on Kubernetes).
    pub memory: Option<Resources<Bytes>>,
    /// The data volume's size (PGP104 requires it).
    pub data_volume: Option<Bytes>,
}

impl<'a> Ctx<'a> {
    /// Fails for a plan on another platform, and for options that do not
    /// fit the plan.
    pub fn new(plan: &'a ValidPlan, opts: &'a RenderOptions) -> Result<Self, Error> {
        let Some(k8s) = plan.platform.kubernetes() else {
            return Err(Error::NotKubernetes {
                found: plan.platform.kind(),
            });
        };
        let settings = plan.settings();
        // PGP079 keeps an explicit port within 1–65535.
        let port = settings
            .get(params::PORT)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p != 0)
            .unwrap_or(DEFAULT_PORT);
        let tls = settings.get(params::SSL) == Some(true);
        let names = Names::new(
            &plan.service,
            k8s.namespace.as_str(),
            opts.tls_secret.as_ref(),
        );
        let labels = Labels::new(&names, &plan.service, &plan.labels);
        let creds = Credentials::new(plan, &names);
        let slots = creds.slots();
        if let Some(secret) = opts
            .passwords
            .keys()
            .find(|k| !slots.iter().any(|s| &s.secret == *k))
        {
            let known: Vec<&str> = slots.iter().map(|s| s.secret.as_str()).collect();
            return Err(Error::UnknownPasswordSecret {
                secret: secret.clone(),
                known: known.join(", "),
            });
        }
        if let Some(role) = opts
            .init_script
            .iter()
            .flat_map(|s| &s.passwords_to_set)
            .find(|r| !creds.roles.iter().any(|c| c.username == r.as_str()))
        {
            let known: Vec<&str> = creds.roles.iter().map(|c| c.username.as_str()).collect();
            return Err(Error::UnknownInitScriptRole {
                role: role.to_string(),
                known: known.join(", "),
            });
        }
        Ok(Ctx {
            plan,
            k8s,
            flavor: ImageFamily::of(&k8s.image),
            opts,
            settings,
            names,
            labels,
            creds,
            port,
            tls,
            read_replicas: plan.topology.replicas.len(),
            cpu: plan.sizing.cpu,
            memory: plan.sizing.memory,
            data_volume: plan.sizing.data_volume,
        })
    }

    /// The credentials of the roles whose passwords the schema-init Job
    /// sets, in the init script's order (checked in [`Ctx::new`]).
    pub fn init_passwords(&self) -> Vec<&crate::credentials::Credential> {
        self.opts
            .init_script
            .iter()
            .flat_map(|s| &s.passwords_to_set)
            .filter_map(|r| self.creds.roles.iter().find(|c| c.username == r.as_str()))
            .collect()
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
            && !self.settings.is_set(params::ARCHIVE_COMMAND)
            && !self.settings.is_set(params::ARCHIVE_LIBRARY)
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

#[cfg(test)]
mod tests {
    use super::*;
    use pgplan_core::kubernetes_facts::is_pinned;

    #[test]
    fn the_default_exporter_image_is_a_pinned_reference() {
        let image = ContainerImage::new(DEFAULT_EXPORTER_IMAGE).unwrap();
        assert!(is_pinned(&image));
    }
}
