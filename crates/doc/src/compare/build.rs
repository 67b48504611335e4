//! Building a [`Comparison`] from two plans.

use std::collections::BTreeSet;

use pgplan_core::{AzureHaMode, BackupDestination, Platform, ValidPlan};

use super::{Comparison, CostComparison, Row, Section, SettingDifference, Side, SideValue};
use crate::document::{environment_label, ha_mode};
use crate::facts::{EndpointKind, Facts, describe_source};
use crate::{Lang, PriceTable, cost};

mod checklist;
mod parity;

use checklist::*;
use parity::*;

struct Rows {
    lang: Lang,
    rows: Vec<Row>,
}

impl Rows {
    fn new(lang: Lang) -> Self {
        Rows {
            lang,
            rows: Vec::new(),
        }
    }
    fn row(&mut self, en: &str, ko: &str, left: impl Into<String>, right: impl Into<String>) {
        let (left, right) = (left.into(), right.into());
        self.rows.push(Row {
            aspect: self.lang.pick(en, ko).to_owned(),
            same: left == right,
            left,
            right,
        });
    }
    fn named(&mut self, aspect: String, left: String, right: String) {
        self.rows.push(Row {
            aspect,
            same: left == right,
            left,
            right,
        });
    }
}

fn section(id: &'static str, lang: Lang, en: &str, ko: &str, rows: Rows) -> Section {
    Section {
        id,
        title: lang.pick(en, ko).to_owned(),
        rows: rows.rows,
    }
}

fn opt<T: ToString>(v: Option<T>, lang: Lang) -> String {
    v.map_or_else(|| lang.pick("—", "—").to_owned(), |x| x.to_string())
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// The language of the labels and findings.
    pub lang: Lang,
    /// The price table of the cost rows; the repository's when `None`.
    pub prices: Option<PriceTable>,
    /// The plan files as the checklist's commands name them.
    pub files: (String, String),
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            lang: Lang::En,
            prices: None,
            files: ("development.yaml".into(), "production.yaml".into()),
        }
    }
}

