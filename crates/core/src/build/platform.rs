//! Platforms: Kubernetes, Azure Database for PostgreSQL Flexible Server, and
//! this machine.

use std::net::Ipv4Addr;

use super::{PlanBuilder, at, builder, nest};
use crate::model::azure_names::{
    AvailabilityZone, AzureResourceRef, AzureServerName, FirewallRuleName, Guid, PerformanceTier,
    PrivateDnsZone, Region, ResourceGroupName, SkuName,
};
use crate::model::input::Input;
use crate::model::locale::{Encoding, Locale};
use crate::model::names::{DnsLabel, DnsSubdomain, RoleName};
use crate::model::net::CidrRange;
use crate::model::platform::{
    Azure, AzureAlerts, AzureAuth, AzureHaMode, AzureHighAvailability, AzureNetwork, AzureSku,
    AzureStorage, AzureStorageType, ContainerImage, DisruptionBudget, DisruptionPolicy, EntraAdmin,
    FirewallRule, Kubernetes, Local, Platform, PrincipalType, PrivateAccess, SkuTier,
};
use crate::model::secrets::SecretSource;
use crate::model::units::{Bytes, Interval};
use crate::validate::FieldPath;

impl PlanBuilder {
    /// Runs on Kubernetes: a StatefulSet in `namespace` from `image`
    /// (`bitnami/postgresql:14.18.0`).
    pub fn kubernetes(
        mut self,
        namespace: impl Input<DnsLabel>,
        image: impl Input<ContainerImage>,
        f: impl FnOnce(KubernetesBuilder) -> KubernetesBuilder,
    ) -> Self {
        let base = FieldPath::root().field("platform").field("kubernetes");
        let namespace = self
            .problems
            .read(base.clone().field("namespace"), namespace)
            .unwrap_or_else(DnsLabel::placeholder);
        let image = self.problems.read(base.clone().field("image"), image);
        let image = image.unwrap_or_else(ContainerImage::placeholder);
        let k8s = nest(
            &mut self.problems,
            base,
            Kubernetes {
                cluster: None,
                namespace,
                storage_class: None,
                image,
                tools_image: None,
                run_as_user: 1001,
                resource_group: None,
                data_checksums: true,
                disruption: DisruptionPolicy::default(),
            },
            KubernetesBuilder::from_value,
            f,
            KubernetesBuilder::finish,
        );
        self.plan.platform = Platform::Kubernetes(k8s);
        self.has_platform = true;
        self
    }
    /// Edits the plan's Kubernetes platform.
    pub fn kubernetes_mut(
        mut self,
        f: impl FnOnce(KubernetesBuilder) -> KubernetesBuilder,
    ) -> Self {
        match std::mem::replace(&mut self.plan.platform, Platform::Local(Local::default())) {
            Platform::Kubernetes(k) => {
                let k = nest(
                    &mut self.problems,
                    FieldPath::root().field("platform").field("kubernetes"),
                    k,
                    KubernetesBuilder::from_value,
                    f,
                    KubernetesBuilder::finish,
                );
                self.plan.platform = Platform::Kubernetes(k);
            }
            other => {
                self.problems.push(
                    at("platform"),
                    format!(
                        "kubernetes_mut: the plan's platform is {}, not kubernetes",
                        other.kind()
                    ),
                );
                self.plan.platform = other;
            }
        }
        self
    }
    /// Runs on Azure Database for PostgreSQL Flexible Server: the server
    /// `server_name` in `resource_group` and `region` (`koreacentral` or
    /// `Korea Central`). Password authentication is on, Entra off, the
    /// storage 32 GiB and the SKU Standard_D2ds_v5 until set.
    pub fn azure(
        mut self,
        resource_group: impl Input<ResourceGroupName>,
        server_name: impl Input<AzureServerName>,
        region: impl Input<Region>,
        f: impl FnOnce(AzureBuilder) -> AzureBuilder,
    ) -> Self {
        let base = FieldPath::root().field("platform").field("azure");
        let resource_group = self
            .problems
            .read(base.clone().field("resource_group"), resource_group)
            .unwrap_or_else(ResourceGroupName::placeholder);
        let server_name = self
            .problems
            .read(base.clone().field("server_name"), server_name)
            .unwrap_or_else(AzureServerName::placeholder);
        let region = self
            .problems
            .read(base.clone().field("region"), region)
            .unwrap_or_else(Region::placeholder);
        let azure = Azure {
            subscription_id: None,
            resource_group,
            server_name,
            region,
            sku: AzureSku::new(SkuName::placeholder()),
            storage: AzureStorage {
                size: Bytes::gib(32),
                kind: AzureStorageType::default(),
                auto_grow: false,
                performance_tier: None,
                iops: None,
                throughput_mbps: None,
            },
            zone: None,
            high_availability: AzureHighAvailability::default(),
            network: AzureNetwork::default(),
            auth: AzureAuth::default(),
            administrator_login: RoleName::placeholder(),
            administrator_password: None,
            managed_identities: Vec::new(),
            alerts: AzureAlerts::default(),
        };
        let (mut azure, mut problems) = f(AzureBuilder::from_value(azure)).finish();
        if azure.sku.name.as_str().is_empty() {
            problems.push(
                at("sku"),
                "the server names no compute SKU: call .sku(\"Standard_D4s_v3\")",
            );
            azure.sku = AzureSku::new(SkuName::placeholder());
        }
        if azure.administrator_login.is_placeholder() {
            problems.push(
                at("administrator_login"),
                "the server names no administrator: call .administrator(\"login\", secret::key_vault(..))",
            );
        }
        self.problems.absorb(&base, problems);
        self.plan.platform = Platform::Azure(Box::new(azure));
        self.has_platform = true;
        self
    }
    /// Edits the plan's Azure platform.
    pub fn azure_mut(mut self, f: impl FnOnce(AzureBuilder) -> AzureBuilder) -> Self {
        match std::mem::replace(&mut self.plan.platform, Platform::Local(Local::default())) {
            Platform::Azure(a) => {
                let a = nest(
                    &mut self.problems,
                    FieldPath::root().field("platform").field("azure"),
                    *a,
                    AzureBuilder::from_value,
                    f,
                    AzureBuilder::finish,
                );
                self.plan.platform = Platform::Azure(Box::new(a));
            }
            other => {
                self.problems.push(
                    at("platform"),
                    format!(
                        "azure_mut: the plan's platform is {}, not azure",
                        other.kind()
                    ),
                );
                self.plan.platform = other;
            }
        }
        self
    }
    /// Runs on this machine.
    pub fn local(mut self, f: impl FnOnce(LocalBuilder) -> LocalBuilder) -> Self {
        let local = nest(
            &mut self.problems,
            FieldPath::root().field("platform").field("local"),
            Local::default(),
            LocalBuilder::from_value,
            f,
            LocalBuilder::finish,
        );
        self.plan.platform = Platform::Local(local);
        self.has_platform = true;
        self
    }
}

