//! Running the database: clients and the pooler, backups, security.

use super::{at, builder, nest};
use crate::model::azure_names::{BlobContainerName, Region, StorageAccountName};
use crate::model::backups::{
    BackupDestination, Backups, CronSchedule, DumpFormat, LogicalBackup, ManagedBackups, Snapshots,
    WalArchiving,
};
use crate::model::clients::{Client, Endpoint, PodRange, PoolMode, Pooler, Surge};
use crate::model::input::Input;
use crate::model::names::{DatabaseName, RoleName, ServiceName};
use crate::model::net::CidrRange;
use crate::model::security::{PasswordEncryption, Security, StatementLogging, TlsVersion};
use crate::model::units::Interval;
use crate::validate::FieldPath;

pub(super) fn new_client(name: ServiceName) -> Client {
    Client {
        name,
        pool_size: 0,
        pods: PodRange { min: 1, max: 1 },
        max_surge: None,
        endpoint: None,
        database: None,
        role: None,
        connection_lifetime: None,
        idle_timeout: None,
        connect_timeout: None,
        labels: Default::default(),
    }
}

builder!(
    /// An application service that connects (`clients[]`).
    ClientBuilder => Client
);

impl ClientBuilder {
    /// Connections each instance's pool holds at most (HikariCP maximumPoolSize).
    pub fn pool_size(mut self, n: u32) -> Self {
        self.value.pool_size = n;
        self
    }
    /// Instances (pods) of the service, fewest and most (its autoscaler's range).
    pub fn pods(mut self, min: u32, max: u32) -> Self {
        self.value.pods = PodRange { min, max };
        self
    }
    /// Pods a rolling deploy adds above the most pods (`maxSurge`).
    pub fn max_surge(mut self, surge: Surge) -> Self {
        self.value.max_surge = Some(surge);
        self
    }
    /// The server it connects to: the primary, the read-only replicas or the
    /// pooler (unset: the pooler when the plan has one, else the primary).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.value.endpoint = Some(endpoint);
        self
    }
    /// The database it uses.
    pub fn database(self, name: impl Input<DatabaseName>) -> Self {
        self.set("database", name, |c, v| c.database = Some(v))
    }
    /// The role it logs in as.
    pub fn role(self, name: impl Input<RoleName>) -> Self {
        self.set("role", name, |c, v| c.role = Some(v))
    }
    /// Pool connection lifetime (HikariCP maxLifetime).
    pub fn connection_lifetime(self, d: impl Input<Interval>) -> Self {
        self.set("connection_lifetime", d, |c, v| {
            c.connection_lifetime = Some(v)
        })
    }
    /// Idle connection timeout.
    pub fn idle_timeout(self, d: impl Input<Interval>) -> Self {
        self.set("idle_timeout", d, |c, v| c.idle_timeout = Some(v))
    }
    /// Time to wait for a connection from the pool.
    pub fn connect_timeout(self, d: impl Input<Interval>) -> Self {
        self.set("connect_timeout", d, |c, v| c.connect_timeout = Some(v))
    }
    /// A label of the service's pods (NetworkPolicy); `app: <name>` when none.
    pub fn label(mut self, key: &str, value: &str) -> Self {
        let path = FieldPath::root().field("labels").key(key);
        let k = self.problems.read(path.clone(), key);
        let v = self.problems.read(path, value);
        if let (Some(k), Some(v)) = (k, v) {
            self.value.labels.insert(k, v);
        }
        self
    }
}

builder!(
    /// `pooler:` PgBouncer between the clients and the server.
    PoolerBuilder => Pooler
);

impl PoolerBuilder {
    /// Pool mode.
    pub fn mode(mut self, mode: PoolMode) -> Self {
        self.value.mode = mode;
        self
    }
    /// Pooler instances.
    pub fn instances(mut self, n: u32) -> Self {
        self.value.instances = n;
        self
    }
    /// Client connections each instance accepts.
    pub fn max_client_connections(mut self, n: u32) -> Self {
        self.value.max_client_connections = n;
        self
    }
    /// Server connections per database/user pair per instance, and extra ones under load.
    pub fn pool_size(mut self, default: u32, reserve: u32) -> Self {
        self.value.default_pool_size = default;
        self.value.reserve_pool_size = reserve;
        self
    }
}

builder!(
    /// `backups:` dumps, WAL archiving, managed backups, snapshots.
    BackupsBuilder => Backups
);

