//! The StatefulSets: the primary, and the read replicas when the plan has any.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar,
    HTTPGetAction, KeyToPath, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodAffinityTerm,
    PodAntiAffinity, PodSpec, PodTemplateSpec, Probe, SecretVolumeSource, TopologySpreadConstraint,
    Volume, VolumeMount, VolumeResourceRequirements, WeightedPodAffinityTerm,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pgplan_core::kubernetes_facts::ImageFamily;
use pgplan_core::{Bytes, ContainerImage};

use crate::context::{Ctx, paths};
use crate::labels::{ROLE_PRIMARY, ROLE_REPLICA};
use crate::object::Object;
use crate::render::config_map::ServerConfig;
use crate::render::pod::{
    self, SECRET_FILE_MODE, container_security_context, empty_dir, helper_resources, mount,
    password_volume, pg_isready_probe, pod_security_context, pull_policy, resources, sub_mount,
};
use crate::render::service::SERVICE_PORT;
use crate::render::{checkov_skips, selector};

/// Pod-template annotation with the configuration's checksum.
pub(crate) const CONFIG_CHECKSUM: &str = "pgplan.io/config-checksum";

/// The primary: one pod.
pub(crate) fn primary(ctx: &Ctx<'_>, config: &ServerConfig) -> Object {
    let flavor = ctx.flavor;
    let mut env = vec![];
    let mut volumes = vec![];
    let mut mounts = vec![];
    let mut claims = vec![claim(ctx, "data", ctx.data_volume, ROLE_PRIMARY)];
    // Only the primary runs initdb (the replicas copy its data directory).
    if let Some(option) =
        pgplan_core::initdb_checksums_option(ctx.k8s.data_checksums, ctx.plan.version)
    {
        env.push(pod::env(flavor.initdb_args_env(), option));
    }
    if let Some(wal) = ctx.plan.sizing.wal_volume {
        let (mount_path, waldir) = flavor.wal();
        claims.push(claim(ctx, "wal", Some(wal), ROLE_PRIMARY));
        mounts.push(mount("wal", mount_path, false));
        env.push(pod::env(flavor.waldir_env(), waldir));
    }
    if let (Some(repl), ImageFamily::Bitnami) = (&ctx.creds.replication, flavor) {
        env.push(pod::env("POSTGRESQL_REPLICATION_MODE", "master"));
        env.push(pod::env("POSTGRESQL_REPLICATION_USER", &repl.username));
        env.push(pod::env(
            "POSTGRESQL_REPLICATION_PASSWORD_FILE",
            format!("{}/replication/password", paths::SECRETS),
        ));
        volumes.push(password_volume("replication-password", repl));
        mounts.push(mount(
            "replication-password",
            &format!("{}/replication", paths::SECRETS),
            true,
        ));
    }
    let spec = Spec {
        name: &ctx.names.base,
        role: ROLE_PRIMARY,
        replicas: 1,
        service_name: &ctx.names.headless,
        config,
        env,
        volumes,
        mounts,
        claims,
        init_containers: vec![],
    };
    Object::StatefulSet(stateful_set(ctx, spec))
}

/// The read replicas: one StatefulSet whose pods stream from the primary.
pub(crate) fn read_replicas(ctx: &Ctx<'_>, config: &ServerConfig) -> Option<Object> {
    let repl = ctx.creds.replication.as_ref()?;
    let size = ctx
        .plan
        .topology
        .replicas
        .first()
        .and_then(|r| r.storage)
        .or(ctx.data_volume);
    let secret_dir = format!("{}/replication", paths::SECRETS);
    let mut env = vec![];
    let mut init_containers = vec![];
    match ctx.flavor {
        ImageFamily::Bitnami => {
            env.push(pod::env("POSTGRESQL_REPLICATION_MODE", "slave"));
            env.push(pod::env("POSTGRESQL_MASTER_HOST", ctx.host()));
            env.push(pod::env(
                "POSTGRESQL_MASTER_PORT_NUMBER",
                SERVICE_PORT.to_string(),
            ));
            env.push(pod::env("POSTGRESQL_REPLICATION_USER", &repl.username));
            env.push(pod::env(
                "POSTGRESQL_REPLICATION_PASSWORD_FILE",
                format!("{secret_dir}/password"),
            ));
        }
        ImageFamily::Official => init_containers.push(clone_container(ctx, &repl.username)),
    }
    let spec = Spec {
        name: &ctx.names.read,
        role: ROLE_REPLICA,
        replicas: i32::try_from(ctx.read_replicas).unwrap_or(i32::MAX),
        service_name: &ctx.names.read_headless,
        config,
        env,
        volumes: vec![password_volume("replication-password", repl)],
        mounts: vec![mount("replication-password", &secret_dir, true)],
        claims: vec![claim(ctx, "data", size, ROLE_REPLICA)],
        init_containers,
    };
    Some(Object::StatefulSet(stateful_set(ctx, spec)))
}