builder!(
    /// `platform.kubernetes`.
    KubernetesBuilder => Kubernetes
);

impl KubernetesBuilder {
    /// The cluster (a kubeconfig context name).
    pub fn cluster(mut self, name: &str) -> Self {
        self.value.cluster = Some(name.to_owned());
        self
    }
    /// StorageClass of the volumes.
    pub fn storage_class(self, name: impl Input<DnsSubdomain>) -> Self {
        self.set("storage_class", name, |k, v| k.storage_class = Some(v))
    }
    /// The server image.
    pub fn image(self, image: impl Input<ContainerImage>) -> Self {
        self.set("image", image, |k, v| k.image = v)
    }
    /// Image with psql and pg_dump for the Jobs.
    pub fn tools_image(self, image: impl Input<ContainerImage>) -> Self {
        self.set("tools_image", image, |k, v| k.tools_image = Some(v))
    }
    /// UID the server runs as.
    pub fn run_as_user(mut self, uid: i64) -> Self {
        self.value.run_as_user = uid;
        self
    }
    /// Azure resource group of the cluster, for documents.
    pub fn resource_group(self, name: impl Input<ResourceGroupName>) -> Self {
        self.set("resource_group", name, |k, v| k.resource_group = Some(v))
    }
    /// Page checksums of the new cluster (`initdb --data-checksums`; on when
    /// unset).
    pub fn data_checksums(mut self, on: bool) -> Self {
        self.value.data_checksums = on;
        self
    }
    /// The primary pod's PodDisruptionBudget (pgplan's when unset).
    pub fn primary_disruption_budget(mut self, budget: DisruptionBudget) -> Self {
        self.value.disruption.primary = Some(budget);
        self
    }
    /// The read replicas' PodDisruptionBudget (pgplan's when unset).
    pub fn read_replica_disruption_budget(mut self, budget: DisruptionBudget) -> Self {
        self.value.disruption.read_replicas = Some(budget);
        self
    }
}