impl BackupsBuilder {
    /// Backups the managed service takes, kept `retention_days`.
    pub fn managed(
        mut self,
        retention_days: u16,
        f: impl FnOnce(ManagedBackupsBuilder) -> ManagedBackupsBuilder,
    ) -> Self {
        let managed = self.value.managed.take().unwrap_or(ManagedBackups {
            retention_days,
            geo_redundant: false,
            geo_region: None,
            point_in_time: true,
            window: None,
        });
        let managed = ManagedBackups {
            retention_days,
            ..managed
        };
        self.value.managed = Some(nest(
            &mut self.problems,
            at("managed"),
            managed,
            ManagedBackupsBuilder::from_value,
            f,
            ManagedBackupsBuilder::finish,
        ));
        self
    }
    /// Edits the managed backups the plan has.
    pub fn managed_mut(
        mut self,
        f: impl FnOnce(ManagedBackupsBuilder) -> ManagedBackupsBuilder,
    ) -> Self {
        match self.value.managed.take() {
            Some(m) => {
                self.value.managed = Some(nest(
                    &mut self.problems,
                    at("managed"),
                    m,
                    ManagedBackupsBuilder::from_value,
                    f,
                    ManagedBackupsBuilder::finish,
                ))
            }
            None => self.problems.push(
                at("managed"),
                "managed_mut: the plan has no managed backups",
            ),
        }
        self
    }
    /// A scheduled pg_dump (`"0 2 * * *"`) whose dumps are kept `retention`.
    pub fn logical(
        mut self,
        name: impl Input<ServiceName>,
        schedule: impl Input<CronSchedule>,
        retention: impl Input<Interval>,
        f: impl FnOnce(LogicalBackupBuilder) -> LogicalBackupBuilder,
    ) -> Self {
        let i = self.value.logical.len();
        let path = FieldPath::root().field("logical").index(i);
        let name = self
            .problems
            .read(path.clone().field("name"), name)
            .unwrap_or_else(ServiceName::placeholder);
        let schedule = self.problems.read(path.clone().field("schedule"), schedule);
        let retention = self
            .problems
            .read(path.clone().field("retention"), retention);
        let (Some(schedule), Some(retention)) = (schedule, retention) else {
            return self;
        };
        let backup = nest(
            &mut self.problems,
            path,
            LogicalBackup {
                name,
                schedule,
                retention,
                databases: Vec::new(),
                format: DumpFormat::default(),
                jobs: 1,
                destination: BackupDestination::default(),
                role: None,
            },
            LogicalBackupBuilder::from_value,
            f,
            LogicalBackupBuilder::finish,
        );
        self.value.logical.push(backup);
        self
    }
    /// Edits a logical backup the plan has.
    pub fn logical_mut(
        mut self,
        name: &str,
        f: impl FnOnce(LogicalBackupBuilder) -> LogicalBackupBuilder,
    ) -> Self {
        match self
            .value
            .logical
            .iter()
            .position(|b| b.name.as_str() == name)
        {
            Some(i) => {
                let b = self.value.logical[i].clone();
                self.value.logical[i] = nest(
                    &mut self.problems,
                    FieldPath::root().field("logical").index(i),
                    b,
                    LogicalBackupBuilder::from_value,
                    f,
                    LogicalBackupBuilder::finish,
                );
            }
            None => {
                let known = super::names(self.value.logical.iter().map(|b| b.name.as_str()));
                self.problems.push(
                    at("logical"),
                    format!(
                        "logical_mut: the plan has no logical backup `{name}` (it has {known})"
                    ),
                );
            }
        }
        self
    }
    /// No WAL archiving.
    pub fn no_wal_archiving(mut self) -> Self {
        self.value.wal_archiving = None;
        self
    }
    /// Continuous WAL archiving to `destination`, kept `retention`.
    pub fn wal_archiving(
        mut self,
        destination: &str,
        retention: impl Input<Interval>,
        f: impl FnOnce(WalArchivingBuilder) -> WalArchivingBuilder,
    ) -> Self {
        let path = at("wal_archiving");
        let Some(retention) = self
            .problems
            .read(path.clone().field("retention"), retention)
        else {
            return self;
        };
        self.value.wal_archiving = Some(nest(
            &mut self.problems,
            path,
            WalArchiving {
                retention,
                destination: destination.to_owned(),
                archive_timeout: None,
            },
            WalArchivingBuilder::from_value,
            f,
            WalArchivingBuilder::finish,
        ));
        self
    }
    /// Volume snapshots.
    pub fn snapshots(mut self, f: impl FnOnce(SnapshotsBuilder) -> SnapshotsBuilder) -> Self {
        self.value.snapshots = Some(nest(
            &mut self.problems,
            at("snapshots"),
            self.value.snapshots.clone().unwrap_or_default(),
            SnapshotsBuilder::from_value,
            f,
            SnapshotsBuilder::finish,
        ));
        self
    }
}