/// The script of the init container that clones a replica's data directory
/// from the primary (official image; bitnami clones by itself).
pub(crate) fn clone_script() -> &'static str {
    r#"set -euo pipefail
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "clone: $PGDATA already holds a cluster"
  exit 0
fi
PGPASSWORD="$(cat "$PGPLAN_SECRETS_DIR/replication/password")"
export PGPASSWORD
echo "clone: waiting for $PGHOST:$PGPORT to accept connections"
deadline=$((SECONDS + PGPLAN_WAIT_SECONDS))
until pg_isready --quiet --timeout=5; do
  if ((SECONDS >= deadline)); then
    echo "clone: $PGHOST:$PGPORT is not ready after ${PGPLAN_WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 2
done
rm -rf -- "$PGDATA.partial"
pg_basebackup --pgdata="$PGDATA.partial" --wal-method=stream --write-recovery-conf --checkpoint=fast --no-password
mv -- "$PGDATA.partial" "$PGDATA"
echo "clone: done"
"#
}

fn clone_container(ctx: &Ctx<'_>, user: &str) -> Container {
    let image = &ctx.k8s.image;
    Container {
        name: "clone-primary".into(),
        image: Some(image.to_string()),
        image_pull_policy: Some(pull_policy(image)),
        command: Some(vec!["/bin/bash".into(), "-c".into(), clone_script().into()]),
        env: Some(vec![
            pod::env("PGHOST", ctx.host()),
            pod::env("PGPORT", SERVICE_PORT.to_string()),
            pod::env("PGUSER", user),
            pod::env("PGDATABASE", "postgres"),
            pod::env("PGSSLMODE", ctx.client_sslmode()),
            pod::env("PGCONNECT_TIMEOUT", "10"),
            pod::env("PGDATA", ctx.flavor.pgdata()),
            pod::env("HOME", "/tmp"),
            pod::env("PGPLAN_SECRETS_DIR", paths::SECRETS),
            pod::env("PGPLAN_WAIT_SECONDS", "600"),
        ]),
        resources: Some(resources(ctx.cpu, ctx.memory)),
        security_context: Some(container_security_context(ctx.uid())),
        volume_mounts: Some(vec![
            mount("data", ctx.flavor.data_mount(), false),
            sub_mount("scratch", "tmp", "/tmp"),
            mount(
                "replication-password",
                &format!("{}/replication", paths::SECRETS),
                true,
            ),
        ]),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    }
}

/// What differs between the primary and the replicas.
struct Spec<'a> {
    name: &'a str,
    role: &'a str,
    replicas: i32,
    service_name: &'a str,
    config: &'a ServerConfig,
    env: Vec<EnvVar>,
    volumes: Vec<Volume>,
    mounts: Vec<VolumeMount>,
    claims: Vec<PersistentVolumeClaim>,
    init_containers: Vec<Container>,
}

