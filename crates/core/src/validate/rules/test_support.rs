//! Plans and helpers shared by the rules' tests.

use crate::validate::{Context, Findings, Rule};
pub use crate::validate::{Diagnostic, Severity};
use crate::*;

/// Reads a typed value from text (tests only: panics on a typo).
pub fn v<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .unwrap_or_else(|e| panic!("test value `{s}`: {e}"))
}

/// Runs one rule on a plan.
pub fn run(rule: &dyn Rule, plan: &Plan) -> Vec<Diagnostic> {
    let settings = plan.settings();
    let cx = Context {
        plan,
        settings: &settings,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut Findings::new(rule.info(), &mut out));
    out
}

/// Seed 001's server (GP Standard_D4s_v3, 16 GB, 256 GB) with one client of
/// `pool` × `pods` and an explicit max_connections.
pub fn azure_plan_with_clients(max_connections: u32, pool: u32, pods: u32) -> Plan {
    let azure = Azure::builder()
        .resource_group(v("phonebill-rg"))
        .server_name(v("phonebill-bill-inquiry-prod-pg"))
        .region(v("koreacentral"))
        .sku(
            AzureSku::builder()
                .tier(SkuTier::GeneralPurpose)
                .name(v("Standard_D4s_v3"))
                .build(),
        )
        .storage(
            AzureStorage::builder()
                .size(Bytes::gib(256))
                .auto_grow(true)
                .build(),
        )
        .administrator_login(v("pgadmin"))
        .administrator_password(SecretSource::key_vault(v("phonebill-kv"), v("pg-admin")))
        .build();
    let mut tuning = Tuning::default();
    tuning
        .parameters
        .insert("max_connections".parse().unwrap(), max_connections.into());
    Plan::builder()
        .service("bill-inquiry".parse().unwrap())
        .environment(Environment::Production)
        .version(MajorVersion::new(14).unwrap())
        .platform(Platform::Azure(Box::new(azure)))
        .tuning(tuning)
        .clients(vec![
            Client::builder()
                .name("bill-inquiry".parse().unwrap())
                .pool_size(pool)
                .replicas(ReplicaRange { min: 3, max: pods })
                .build(),
        ])
        .build()
}

/// A small Kubernetes plan like seed 000 (PostgreSQL 14, 1Gi/2Gi, 20Gi).
pub fn kubernetes_plan() -> Plan {
    let k8s = Kubernetes::builder()
        .namespace(v("phonebill-dev"))
        .image("bitnami/postgresql:14.18.0".parse().unwrap())
        .storage_class(v("managed-standard"))
        .build();
    Plan::builder()
        .service("product-change".parse().unwrap())
        .environment(Environment::Development)
        .version(MajorVersion::new(14).unwrap())
        .platform(Platform::Kubernetes(k8s))
        .sizing(
            Sizing::builder()
                .cpu(
                    Resources::builder()
                        .request(Millicores::new(500))
                        .limit(Millicores::cores(1))
                        .build(),
                )
                .memory(
                    Resources::builder()
                        .request(Bytes::gib(1))
                        .limit(Bytes::gib(2))
                        .build(),
                )
                .data_volume(Bytes::gib(20))
                .backup_volume(Bytes::gib(10))
                .build(),
        )
        .build()
}

/// Sets explicit parameters on a plan (`tuning.parameters`).
pub fn set_parameters(plan: &mut Plan, params: &[(&str, &str)]) {
    for (name, value) in params {
        plan.tuning
            .parameters
            .insert(name.parse().expect("parameter name"), (*value).into());
    }
}

/// Seed 000 as written: the Kubernetes plan with its postgresql.conf values,
/// including the dev-only fsync, synchronous_commit and full_page_writes off.
pub fn seed_000_plan() -> Plan {
    let mut plan = kubernetes_plan();
    set_parameters(
        &mut plan,
        &[
            ("max_connections", "100"),
            ("shared_buffers", "256MB"),
            ("effective_cache_size", "1GB"),
            ("work_mem", "4MB"),
            ("maintenance_work_mem", "64MB"),
            ("checkpoint_completion_target", "0.7"),
            ("wal_buffers", "16MB"),
            ("default_statistics_target", "100"),
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
        ],
    );
    plan
}

