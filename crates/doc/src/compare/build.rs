//! Building a [`Comparison`] from two plans.

use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::{AzureHaMode, BackupDestination, Grant, Platform, Privilege, ValidPlan};

use super::{
    ChecklistItem, Comparison, CostComparison, Finding, Row, Section, SettingDifference, Side,
    SideValue,
};
use crate::document::{environment_label, ha_mode};
use crate::facts::{EndpointKind, Facts, describe_source};
use crate::{Lang, PriceTable, cost};

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

type GrantKey = (String, String, Option<String>, String, Option<String>);

fn grants_of(p: &ValidPlan) -> BTreeMap<GrantKey, BTreeSet<Privilege>> {
    let mut out: BTreeMap<GrantKey, BTreeSet<Privilege>> = BTreeMap::new();
    for r in &p.roles {
        for g in &r.grants {
            let Grant {
                database,
                schema,
                objects,
                for_owner,
                ..
            } = g;
            out.entry((
                r.name.to_string(),
                database.to_string(),
                schema.as_ref().map(ToString::to_string),
                objects.to_string(),
                for_owner.as_ref().map(ToString::to_string),
            ))
            .or_default()
            .extend(g.effective_privileges(p.version.get()));
        }
    }
    out
}

fn only_in(lang: Lang, left: bool, l: &ValidPlan, r: &ValidPlan) -> String {
    let p = if left { l } else { r };
    match lang {
        Lang::En => format!("only in {}", p.environment),
        Lang::Ko => format!("{}에만 있음", environment_label(p.environment, lang)),
    }
}

