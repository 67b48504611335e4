//! Facts about Kubernetes and about what pgplan renders there, kept in one
//! place so that validation and the Kubernetes backend agree on them:
//!
//! - the syntax of names and labels (from the API conventions and the
//!   apimachinery validators);
//! - the names of the objects derived from a plan ([`ObjectNames`]) and the
//!   limits they must fit ([`ObjectNames::limited`]);
//! - the logins the rendered objects use and the Secrets that hold their
//!   passwords ([`role_secret`], [`replication_login`], [`backup_login`]);
//! - the labels pgplan sets itself ([`RESERVED_LABELS`]);
//! - where the server images keep things ([`ImageFamily`]) and the
//!   parameters the container decides ([`CONTAINER_OWNED_PARAMETERS`]).
//!
//! ```
//! use pgplan_core::kubernetes_facts::{MAX_CONTROLLER_NAME, ObjectNames};
//! let names = ObjectNames::new(&"orders".parse().unwrap());
//! assert_eq!(names.base, "postgresql-orders");
//! assert_eq!(names.headless, "postgresql-orders-headless");
//! assert_eq!(names.backup_cron_job(&"nightly".parse().unwrap()), "postgresql-orders-backup-nightly");
//! assert!(names.base.len() <= MAX_CONTROLLER_NAME);
//! ```

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::model::backups::LogicalBackup;
use crate::model::names::{RoleName, ServiceName};
use crate::model::plan::Plan;
use crate::model::platform::ContainerImage;
use crate::model::roles::{Role, RolePurpose};
use crate::model::secrets::SecretSource;
use crate::tuning::params::{self, Param};
use crate::validate::FieldPath;

/// True when the image's PostgreSQL is built `--with-lz4` (and
/// `--with-zstd`): the official `postgres` image, whose Alpine variants
/// configure both and whose Debian variants install PGDG's packages, built
/// alike (docker-library/postgres Dockerfiles).
///
/// ```
/// use pgplan_core::kubernetes_facts::image_has_lz4;
/// assert!(image_has_lz4(&"postgres:17.2".parse().unwrap()));
/// assert!(image_has_lz4(&"docker.io/library/postgres:16-alpine".parse().unwrap()));
/// assert!(!image_has_lz4(&"bitnami/postgresql:17".parse().unwrap()));
/// ```
pub fn image_has_lz4(image: &ContainerImage) -> bool {
    matches!(
        image.repository(),
        "postgres" | "library/postgres" | "docker.io/postgres" | "docker.io/library/postgres"
    )
}

/// Longest DNS label (Services, Job names, namespaces).
pub const MAX_DNS_LABEL: usize = 63;
/// Longest DNS subdomain (most object names).
pub const MAX_DNS_SUBDOMAIN: usize = 253;
/// Longest StatefulSet or CronJob name: their controllers append a suffix
/// (`-<10-char revision hash>`, `-<8-digit schedule time>`) that must still
/// fit a 63-character label value.
pub const MAX_CONTROLLER_NAME: usize = 52;

/// True for a DNS label: lowercase letters, digits and `-`, starting and
/// ending with a letter or digit, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_DNS_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// True for a DNS subdomain: dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_DNS_SUBDOMAIN && s.split('.').all(is_dns_label)
}

/// True for the name part of a label key or a non-empty label value:
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric, at most 63.
fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_DNS_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