/// Seed 003's cluster on this machine: three Patroni members (PostgreSQL 17,
/// scope `pg-ha`), three etcd members, Patroni's default timings, 4Gi/2 CPUs
/// and a 50Gi data volume, in production.
pub fn patroni_cluster_plan() -> Plan {
    let members = (1..=3)
        .map(|i| {
            PatroniMember::builder()
                .name(v(&format!("pg-{i}")))
                .host(v("127.0.0.1"))
                .build()
        })
        .collect();
    let etcd = (1..=3)
        .map(|i| {
            EtcdMember::builder()
                .name(v(&format!("etcd-{i}")))
                .host(v("127.0.0.1"))
                .build()
        })
        .collect();
    Plan::builder()
        .service("pg-ha".parse().unwrap())
        .environment(Environment::Production)
        .version(MajorVersion::new(17).unwrap())
        .platform(Platform::Local(Local::default()))
        .topology(
            Topology::builder()
                .patroni(
                    PatroniCluster::builder()
                        .scope(v("pg-ha"))
                        .members(members)
                        .etcd(etcd)
                        .build(),
                )
                .build(),
        )
        .sizing(
            Sizing::builder()
                .cpu(Resources::builder().request(Millicores::cores(2)).build())
                .memory(
                    Resources::builder()
                        .request(Bytes::gib(4))
                        .limit(Bytes::gib(4))
                        .build(),
                )
                .data_volume(Bytes::gib(50))
                .build(),
        )
        .build()
}

/// The first diagnostic at `path`; panics with every diagnostic when none is.
pub fn diagnostic_at<'a>(diagnostics: &'a [Diagnostic], path: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no diagnostic at `{path}` in {diagnostics:#?}"))
}

/// Diagnostics of a severity.
pub fn with_severity(diagnostics: &[Diagnostic], severity: Severity) -> Vec<&Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .collect()
}

fn role_name(s: &str) -> RoleName {
    s.parse().expect("role name")
}

fn database_name(s: &str) -> DatabaseName {
    s.parse().expect("database name")
}

/// A grant on `bill_inquiry_db` (schema `public` unless `objects` is the database).
pub fn bill_grant(objects: ObjectKind, privileges: &[Privilege]) -> Grant {
    let grant = Grant::builder()
        .database(database_name("bill_inquiry_db"))
        .objects(objects)
        .privileges(privileges.to_vec());
    match objects {
        ObjectKind::Database => grant.build(),
        _ => grant.schema("public".parse().expect("schema")).build(),
    }
}

/// Seed 001 as it should have been written: the Azure server of
/// [`azure_plan_with_clients`] (200 connections, 10 × 15 pods) with
/// zone-redundant HA in zones 1 and 2, private access through a delegated
/// subnet and its own private DNS zone, 35-day geo-redundant backups to Korea
/// South, `bill_inquiry_db` owned by `bill_owner` with uuid-ossp,
/// pg_stat_statements (tracking top-level statements) and pg_trgm, an
/// application role and a read-only role whose default privileges name the
/// owner, alert thresholds and objectives. It is the clean baseline the rules'
/// tests break one field at a time.
pub fn azure_reference_plan() -> Plan {
    let mut plan = azure_plan_with_clients(200, 10, 15);
    if let Platform::Azure(az) = &mut plan.platform {
        az.zone = Some(v("1"));
        az.high_availability = AzureHighAvailability::builder()
            .mode(AzureHaMode::ZoneRedundant)
            .standby_zone(v("2"))
            .build();
        az.network = AzureNetwork::builder()
            .private(
                PrivateAccess::builder()
                    .vnet(v("phonebill-vnet"))
                    .subnet(v("database-subnet"))
                    .subnet_cidr(v("10.0.2.0/24"))
                    .subnet_delegated(true)
                    .private_dns_zone(v(
                        "phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com",
                    ))
                    .build(),
            )
            .build();
    }
    set_parameters(&mut plan, &[("pg_stat_statements.track", "top")]);
    let extension = |name: &str| {
        Extension::builder()
            .name(name.parse().expect("extension"))
            .build()
    };
    plan.databases = vec![
        Database::builder()
            .name(database_name("bill_inquiry_db"))
            .owner(role_name("bill_owner"))
            .locale(v("en_US.UTF-8"))
            .template(v("template0"))
            .timezone(v("Asia/Seoul"))
            .extensions(vec![
                extension("uuid-ossp"),
                extension("pg_stat_statements"),
                extension("pg_trgm"),
            ])
            .estimated_size(Bytes::gib(20))
            .build(),
    ];
    let crud = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
    ];
    let mut app_default = bill_grant(ObjectKind::DefaultTables, &crud);
    app_default.for_owner = Some(role_name("bill_owner"));
    let mut readonly_default = bill_grant(ObjectKind::DefaultTables, &[Privilege::Select]);
    readonly_default.for_owner = Some(role_name("bill_owner"));
    plan.roles = vec![
        Role::builder()
            .name(role_name("bill_owner"))
            .purpose(RolePurpose::Owner)
            .login(true)
            .password(SecretSource::key_vault(v("phonebill-kv"), v("bill-owner")))
            .build(),
        Role::builder()
            .name(role_name("bill_app_user"))
            .purpose(RolePurpose::Application)
            .login(true)
            .password(SecretSource::key_vault(
                v("phonebill-kv"),
                v("bill-app-user"),
            ))
            .grants(vec![
                bill_grant(ObjectKind::Database, &[Privilege::Connect]),
                bill_grant(ObjectKind::Schema, &[Privilege::Usage]),
                bill_grant(ObjectKind::Tables, &crud),
                bill_grant(
                    ObjectKind::Sequences,
                    &[Privilege::Usage, Privilege::Select],
                ),
                app_default,
            ])
            .build(),
        Role::builder()
            .name(role_name("bill_readonly_user"))
            .purpose(RolePurpose::ReadOnly)
            .login(true)
            .password(SecretSource::generated())
            .member_of(vec![role_name("pg_read_all_stats")])
            .grants(vec![
                bill_grant(ObjectKind::Database, &[Privilege::Connect]),
                bill_grant(ObjectKind::Schema, &[Privilege::Usage]),
                bill_grant(ObjectKind::Tables, &[Privilege::Select]),
                readonly_default,
            ])
            .build(),
    ];
    plan.clients[0].database = Some(database_name("bill_inquiry_db"));
    plan.clients[0].role = Some(role_name("bill_app_user"));
    plan.backups.managed = Some(
        ManagedBackups::builder()
            .retention_days(35)
            .geo_redundant(true)
            .geo_region(v("koreasouth"))
            .window("02:00 KST")
            .build(),
    );
    plan.objectives = Objectives::builder()
        .availability(Percent::from_hundredths(9990))
        .rpo(Duration::minutes(5))
        .rto(Duration::minutes(30))
        .build();
    plan.monitoring.thresholds = Thresholds::builder()
        .cpu(Threshold::builder().above(Percent::whole(85)).build())
        .memory(Threshold::builder().above(Percent::whole(90)).build())
        .storage(Threshold::builder().above(Percent::whole(80)).build())
        .connections(Threshold::builder().above(180).build())
        .slow_query(Threshold::builder().above(Duration::millis(500)).build())
        .build();
    plan
}

