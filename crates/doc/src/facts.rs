//! The numbers and names a document shows, computed once from the plan with
//! the functions the renderers and rules use.

use pgplan_core::azure_facts;
use pgplan_core::kubernetes_facts::{self, ObjectNames};
use pgplan_core::tuning::{ConnectionDemand, connection_demand};
use pgplan_core::{
    PatroniCluster, Platform, Provenance, Role, SecretSource, Setting, Settings, ValidPlan, params,
    runner,
};

use crate::Lang;

/// What a document, a diagram and a comparison read from one plan.
pub(crate) struct Facts<'a> {
    /// The plan.
    pub plan: &'a ValidPlan,
    /// Its resolved settings (the renderers' own).
    pub settings: &'a Settings,
    /// The connections it needs at peak, by source (the budget rule's).
    pub demand: ConnectionDemand,
    /// `max_connections` as resolved.
    pub max_connections: Option<u32>,
    /// Slots held back for superusers (and `pg_use_reserved_connections`).
    pub reserved: u32,
    /// The server's port.
    pub port: u32,
    /// Kubernetes object names, on Kubernetes.
    pub k8s: Option<ObjectNames>,
}

/// One address clients or operators use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// What it serves.
    pub kind: EndpointKind,
    /// Host and port.
    pub address: String,
    /// Where the name comes from (`Service postgresql-orders`).
    pub via: String,
}

/// What an [`Endpoint`] serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointKind {
    /// Reads and writes (the primary).
    Write,
    /// Reads only (replicas).
    Read,
    /// Metrics (the exporter).
    Metrics,
    /// HAProxy statistics.
    Stats,
}

impl EndpointKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            EndpointKind::Write => lang.pick("read-write (primary)", "읽기/쓰기 (Primary)"),
            EndpointKind::Read => lang.pick("read-only (replicas)", "읽기 전용 (Replica)"),
            EndpointKind::Metrics => lang.pick("metrics (exporter)", "메트릭 (exporter)"),
            EndpointKind::Stats => lang.pick("HAProxy statistics", "HAProxy 통계"),
        }
    }
}

impl<'a> Facts<'a> {
    pub fn new(plan: &'a ValidPlan) -> Self {
        let settings = plan.settings();
        Facts {
            plan,
            settings,
            demand: connection_demand(plan),
            max_connections: settings.get(params::MAX_CONNECTIONS),
            reserved: settings.reserved_connections(),
            port: settings.get(params::PORT).unwrap_or(5432),
            k8s: plan
                .platform
                .kubernetes()
                .map(|_| ObjectNames::new(&plan.service)),
        }
    }

    /// A resolved setting by name (explicit, derived or a default).
    pub fn setting(&self, name: &str) -> Option<Setting> {
        self.settings.lookup(name)
    }

    /// Connections needed at peak with the reserved slots.
    pub fn needed_connections(&self) -> u64 {
        self.demand.total() + u64::from(self.reserved)
    }