/// Compares two plans; `left` is usually development, `right` production.
pub fn compare(left: &ValidPlan, right: &ValidPlan, opts: &CompareOptions) -> Comparison {
    let lang = opts.lang;
    let builtin;
    let prices = match &opts.prices {
        Some(p) => p,
        None => {
            builtin = PriceTable::builtin();
            &builtin
        }
    };
    let (fl, fr) = (Facts::new(left), Facts::new(right));
    let side = |p: &ValidPlan| Side {
        service: p.service.to_string(),
        environment: p.environment.to_string(),
        version: p.version.get(),
        platform: p.platform.kind().to_owned(),
    };
    let mut sections = Vec::new();

    let mut r = Rows::new(lang);
    r.row(
        "Environment",
        "환경",
        environment_label(left.environment, lang),
        environment_label(right.environment, lang),
    );
    r.row(
        "Availability",
        "가용성",
        opt(left.objectives.availability, lang),
        opt(right.objectives.availability, lang),
    );
    r.row(
        "RPO",
        "RPO",
        opt(left.objectives.rpo, lang),
        opt(right.objectives.rpo, lang),
    );
    r.row(
        "RTO",
        "RTO",
        opt(left.objectives.rto, lang),
        opt(right.objectives.rto, lang),
    );
    sections.push(section("objectives", lang, "Objectives", "목표 수준", r));

    let mut r = Rows::new(lang);
    r.row(
        "Platform",
        "플랫폼",
        crate::document::platform_label(left, lang),
        crate::document::platform_label(right, lang),
    );
    r.row(
        "PostgreSQL",
        "PostgreSQL",
        left.version.to_string(),
        right.version.to_string(),
    );
    r.row(
        "Compute",
        "컴퓨팅",
        compute(left, lang),
        compute(right, lang),
    );
    r.row(
        "Memory the server sees",
        "서버 메모리",
        opt(left.memory().map(|m| m.human()), lang),
        opt(right.memory().map(|m| m.human()), lang),
    );
    r.row(
        "CPUs",
        "CPU",
        opt(left.cpus(), lang),
        opt(right.cpus(), lang),
    );
    sections.push(section(
        "platform",
        lang,
        "Platform and compute",
        "플랫폼 및 컴퓨팅",
        r,
    ));

    let mut r = Rows::new(lang);
    r.row(
        "Storage",
        "스토리지",
        storage(left, lang),
        storage(right, lang),
    );
    r.row(
        "High availability",
        "고가용성",
        ha(left, lang),
        ha(right, lang),
    );
    r.row(
        "Read replicas",
        "읽기 복제본",
        replicas(left),
        replicas(right),
    );
    sections.push(section(
        "persistence",
        lang,
        "Persistence and high availability",
        "데이터 지속성 및 고가용성",
        r,
    ));

    let mut r = Rows::new(lang);
    let write = |f: &Facts<'_>| {
        f.endpoints()
            .into_iter()
            .find(|e| e.kind == EndpointKind::Write)
            .map(|e| e.address)
            .unwrap_or_default()
    };
    r.row("Write endpoint", "쓰기 엔드포인트", write(&fl), write(&fr));
    r.row(
        "Exposure",
        "접근 방식",
        exposure(left, lang),
        exposure(right, lang),
    );
    let cidrs = |p: &ValidPlan| {
        p.security
            .allowed_cidrs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    r.row(
        "Allowed networks",
        "허용 네트워크",
        cidrs(left),
        cidrs(right),
    );
    sections.push(section(
        "network",
        lang,
        "Network exposure",
        "네트워크 노출",
        r,
    ));

    let mut r = Rows::new(lang);
    let tls = |p: &ValidPlan| {
        if p.security.tls.required {
            format!(
                "{} ≥ {}",
                lang.pick("required", "필수"),
                p.security.tls.min_version
            )
        } else {
            lang.pick("optional", "선택").to_owned()
        }
    };
    r.row("TLS", "TLS", tls(left), tls(right));
    r.row(
        "Password hashing",
        "암호 저장 방식",
        left.security.password_encryption.to_string(),
        right.security.password_encryption.to_string(),
    );
    r.row(
        "Statement logging",
        "구문 로깅",
        left.security.statement_logging.as_str(),
        right.security.statement_logging.as_str(),
    );
    sections.push(section("tls", lang, "TLS and logging", "TLS 및 로깅", r));

    let mut r = Rows::new(lang);
    let admin = |p: &ValidPlan| match &p.platform {
        Platform::Azure(a) => format!(
            "{}: {}",
            a.administrator_login,
            a.administrator_password
                .as_ref()
                .map_or_else(|| "—".into(), |s| describe_source(s, lang))
        ),
        _ => "—".into(),
    };
    r.row("Administrator", "관리자", admin(left), admin(right));
    let roles: BTreeSet<&str> = left
        .roles
        .iter()
        .chain(&right.roles)
        .map(|x| x.name.as_str())
        .collect();
    for name in roles {
        let src = |p: &ValidPlan, f: &Facts<'_>| {
            p.roles
                .iter()
                .find(|x| x.name.as_str() == name)
                .map_or_else(
                    || lang.pick("(no such role)", "(역할 없음)").to_owned(),
                    |x| f.password_source(x, lang),
                )
        };
        r.named(name.to_owned(), src(left, &fl), src(right, &fr));
    }
    sections.push(section(
        "secrets",
        lang,
        "Secret sources and authentication per role",
        "역할별 시크릿 및 인증",
        r,
    ));

    let mut r = Rows::new(lang);
    r.row("Logical dumps", "논리 백업", dumps(left), dumps(right));
    r.row(
        "WAL archiving",
        "WAL 아카이빙",
        wal(left, lang),
        wal(right, lang),
    );
    r.row(
        "Managed backups",
        "자동 백업",
        managed(left, lang),
        managed(right, lang),
    );
    r.row(
        "Snapshots",
        "스냅샷",
        snapshots(left, lang),
        snapshots(right, lang),
    );
    sections.push(section("backups", lang, "Backups", "백업", r));

    let mut r = Rows::new(lang);
    let t = |p: &ValidPlan, which: &str| -> String {
        let th = &p.monitoring.thresholds;
        let fmt = |above: String, sustained: pgplan_core::Interval| {
            if sustained.as_millis() == 0 {
                format!("> {above}")
            } else {
                format!("> {above} / {sustained}")
            }
        };
        match which {
            "cpu" => th.cpu.map(|x| fmt(x.above.to_string(), x.sustained)),
            "memory" => th.memory.map(|x| fmt(x.above.to_string(), x.sustained)),
            "storage" => th.storage.map(|x| fmt(x.above.to_string(), x.sustained)),
            "connections" => th
                .connections
                .map(|x| fmt(x.above.to_string(), x.sustained)),
            "slow_query" => th.slow_query.map(|x| fmt(x.above.to_string(), x.sustained)),
            "replication_lag" => th
                .replication_lag
                .map(|x| fmt(x.above.to_string(), x.sustained)),
            _ => th
                .failed_connections_per_minute
                .map(|x| format!("> {x}/min")),
        }
        .unwrap_or_else(|| "—".into())
    };
    for (id, en, ko) in [
        ("cpu", "CPU", "CPU 사용률"),
        ("memory", "Memory", "메모리 사용률"),
        ("storage", "Storage", "스토리지 사용률"),
        ("connections", "Connections", "연결 수"),
        ("slow_query", "Slow queries", "느린 쿼리"),
        ("replication_lag", "Replication lag", "복제 지연"),
        ("failed", "Failed connections", "실패한 연결"),
    ] {
        r.row(en, ko, t(left, id), t(right, id));
    }
    r.row(
        "Exporter",
        "Exporter",
        lang.yes_no(left.monitoring.exporter.is_some()),
        lang.yes_no(right.monitoring.exporter.is_some()),
    );
    sections.push(section(
        "alerts",
        lang,
        "Alert thresholds",
        "알림 임계값",
        r,
    ));

    let mut r = Rows::new(lang);
    let clients: BTreeSet<&str> = left
        .clients
        .iter()
        .chain(&right.clients)
        .map(|c| c.name.as_str())
        .collect();
    for name in clients {
        let pool = |p: &ValidPlan| {
            p.clients
                .iter()
                .find(|c| c.name.as_str() == name)
                .map_or_else(
                    || "—".to_owned(),
                    |c| {
                        format!(
                            "{} × {}–{} = {}",
                            c.pool_size,
                            c.pods.min,
                            c.pods.max,
                            c.peak_connections()
                        )
                    },
                )
        };
        r.named(name.to_owned(), pool(left), pool(right));
    }
    r.row(
        "Needed at peak (with reserved)",
        "최대 필요 연결 (예약 포함)",
        fl.needed_connections().to_string(),
        fr.needed_connections().to_string(),
    );
    r.row(
        "max_connections",
        "max_connections",
        opt(fl.max_connections, lang),
        opt(fr.max_connections, lang),
    );
    sections.push(section(
        "connections",
        lang,
        "Connection budget",
        "연결 예산",
        r,
    ));

    // Settings that differ, with both provenances.
    let names: BTreeSet<String> = fl
        .settings
        .iter()
        .chain(fr.settings.iter())
        .map(|s| s.name.clone())
        .collect();
    let mut settings = Vec::new();
    for name in names {
        let value = |f: &Facts<'_>| {
            f.setting(&name).map(|s| SideValue {
                why: Facts::why(&s, lang),
                value: s.value,
            })
        };
        let (a, b) = (value(&fl), value(&fr));
        if a.as_ref().map(|x| &x.value) != b.as_ref().map(|x| &x.value) {
            settings.push(SettingDifference {
                name,
                left: a,
                right: b,
            });
        }
    }

    let cost = CostComparison {
        left: cost::estimate(left, prices),
        right: cost::estimate(right, prices),
    };
    let mut r = Rows::new(lang);
    r.row(
        "Monthly estimate",
        "월간 예상 비용",
        format!(
            "{} {}",
            cost::money(cost.left.total_cents()),
            cost.left.currency
        ),
        format!(
            "{} {}",
            cost::money(cost.right.total_cents()),
            cost.right.currency
        ),
    );
    sections.push(section("cost", lang, "Cost", "비용", r));

    let parity = parity(left, right, lang);
    let checklist = checklist(left, right, &parity, lang, &opts.files.1);
    Comparison {
        left: side(left),
        right: side(right),
        sections,
        settings,
        parity,
        checklist,
        cost,
        fields_that_differ: left.differences(right).len(),
    }
}