/// Checks a label key (`[prefix/]name`).
pub fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Err(format!(
            "the prefix `{p}` of label key `{key}` is not a DNS subdomain (lowercase letters, digits, `-` and `.`)"
        ));
    }
    if !is_label_name(name) {
        return Err(format!(
            "label key `{key}`: the name part must be 1–63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// Checks a label value (empty, or 1–63 letters, digits, `-`, `_`, `.`).
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(format!(
            "label value `{value}` must be empty or 1–63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ))
    }
}

/// The label every rendered object carries to say pgplan manages it.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "pgplan");
/// The label that says what part of the deployment an object is.
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The label that tells a primary's pods from its read replicas' pods.
pub const ROLE: &str = "pgplan.io/role";
/// Label keys pgplan sets on the objects itself; the plan's own labels may
/// not override them (`app`, `service` and `tier` name the deployment and
/// select its pods).
pub const RESERVED_LABELS: [&str; 6] = ["app", "service", "tier", MANAGED_BY.0, COMPONENT, ROLE];

/// True for an image pinned by digest or by a tag other than `latest`: one
/// that names a version.
pub fn is_pinned(image: &ContainerImage) -> bool {
    image.is_pinned_by_digest() || image.tag().is_some_and(|t| t != "latest")
}

/// The superuser of the server images: the image creates it at first boot,
/// and pgplan keeps its password in the Secret [`ObjectNames::superuser_secret`].
pub const SUPERUSER: &str = "postgres";
/// The replication login pgplan creates for the read replicas when the plan
/// names no replication role with a password.
pub const DEFAULT_REPLICATION_USER: &str = "replicator";

/// Parameters the container decides: a plan value would point the server at
/// files that do not exist in the image (PGDATA is the image family's, the
/// configuration files are the mounted ConfigMap's).
pub const CONTAINER_OWNED_PARAMETERS: [Param<String>; 5] = [
    params::CONFIG_FILE,
    params::DATA_DIRECTORY,
    params::EXTERNAL_PID_FILE,
    params::HBA_FILE,
    params::IDENT_FILE,
];

/// The first 16 hex digits of the SHA-256 of the parts (each followed by a
/// NUL, so `["ab", "c"]` and `["a", "bc"]` differ).
pub fn checksum(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(16);
    for b in digest.iter().take(8) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A name fit for a Kubernetes object, from any text (a role name): lowercase
/// letters and digits kept, every other run of characters becomes one `-`.
///
/// ```
/// use pgplan_core::kubernetes_facts::dns_fragment;
/// assert_eq!(dns_fragment("product_change_app"), "product-change-app");
/// assert_eq!(dns_fragment("Bill \"Admin\""), "bill-admin");
/// assert_eq!(dns_fragment("한국"), "x");
/// ```
pub fn dns_fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let fragment = out.trim_matches('-');
    if fragment.is_empty() {
        "x".to_owned()
    } else {
        fragment.to_owned()
    }
}

/// Hex digits of the checksum in the schema-init Job's name.
pub const INIT_JOB_DIGEST: usize = 8;
/// Hex digits of the checksum that keeps a shortened role Secret name distinct.
const ROLE_SECRET_DIGEST: usize = 8;

/// Every name the rendered objects take from the plan's service
/// (`postgresql-<service>…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectNames {
    /// `postgresql-<service>`: the primary's StatefulSet and its ClusterIP
    /// Service, the ServiceAccount, the NetworkPolicy, the `app` label.
    pub base: String,
    /// ConfigMap with postgresql.conf and pg_hba.conf.
    pub config: String,
    /// ConfigMap of the read replicas when their parameters differ.
    pub read_config: String,
    /// Secret with the superuser's password.
    pub superuser_secret: String,
    /// Secret with the password of the replication login pgplan creates.
    pub replication_secret: String,
    /// The `kubernetes.io/tls` Secret with the server certificate, unless the
    /// caller names another.
    pub tls_secret: String,
    /// Headless Service of the primary (StatefulSet pod DNS).
    pub headless: String,
    /// StatefulSet and Service of the read replicas.
    pub read: String,
    /// Headless Service of the read replicas.
    pub read_headless: String,
    /// Service that exposes the exporter.
    pub metrics: String,
    /// PersistentVolumeClaim of the logical backups.
    pub backup_pvc: String,
    /// NetworkPolicy of the Job pods.
    pub jobs_policy: String,
}

/// A name derived from the plan that Kubernetes limits, and the plan field
/// that decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitedName {
    /// The object's name.
    pub name: String,
    /// The name as messages show it (the schema-init Job's checksum, which
    /// depends on what the renderer is given, as `<checksum>`).
    pub shown: String,
    /// Its kind (`Service`, `StatefulSet`, `Job`, `CronJob`).
    pub kind: &'static str,
    /// The longest name Kubernetes accepts for it.
    pub limit: usize,
    /// The plan field whose value is part of the name.
    pub field: FieldPath,
    /// The longest that field's value can be for the name to fit (0 when
    /// the rest of the name is already too long).
    pub room: usize,
}

impl ObjectNames {
    /// The names of a service's objects.
    pub fn new(service: &ServiceName) -> Self {
        let base = format!("postgresql-{service}");
        ObjectNames {
            config: format!("{base}-config"),
            read_config: format!("{base}-read-config"),
            superuser_secret: format!("{base}-superuser"),
            replication_secret: format!("{base}-replication"),
            tls_secret: format!("{base}-tls"),
            headless: format!("{base}-headless"),
            read: format!("{base}-read"),
            read_headless: format!("{base}-read-headless"),
            metrics: format!("{base}-metrics"),
            backup_pvc: format!("{base}-backup"),
            jobs_policy: format!("{base}-jobs"),
            base,
        }
    }

    /// The Secret of a role's password when the plan names none:
    /// `<base>-role-<role>`, the role name lowercased with other characters as
    /// `-`. `-role-` keeps role Secrets apart from pgplan's own (`-superuser`,
    /// `-replication`, `-tls`) whatever the role is called; a name longer than
    /// a DNS label is cut and given a checksum of the role name, so it stays
    /// a valid name and distinct.
    pub fn role_secret(&self, role: &RoleName) -> String {
        let name = format!("{}-role-{}", self.base, dns_fragment(role.as_str()));
        if name.len() <= MAX_DNS_LABEL {
            return name;
        }
        let sum = checksum(&[role.as_str().as_bytes()]);
        // ASCII only (the base and the fragment are), so any cut is a
        // character boundary.
        let keep = MAX_DNS_LABEL - 1 - ROLE_SECRET_DIGEST;
        format!(
            "{}-{}",
            name[..keep].trim_end_matches('-'),
            &sum[..ROLE_SECRET_DIGEST]
        )
    }

    /// The CronJob of a logical backup.
    pub fn backup_cron_job(&self, backup: &ServiceName) -> String {
        format!("{}-backup-{backup}", self.base)
    }

    /// The schema-init Job (and its SQL ConfigMap), named after a checksum of
    /// what it runs so that changed SQL is a new Job (a Job's pod template is
    /// immutable); the first [`INIT_JOB_DIGEST`] hex digits of `digest` are
    /// used.
    pub fn init_job(&self, digest: &str) -> String {
        let digest = digest.get(..INIT_JOB_DIGEST).unwrap_or(digest);
        format!("{}-init-{digest}", self.base)
    }

    /// The names a plan's objects take that Kubernetes limits: Services are
    /// DNS labels, Job names are label values, and StatefulSet and CronJob
    /// names leave room for the suffix their controllers append. The
    /// schema-init Job counts whether or not it is rendered (that depends on
    /// what the caller passes to the renderer).
    pub fn limited(&self, plan: &Plan) -> Vec<LimitedName> {
        let service = plan.service.as_str().len();
        let of_service =
            |name: &str, kind, limit| limited(name, kind, limit, "service".into(), service);
        let mut init_job = of_service(
            &self.init_job(&"0".repeat(INIT_JOB_DIGEST)),
            "Job",
            MAX_DNS_LABEL,
        );
        init_job.shown = self.init_job("") + "<checksum>";
        let mut out = vec![
            of_service(&self.base, "StatefulSet", MAX_CONTROLLER_NAME),
            of_service(&self.headless, "Service", MAX_DNS_LABEL),
            of_service(&self.metrics, "Service", MAX_DNS_LABEL),
            init_job,
        ];
        if !plan.topology.replicas.is_empty() {
            out.push(of_service(&self.read, "StatefulSet", MAX_CONTROLLER_NAME));
            out.push(of_service(&self.read_headless, "Service", MAX_DNS_LABEL));
        }
        for (i, b) in plan.backups.logical.iter().enumerate() {
            out.push(limited(
                &self.backup_cron_job(&b.name),
                "CronJob",
                MAX_CONTROLLER_NAME,
                FieldPath::root()
                    .field("backups")
                    .field("logical")
                    .index(i)
                    .field("name"),
                b.name.as_str().len(),
            ));
        }
        out
    }
}

fn limited(
    name: &str,
    kind: &'static str,
    limit: usize,
    field: FieldPath,
    value: usize,
) -> LimitedName {
    LimitedName {
        name: name.to_owned(),
        shown: name.to_owned(),
        kind,
        limit,
        field,
        room: limit.saturating_sub(name.len() - value),
    }
}

/// The Secret that holds a login role's password on Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSecret {
    /// Secret name.
    pub name: String,
    /// Key of the password in the Secret.
    pub key: String,
    /// True when pgplan renders the Secret (or an ExternalSecret that makes
    /// it); false for an existing Secret the plan names.
    pub rendered: bool,
}