/// Seed 000 as it should have been written: [`kubernetes_plan`] with
/// `product_change_db` (schema `product_change`, 1 GiB), its owner and an
/// application role, a nightly pg_dump to the 10Gi backup volume kept 7 days,
/// max_connections 100 and seed 000's alert thresholds.
pub fn kubernetes_reference_plan() -> Plan {
    let mut plan = kubernetes_plan();
    set_parameters(&mut plan, &[("max_connections", "100")]);
    plan.databases = vec![
        Database::builder()
            .name(database_name("product_change_db"))
            .owner(role_name("product_change_owner"))
            .schemas(vec![
                Schema::builder()
                    .name("product_change".parse().expect("schema"))
                    .build(),
            ])
            .estimated_size(Bytes::gib(1))
            .build(),
    ];
    let grant = |objects: ObjectKind, privileges: &[Privilege]| {
        let g = Grant::builder()
            .database(database_name("product_change_db"))
            .objects(objects)
            .privileges(privileges.to_vec());
        match objects {
            ObjectKind::Database => g.build(),
            _ => g.schema("product_change".parse().expect("schema")).build(),
        }
    };
    let mut default_tables = grant(
        ObjectKind::DefaultTables,
        &[Privilege::Select, Privilege::Insert, Privilege::Update],
    );
    default_tables.for_owner = Some(role_name("product_change_owner"));
    plan.roles = vec![
        Role::builder()
            .name(role_name("product_change_owner"))
            .purpose(RolePurpose::Owner)
            .login(true)
            .password(SecretSource::kubernetes_secret(
                v("pg-owner"),
                v("password"),
            ))
            .build(),
        Role::builder()
            .name(role_name("product_change_app"))
            .purpose(RolePurpose::Application)
            .login(true)
            .password(SecretSource::generated())
            .grants(vec![
                grant(ObjectKind::Database, &[Privilege::Connect]),
                grant(ObjectKind::Schema, &[Privilege::Usage]),
                grant(
                    ObjectKind::Tables,
                    &[Privilege::Select, Privilege::Insert, Privilege::Update],
                ),
                default_tables,
            ])
            .build(),
    ];
    plan.clients = vec![
        Client::builder()
            .name("product-change".parse().expect("service"))
            .pool_size(10)
            .replicas(ReplicaRange { min: 1, max: 3 })
            .database(database_name("product_change_db"))
            .role(role_name("product_change_app"))
            .build(),
    ];
    plan.backups.logical = vec![
        LogicalBackup::builder()
            .name("nightly".parse().expect("name"))
            .schedule("0 2 * * *".parse().expect("cron"))
            .retention(Duration::days(7))
            .build(),
    ];
    plan.objectives = Objectives::builder()
        .availability(Percent::whole(95))
        .rpo(Duration::hours(24))
        .rto(Duration::hours(4))
        .build();
    plan.monitoring.thresholds = Thresholds::builder()
        .cpu(Threshold::builder().above(Percent::whole(80)).build())
        .memory(Threshold::builder().above(Percent::whole(85)).build())
        .storage(Threshold::builder().above(Percent::whole(80)).build())
        .connections(Threshold::builder().above(80).build())
        .slow_query(Threshold::builder().above(Duration::seconds(5)).build())
        .build();
    plan
}