fn compute(p: &ValidPlan, lang: Lang) -> String {
    match &p.platform {
        Platform::Azure(a) => match a.sku.capacity() {
            Some((v, m)) => format!("{} ({v} vCore, {})", a.sku.name, m.human()),
            None => a.sku.name.to_string(),
        },
        _ => {
            let cpu = p.sizing.cpu.map(|c| match c.limit {
                Some(l) => format!("cpu {}/{l}", c.request),
                None => format!("cpu {}", c.request),
            });
            let mem = p.sizing.memory.map(|m| match m.limit {
                Some(l) => format!("memory {}/{l}", m.request),
                None => format!("memory {}", m.request),
            });
            let parts: Vec<String> = cpu.into_iter().chain(mem).collect();
            if parts.is_empty() {
                lang.not_set().into()
            } else {
                parts.join(", ")
            }
        }
    }
}

fn storage(p: &ValidPlan, lang: Lang) -> String {
    match &p.platform {
        Platform::Azure(a) => format!(
            "{} {:?}{}",
            a.storage.size.human(),
            a.storage.kind,
            if a.storage.auto_grow {
                ", auto-grow"
            } else {
                ""
            }
        ),
        Platform::Kubernetes(k) => format!(
            "{} ({})",
            opt(p.sizing.data_volume.map(|v| v.to_string()), lang),
            k.storage_class.as_ref().map_or("default", |s| s.as_str())
        ),
        Platform::Local(_) => opt(p.sizing.data_volume.map(|v| v.to_string()), lang),
    }
}