builder!(
    /// `platform.azure`.
    AzureBuilder => Azure
);

impl AzureBuilder {
    /// The subscription (else taken from the environment at apply time).
    pub fn subscription(self, id: impl Input<Guid>) -> Self {
        self.set("subscription_id", id, |a, v| a.subscription_id = Some(v))
    }
    /// The compute SKU; its series gives the tier (`Standard_D4s_v3`:
    /// General Purpose).
    pub fn sku(self, name: impl Input<SkuName>) -> Self {
        self.set("sku", name, |a, v| a.sku = AzureSku::new(v))
    }
    /// A tier written out (it must match the SKU's series).
    pub fn sku_tier(mut self, tier: SkuTier) -> Self {
        self.value.sku.tier = Some(tier);
        self
    }
    /// vCores and memory of a SKU pgplan's table does not know.
    pub fn sku_capacity(mut self, vcores: u32, memory: impl Input<Bytes>) -> Self {
        self.value.sku.vcores = Some(vcores);
        self.set("sku", memory, |a, v| a.sku.memory = Some(v))
    }
    /// Provisioned storage.
    pub fn storage(self, size: impl Input<Bytes>) -> Self {
        self.set("storage", size, |a, v| a.storage.size = v)
    }
    /// Storage type.
    pub fn storage_type(mut self, kind: AzureStorageType) -> Self {
        self.value.storage.kind = kind;
        self
    }
    /// Storage grows by itself near full.
    pub fn auto_grow(mut self) -> Self {
        self.value.storage.auto_grow = true;
        self
    }
    /// Premium SSD performance tier (`P15`).
    pub fn performance_tier(self, tier: impl Input<PerformanceTier>) -> Self {
        self.set("storage", tier, |a, v| a.storage.performance_tier = Some(v))
    }
    /// Premium SSD v2 IOPS and throughput.
    pub fn iops(mut self, iops: u32, throughput_mbps: u32) -> Self {
        self.value.storage.iops = Some(iops);
        self.value.storage.throughput_mbps = Some(throughput_mbps);
        self
    }
    /// The primary's availability zone (`"1"`).
    pub fn zone(self, zone: impl Input<AvailabilityZone>) -> Self {
        self.set("zone", zone, |a, v| a.zone = Some(v))
    }
    /// Zone-redundant high availability with the standby in `standby_zone`.
    pub fn zone_redundant_ha(self, standby_zone: impl Input<AvailabilityZone>) -> Self {
        self.set("high_availability", standby_zone, |a, v| {
            a.high_availability = AzureHighAvailability {
                mode: AzureHaMode::ZoneRedundant,
                standby_zone: Some(v),
            }
        })
    }
    /// Same-zone high availability.
    pub fn same_zone_ha(mut self) -> Self {
        self.value.high_availability = AzureHighAvailability {
            mode: AzureHaMode::SameZone,
            standby_zone: None,
        };
        self
    }
    /// No standby.
    pub fn no_ha(mut self) -> Self {
        self.value.high_availability = AzureHighAvailability::default();
        self
    }
    /// Private access: VNet integration in a (delegated) subnet.
    pub fn private_access(
        mut self,
        vnet: impl Input<AzureResourceRef>,
        subnet: impl Input<AzureResourceRef>,
        f: impl FnOnce(PrivateAccessBuilder) -> PrivateAccessBuilder,
    ) -> Self {
        self.value.network.private = private_access(
            &mut self.problems,
            FieldPath::root().field("network").field("private"),
            vnet,
            subnet,
            f,
        );
        self
    }
    /// Edits the private access the plan has.
    pub fn private_access_mut(
        mut self,
        f: impl FnOnce(PrivateAccessBuilder) -> PrivateAccessBuilder,
    ) -> Self {
        let path = FieldPath::root().field("network").field("private");
        match self.value.network.private.take() {
            Some(p) => {
                self.value.network.private = Some(nest(
                    &mut self.problems,
                    path,
                    p,
                    PrivateAccessBuilder::from_value,
                    f,
                    PrivateAccessBuilder::finish,
                ))
            }
            None => self.problems.push(
                path,
                "private_access_mut: the server has public access, not private",
            ),
        }
        self
    }
    /// A public-access firewall rule from `start` to `end` (IPv4).
    pub fn firewall_rule(
        mut self,
        name: impl Input<FirewallRuleName>,
        start: impl Input<Ipv4Addr>,
        end: impl Input<Ipv4Addr>,
    ) -> Self {
        let i = self.value.network.firewall_rules.len();
        let path = FieldPath::root()
            .field("network")
            .field("firewall_rules")
            .index(i);
        let n = self.problems.read(path.clone().field("name"), name);
        let s = self.problems.read(path.clone().field("start_ip"), start);
        let e = self.problems.read(path.field("end_ip"), end);
        if let (Some(name), Some(start_ip), Some(end_ip)) = (n, s, e) {
            self.value.network.firewall_rules.push(FirewallRule {
                name,
                start_ip,
                end_ip,
            });
        }
        self
    }
    /// Drops every firewall rule.
    pub fn clear_firewall_rules(mut self) -> Self {
        self.value.network.firewall_rules.clear();
        self
    }
    /// PostgreSQL password authentication on or off.
    pub fn password_auth(mut self, on: bool) -> Self {
        self.value.auth.password = on;
        self
    }
    /// The Entra tenant.
    pub fn tenant(self, id: impl Input<Guid>) -> Self {
        self.set("auth", id, |a, v| a.auth.tenant_id = Some(v))
    }
    /// Microsoft Entra authentication with this administrator (a user
    /// until the closure says otherwise).
    pub fn entra_admin(
        mut self,
        principal_name: &str,
        f: impl FnOnce(EntraAdminBuilder) -> EntraAdminBuilder,
    ) -> Self {
        let i = self.value.auth.administrators.len();
        let admin = nest(
            &mut self.problems,
            FieldPath::root()
                .field("auth")
                .field("administrators")
                .index(i),
            EntraAdmin {
                principal_name: principal_name.to_owned(),
                object_id: None,
                principal_type: PrincipalType::default(),
            },
            EntraAdminBuilder::from_value,
            f,
            EntraAdminBuilder::finish,
        );
        self.value.auth.entra = true;
        self.value.auth.administrators.push(admin);
        self
    }
    /// Edits an Entra administrator the plan has.
    pub fn entra_admin_mut(
        mut self,
        principal_name: &str,
        f: impl FnOnce(EntraAdminBuilder) -> EntraAdminBuilder,
    ) -> Self {
        let admins = &self.value.auth.administrators;
        match admins
            .iter()
            .position(|a| a.principal_name == principal_name)
        {
            Some(i) => {
                let admin = admins[i].clone();
                self.value.auth.administrators[i] = nest(
                    &mut self.problems,
                    FieldPath::root()
                        .field("auth")
                        .field("administrators")
                        .index(i),
                    admin,
                    EntraAdminBuilder::from_value,
                    f,
                    EntraAdminBuilder::finish,
                );
            }
            None => {
                let known = super::names(admins.iter().map(|a| a.principal_name.as_str()));
                self.problems.push(
                    FieldPath::root().field("auth").field("administrators"),
                    format!(
                        "entra_admin_mut: no administrator `{principal_name}` (there are {known})"
                    ),
                );
            }
        }
        self
    }
    /// The administrator login and where its password comes from.
    pub fn administrator(
        mut self,
        login: impl Input<RoleName>,
        password: impl Input<SecretSource>,
    ) -> Self {
        self = self.set("administrator_login", login, |a, v| {
            a.administrator_login = v
        });
        self.administrator_password(password)
    }
    /// Where the administrator's password comes from.
    pub fn administrator_password(self, password: impl Input<SecretSource>) -> Self {
        self.set("administrator_password", password, |a, v| {
            a.administrator_password = Some(v)
        })
    }
    /// A managed identity that connects as a database role.
    pub fn managed_identity(mut self, name: &str) -> Self {
        self.value.managed_identities.push(name.to_owned());
        self
    }
    /// Severity of the metric alerts, 0 (critical) to 4 (verbose).
    pub fn alert_severity(mut self, severity: u8) -> Self {
        self.value.alerts.severity = severity;
        self
    }
    /// How often Azure evaluates each metric alert.
    pub fn alert_frequency(self, every: impl Input<Interval>) -> Self {
        self.set("alerts", every, |a, v| {
            a.alerts.evaluation_frequency = Some(v)
        })
    }
    /// An action group the metric alerts notify (a name in the server's
    /// resource group, or a resource id).
    pub fn alert_action_group(self, group: impl Input<AzureResourceRef>) -> Self {
        self.set("alerts", group, |a, v| a.alerts.action_groups.push(v))
    }
}