/// A volume claim template. Its labels are the (immutable) selector labels
/// only: a StatefulSet's claim templates cannot change after creation. The
/// size is the plan's (validation makes sure there is one: PGP104).
fn claim(ctx: &Ctx<'_>, name: &str, size: Option<Bytes>, role: &str) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(ctx.labels.server_selector(Some(role))),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: ctx.k8s.storage_class.as_ref().map(ToString::to_string),
            resources: Some(VolumeResourceRequirements {
                requests: size.map(|size| {
                    BTreeMap::from([("storage".to_owned(), Quantity(size.to_kubernetes()))])
                }),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

fn stateful_set(ctx: &Ctx<'_>, s: Spec<'_>) -> StatefulSet {
    let uid = ctx.uid();
    let selector_labels = ctx.labels.server_selector(Some(s.role));
    let config_name = s.config.object.name().to_owned();

    let flavor = ctx.flavor;
    let superuser_file = format!("{}/superuser/password", paths::SECRETS);
    let mut env = match flavor {
        ImageFamily::Bitnami => vec![
            pod::env("BITNAMI_DEBUG", "false"),
            pod::env("POSTGRESQL_PORT_NUMBER", ctx.port.to_string()),
            pod::env("POSTGRESQL_VOLUME_DIR", flavor.data_mount()),
        ],
        ImageFamily::Official => vec![pod::env("PGPORT", ctx.port.to_string())],
    };
    env.push(pod::env("PGDATA", flavor.pgdata()));
    env.push(pod::env(flavor.password_file_env(), superuser_file));
    env.extend(s.env);
    let args = match flavor {
        ImageFamily::Bitnami => None,
        ImageFamily::Official => Some(vec![
            "-c".to_owned(),
            format!("config_file={}/postgresql.conf", flavor.config_mount()),
            "-c".to_owned(),
            format!("hba_file={}/pg_hba.conf", flavor.config_mount()),
        ]),
    };

    let mut mounts = vec![
        mount("data", flavor.data_mount(), false),
        mount("config", flavor.config_mount(), true),
    ];
    // The root filesystem is read-only: everything the image writes outside
    // the data volume goes to scratch directories.
    for (sub, path) in flavor.scratch() {
        mounts.push(sub_mount("scratch", sub, path));
    }
    mounts.push(mount("shm", "/dev/shm", false));
    mounts.push(mount(
        "superuser-password",
        &format!("{}/superuser", paths::SECRETS),
        true,
    ));
    mounts.extend(s.mounts);

    let mut volumes = vec![
        Volume {
            name: "config".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_name,
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
        empty_dir("scratch"),
        // Shared memory for parallel queries: the runtime's default /dev/shm
        // is 64MB. Memory-backed, so it counts against the memory limit.
        Volume {
            name: "shm".into(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".into()),
                ..EmptyDirVolumeSource::default()
            }),
            ..Volume::default()
        },
        password_volume("superuser-password", &ctx.creds.superuser),
    ];
    volumes.extend(s.volumes);

    if ctx.tls {
        volumes.push(Volume {
            name: "tls".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(ctx.names.tls_secret.clone()),
                items: Some(vec![
                    KeyToPath {
                        key: "tls.crt".into(),
                        path: "tls.crt".into(),
                        ..KeyToPath::default()
                    },
                    KeyToPath {
                        key: "tls.key".into(),
                        path: "tls.key".into(),
                        ..KeyToPath::default()
                    },
                ]),
                default_mode: Some(SECRET_FILE_MODE),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
        mounts.push(mount("tls", paths::TLS, true));
    }

    let server = Container {
        name: "postgresql".into(),
        image: Some(ctx.k8s.image.to_string()),
        image_pull_policy: Some(pull_policy(&ctx.k8s.image)),
        args,
        ports: Some(vec![ContainerPort {
            name: Some("postgresql".into()),
            container_port: i32::from(ctx.port),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        env: Some(env),
        resources: Some(resources(ctx.cpu, ctx.memory)),
        // Up to 5 minutes to start (first boot, crash recovery), then
        // restarted after a minute of not accepting connections, and out of
        // the Service after 15 s.
        startup_probe: Some(pg_isready_probe(ctx, 0, 10, 5, 30)),
        liveness_probe: Some(pg_isready_probe(ctx, 0, 10, 5, 6)),
        readiness_probe: Some(pg_isready_probe(ctx, 0, 5, 3, 3)),
        security_context: Some(container_security_context(uid)),
        volume_mounts: Some(mounts),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    };
    let mut containers = vec![server];
    let mut images: Vec<ContainerImage> = vec![ctx.k8s.image.clone()];
    if let (Some(image), Some(port)) = (ctx.exporter_image(), ctx.exporter_port()) {
        let (container, volume) = exporter(ctx, &image, port);
        containers.push(container);
        volumes.push(volume);
        images.push(image);
    }

    let pod_labels = ctx.labels.server_pod(s.role);
    let total_server_pods = 1 + ctx.read_replicas;
    let pod = PodSpec {
        service_account_name: Some(ctx.names.base.clone()),
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        security_context: Some(pod_security_context(uid)),
        termination_grace_period_seconds: Some(60),
        affinity: (total_server_pods > 1).then(|| anti_affinity(ctx)),
        topology_spread_constraints: (s.replicas > 1).then(|| spread(&selector_labels)),
        init_containers: (!s.init_containers.is_empty()).then_some(s.init_containers),
        containers,
        volumes: Some(volumes),
        ..PodSpec::default()
    };

    let mut meta = ctx.labels.meta(s.name, ctx.labels.server_pod(s.role));
    let image_refs: Vec<&ContainerImage> = images.iter().collect();
    let mut annotations = checkov_skips(ctx, &image_refs).unwrap_or_default();
    let notes = ctx.not_rendered();
    if s.role == ROLE_PRIMARY && !notes.is_empty() {
        annotations.insert("pgplan.io/not-rendered".into(), notes.join("; "));
    }
    meta.annotations = (!annotations.is_empty()).then_some(annotations);

    StatefulSet {
        metadata: meta,
        spec: StatefulSetSpec {
            replicas: Some(s.replicas),
            service_name: Some(s.service_name.to_owned()),
            selector: selector(selector_labels),
            pod_management_policy: Some("OrderedReady".into()),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: None,
            }),
            // Deleting or scaling down the StatefulSet keeps the data.
            persistent_volume_claim_retention_policy: Some(
                StatefulSetPersistentVolumeClaimRetentionPolicy {
                    when_deleted: Some("Retain".into()),
                    when_scaled: Some("Retain".into()),
                },
            ),
            revision_history_limit: Some(5),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(BTreeMap::from([(
                        CONFIG_CHECKSUM.to_owned(),
                        s.config.checksum.clone(),
                    )])),
                    ..ObjectMeta::default()
                }),
                spec: Some(pod),
            },
            volume_claim_templates: Some(s.claims),
            ..StatefulSetSpec::default()
        },
        ..StatefulSet::default()
    }
}

/// Server pods prefer different nodes (and the scheduler spreads a
/// StatefulSet with several pods over zones and nodes). Preferred, not
/// required: a one-node development cluster still schedules them.
fn anti_affinity(ctx: &Ctx<'_>) -> Affinity {
    Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(selector(ctx.labels.server_selector(None))),
                        topology_key: "kubernetes.io/hostname".into(),
                        ..PodAffinityTerm::default()
                    },
                },
            ]),
            required_during_scheduling_ignored_during_execution: None,
        }),
        ..Affinity::default()
    }
}