/// True when a role logs in with a password the Kubernetes backend can keep
/// in a Secret: generated, from the environment, from Key Vault or from an
/// existing Secret (not a literal, not a Microsoft Entra identity).
pub fn has_kubernetes_password(role: &Role) -> bool {
    role.login
        && matches!(
            role.password,
            Some(
                SecretSource::Generated { .. }
                    | SecretSource::KubernetesSecret { .. }
                    | SecretSource::Env { .. }
                    | SecretSource::KeyVault { .. }
            )
        )
}

/// Where a login role's password is kept on Kubernetes; `None` for a role
/// without one ([`has_kubernetes_password`]).
pub fn role_secret(names: &ObjectNames, role: &Role) -> Option<RoleSecret> {
    if !has_kubernetes_password(role) {
        return None;
    }
    let derived = || names.role_secret(&role.name);
    let password = "password".to_owned();
    match role.password.as_ref()? {
        SecretSource::Generated { secret_name, .. } => Some(RoleSecret {
            name: secret_name
                .as_ref()
                .map_or_else(derived, ToString::to_string),
            key: password,
            rendered: true,
        }),
        SecretSource::Env { .. } | SecretSource::KeyVault { .. } => Some(RoleSecret {
            name: derived(),
            key: password,
            rendered: true,
        }),
        SecretSource::KubernetesSecret { name, key } => Some(RoleSecret {
            name: name.to_string(),
            key: key.to_string(),
            rendered: false,
        }),
        SecretSource::Literal(_) | SecretSource::EntraIdentity { .. } => None,
    }
}

