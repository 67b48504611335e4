//! Plans and helpers shared by the rules' tests.

use crate::validate::{Context, Diagnostic, Rule};
use crate::*;

/// Runs one rule on a plan.
pub fn run(rule: &dyn Rule, plan: &Plan) -> Vec<Diagnostic> {
    let settings = plan.settings().expect("catalog");
    let cx = Context {
        plan,
        settings: &settings,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut out);
    out
}

/// Seed 001's server (GP Standard_D4s_v3, 16 GB, 256 GB) with one client of
/// `pool` × `pods` and an explicit max_connections.
pub fn azure_plan_with_clients(max_connections: u32, pool: u32, pods: u32) -> Plan {
    let azure = Azure::builder()
        .resource_group("phonebill-rg")
        .server_name("phonebill-bill-inquiry-prod-pg")
        .region("koreacentral")
        .sku(
            AzureSku::builder()
                .tier(SkuTier::GeneralPurpose)
                .name("Standard_D4s_v3")
                .build(),
        )
        .storage(
            AzureStorage::builder()
                .size(Bytes::gib(256))
                .auto_grow(true)
                .build(),
        )
        .administrator_login("pgadmin")
        .administrator_password(SecretSource::key_vault("phonebill-kv", "pg-admin"))
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
        .namespace("phonebill-dev")
        .image("bitnami/postgresql:14.18.0".parse().unwrap())
        .storage_class("managed-standard")
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