fn spread(labels: &BTreeMap<String, String>) -> Vec<TopologySpreadConstraint> {
    ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
        .into_iter()
        .map(|key| TopologySpreadConstraint {
            max_skew: 1,
            topology_key: key.into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(selector(labels.clone())),
            ..TopologySpreadConstraint::default()
        })
        .collect()
}

/// The postgres_exporter sidecar: it logs in over the pod's loopback
/// interface with the monitoring role's password file.
fn exporter(ctx: &Ctx<'_>, image: &ContainerImage, port: u16) -> (Container, Volume) {
    let cred = &ctx.creds.monitoring;
    let secret_dir = format!("{}/monitoring", paths::SECRETS);
    let probe = |period: i32| Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/".into()),
            port: IntOrString::String("metrics".into()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..Probe::default()
    };
    let container = Container {
        name: "metrics".into(),
        image: Some(image.to_string()),
        image_pull_policy: Some(pull_policy(image)),
        args: Some(vec![format!("--web.listen-address=:{port}")]),
        env: Some(vec![
            pod::env(
                "DATA_SOURCE_URI",
                format!("127.0.0.1:{}/postgres?sslmode=disable", ctx.port),
            ),
            pod::env("DATA_SOURCE_USER", cred.username.clone()),
            pod::env("DATA_SOURCE_PASS_FILE", format!("{secret_dir}/password")),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("metrics".into()),
            container_port: i32::from(port),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        resources: Some(helper_resources(50, 250, 64, 128)),
        liveness_probe: Some(probe(20)),
        readiness_probe: Some(probe(10)),
        security_context: Some(container_security_context(ctx.uid())),
        volume_mounts: Some(vec![mount("monitoring-password", &secret_dir, true)]),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    };
    (container, password_volume("monitoring-password", cred))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_covers_zones_and_nodes() {
        let s = spread(&BTreeMap::from([("app".to_owned(), "x".to_owned())]));
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|c| c.when_unsatisfiable == "ScheduleAnyway"));
    }
}