builder!(
    /// `backups.managed`.
    ManagedBackupsBuilder => ManagedBackups
);

impl ManagedBackupsBuilder {
    /// Geo-redundant backup storage, copied to `region` (Azure: its pair).
    pub fn geo_redundant(mut self, region: impl Input<Region>) -> Self {
        self.value.geo_redundant = true;
        self.set("geo_region", region, |m, v| m.geo_region = Some(v))
    }
    /// Point-in-time restore on or off.
    pub fn point_in_time(mut self, on: bool) -> Self {
        self.value.point_in_time = on;
        self
    }
    /// Preferred backup window, for documents (`"02:00 KST"`).
    pub fn window(mut self, text: &str) -> Self {
        self.value.window = Some(text.to_owned());
        self
    }
}

builder!(
    /// One `backups.logical[]` job.
    LogicalBackupBuilder => LogicalBackup
);

impl LogicalBackupBuilder {
    /// The databases dumped (every planned database when none).
    pub fn databases<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        for name in names {
            let i = self.value.databases.len();
            if let Some(n) = self
                .problems
                .read::<DatabaseName>(FieldPath::root().field("databases").index(i), name)
            {
                self.value.databases.push(n);
            }
        }
        self
    }
    /// The dump format.
    pub fn format(mut self, format: DumpFormat) -> Self {
        self.value.format = format;
        self
    }
    /// Parallel jobs (directory format).
    pub fn jobs(mut self, n: u32) -> Self {
        self.value.jobs = n;
        self
    }
    /// Dumps go to blob storage.
    pub fn to_blob_storage(
        mut self,
        account: impl Input<StorageAccountName>,
        container: impl Input<BlobContainerName>,
    ) -> Self {
        let path = FieldPath::root().field("destination").field("blob_storage");
        let a = self.problems.read(path.clone().field("account"), account);
        let c = self.problems.read(path.field("container"), container);
        if let (Some(account), Some(container)) = (a, c) {
            self.value.destination = BackupDestination::BlobStorage { account, container };
        }
        self
    }
    /// The role that runs pg_dump.
    pub fn role(self, name: impl Input<RoleName>) -> Self {
        self.set("role", name, |b, v| b.role = Some(v))
    }
}

builder!(
    /// `backups.wal_archiving`.
    WalArchivingBuilder => WalArchiving
);

impl WalArchivingBuilder {
    /// Force a segment switch at least this often.
    pub fn archive_timeout(self, d: impl Input<Interval>) -> Self {
        self.set("archive_timeout", d, |w, v| w.archive_timeout = Some(v))
    }
}

builder!(
    /// `backups.snapshots`.
    SnapshotsBuilder => Snapshots
);

impl SnapshotsBuilder {
    /// When they are taken.
    pub fn schedule(self, s: impl Input<CronSchedule>) -> Self {
        self.set("schedule", s, |x, v| x.schedule = Some(v))
    }
    /// How long they are kept.
    pub fn retention(self, d: impl Input<Interval>) -> Self {
        self.set("retention", d, |x, v| x.retention = Some(v))
    }
}

builder!(
    /// `security:` TLS, password hashing, statement logging, allowed networks.
    SecurityBuilder => Security
);

impl SecurityBuilder {
    /// Refuse unencrypted connections, with a minimum protocol version.
    pub fn tls_required(mut self, min_version: TlsVersion) -> Self {
        self.value.tls.required = true;
        self.value.tls.min_version = min_version;
        self
    }
    /// Accept unencrypted connections.
    pub fn tls_optional(mut self) -> Self {
        self.value.tls.required = false;
        self
    }
    /// How passwords are hashed.
    pub fn password_encryption(mut self, e: PasswordEncryption) -> Self {
        self.value.password_encryption = e;
        self
    }
    /// Which statements the server logs.
    pub fn statement_logging(mut self, s: StatementLogging) -> Self {
        self.value.statement_logging = s;
        self
    }
    /// A network range allowed to connect besides the planned clients.
    pub fn allow(mut self, cidr: impl Input<CidrRange>) -> Self {
        let i = self.value.allowed_cidrs.len();
        if let Some(c) = self
            .problems
            .read(FieldPath::root().field("allowed_cidrs").index(i), cidr)
        {
            self.value.allowed_cidrs.push(c);
        }
        self
    }
}