    /// Where clients and operators connect.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let plan = self.plan;
        let mut out = Vec::new();
        match &plan.platform {
            Platform::Kubernetes(k) => {
                let names = ObjectNames::new(&plan.service);
                let dns = |svc: &str| format!("{svc}.{}.svc.cluster.local", k.namespace);
                out.push(Endpoint {
                    kind: EndpointKind::Write,
                    address: format!("{}:{}", dns(&names.base), self.port),
                    via: format!("Service {}", names.base),
                });
                if !plan.topology.replicas.is_empty() {
                    out.push(Endpoint {
                        kind: EndpointKind::Read,
                        address: format!("{}:{}", dns(&names.read), self.port),
                        via: format!("Service {}", names.read),
                    });
                }
                if let Some(e) = &plan.monitoring.exporter {
                    out.push(Endpoint {
                        kind: EndpointKind::Metrics,
                        address: format!("{}:{}", dns(&names.metrics), e.port),
                        via: format!("Service {}", names.metrics),
                    });
                }
            }
            Platform::Azure(a) => {
                out.push(Endpoint {
                    kind: EndpointKind::Write,
                    address: format!(
                        "{}:{}",
                        azure_facts::server_host_name(a.server_name.as_str()),
                        self.port
                    ),
                    via: format!("Flexible Server {}", a.server_name),
                });
                for r in &plan.topology.replicas {
                    out.push(Endpoint {
                        kind: EndpointKind::Read,
                        address: format!(
                            "{}:{}",
                            azure_facts::server_host_name(r.name.as_str()),
                            self.port
                        ),
                        via: format!("read replica {}", r.name),
                    });
                }
            }
            Platform::Local(l) => {
                if let Some(p) = &plan.topology.patroni {
                    // The addresses the runner binds (pgplan_core::runner),
                    // which the HAProxy configuration is rendered from.
                    let host = haproxy_host(p);
                    out.push(Endpoint {
                        kind: EndpointKind::Write,
                        address: format!("{host}:{}", p.endpoints.write_port),
                        via: format!("HAProxy → Patroni OPTIONS /primary ({})", p.scope),
                    });
                    out.push(Endpoint {
                        kind: EndpointKind::Read,
                        address: format!("{host}:{}", p.endpoints.read_port),
                        via: "HAProxy → Patroni OPTIONS /replica".into(),
                    });
                    out.push(Endpoint {
                        kind: EndpointKind::Stats,
                        address: format!("{host}:{}", p.endpoints.stats_port),
                        via: "HAProxy stats".into(),
                    });
                    if let Some(e) = &plan.monitoring.exporter {
                        for m in &p.members {
                            let host = m.host.as_ref().map_or("-", |h| h.as_str());
                            out.push(Endpoint {
                                kind: EndpointKind::Metrics,
                                address: format!("{host}:{}", e.port),
                                via: format!("postgres_exporter ({})", m.name),
                            });
                        }
                    }
                } else {
                    out.push(Endpoint {
                        kind: EndpointKind::Write,
                        address: format!(
                            "{}:{}",
                            runner::SINGLE_HOST,
                            l.port.map_or(self.port, u32::from)
                        ),
                        via: "local server".into(),
                    });
                    if let Some(e) = &plan.monitoring.exporter {
                        out.push(Endpoint {
                            kind: EndpointKind::Metrics,
                            address: format!("{}:{}", runner::SINGLE_HOST, e.port),
                            via: "postgres_exporter".into(),
                        });
                    }
                }
            }
        }
        out
    }

    /// Where a client connects, in words: its endpoint and the address the
    /// plan gives it (`primary: orders.shop.svc.cluster.local:5432`).
    pub fn client_endpoint(&self, client: &pgplan_core::Client, lang: Lang) -> String {
        use pgplan_core::Endpoint as To;
        let to = client.endpoint_in(self.plan.pooler.is_some());
        let kind = match to {
            To::Primary => EndpointKind::Write,
            To::Replicas => EndpointKind::Read,
            // PgBouncer is deployed apart from the plan's artifacts.
            To::Pooler => return lang.pick("pooler", "풀러").to_owned(),
        };
        let addresses: Vec<String> = self
            .endpoints()
            .into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.address)
            .collect();
        let name = match to {
            To::Primary => lang.pick("primary", "Primary"),
            _ => lang.pick("replicas", "Replica"),
        };
        if addresses.is_empty() {
            name.to_owned()
        } else {
            format!("{name}: {}", addresses.join(", "))
        }
    }

    /// The host (and port) a client connects to for writes.
    pub fn primary_host(&self) -> (String, u32) {
        let plan = self.plan;
        match &plan.platform {
            Platform::Kubernetes(k) => {
                let names = ObjectNames::new(&plan.service);
                (
                    format!("{}.{}.svc.cluster.local", names.base, k.namespace),
                    self.port,
                )
            }
            Platform::Azure(a) => (
                azure_facts::server_host_name(a.server_name.as_str()),
                self.port,
            ),
            Platform::Local(l) => match &plan.topology.patroni {
                Some(p) => (haproxy_host(p), u32::from(p.endpoints.write_port)),
                None => (
                    runner::SINGLE_HOST.to_string(),
                    l.port.map_or(self.port, u32::from),
                ),
            },
        }
    }

    /// Where a role's password comes from, in plain words; never a value.
    pub fn password_source(&self, role: &Role, lang: Lang) -> String {
        if let Some(names) = &self.k8s
            && let Some(secret) = kubernetes_facts::role_secret(names, role)
        {
            return match (&role.password, lang) {
                (Some(SecretSource::Generated { .. }), Lang::En) => format!(
                    "generated into Kubernetes Secret {}, key {}",
                    secret.name, secret.key
                ),
                (Some(SecretSource::Generated { .. }), Lang::Ko) => format!(
                    "자동 생성, Kubernetes Secret {} (키 {})에 저장",
                    secret.name, secret.key
                ),
                (_, Lang::En) => format!("Kubernetes Secret {}, key {}", secret.name, secret.key),
                (_, Lang::Ko) => format!("Kubernetes Secret {} (키 {})", secret.name, secret.key),
            };
        }
        match &role.password {
            None if role.login => lang
                .pick(
                    "none (the server's authentication decides)",
                    "없음 (서버 인증 방식에 따름)",
                )
                .into(),
            None => lang.pick("none (no login)", "없음 (로그인 없음)").into(),
            Some(source) => describe_source(source, lang),
        }
    }

    /// How a setting's value was decided, in the document's language.
    pub fn why(setting: &Setting, lang: Lang) -> String {
        match (&setting.provenance, lang) {
            (Provenance::Explicit, Lang::En) => "explicit in the plan".into(),
            (Provenance::Explicit, Lang::Ko) => "계획에 명시".into(),
            (Provenance::Derived { .. }, Lang::En) => setting.provenance.to_string(),
            (Provenance::Derived { formula, inputs }, Lang::Ko) => {
                let mut s = format!("자동 산정: {formula}");
                if !inputs.is_empty() {
                    let parts: Vec<String> =
                        inputs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    s.push_str(&format!(" ({})", parts.join(", ")));
                }
                s
            }
            (Provenance::Default { source }, Lang::En) => format!("default of {source}"),
            (Provenance::Default { source }, Lang::Ko) => format!("{source} 기본값"),
        }
    }
}