/// The first role of a purpose that logs in with a password the Kubernetes
/// backend can use, with its index in `roles`.
pub fn login_of_purpose(plan: &Plan, purpose: RolePurpose) -> Option<(usize, &Role)> {
    plan.roles
        .iter()
        .enumerate()
        .find(|(_, r)| r.purpose == purpose && has_kubernetes_password(r))
}

/// The login the read replicas stream with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplicationLogin<'a> {
    /// The plan's first replication role with a password, and its index.
    Planned(usize, &'a Role),
    /// [`DEFAULT_REPLICATION_USER`], created by pgplan's schema-init Job,
    /// with its password in [`ObjectNames::replication_secret`].
    Default,
}

/// The replication login, when the plan has read replicas.
pub fn replication_login(plan: &Plan) -> Option<ReplicationLogin<'_>> {
    if plan.topology.replicas.is_empty() {
        return None;
    }
    Some(match login_of_purpose(plan, RolePurpose::Replication) {
        Some((i, role)) => ReplicationLogin::Planned(i, role),
        None => ReplicationLogin::Default,
    })
}

/// The role a logical backup's CronJob logs in as: the backup's own role, or
/// the plan's first backup role with a password; `None` means the superuser.
/// (A named role that is not planned, or has no password the CronJob could
/// use, is refused by validation.)
pub fn backup_login<'a>(plan: &'a Plan, backup: &LogicalBackup) -> Option<&'a Role> {
    match &backup.role {
        Some(name) => plan.role(name).filter(|r| has_kubernetes_password(r)),
        None => login_of_purpose(plan, RolePurpose::Backup).map(|(_, r)| r),
    }
}

/// The role the exporter logs in as: the plan's first monitoring role with a
/// password; `None` means the superuser.
pub fn monitoring_login(plan: &Plan) -> Option<&Role> {
    login_of_purpose(plan, RolePurpose::Monitoring).map(|(_, r)| r)
}

