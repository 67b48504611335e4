//! What several Azure rules share: where the platform's fields are, and the
//! SKUs, VNet integrations and parameters of a plan — the primary's and its
//! read replicas'.

use crate::Bytes;
use crate::model::names::GucName;
use crate::model::platform::{Azure, AzureSku, PrivateAccess};
use crate::model::tuning::ParamValue;
use crate::validate::{Context, FieldPath};

/// The plan's Azure platform; `None` on other platforms, where the Azure
/// rules have nothing to check.
pub(super) fn platform<'a>(cx: &Context<'a>) -> Option<&'a Azure> {
    cx.plan.platform.azure()
}

/// `platform.azure` followed by `fields`.
pub(super) fn azure_path(fields: &[&'static str]) -> FieldPath {
    fields.iter().fold(
        FieldPath::root().field("platform").field("azure"),
        |p, f| p.field(*f),
    )
}

/// `topology.replicas[i]`.
pub(super) fn replica_path(i: usize) -> FieldPath {
    FieldPath::root()
        .field("topology")
        .field("replicas")
        .index(i)
}

/// The SKUs the plan names, with their paths: the primary's
/// (`platform.azure.sku`) and each replica's own (`topology.replicas[i].sku`).
pub(super) fn skus<'a>(cx: &Context<'a>, az: &'a Azure) -> Vec<(FieldPath, &'a AzureSku)> {
    let replicas = cx.plan.topology.replicas.iter().enumerate();
    std::iter::once((azure_path(&["sku"]), &az.sku))
        .chain(
            replicas.filter_map(|(i, r)| r.sku.as_ref().map(|s| (replica_path(i).field("sku"), s))),
        )
        .collect()
}

/// One VNet integration of the plan.
pub(super) struct VnetIntegration<'a> {
    /// Where it is written (`platform.azure.network.private`,
    /// `topology.replicas[0].network`).
    pub path: FieldPath,
    /// The server it belongs to.
    pub server: &'a str,
    /// The integration.
    pub access: &'a PrivateAccess,
}

/// The primary's VNet integration and each replica's own.
pub(super) fn vnet_integrations<'a>(cx: &Context<'a>, az: &'a Azure) -> Vec<VnetIntegration<'a>> {
    let primary = az.network.private.as_ref().map(|access| VnetIntegration {
        path: azure_path(&["network", "private"]),
        server: az.server_name.as_str(),
        access,
    });
    let replicas = cx
        .plan
        .topology
        .replicas
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.network.as_ref().map(|access| VnetIntegration {
                path: replica_path(i).field("network"),
                server: r.name.as_str(),
                access,
            })
        });
    primary.into_iter().chain(replicas).collect()
}

/// One parameter the plan sets itself.
pub(super) struct ExplicitParameter<'a> {
    /// The map it is written in (`tuning.parameters`,
    /// `topology.replicas[0].parameters`).
    pub map: FieldPath,
    /// Its name.
    pub name: &'a GucName,
    /// Its value as written.
    pub value: &'a ParamValue,
}

impl ExplicitParameter<'_> {
    /// The parameter's own path.
    pub fn path(&self) -> FieldPath {
        self.map.clone().key(self.name.as_str())
    }
}

/// Every parameter the plan sets: the primary's (`tuning.parameters`) and
/// each replica's own.
pub(super) fn explicit_parameters<'a>(cx: &Context<'a>) -> Vec<ExplicitParameter<'a>> {
    let primary_map = FieldPath::root().field("tuning").field("parameters");
    let primary = cx
        .plan
        .tuning
        .parameters
        .iter()
        .map(move |(name, value)| ExplicitParameter {
            map: primary_map.clone(),
            name,
            value,
        });
    let replicas = cx
        .plan
        .topology
        .replicas
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.parameters
                .iter()
                .map(move |(name, value)| ExplicitParameter {
                    map: replica_path(i).field("parameters"),
                    name,
                    value,
                })
        });
    primary.chain(replicas).collect()
}