/// Reads a private access (the primary's or a replica's).
pub(super) fn private_access(
    problems: &mut super::Problems,
    path: FieldPath,
    vnet: impl Input<AzureResourceRef>,
    subnet: impl Input<AzureResourceRef>,
    f: impl FnOnce(PrivateAccessBuilder) -> PrivateAccessBuilder,
) -> Option<PrivateAccess> {
    let v = problems.read(path.clone().field("vnet"), vnet);
    let s = problems.read(path.clone().field("subnet"), subnet);
    let (access, inner) = f(PrivateAccessBuilder::from_value(PrivateAccess {
        vnet: v.clone().unwrap_or_else(AzureResourceRef::placeholder),
        subnet: s.clone().unwrap_or_else(AzureResourceRef::placeholder),
        subnet_cidr: None,
        subnet_delegated: false,
        private_dns_zone: PrivateDnsZone::placeholder(),
    }))
    .finish();
    problems.absorb(&path, inner);
    if access.private_dns_zone.as_str().is_empty() {
        problems.push(
            path.field("private_dns_zone"),
            "private access needs a private DNS zone: call .private_dns_zone(\"<server>.private.postgres.database.azure.com\")",
        );
    }
    Some(access)
}

builder!(
    /// VNet integration (`network.private`).
    PrivateAccessBuilder => PrivateAccess
);