/// The two image families pgplan knows: `bitnami/postgresql` and the official
/// `postgres` image, whose entrypoint conventions (the `POSTGRES_*`
/// variables, `docker-entrypoint.sh`) other images follow too. They keep
/// data, configuration and scratch files in different places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFamily {
    /// `bitnami/postgresql`: configured by `POSTGRESQL_*` variables, copies a
    /// mounted postgresql.conf and pg_hba.conf into place on start, and sets
    /// up streaming replicas itself (`POSTGRESQL_REPLICATION_MODE`).
    Bitnami,
    /// The official image and images built like it: configured by
    /// `POSTGRES_*` variables, reads the config files named by `-c
    /// config_file=…`/`-c hba_file=…`; replicas are cloned by an init
    /// container with `pg_basebackup --write-recovery-conf`.
    Official,
}

impl ImageFamily {
    /// The family of an image, from its repository name.
    ///
    /// ```
    /// use pgplan_core::kubernetes_facts::ImageFamily;
    /// let of = |s: &str| ImageFamily::of(&s.parse().unwrap());
    /// assert_eq!(of("docker.io/bitnami/postgresql:17"), ImageFamily::Bitnami);
    /// assert_eq!(of("postgres:17.2"), ImageFamily::Official);
    /// assert_eq!(of("postgres:17.2").pgdata(), "/var/lib/postgresql/data/pgdata");
    /// ```
    pub fn of(image: &ContainerImage) -> ImageFamily {
        let repo = image.repository();
        let last_two: Vec<&str> = repo.rsplit('/').take(2).collect();
        if last_two.len() == 2 && last_two[0] == "postgresql" && last_two[1].starts_with("bitnami")
        {
            ImageFamily::Bitnami
        } else {
            ImageFamily::Official
        }
    }

    /// Where the data volume is mounted.
    pub fn data_mount(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "/bitnami/postgresql",
            ImageFamily::Official => "/var/lib/postgresql/data",
        }
    }

    /// PGDATA: a directory below the mount, so the volume's own entries
    /// (`lost+found`) never make initdb refuse it.
    pub fn pgdata(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "/bitnami/postgresql/data",
            ImageFamily::Official => "/var/lib/postgresql/data/pgdata",
        }
    }

    /// Where the configuration ConfigMap is mounted.
    pub fn config_mount(self) -> &'static str {
        match self {
            // The image copies postgresql.conf and pg_hba.conf from here.
            ImageFamily::Bitnami => "/bitnami/postgresql/conf",
            ImageFamily::Official => "/etc/postgresql",
        }
    }

    /// Where the WAL volume is mounted, and the WAL directory on it.
    pub fn wal(self) -> (&'static str, &'static str) {
        match self {
            ImageFamily::Bitnami => ("/bitnami/wal", "/bitnami/wal/pg_wal"),
            ImageFamily::Official => ("/var/lib/postgresql/wal", "/var/lib/postgresql/wal/pg_wal"),
        }
    }

    /// The variable naming the WAL directory for initdb.
    pub fn waldir_env(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "POSTGRESQL_INITDB_WAL_DIR",
            ImageFamily::Official => "POSTGRES_INITDB_WALDIR",
        }
    }

    /// The variable whose words the image's entrypoint adds to initdb's
    /// command line on first boot.
    pub fn initdb_args_env(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "POSTGRESQL_INITDB_ARGS",
            ImageFamily::Official => "POSTGRES_INITDB_ARGS",
        }
    }

    /// The variable naming the superuser's password file.
    pub fn password_file_env(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "POSTGRESQL_PASSWORD_FILE",
            ImageFamily::Official => "POSTGRES_PASSWORD_FILE",
        }
    }

    /// Directories the image writes to outside the data volume (each a
    /// sub-directory of one scratch volume): the root filesystem is read-only.
    pub fn scratch(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ImageFamily::Bitnami => &[
                ("tmp", "/tmp"),
                ("app-conf", "/opt/bitnami/postgresql/conf"),
                ("app-tmp", "/opt/bitnami/postgresql/tmp"),
                ("app-logs", "/opt/bitnami/postgresql/logs"),
            ],
            ImageFamily::Official => &[("tmp", "/tmp"), ("run", "/var/run/postgresql")],
        }
    }

    /// True when the image sets the superuser password over the Unix socket
    /// before any password exists, so that socket must trust the superuser.
    pub fn needs_local_trust(self) -> bool {
        matches!(self, ImageFamily::Bitnami)
    }
}