/// Sizes in GiB as the plan writes them: `32Gi, 64Gi, …`.
pub(super) fn gib_list(sizes: &[u64]) -> String {
    sizes
        .iter()
        .map(|s| Bytes::gib(*s).to_kubernetes())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1 or 2` for the zones other than `zone`.
pub(super) fn other_zones(zone: &str) -> String {
    ["1", "2", "3"]
        .iter()
        .filter(|z| **z != zone)
        .copied()
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
pub(super) mod fixtures {
    //! Plans the Azure rules' tests break one field at a time.

    use crate::validate::{Context, Diagnostic, Findings, Rule};
    use crate::{Azure, Plan, Platform};

    /// Seed 001 as it should have been written, reduced to what the Azure
    /// rules look at: General Purpose Standard_D4s_v3 (16 GiB) with 256 GiB
    /// of Premium SSD, zone-redundant HA in zones 1 and 2, private access
    /// through a delegated subnet and its own private DNS zone, 35 days of
    /// geo-redundant backups to Korea South, max_connections 200 for
    /// 10 × 15 pods, `bill_inquiry_db` with uuid-ossp, pg_stat_statements
    /// (tracking top-level statements) and pg_trgm.
    pub const REFERENCE: &str = r#"
service: bill-inquiry
environment: production
version: 14
platform:
  azure:
    resource_group: phonebill-rg
    server_name: phonebill-bill-inquiry-prod-pg
    region: koreacentral
    sku: { tier: GeneralPurpose, name: Standard_D4s_v3 }
    storage: { size: 256Gi, auto_grow: true }
    zone: "1"
    high_availability: { mode: zone_redundant, standby_zone: "2" }
    network:
      private:
        vnet: phonebill-vnet
        subnet: database-subnet
        subnet_cidr: 10.0.2.0/24
        subnet_delegated: true
        private_dns_zone: phonebill-bill-inquiry-prod-pg.private.postgres.database.azure.com
    administrator_login: pgadmin
    administrator_password: { key_vault: { vault: phonebill-kv, secret: pg-admin } }
tuning:
  parameters:
    max_connections: 200
    pg_stat_statements.track: top
databases:
  - name: bill_inquiry_db
    owner: bill_owner
    locale: en_US.UTF-8
    template: template0
    extensions: [{ name: uuid-ossp }, { name: pg_stat_statements }, { name: pg_trgm }]
roles:
  - { name: bill_owner, purpose: owner, login: true, password: { key_vault: { vault: phonebill-kv, secret: bill-owner } } }
clients:
  - { name: bill-inquiry, pool_size: 10, pods: { min: 3, max: 15 }, database: bill_inquiry_db }
backups:
  managed: { retention_days: 35, geo_redundant: true, geo_region: koreasouth }
"#;

    /// [`REFERENCE`], read.
    pub fn reference() -> Plan {
        Plan::from_yaml(REFERENCE).expect("the reference plan reads")
    }

    /// The reference plan with `edit` applied to its YAML text first (for
    /// values easier to write as YAML).
    pub fn reference_with(edit: impl FnOnce(&str) -> String) -> Plan {
        Plan::from_yaml(&edit(REFERENCE)).expect("the edited reference plan reads")
    }

    /// A small Kubernetes plan: the Azure rules report nothing on it.
    pub fn kubernetes() -> Plan {
        Plan::from_yaml(
            "
service: product-change
environment: development
version: 14
platform: { kubernetes: { namespace: phonebill-dev, image: bitnami/postgresql:14.18.0 } }
sizing: { memory: { request: 1Gi, limit: 2Gi }, cpu: { request: 500m, limit: 1 } }
",
        )
        .expect("the Kubernetes plan reads")
    }

    /// The plan's Azure platform, to edit.
    pub fn azure(plan: &mut Plan) -> &mut Azure {
        match &mut plan.platform {
            Platform::Azure(az) => az,
            other => panic!("not an Azure plan: {}", other.kind()),
        }
    }

    /// Runs one rule on a plan.
    pub fn run(rule: &dyn Rule, plan: &Plan) -> Vec<Diagnostic> {
        let settings = plan.settings();
        let cx = Context {
            plan,
            settings: &settings,
            as_of: crate::lifecycle::TABLE_CHECKED,
        };
        let mut out = Vec::new();
        rule.check(&cx, &mut Findings::new(rule.info(), &mut out));
        out
    }

    /// The one diagnostic at `path`.
    pub fn at<'a>(d: &'a [Diagnostic], path: &str) -> &'a Diagnostic {
        let hits: Vec<&Diagnostic> = d.iter().filter(|d| d.path == path).collect();
        match hits.as_slice() {
            [one] => one,
            _ => panic!("{} diagnostic(s) at {path}: {d:#?}", hits.len()),
        }
    }

    /// Parses a value of a plan type, for edits.
    pub fn v<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        s.parse().expect("a valid value")
    }
}
