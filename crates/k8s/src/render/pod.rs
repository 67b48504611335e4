//! Pieces every pod shares: security contexts, resources, volumes, probes.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, EmptyDirVolumeSource, EnvVar, ExecAction, KeyToPath, PodSecurityContext, Probe,
    ResourceRequirements, SeccompProfile, SecretVolumeSource, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use pgplan_core::{Bytes, ContainerImage, Millicores, Resources};

use crate::context::Ctx;
use crate::credentials::Credential;

/// Read-only for the owner; the kubelet adds group read for `fsGroup`, which
/// PostgreSQL accepts for a root-owned key file (0640 at most).
pub(crate) const SECRET_FILE_MODE: i32 = 0o440;

/// The pod-level security context: non-root, the plan's UID as user, group
/// and fsGroup (so mounted volumes are writable and Secret files readable),
/// the runtime's default seccomp profile.
pub(crate) fn pod_security_context(uid: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        run_as_non_root: Some(true),
        fs_group: Some(uid),
        fs_group_change_policy: Some("OnRootMismatch".into()),
        seccomp_profile: Some(runtime_default()),
        ..PodSecurityContext::default()
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        localhost_profile: None,
    }
}

/// The container-level security context: no privilege escalation, a
/// read-only root filesystem, every capability dropped.
pub(crate) fn container_security_context(uid: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        seccomp_profile: Some(runtime_default()),
        ..SecurityContext::default()
    }
}

/// Requests and limits; a missing limit is the request, so the container is
/// never given more than the tuning assumed (and is never throttled below it).
/// Validation makes sure the server container has both (PGP103, PGP023);
/// what a plan leaves out is left out here too.
pub(crate) fn resources(
    cpu: Option<Resources<Millicores>>,
    memory: Option<Resources<Bytes>>,
) -> ResourceRequirements {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    if let Some(cpu) = cpu {
        requests.insert("cpu".to_owned(), Quantity(cpu.request.to_kubernetes()));
        limits.insert("cpu".to_owned(), Quantity(cpu.ceiling().to_kubernetes()));
    }
    if let Some(memory) = memory {
        requests.insert(
            "memory".to_owned(),
            Quantity(memory.request.to_kubernetes()),
        );
        limits.insert(
            "memory".to_owned(),
            Quantity(memory.ceiling().to_kubernetes()),
        );
    }
    ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..ResourceRequirements::default()
    }
}

/// Fixed resources of a helper container (Job, CronJob, exporter).
pub(crate) fn helper_resources(
    cpu_request: u32,
    cpu_limit: u32,
    memory_request_mib: u64,
    memory_limit_mib: u64,
) -> ResourceRequirements {
    resources(
        Some(Resources {
            request: Millicores::new(cpu_request),
            limit: Some(Millicores::new(cpu_limit)),
        }),
        Some(Resources {
            request: Bytes::mib(memory_request_mib),
            limit: Some(Bytes::mib(memory_limit_mib)),
        }),
    )
}

/// `Always` for a tag: a tag can move, so the kubelet re-resolves it (and
/// checks pull credentials) on every start; `IfNotPresent` for a digest,
/// which cannot.
pub(crate) fn pull_policy(image: &ContainerImage) -> String {
    if image.is_pinned_by_digest() {
        "IfNotPresent".into()
    } else {
        "Always".into()
    }
}

/// A literal environment variable.
pub(crate) fn env(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: Some(value.into()),
        value_from: None,
    }
}

/// A mount.
pub(crate) fn mount(volume: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: volume.to_owned(),
        mount_path: path.to_owned(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    }
}

/// A mount of one sub-directory of a volume.
pub(crate) fn sub_mount(volume: &str, sub_path: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: volume.to_owned(),
        mount_path: path.to_owned(),
        sub_path: Some(sub_path.to_owned()),
        ..VolumeMount::default()
    }
}

/// A scratch directory.
pub(crate) fn empty_dir(name: &str) -> Volume {
    Volume {
        name: name.to_owned(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Volume::default()
    }
}

/// A volume with a credential's password as the file `password`.
pub(crate) fn password_volume(name: &str, cred: &Credential) -> Volume {
    Volume {
        name: name.to_owned(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(cred.secret.clone()),
            items: Some(vec![KeyToPath {
                key: cred.key.clone(),
                path: "password".into(),
                ..KeyToPath::default()
            }]),
            default_mode: Some(SECRET_FILE_MODE),
            ..SecretVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// An exec probe running `pg_isready` against the local server.
pub(crate) fn pg_isready_probe(
    ctx: &Ctx<'_>,
    initial_delay: i32,
    period: i32,
    timeout: i32,
    failures: i32,
) -> Probe {
    Probe {
        exec: Some(ExecAction {
            command: Some(vec![
                "pg_isready".into(),
                "--host=127.0.0.1".into(),
                format!("--port={}", ctx.port),
                "--dbname=postgres".into(),
                "--username=postgres".into(),
                format!("--timeout={timeout}"),
            ]),
        }),
        initial_delay_seconds: (initial_delay > 0).then_some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        failure_threshold: Some(failures),
        success_threshold: Some(1),
        ..Probe::default()
    }
}