/// What one plan has and the other lacks.
fn parity(l: &ValidPlan, r: &ValidPlan, lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    let (le, re) = (
        environment_label(l.environment, lang),
        environment_label(r.environment, lang),
    );
    let add = |out: &mut Vec<Finding>, id: &'static str, text: String, fix: String| {
        out.push(Finding { id, text, fix });
    };
    if l.version != r.version {
        add(
            &mut out,
            "version",
            match lang {
                Lang::En => format!(
                    "PostgreSQL {} in {le} but {} in {re}: behaviour and catalogs differ",
                    l.version, r.version
                ),
                Lang::Ko => format!(
                    "{le}은 PostgreSQL {}, {re}은 {}: 동작과 카탈로그가 다릅니다",
                    l.version, r.version
                ),
            },
            lang.pick(
                "run the same major version in both",
                "두 환경의 메이저 버전을 맞추십시오",
            )
            .into(),
        );
    }
    let (ld, rd) = (databases_by_name(l), databases_by_name(r));
    for name in ld.keys().chain(rd.keys()).collect::<BTreeSet<_>>() {
        match (ld.get(name), rd.get(name)) {
            (Some(a), Some(b)) => {
                let exts = |d: &pgplan_core::Database| {
                    d.extensions
                        .iter()
                        .map(|e| e.name.to_string())
                        .collect::<BTreeSet<_>>()
                };
                let (ea, eb) = (exts(a), exts(b));
                for e in ea.symmetric_difference(&eb) {
                    let in_left = ea.contains(e);
                    add(
                        &mut out,
                        "extension",
                        format!("{}: extension {e} {}", name, only_in(lang, in_left, l, r)),
                        match lang {
                            Lang::En => format!(
                                "add {e} to database {name} in the {} plan, so what runs in one runs in the other",
                                if in_left { &re } else { &le }
                            ),
                            Lang::Ko => format!(
                                "{} 계획의 {name} 데이터베이스에 {e}를 추가하여 두 환경에서 같은 코드가 동작하게 하십시오",
                                if in_left { &re } else { &le }
                            ),
                        },
                    );
                }
                let show = |x: Option<String>| {
                    x.unwrap_or_else(|| lang.pick("server default", "서버 기본값").into())
                };
                if a.locale != b.locale {
                    add(
                        &mut out,
                        "locale",
                        format!(
                            "{name}: locale {} / {}",
                            show(a.locale.as_ref().map(ToString::to_string)),
                            show(b.locale.as_ref().map(ToString::to_string))
                        ),
                        lang.pick(
                            "use one locale: sort order and upper/lower case follow it, and indexes on text depend on it",
                            "로케일을 통일하십시오: 정렬 순서와 대소문자 변환, 텍스트 인덱스가 로케일을 따릅니다",
                        )
                        .into(),
                    );
                }
                if a.encoding != b.encoding {
                    add(
                        &mut out,
                        "encoding",
                        format!("{name}: encoding {} / {}", a.encoding, b.encoding),
                        lang.pick("use one encoding (UTF8)", "인코딩을 통일하십시오 (UTF8)")
                            .into(),
                    );
                }
                if a.timezone != b.timezone {
                    add(
                        &mut out,
                        "timezone",
                        format!(
                            "{name}: time zone {} / {}",
                            show(a.timezone.as_ref().map(ToString::to_string)),
                            show(b.timezone.as_ref().map(ToString::to_string))
                        ),
                        lang.pick(
                            "use one time zone: now() and date arithmetic follow it",
                            "타임존을 통일하십시오",
                        )
                        .into(),
                    );
                }
                let schemas = |d: &pgplan_core::Database| {
                    d.schemas
                        .iter()
                        .map(|s| s.name.to_string())
                        .collect::<BTreeSet<_>>()
                };
                let (sa, sb) = (schemas(a), schemas(b));
                for s in sa.symmetric_difference(&sb) {
                    add(
                        &mut out,
                        "schema",
                        format!("{name}: schema {s} {}", only_in(lang, sa.contains(s), l, r)),
                        lang.pick(
                            "plan the schema in both",
                            "두 계획 모두에 스키마를 추가하십시오",
                        )
                        .into(),
                    );
                }
            }
            (a, _) => add(
                &mut out,
                "database",
                format!("database {name} {}", only_in(lang, a.is_some(), l, r)),
                lang.pick(
                    "plan the database in both",
                    "두 계획 모두에 데이터베이스를 추가하십시오",
                )
                .into(),
            ),
        }
    }
    let (lr, rr) = (roles_by_name(l), roles_by_name(r));
    for name in lr.keys().chain(rr.keys()).collect::<BTreeSet<_>>() {
        match (lr.get(name), rr.get(name)) {
            (Some(a), Some(b)) => {
                if a.login != b.login || a.purpose != b.purpose {
                    add(
                        &mut out,
                        "role",
                        format!("role {name}: {} / {}", describe_role(a), describe_role(b)),
                        lang.pick("give the role the same purpose and login in both", "두 환경에서 역할의 용도와 로그인 여부를 맞추십시오").into(),
                    );
                }
                let ma: BTreeSet<String> = a.member_of.iter().map(ToString::to_string).collect();
                let mb: BTreeSet<String> = b.member_of.iter().map(ToString::to_string).collect();
                if ma != mb {
                    add(
                        &mut out,
                        "membership",
                        format!(
                            "role {name}: member of [{}] / [{}]",
                            ma.into_iter().collect::<Vec<_>>().join(", "),
                            mb.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                        lang.pick("give the role the same memberships in both", "두 환경에서 역할 소속을 맞추십시오").into(),
                    );
                }
            }
            (a, _) => add(
                &mut out,
                "role",
                format!("role {name} {}", only_in(lang, a.is_some(), l, r)),
                lang.pick(
                    "plan the role in both, or code that logs in or grants to it fails in one",
                    "두 계획 모두에 역할을 추가하십시오. 없으면 해당 역할로 접속하거나 권한을 주는 코드가 실패합니다",
                )
                .into(),
            ),
        }
    }
    let (gl, gr) = (grants_of(l), grants_of(r));
    for key in gl.keys().chain(gr.keys()).collect::<BTreeSet<_>>() {
        let (role, db, schema, kind, owner) = key;
        if !(lr.contains_key(role) && rr.contains_key(role)) {
            continue; // reported as a role only in one plan
        }
        let show = |g: Option<&BTreeSet<Privilege>>| {
            g.map_or_else(
                || "—".to_owned(),
                |s| s.iter().map(|p| p.as_sql()).collect::<Vec<_>>().join(", "),
            )
        };
        let (a, b) = (gl.get(key), gr.get(key));
        if a != b {
            let place = match (schema, owner) {
                (Some(s), Some(o)) => format!("{db}.{s} {kind} for {o}"),
                (Some(s), None) => format!("{db}.{s} {kind}"),
                (None, _) => format!("{db} {kind}"),
            };
            add(
                &mut out,
                "grant",
                format!("role {role} on {place}: {} / {}", show(a), show(b)),
                lang.pick(
                    "grant the same privileges in both",
                    "두 환경에서 같은 권한을 부여하십시오",
                )
                .into(),
            );
        }
    }
    let params = |p: &ValidPlan| {
        p.tuning
            .parameters
            .keys()
            .map(|k| k.to_string())
            .collect::<BTreeSet<_>>()
    };
    let (pl, pr) = (params(l), params(r));
    for name in pl.symmetric_difference(&pr) {
        add(
            &mut out,
            "parameter",
            format!(
                "parameter {name} set {}",
                only_in(lang, pl.contains(name), l, r)
            ),
            lang.pick(
                "set it in both, or leave it to pgplan's derivation in both",
                "두 계획에 모두 설정하거나 모두 pgplan의 자동 산정에 맡기십시오",
            )
            .into(),
        );
    }
    let libs = |p: &ValidPlan| {
        p.settings()
            .preload_libraries()
            .into_iter()
            .collect::<BTreeSet<_>>()
    };
    let (ll, rl) = (libs(l), libs(r));
    for lib in ll.symmetric_difference(&rl) {
        add(
            &mut out,
            "preload",
            format!("shared_preload_libraries: {lib} {}", only_in(lang, ll.contains(lib), l, r)),
            lang.pick(
                "load the same libraries in both (an extension that needs one fails without it)",
                "두 환경에 같은 라이브러리를 로드하십시오 (필요한 라이브러리가 없으면 확장 모듈이 실패)",
            )
            .into(),
        );
    }
    out
}