impl PrivateAccessBuilder {
    /// The subnet's address range.
    pub fn subnet_cidr(self, cidr: impl Input<CidrRange>) -> Self {
        self.set("subnet_cidr", cidr, |p, v| p.subnet_cidr = Some(v))
    }
    /// The subnet is delegated to `Microsoft.DBforPostgreSQL/flexibleServers`.
    pub fn delegated(mut self) -> Self {
        self.value.subnet_delegated = true;
        self
    }
    /// The private DNS zone (its name or resource id).
    pub fn private_dns_zone(self, zone: impl Input<PrivateDnsZone>) -> Self {
        self.set("private_dns_zone", zone, |p, v| p.private_dns_zone = v)
    }
}

builder!(
    /// An Entra administrator.
    EntraAdminBuilder => EntraAdmin
);

impl EntraAdminBuilder {
    /// A group.
    pub fn group(mut self) -> Self {
        self.value.principal_type = PrincipalType::Group;
        self
    }
    /// A service principal or managed identity.
    pub fn service_principal(mut self) -> Self {
        self.value.principal_type = PrincipalType::ServicePrincipal;
        self
    }
    /// Its object id (else looked up at apply time).
    pub fn object_id(self, id: impl Input<Guid>) -> Self {
        self.set("object_id", id, |a, v| a.object_id = Some(v))
    }
}

builder!(
    /// `platform.local`: a server on this machine.
    LocalBuilder => Local
);

impl LocalBuilder {
    /// The data directory.
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.value.data_dir = Some(dir.into());
        self
    }
    /// The loopback port.
    pub fn port(mut self, port: u16) -> Self {
        self.value.port = Some(port);
        self
    }
    /// How long the runner waits for the server.
    pub fn start_timeout(self, d: impl Input<Interval>) -> Self {
        self.set("start_timeout", d, |l, v| l.start_timeout = Some(v))
    }
    /// The cluster's encoding (`initdb --encoding`; UTF8 when unset).
    pub fn encoding(self, e: impl Input<Encoding>) -> Self {
        self.set("encoding", e, |l, v| l.encoding = Some(v))
    }
    /// The cluster's locale (`initdb --locale`; `C.UTF-8` when unset).
    pub fn locale(self, l: impl Input<Locale>) -> Self {
        self.set("locale", l, |p, v| p.locale = Some(v))
    }
    /// Page checksums (`initdb --data-checksums`; on when unset).
    pub fn data_checksums(mut self, on: bool) -> Self {
        self.value.data_checksums = on;
        self
    }
}