/// A secret source in plain words; never a value.
pub(crate) fn describe_source(source: &SecretSource, lang: Lang) -> String {
    match (source, lang) {
        (
            SecretSource::Generated {
                secret_name,
                length,
            },
            Lang::En,
        ) => match secret_name {
            Some(n) => format!("generated ({length} characters), stored in {n}"),
            None => format!("generated ({length} characters)"),
        },
        (
            SecretSource::Generated {
                secret_name,
                length,
            },
            Lang::Ko,
        ) => match secret_name {
            Some(n) => format!("자동 생성 ({length}자), {n}에 저장"),
            None => format!("자동 생성 ({length}자)"),
        },
        (SecretSource::KubernetesSecret { name, key }, Lang::En) => {
            format!("Kubernetes Secret {name}, key {key}")
        }
        (SecretSource::KubernetesSecret { name, key }, Lang::Ko) => {
            format!("Kubernetes Secret {name} (키 {key})")
        }
        (SecretSource::Env { var }, Lang::En) => format!("environment variable {var}"),
        (SecretSource::Env { var }, Lang::Ko) => format!("환경 변수 {var}"),
        (SecretSource::KeyVault { vault, secret }, Lang::En) => {
            format!("Azure Key Vault {vault}, secret {secret}")
        }
        (SecretSource::KeyVault { vault, secret }, Lang::Ko) => {
            format!("Azure Key Vault {vault} (시크릿 {secret})")
        }
        (SecretSource::EntraIdentity { principal }, Lang::En) => {
            format!("Microsoft Entra identity {principal} (no password)")
        }
        (SecretSource::EntraIdentity { principal }, Lang::Ko) => {
            format!("Microsoft Entra ID {principal} (암호 없음)")
        }
        // Validation rejects a literal, so a valid plan has none; its value
        // is never shown.
        (SecretSource::Literal(_), Lang::En) => "a password written into the plan".into(),
        (SecretSource::Literal(_), Lang::Ko) => "계획에 직접 쓴 암호".into(),
    }
}

/// Where HAProxy listens for a Patroni cluster: the runner's address, or the
/// plan's host as written when it is not an IPv4 address (rule PGP201
/// reports that plan).
pub(crate) fn haproxy_host(p: &PatroniCluster) -> String {
    runner::haproxy_host(p).map_or_else(
        || {
            p.endpoints
                .host
                .as_ref()
                .map_or("-", |h| h.as_str())
                .to_owned()
        },
        |ip| ip.to_string(),
    )
}
