//! `pgplan diagram`: the topology as a Mermaid flowchart — clients with
//! their pools and pod ranges, the pooler, the endpoints, the primary and its
//! standbys and replicas with their regions or zones, etcd, HAProxy,
//! exporters and where the backups go.
//!
//! Labels are escaped in one place ([`label`]): every character Mermaid could
//! read as syntax becomes an entity code, so a name reads back as written.
//!
//! ```
//! let plan = pgplan_core::Plan::from_yaml("
//! service: orders
//! environment: development
//! version: 17
//! platform: { local: {} }
//! sizing: { memory: { request: 2Gi }, cpu: { request: 2 } }
//! clients: [{ name: orders-api, pool_size: 10, pods: { min: 1, max: 3 } }]
//! ").unwrap().validate().unwrap();
//! let m = pgplan_doc::diagram(&plan, pgplan_doc::Lang::En);
//! assert!(m.starts_with("flowchart TB\n"));
//! assert!(m.contains("orders-api<br/>pool 10 × 1–3 pods = 30"));
//! ```

use std::fmt::Write as _;

use pgplan_core::{AzureHaMode, BackupDestination, Platform, ValidPlan, runner};

use crate::Lang;
use crate::facts::Facts;

/// Text as a Mermaid label: letters (any script), digits, spaces and plain
/// punctuation stay; everything else becomes `#<code>;`, which Mermaid
/// decodes. Line breaks are written by the caller as `<br/>` between
/// escaped parts.
pub fn label(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_alphanumeric() || " .,:/_-+=×–→·@*()'".contains(c) {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

/// Lines of a label, each escaped, joined with `<br/>`.
fn lines<I: IntoIterator<Item = S>, S: AsRef<str>>(parts: I) -> String {
    parts
        .into_iter()
        .map(|p| label(p.as_ref()))
        .collect::<Vec<_>>()
        .join("<br/>")
}

struct Chart {
    out: String,
    indent: usize,
}

impl Chart {
    fn line(&mut self, s: &str) {
        let _ = writeln!(self.out, "{}{s}", "    ".repeat(self.indent));
    }
    fn node(&mut self, id: &str, shape: Shape, text: &str) {
        let (open, close) = match shape {
            Shape::Box => ("[\"", "\"]"),
            Shape::Database => ("[(\"", "\")]"),
            Shape::Round => ("(\"", "\")"),
            Shape::Stadium => ("([\"", "\"])"),
        };
        self.line(&format!("{id}{open}{text}{close}"));
    }
    fn open(&mut self, id: &str, title: &str) {
        self.line(&format!("subgraph {id}[\"{}\"]", label(title)));
        self.indent += 1;
    }
    fn close(&mut self) {
        self.indent -= 1;
        self.line("end");
    }
    fn edge(&mut self, from: &str, to: &str, text: Option<&str>, dotted: bool) {
        match (text, dotted) {
            (Some(t), false) => self.line(&format!("{from} -- \"{}\" --> {to}", label(t))),
            (Some(t), true) => self.line(&format!("{from} -. \"{}\" .-> {to}", label(t))),
            (None, false) => self.line(&format!("{from} --> {to}")),
            (None, true) => self.line(&format!("{from} -.-> {to}")),
        }
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Box,
    Database,
    Round,
    Stadium,
}

/// The plan's topology as a Mermaid flowchart.
pub fn diagram(plan: &ValidPlan, lang: Lang) -> String {
    let f = Facts::new(plan);
    let mut c = Chart {
        out: String::from("flowchart TB\n"),
        indent: 1,
    };
    // Clients.
    let client_ids: Vec<String> = (0..plan.clients.len())
        .map(|i| format!("client{i}"))
        .collect();
    if !plan.clients.is_empty() {
        c.open("clients", lang.pick("Clients", "클라이언트 계층"));
        for (id, cl) in client_ids.iter().zip(&plan.clients) {
            let mut parts = vec![
                cl.name.to_string(),
                match lang {
                    Lang::En => format!(
                        "pool {} × {}–{} pods = {}",
                        cl.pool_size,
                        cl.pods.min,
                        cl.pods.max,
                        cl.peak_connections()
                    ),
                    Lang::Ko => format!(
                        "풀 {} × Pod {}–{} = {}",
                        cl.pool_size,
                        cl.pods.min,
                        cl.pods.max,
                        cl.peak_connections()
                    ),
                },
            ];
            if let (Some(db), Some(role)) = (&cl.database, &cl.role) {
                parts.push(format!("{role}@{db}"));
            }
            c.node(id, Shape::Round, &lines(parts));
        }
        c.close();
    }
    // What the clients connect to.
    let entry = match &plan.pooler {
        Some(p) => {
            c.node(
                "pooler",
                Shape::Box,
                &lines([
                    format!("PgBouncer ({:?})", p.mode).to_lowercase(),
                    format!(
                        "{} × {} {}",
                        p.instances,
                        p.default_pool_size + p.reserve_pool_size,
                        lang.pick("server connections", "서버 연결")
                    ),
                ]),
            );
            Some("pooler")
        }
        None => None,
    };
    let endpoints = f.endpoints();
    let write = endpoints
        .iter()
        .find(|e| e.kind == crate::facts::EndpointKind::Write);
    let max = f
        .max_connections
        .map(|m| format!("max_connections {m}"))
        .unwrap_or_default();
    match &plan.platform {
        Platform::Kubernetes(k) => {
            let names = f
                .k8s
                .clone()
                .unwrap_or_else(|| pgplan_core::kubernetes_facts::ObjectNames::new(&plan.service));
            c.open(
                "namespace",
                &format!("{} {}", lang.pick("namespace", "네임스페이스"), k.namespace),
            );
            c.node(
                "svc",
                Shape::Stadium,
                &lines([
                    format!("Service {}", names.base),
                    write.map(|w| w.address.clone()).unwrap_or_default(),
                ]),
            );
            let mut primary = vec![
                format!("{} {}-0", lang.pick("primary", "Primary"), names.base),
                format!("PostgreSQL {} ({})", plan.version, k.image),
            ];
            if let (Some(cpu), Some(mem)) = (plan.sizing.cpu, plan.sizing.memory) {
                primary.push(format!(
                    "cpu {}{} · memory {}{}",
                    cpu.request,
                    cpu.limit.map(|l| format!("–{l}")).unwrap_or_default(),
                    mem.request,
                    mem.limit.map(|l| format!("–{l}")).unwrap_or_default()
                ));
            }
            primary.push(max.clone());
            c.node("primary", Shape::Database, &lines(primary));
            if let Some(v) = plan.sizing.data_volume {
                let class = k
                    .storage_class
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "default".into());
                c.node(
                    "data",
                    Shape::Box,
                    &lines([format!("PVC data {v}"), format!("storageClass {class}")]),
                );
                c.edge("primary", "data", None, false);
            }
            c.edge("svc", "primary", None, false);
            if !plan.topology.replicas.is_empty() {
                c.node(
                    "readsvc",
                    Shape::Stadium,
                    &lines([format!("Service {}", names.read)]),
                );
                for i in 0..plan.topology.replicas.len() {
                    let id = format!("replica{i}");
                    c.node(
                        &id,
                        Shape::Database,
                        &lines([format!(
                            "{} {}-{i}",
                            lang.pick("replica", "Replica"),
                            names.read
                        )]),
                    );
                    c.edge(
                        "primary",
                        &id,
                        Some(lang.pick("streaming", "스트리밍 복제")),
                        true,
                    );
                    c.edge("readsvc", &id, None, false);
                }
            }
            if let Some(e) = &plan.monitoring.exporter {
                c.node(
                    "exporter",
                    Shape::Box,
                    &lines([
                        format!("postgres_exporter :{}", e.port),
                        format!("Service {}", names.metrics),
                    ]),
                );
                c.edge(
                    "exporter",
                    "primary",
                    Some(lang.pick("metrics", "메트릭")),
                    true,
                );
            }
            for (i, b) in plan.backups.logical.iter().enumerate() {
                let id = format!("backup{i}");
                let dest = match &b.destination {
                    BackupDestination::Volume => format!("PVC {}", names.backup_pvc),
                    BackupDestination::BlobStorage { account, container } => {
                        format!("Blob {account}/{container}")
                    }
                };
                c.node(
                    &id,
                    Shape::Box,
                    &lines([
                        format!("CronJob {}", names.backup_cron_job(&b.name)),
                        format!("{dest}, {} {}", lang.pick("keep", "보존"), b.retention),
                    ]),
                );
                c.edge(
                    "primary",
                    &id,
                    Some(&format!("pg_dump {}", b.schedule)),
                    true,
                );
            }
            c.close();
            if let Some(p) = entry {
                for id in &client_ids {
                    c.edge(id, p, None, false);
                }
                c.edge(p, "svc", None, false);
            } else {
                for id in &client_ids {
                    c.edge(id, "svc", None, false);
                }
            }
            if plan.monitoring.thresholds.cpu.is_some() || plan.monitoring.exporter.is_some() {
                c.node("prom", Shape::Box, &lines(["Prometheus", "PrometheusRule"]));
                if plan.monitoring.exporter.is_some() {
                    c.edge("prom", "exporter", Some(lang.pick("scrape", "수집")), true);
                }
            }
        }
        Platform::Azure(a) => {
            c.node(
                "endpoint",
                Shape::Stadium,
                &lines([write.map(|w| w.address.clone()).unwrap_or_default()]),
            );
            c.open(
                "region",
                &format!("{} {}", lang.pick("region", "리전"), a.region),
            );
            let zone = |z: Option<String>| match z {
                Some(z) => format!("{} {z}", lang.pick("zone", "가용 영역")),
                None => lang.pick("no zone pinned", "영역 미지정").into(),
            };
            c.open(
                "zone_primary",
                &zone(a.zone.as_ref().map(ToString::to_string)),
            );
            let mut primary = vec![
                format!("{} {}", lang.pick("primary", "Primary"), a.server_name),
                format!("PostgreSQL {} · {}", plan.version, a.sku.name),
                format!(
                    "{} {}",
                    a.storage.size.human(),
                    lang.pick("storage", "스토리지")
                ),
            ];
            primary.push(max.clone());
            c.node("primary", Shape::Database, &lines(primary));
            c.close();
            if a.high_availability.mode != AzureHaMode::Disabled {
                let standby_zone = match a.high_availability.mode {
                    AzureHaMode::SameZone => a.zone.as_ref().map(ToString::to_string),
                    _ => a
                        .high_availability
                        .standby_zone
                        .as_ref()
                        .map(ToString::to_string),
                };
                c.open("zone_standby", &zone(standby_zone));
                c.node(
                    "standby",
                    Shape::Database,
                    &lines([
                        lang.pick("HA standby", "고가용성 대기 서버").to_owned(),
                        a.sku.name.to_string(),
                    ]),
                );
                c.close();
                c.edge(
                    "primary",
                    "standby",
                    Some(lang.pick(
                        "synchronous, automatic failover",
                        "동기 복제, 자동 장애조치",
                    )),
                    true,
                );
            }
            if let Some(m) = &plan.backups.managed {
                c.node(
                    "backups",
                    Shape::Box,
                    &lines([
                        lang.pick("managed backups", "자동 백업").to_owned(),
                        crate::document::days(m.retention_days, lang),
                    ]),
                );
                c.edge("primary", "backups", None, true);
            }
            c.close();
            for (i, r) in plan.topology.replicas.iter().enumerate() {
                let region = r.region.as_ref().unwrap_or(&a.region);
                let sub = format!("replica_region{i}");
                let same = r.region.is_none() || region == &a.region;
                if !same {
                    c.open(&sub, &format!("{} {region}", lang.pick("region", "리전")));
                }
                let id = format!("replica{i}");
                c.node(
                    &id,
                    Shape::Database,
                    &lines([
                        format!("{} {}", lang.pick("read replica", "읽기 복제본"), r.name),
                        r.sku.as_ref().unwrap_or(&a.sku).name.to_string(),
                    ]),
                );
                if !same {
                    c.close();
                }
                c.edge(
                    "primary",
                    &id,
                    Some(lang.pick("asynchronous", "비동기 복제")),
                    true,
                );
            }
            if let Some(m) = plan.backups.managed.as_ref().filter(|m| m.geo_redundant) {
                let geo = m
                    .geo_region
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| lang.pick("paired region", "쌍 리전").into());
                c.node(
                    "geobackups",
                    Shape::Box,
                    &lines([
                        lang.pick("geo-redundant backups", "지리적 중복 백업")
                            .to_owned(),
                        geo,
                    ]),
                );
                c.edge("backups", "geobackups", None, true);
            }
            for (i, b) in plan.backups.logical.iter().enumerate() {
                let id = format!("dump{i}");
                let dest = match &b.destination {
                    BackupDestination::Volume => lang.pick("backup volume", "백업 볼륨").to_owned(),
                    BackupDestination::BlobStorage { account, container } => {
                        format!("Blob {account}/{container}")
                    }
                };
                c.node(
                    &id,
                    Shape::Box,
                    &lines([format!("pg_dump {}", b.name), dest]),
                );
                c.edge("primary", &id, Some(b.schedule.as_str()), true);
            }
            let target = entry.unwrap_or("endpoint");
            for id in &client_ids {
                c.edge(id, target, None, false);
            }
            if let Some(p) = entry {
                c.edge(p, "endpoint", None, false);
            }
            c.edge("endpoint", "primary", None, false);
        }
        Platform::Local(_) => {
            if let Some(p) = &plan.topology.patroni {
                c.node(
                    "haproxy",
                    Shape::Box,
                    &lines([
                        format!("HAProxy {}", crate::facts::haproxy_host(p)),
                        format!(
                            "{} :{} → primary",
                            lang.pick("write", "쓰기"),
                            p.endpoints.write_port
                        ),
                        format!(
                            "{} :{} → replicas",
                            lang.pick("read", "읽기"),
                            p.endpoints.read_port
                        ),
                        format!("stats :{}", p.endpoints.stats_port),
                    ]),
                );
                c.open("cluster", &format!("Patroni {}", p.scope));
                for (i, m) in p.members.iter().enumerate() {
                    let host = m.host.as_ref().map(|h| h.to_string()).unwrap_or_default();
                    c.node(
                        &format!("member{i}"),
                        Shape::Database,
                        &lines([
                            m.name.to_string(),
                            format!(
                                "PostgreSQL {} · {host}:{}",
                                plan.version,
                                runner::member_postgres_port(plan)
                            ),
                            format!("REST API :{}", p.rest_api_port),
                        ]),
                    );
                }
                c.close();
                c.open("etcd", lang.pick("etcd (DCS)", "etcd (분산 조정 서비스)"));
                for (i, e) in p.etcd.iter().enumerate() {
                    let host = e.host.as_ref().map(|h| h.to_string()).unwrap_or_default();
                    c.node(
                        &format!("etcd{i}"),
                        Shape::Box,
                        &lines([e.name.to_string(), format!("{host} :{}", e.client_port)]),
                    );
                }
                c.close();
                for i in 0..p.members.len() {
                    c.edge(
                        "haproxy",
                        &format!("member{i}"),
                        Some(lang.pick(
                            "OPTIONS /primary · /replica",
                            "상태 확인 /primary · /replica",
                        )),
                        false,
                    );
                    if !p.etcd.is_empty() {
                        c.edge(
                            &format!("member{i}"),
                            &format!("etcd{}", i % p.etcd.len()),
                            Some(lang.pick("leader lock", "리더 선출")),
                            true,
                        );
                    }
                }
                if let Some(e) = &plan.monitoring.exporter {
                    // One exporter beside each member, as pgplan up starts them.
                    c.node(
                        "exporters",
                        Shape::Box,
                        &lines([
                            format!("postgres_exporter × {}", p.members.len()),
                            format!(":{}", e.port),
                        ]),
                    );
                    for i in 0..p.members.len() {
                        c.edge(
                            "exporters",
                            &format!("member{i}"),
                            Some(lang.pick("metrics", "메트릭")),
                            true,
                        );
                    }
                }
                let target = entry.unwrap_or("haproxy");
                for id in &client_ids {
                    c.edge(id, target, None, false);
                }
                if let Some(pp) = entry {
                    c.edge(pp, "haproxy", None, false);
                }
            } else {
                c.node(
                    "primary",
                    Shape::Database,
                    &lines([
                        write.map(|w| w.address.clone()).unwrap_or_default(),
                        format!("PostgreSQL {}", plan.version),
                        max.clone(),
                    ]),
                );
                let target = entry.unwrap_or("primary");
                for id in &client_ids {
                    c.edge(id, target, None, false);
                }
                if let Some(pp) = entry {
                    c.edge(pp, "primary", None, false);
                }
            }
            let source = if plan.topology.patroni.is_some() {
                "member0"
            } else {
                "primary"
            };
            if let Some(w) = &plan.backups.wal_archiving {
                c.node(
                    "walarchive",
                    Shape::Box,
                    &lines([
                        lang.pick("WAL archive", "WAL 아카이브").to_owned(),
                        w.destination.clone(),
                        format!("{} {}", lang.pick("keep", "보존"), w.retention),
                    ]),
                );
                c.edge(source, "walarchive", Some("archive_command"), true);
            }
            for (i, b) in plan.backups.logical.iter().enumerate() {
                let id = format!("dump{i}");
                c.node(
                    &id,
                    Shape::Box,
                    &lines([
                        format!("pg_dump {}", b.name),
                        format!("{} {}", lang.pick("keep", "보존"), b.retention),
                    ]),
                );
                c.edge(source, &id, Some(b.schedule.as_str()), true);
            }
        }
    }
    c.out
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn syntax_becomes_entity_codes() {
        assert_eq!(label("a\"b"), "a#34;b");
        assert_eq!(label("x[y]"), "x#91;y#93;");
        assert_eq!(label("<br/>"), "#60;br/#62;");
        assert_eq!(label("#1;"), "#35;1#59;");
        assert_eq!(label("개발환경 5432"), "개발환경 5432");
    }
}