fn ha(p: &ValidPlan, lang: Lang) -> String {
    if let Some(pc) = &p.topology.patroni {
        return format!(
            "Patroni, {} {}",
            pc.members.len(),
            lang.pick("members", "멤버")
        );
    }
    match &p.platform {
        Platform::Azure(a) if a.high_availability.mode != AzureHaMode::Disabled => ha_mode(a, lang),
        _ => lang.pick("none (single server)", "없음 (단일 서버)").into(),
    }
}

fn replicas(p: &ValidPlan) -> String {
    if p.topology.replicas.is_empty() {
        return "0".into();
    }
    let names: Vec<String> = p
        .topology
        .replicas
        .iter()
        .map(|r| match &r.region {
            Some(reg) => format!("{} ({reg})", r.name),
            None => r.name.to_string(),
        })
        .collect();
    format!("{}: {}", names.len(), names.join(", "))
}

fn exposure(p: &ValidPlan, lang: Lang) -> String {
    match &p.platform {
        Platform::Kubernetes(_) => lang
            .pick(
                "ClusterIP Service, NetworkPolicy admits the clients' pods",
                "ClusterIP Service, NetworkPolicy로 클라이언트 Pod만 허용",
            )
            .into(),
        Platform::Azure(a) => match &a.network.private {
            Some(pa) => format!(
                "{} ({}/{})",
                lang.pick("private access", "Private Access"),
                pa.vnet,
                pa.subnet
            ),
            None => format!(
                "{} ({} {})",
                lang.pick("public access", "공용 접근"),
                a.network.firewall_rules.len(),
                lang.pick("firewall rules", "방화벽 규칙")
            ),
        },
        Platform::Local(_) => lang.pick("this machine", "로컬 머신").into(),
    }
}

fn dumps(p: &ValidPlan) -> String {
    if p.backups.logical.is_empty() {
        return "—".into();
    }
    p.backups
        .logical
        .iter()
        .map(|b| {
            let dest = match &b.destination {
                BackupDestination::Volume => "volume".to_owned(),
                BackupDestination::BlobStorage { account, .. } => format!("blob {account}"),
            };
            format!("{} {} keep {} ({dest})", b.name, b.schedule, b.retention)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn wal(p: &ValidPlan, lang: Lang) -> String {
    p.backups.wal_archiving.as_ref().map_or_else(
        || "—".into(),
        |w| format!("{} {}", lang.pick("keep", "보존"), w.retention),
    )
}

fn managed(p: &ValidPlan, lang: Lang) -> String {
    p.backups.managed.as_ref().map_or_else(
        || "—".into(),
        |m| {
            let mut s = crate::document::days(m.retention_days, lang);
            if m.geo_redundant {
                s.push_str(&format!(
                    ", {} {}",
                    lang.pick("geo-redundant", "지리적 중복"),
                    m.geo_region
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ));
            }
            if m.point_in_time {
                s.push_str(", PITR");
            }
            s
        },
    )
}

fn snapshots(p: &ValidPlan, lang: Lang) -> String {
    p.backups.snapshots.as_ref().map_or_else(
        || "—".into(),
        |s| {
            s.schedule
                .as_ref()
                .map_or_else(|| lang.pick("manual", "수동").into(), |c| c.to_string())
        },
    )
}
