//! pgplan-core: a PostgreSQL deployment plan as a typed, validated model.
//!
//! A [`Plan`] describes one PostgreSQL deployment of one service in one
//! environment: where it runs, how big it is, how it is tuned, its databases,
//! roles and privileges, the clients that connect, backups, monitoring and
//! security. Build one with the typed builders or read a YAML/JSON plan file,
//! then [`Plan::validate`] it: every rule runs and every finding is reported at
//! once, with its rule id, field path, the numbers and the fix.
//!
//! Settings the plan leaves out are derived ([`tuning::derive`]) with PGTune's
//! formulas, and every value remembers where it came from.
//!
//! This crate does no IO: backends (`pgplan-sql`, `pgplan-k8s`,
//! `pgplan-azure`, `pgplan-ha`) render and apply.
//!
//! ```
//! use pgplan_core::{Plan, Severity};
//!
//! let yaml = r#"
//! service: orders
//! environment: production
//! version: 17
//! platform:
//!   kubernetes:
//!     namespace: shop
//!     image: postgres:17.2
//! sizing:
//!   cpu: { request: 1, limit: 2 }
//!   memory: { request: 4Gi, limit: 4Gi }
//!   data_volume: 50Gi
//! tuning:
//!   parameters:
//!     max_connections: 100
//! clients:
//!   - { name: orders-api, pool_size: 10, pods: { min: 2, max: 12 } }
//! "#;
//! let plan = Plan::from_yaml(yaml).unwrap();
//! let report = plan.report();
//! let budget = report.by_id("PGP001").next().unwrap();
//! assert_eq!(budget.severity, Severity::Error);
//! assert!(budget.message.contains("120 connections at peak"));
//! ```

pub mod azure_facts;
pub mod azure_monitor;
pub mod build;
pub mod catalog;
pub mod escape;
pub mod kubernetes_facts;
pub mod lifecycle;
pub mod locate;
pub mod model;
pub mod plan_file;
pub mod progress;
pub mod redact;
#[cfg(feature = "schema")]
pub mod schema;
pub mod seams;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod tuning;
pub mod validate;

pub use build::{PlanBuilder, prelude};
pub use catalog::Catalog;
pub use model::azure_names::{
    AvailabilityZone, AzureResourceRef, AzureServerName, BlobContainerName, FirewallRuleName, Guid,
    KeyVaultName, KeyVaultSecretName, PerformanceTier, PrivateDnsZone, Region, ResourceGroupName,
    SkuName, StorageAccountName,
};
pub use model::backups::{
    BackupDestination, Backups, CronSchedule, DumpFormat, LogicalBackup, ManagedBackups, Snapshots,
    WalArchiving,
};
pub use model::clients::{Client, Endpoint, PodRange, PoolMode, Pooler, Surge};
pub use model::compare::{Difference, Mismatch};
pub use model::databases::{Database, Extension, Schema};
pub use model::input::Input;
pub use model::locale::{Encoding, Locale, TimeZoneName, ValidUntil};
pub use model::migrations::{MigrationScript, Migrations, MigrationsDirError};
pub use model::monitoring::{Exporter, Monitoring, Threshold, Thresholds};
pub use model::names::{
    DatabaseName, DnsLabel, DnsSubdomain, EnvVarName, ExtensionName, GucName, Host, LabelKey,
    LabelValue, Labels, NameError, RoleName, SchemaName, SecretKey, ServiceName, label_strings,
};
pub use model::net::CidrRange;
pub use model::plan::{Environment, MajorVersion, ObjectiveDeclaration, Objectives, Plan};
pub use model::platform::{
    Azure, AzureAlerts, AzureAuth, AzureHaMode, AzureHighAvailability, AzureNetwork, AzureSku,
    AzureStorage, AzureStorageType, ContainerImage, DisruptionBudget, DisruptionPolicy, EntraAdmin,
    FirewallRule, Kubernetes, Local, Platform, PrincipalType, PrivateAccess, SkuTier,
    initdb_checksums_option,
};
pub use model::roles::{
    Grant, ObjectKind, Privilege, Role, RoleAttribute, RoleAttributeError, RolePurpose,
};
pub use model::runner;
pub use model::secrets::{
    LiteralSecret, Password, ReadableSecret, SecretInput, SecretSource, env_var_fragment, secret,
};
pub use model::security::{PasswordEncryption, Security, StatementLogging, Tls, TlsVersion};
pub use model::sizing::{Resources, Sizing};
pub use model::topology::{
    EtcdMember, HaEndpoints, PatroniCluster, PatroniMember, ReadReplica, SynchronousMode, Topology,
};
pub use model::tuning::{ParamValue, SettingsMethod, StorageKind, Tuning, Workload};
pub use model::units::{Bytes, Interval, Millicores, Percent, UnitError};
pub use plan_file::PlanFileError;
pub use progress::{Progress, Quiet};
pub use tuning::params;
pub use tuning::{Provenance, Setting, Settings};
pub use validate::{
    Diagnostic, FieldPath, Findings, Report, Rule, RuleExamples, RuleInfo, Severity, Span,
    ValidPlan,
};