fn databases_by_name(p: &ValidPlan) -> BTreeMap<String, &pgplan_core::Database> {
    p.databases
        .iter()
        .map(|d| (d.name.to_string(), d))
        .collect()
}

fn roles_by_name(p: &ValidPlan) -> BTreeMap<String, &pgplan_core::Role> {
    p.roles.iter().map(|x| (x.name.to_string(), x)).collect()
}

fn describe_role(r: &pgplan_core::Role) -> String {
    format!("{}{}", r.purpose, if r.login { ", login" } else { "" })
}

/// What to do, in order, to bring the left plan's service to the right's
/// environment.
fn checklist(
    l: &ValidPlan,
    r: &ValidPlan,
    parity: &[Finding],
    lang: Lang,
    right_file: &str,
) -> Vec<ChecklistItem> {
    let mut out = Vec::new();
    let item = |out: &mut Vec<ChecklistItem>,
                cat: (&str, &str),
                task: String,
                prio: (&str, &str),
                note: String| {
        // A note that is a command (pgplan, az, pg_dump) is shown as one.
        let is_command = ["pgplan ", "az ", "pg_dump "]
            .iter()
            .any(|p| note.starts_with(p));
        let (note, command) = if is_command {
            (String::new(), note)
        } else {
            (note, String::new())
        };
        out.push(ChecklistItem {
            category: lang.pick(cat.0, cat.1).to_owned(),
            task,
            priority: lang.pick(prio.0, prio.1).to_owned(),
            note,
            command,
        });
    };
    let file = crate::document::sh_word(right_file);
    const HIGH: (&str, &str) = ("high", "높음");
    const MEDIUM: (&str, &str) = ("medium", "중간");
    const LOW: (&str, &str) = ("low", "낮음");
    const PARITY: (&str, &str) = ("parity", "환경 일치");
    const PROVISION: (&str, &str) = ("provisioning", "프로비저닝");
    const CONFIG: (&str, &str) = ("configuration", "설정 변경");
    const DATA: (&str, &str) = ("data migration", "데이터 마이그레이션");
    const MONITOR: (&str, &str) = ("monitoring", "모니터링");
    let re = environment_label(r.environment, lang);
    for f in parity {
        item(&mut out, PARITY, f.fix.clone(), HIGH, f.text.clone());
    }
    if l.platform.kind() != r.platform.kind() || !matches!(r.platform, Platform::Local(_)) {
        let target = match &r.platform {
            Platform::Azure(_) => "azure",
            Platform::Kubernetes(_) => "k8s",
            Platform::Local(_) => "sql",
        };
        item(
            &mut out,
            PROVISION,
            match lang {
                Lang::En => format!(
                    "provision the {re} server: {}",
                    crate::document::platform_label(r, lang)
                ),
                Lang::Ko => format!(
                    "{} 서버 프로비저닝: {}",
                    environment_label(r.environment, lang),
                    crate::document::platform_label(r, lang)
                ),
            },
            HIGH,
            format!(
                "pgplan apply {file} --target {target} --dry-run && pgplan apply {file} --target {target} --yes"
            ),
        );
    }
    if let Platform::Azure(a) = &r.platform
        && let Some(p) = &a.network.private
    {
        item(
            &mut out,
            PROVISION,
            match lang {
                Lang::En => format!(
                    "delegate subnet {}/{} to Microsoft.DBforPostgreSQL/flexibleServers and create private DNS zone {}",
                    p.vnet, p.subnet, p.private_dns_zone
                ),
                Lang::Ko => format!(
                    "서브넷 {}/{}를 Microsoft.DBforPostgreSQL/flexibleServers에 위임하고 Private DNS 영역 {} 생성",
                    p.vnet, p.subnet, p.private_dns_zone
                ),
            },
            HIGH,
            "az network vnet subnet update --delegations Microsoft.DBforPostgreSQL/flexibleServers"
                .into(),
        );
    }
    // Secrets the right plan reads that the left does not.
    let mut secrets = BTreeSet::new();
    if let Platform::Azure(a) = &r.platform
        && let Some(s) = &a.administrator_password
    {
        secrets.insert(format!(
            "{}: {}",
            a.administrator_login,
            describe_source(s, lang)
        ));
    }
    for role in &r.roles {
        let before = l
            .roles
            .iter()
            .find(|x| x.name == role.name)
            .and_then(|x| x.password.clone());
        if let Some(s) = &role.password
            && before.as_ref() != Some(s)
            && !matches!(
                s,
                pgplan_core::SecretSource::Generated { .. }
                    | pgplan_core::SecretSource::EntraIdentity { .. }
            )
        {
            secrets.insert(format!("{}: {}", role.name, describe_source(s, lang)));
        }
    }
    for s in secrets {
        item(
            &mut out,
            CONFIG,
            match lang {
                Lang::En => format!("store the secret {s}"),
                Lang::Ko => format!("시크릿 저장: {s}"),
            },
            HIGH,
            lang.pick(
                "the value never goes into the plan",
                "값은 계획 파일에 넣지 않습니다",
            )
            .into(),
        );
    }
    if let Platform::Azure(a) = &r.platform {
        for id in &a.managed_identities {
            item(
                &mut out,
                CONFIG,
                match lang {
                    Lang::En => {
                        format!("create managed identity {id} and give it to the client's workload")
                    }
                    Lang::Ko => format!("관리형 ID {id}를 생성하고 클라이언트 워크로드에 연결"),
                },
                HIGH,
                lang.pick("keyless authentication", "키 없는 인증").into(),
            );
        }
        for admin in &a.auth.administrators {
            item(
                &mut out,
                CONFIG,
                match lang {
                    Lang::En => {
                        format!("make sure Entra principal {} exists", admin.principal_name)
                    }
                    Lang::Ko => format!("Entra 주체 {} 확인", admin.principal_name),
                },
                MEDIUM,
                String::new(),
            );
        }
    }
    item(
        &mut out,
        CONFIG,
        match lang {
            Lang::En => {
                format!("create the roles, databases, extensions and privileges of the {re} plan")
            }
            Lang::Ko => format!(
                "{} 계획의 역할, 데이터베이스, 확장 모듈, 권한 생성",
                environment_label(r.environment, lang)
            ),
        },
        HIGH,
        format!("pgplan apply {file} --target sql --dsn … --yes"),
    );
    if !r.databases.is_empty() {
        let dbs: Vec<String> = r.databases.iter().map(|d| d.name.to_string()).collect();
        item(
            &mut out,
            DATA,
            match lang {
                Lang::En => format!(
                    "move the data that must move ({}) with pg_dump and pg_restore as the owner roles",
                    dbs.join(", ")
                ),
                Lang::Ko => format!(
                    "이관할 데이터({})를 소유자 역할로 pg_dump/pg_restore",
                    dbs.join(", ")
                ),
            },
            HIGH,
            "pg_dump --format=custom | pg_restore --no-owner --role <owner>".into(),
        );
    }
    let backup_changes = l.backups != r.backups;
    if backup_changes {
        item(
            &mut out,
            CONFIG,
            match lang {
                Lang::En => format!("set up the {re} backups and restore one once to prove them"),
                Lang::Ko => format!(
                    "{} 백업을 구성하고 한 번 복구하여 검증",
                    environment_label(r.environment, lang)
                ),
            },
            HIGH,
            format!("RPO {}", opt(r.objectives.rpo, lang)),
        );
    }
    if l.monitoring != r.monitoring {
        item(
            &mut out,
            MONITOR,
            match lang {
                Lang::En => format!("create the {re} alerts with its thresholds"),
                Lang::Ko => format!(
                    "{} 임계값으로 알림 정책 수립",
                    environment_label(r.environment, lang)
                ),
            },
            MEDIUM,
            String::new(),
        );
    }
    let clients_differ = l.clients.iter().any(|c| {
        r.clients
            .iter()
            .find(|x| x.name == c.name)
            .is_none_or(|x| x.pool_size != c.pool_size || x.pods != c.pods)
    });
    if clients_differ || l.platform.kind() != r.platform.kind() {
        item(
            &mut out,
            CONFIG,
            match lang {
                Lang::En => {
                    format!("point the clients at the {re} endpoint with the {re} pool sizes")
                }
                Lang::Ko => format!(
                    "클라이언트 연결 주소와 풀 크기를 {} 기준으로 변경",
                    environment_label(r.environment, lang)
                ),
            },
            MEDIUM,
            lang.pick(
                "the connection budget of the comparison",
                "비교표의 연결 예산 참조",
            )
            .into(),
        );
    }
    item(
        &mut out,
        MONITOR,
        lang.pick(
            "confirm nothing differs from the plan",
            "계획과 차이가 없는지 확인",
        )
        .into(),
        LOW,
        format!("pgplan diff {file} --dsn …"),
    );
    out
}
