//! Clients and the connection budget, backups and restore, monitoring.

use pgplan_core::{BackupDestination, DumpFormat, Platform};

use super::Sections;
use crate::Lang;
use crate::facts::Facts;
use crate::markdown::{Cell, Step, Table, code, text};

pub(super) fn clients(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    s.section(
        "Clients and the connection budget",
        "연결 풀링 및 연결 예산",
    );
    if !plan.clients.is_empty() {
        s.sub("Clients", "클라이언트");
        let mut t = Table::new([
            s.pick("Client", "클라이언트"),
            s.pick("Database", "데이터베이스"),
            s.pick("Role", "사용자"),
            s.pick("Endpoint", "접속 대상"),
            s.pick("Pool size", "풀 크기"),
            s.pick("Pods", "Pod 수"),
            s.pick("Connections at peak", "최대 연결 수"),
            s.pick("Timeouts", "타임아웃"),
        ]);
        for c in &plan.clients {
            let mut timeouts = Vec::new();
            if let Some(x) = c.connect_timeout {
                timeouts.push(format!("{} {x}", s.pick("connect", "연결")));
            }
            if let Some(x) = c.idle_timeout {
                timeouts.push(format!("{} {x}", s.pick("idle", "유휴")));
            }
            if let Some(x) = c.connection_lifetime {
                timeouts.push(format!("{} {x}", s.pick("lifetime", "최대 수명")));
            }
            t.row([
                Cell::Code(c.name.to_string()),
                Cell::Text(
                    c.database
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                ),
                Cell::Text(c.role.as_ref().map(ToString::to_string).unwrap_or_default()),
                Cell::Text(f.client_endpoint(c, lang)),
                Cell::Text(c.pool_size.to_string()),
                Cell::Text(format!("{}–{}", c.pods.min, c.pods.max)),
                Cell::Text(format!(
                    "{} × {} = {}",
                    c.pool_size,
                    c.pods.max,
                    c.peak_connections()
                )),
                Cell::Text(timeouts.join(", ")),
            ]);
        }
        s.w.table(&t);
    }
    if let Some(p) = &plan.pooler {
        s.sub("Pooler", "커넥션 풀러");
        let mut t = Table::new([s.pick("Setting", "설정 항목"), s.pick("Value", "값")]);
        t.row([
            s.pick("Mode", "모드").to_owned(),
            format!("{:?}", p.mode).to_lowercase(),
        ]);
        t.row([
            s.pick("Instances", "인스턴스").to_owned(),
            p.instances.to_string(),
        ]);
        t.row([
            s.pick("Client connections", "클라이언트 연결").to_owned(),
            p.max_client_connections.to_string(),
        ]);
        t.row([
            s.pick("Server pool (default + reserve)", "서버 풀 (기본 + 예비)")
                .to_owned(),
            format!("{} + {}", p.default_pool_size, p.reserve_pool_size),
        ]);
        s.w.table(&t);
    }
    s.sub("Connection budget", "연결 예산");
    let d = f.demand;
    let mut t = Table::new([s.pick("Source", "항목"), s.pick("Connections", "연결 수")]);
    t.row([
        s.pick(
            "clients on the primary at peak",
            "Primary 직접 연결 클라이언트 최대",
        )
        .to_owned(),
        d.clients.to_string(),
    ]);
    if d.pooler > 0 {
        t.row([s.pick("pooler", "풀러").to_owned(), d.pooler.to_string()]);
    }
    t.row([
        s.pick("monitoring", "모니터링").to_owned(),
        d.monitoring.to_string(),
    ]);
    t.row([s.pick("backups", "백업").to_owned(), d.backup.to_string()]);
    t.row([
        s.pick("reserved slots", "예약 슬롯").to_owned(),
        f.reserved.to_string(),
    ]);
    t.row([
        s.pick("needed", "필요 합계").to_owned(),
        f.needed_connections().to_string(),
    ]);
    let max = f
        .max_connections
        .map_or_else(|| lang.not_set().to_owned(), |m| m.to_string());
    t.row(["max_connections".to_owned(), max]);
    s.w.table(&t);
    if let Some(m) = f.max_connections {
        let needed = f.needed_connections();
        let spare = i64::from(m) - needed as i64;
        s.w.paragraph(&text(&match lang {
            Lang::En => format!(
                "{needed} of max_connections {m} are spoken for at peak; {spare} remain (rule PGP001 checks this budget)."
            ),
            Lang::Ko => format!(
                "최대 부하 시 max_connections {m} 중 {needed}개가 사용되며 {spare}개가 남습니다 (규칙 PGP001이 검사합니다)."
            ),
        }));
    }
    let reads = pgplan_core::tuning::EndpointLoad::of(plan, pgplan_core::Endpoint::Replicas);
    if reads.peak > 0 {
        let r = pgplan_core::tuning::replica_demand(plan);
        let needed = r.total() + u64::from(f.reserved);
        s.w.paragraph(&text(&match lang {
            Lang::En => format!(
                "Each standby holds every read client at peak: {} + {} during a rolling deploy + {} monitoring + {} reserved = {needed} connections (rule PGP092 checks each standby's max_connections).",
                reads.peak, reads.deploy_surge, r.monitoring, f.reserved
            ),
            Lang::Ko => format!(
                "각 Standby는 최대 부하 시 모든 읽기 클라이언트를 받습니다: {} + 롤링 배포 {} + 모니터링 {} + 예약 {} = {needed}개 연결 (규칙 PGP092가 각 Standby의 max_connections를 검사합니다).",
                reads.peak, reads.deploy_surge, r.monitoring, f.reserved
            ),
        }));
    }
    if let Some(p) = &plan.pooler {
        let pooled = pgplan_core::tuning::EndpointLoad::of(plan, pgplan_core::Endpoint::Pooler);
        let limit = u64::from(p.max_client_connections) * u64::from(p.instances.max(1));
        s.w.paragraph(&text(&match lang {
            Lang::En => format!(
                "The pooler's clients open {} connections at peak and {} during a rolling deploy, of the {limit} it accepts ({} × max_client_connections {}; rule PGP086); its server connections count against the primary above.",
                pooled.peak,
                pooled.total(),
                p.instances,
                p.max_client_connections
            ),
            Lang::Ko => format!(
                "풀러 클라이언트는 최대 부하 시 {}개, 롤링 배포 중 {}개의 연결을 엽니다. 풀러 허용량은 {limit}개입니다 ({} × max_client_connections {}; 규칙 PGP086). 풀러의 서버 연결은 위의 Primary 예산에 포함됩니다.",
                pooled.peak,
                pooled.total(),
                p.instances,
                p.max_client_connections
            ),
        }));
    }
}

fn format_label(format: DumpFormat) -> &'static str {
    match format {
        DumpFormat::Custom => "custom",
        DumpFormat::Directory => "directory",
        DumpFormat::Plain => "plain",
    }
}

pub(super) fn backups(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    let b = &plan.backups;
    s.section("Backup and restore", "백업 및 복구");
    s.sub("Backup strategy", "백업 전략");
    let mut t = Table::new([
        s.pick("Backup", "백업 유형"),
        s.pick("Schedule", "주기"),
        s.pick("Retention", "보존 기간"),
        s.pick("Where", "위치"),
        s.pick("Method", "방법"),
    ]);
    for l in &b.logical {
        let dest = match &l.destination {
            BackupDestination::Volume => match &f.k8s {
                Some(names) => format!("PVC {} (/backup/{})", names.backup_pvc, l.name),
                None => s.pick("backup volume", "백업 볼륨").to_owned(),
            },
            BackupDestination::BlobStorage { account, container } => {
                format!("Blob Storage {account}/{container}")
            }
        };
        let dbs = if l.databases.is_empty() {
            s.pick("every database", "모든 데이터베이스").to_owned()
        } else {
            l.databases
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        t.row([
            Cell::Text(format!(
                "{} {}",
                s.pick("logical dump", "논리 백업"),
                l.name
            )),
            Cell::Code(l.schedule.to_string()),
            Cell::Text(l.retention.to_string()),
            Cell::Text(dest),
            Cell::Text(format!(
                "pg_dump --format={} ({dbs}){}",
                format_label(l.format),
                if l.jobs > 1 {
                    format!(", {} jobs", l.jobs)
                } else {
                    String::new()
                }
            )),
        ]);
    }
    if let Some(w) = &b.wal_archiving {
        t.row([
            Cell::Text(s.pick("WAL archiving", "WAL 아카이빙").into()),
            Cell::Text(match w.archive_timeout {
                Some(x) => format!(
                    "{} ({} {x})",
                    s.pick("continuous", "연속"),
                    s.pick("at least every", "최대 간격")
                ),
                None => s.pick("continuous", "연속").into(),
            }),
            Cell::Text(w.retention.to_string()),
            Cell::Code(w.destination.clone()),
            Cell::Text("archive_command".into()),
        ]);
    }
    if let Some(m) = &b.managed {
        let mut where_ = s
            .pick("Azure backup storage", "Azure 백업 스토리지")
            .to_owned();
        if m.geo_redundant {
            where_.push_str(&format!(
                ", {} {}",
                s.pick("geo-redundant to", "지리적 중복:"),
                m.geo_region
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| s.pick("the paired region", "쌍 리전").into())
            ));
        }
        t.row([
            Cell::Text(s.pick("managed backups", "자동 백업").into()),
            Cell::Text(match &m.window {
                Some(w) => format!("{} ({w})", s.pick("daily", "일 1회")),
                None => s.pick("daily", "일 1회").into(),
            }),
            Cell::Text(super::days(m.retention_days, lang)),
            Cell::Text(where_),
            Cell::Text(if m.point_in_time {
                s.pick(
                    "snapshots and WAL (point-in-time restore)",
                    "스냅샷 + WAL (Point-in-Time 복구)",
                )
                .into()
            } else {
                s.pick("snapshots", "스냅샷").into()
            }),
        ]);
    }
    if let Some(sn) = &b.snapshots {
        t.row([
            Cell::Text(s.pick("volume snapshots", "스냅샷 백업").into()),
            Cell::Text(
                sn.schedule
                    .as_ref()
                    .map_or_else(|| s.pick("manual", "수동").into(), |c| c.to_string()),
            ),
            Cell::Text(
                sn.retention
                    .map_or_else(|| s.pick("as needed", "필요시").into(), |r| r.to_string()),
            ),
            Cell::Text(
                s.pick("the data volume's snapshots", "데이터 볼륨 스냅샷")
                    .into(),
            ),
            Cell::Text("VolumeSnapshot".into()),
        ]);
    }
    if t.is_empty() {
        s.w.paragraph(&text(s.pick(
            "The plan has no backup: losing the server loses the data.",
            "백업이 없습니다: 서버를 잃으면 데이터도 잃습니다.",
        )));
    } else {
        s.w.table(&t);
    }
    let o = &plan.objectives;
    if o.rpo.is_some() || o.rto.is_some() {
        s.w.paragraph(&text(&match lang {
            Lang::En => format!(
                "Targets: RPO {}, RTO {} (rule PGP062 checks that the backups can meet the RPO).",
                o.rpo
                    .map_or_else(|| lang.not_set().into(), |x| x.to_string()),
                o.rto
                    .map_or_else(|| lang.not_set().into(), |x| x.to_string())
            ),
            Lang::Ko => format!(
                "목표: RPO {}, RTO {} (규칙 PGP062가 백업으로 RPO를 지킬 수 있는지 검사합니다).",
                o.rpo
                    .map_or_else(|| lang.not_set().into(), |x| x.to_string()),
                o.rto
                    .map_or_else(|| lang.not_set().into(), |x| x.to_string())
            ),
        }));
    }
    let steps = restore_steps(s, f);
    if !steps.is_empty() {
        s.sub("Restore", "복구 절차");
        s.w.steps(steps);
    }
}

fn restore_steps(s: &Sections, f: &Facts<'_>) -> Vec<Step> {
    let plan = f.plan;
    let lang = s.lang;
    let (host, port) = f.primary_host();
    let mut steps = Vec::new();
    if let (Platform::Azure(a), Some(m)) = (&plan.platform, &plan.backups.managed) {
        let target = format!("{}-restored", a.server_name);
        steps.push(Step::with_code(
            text(s.pick(
                "Point-in-time restore to a new server (a restore never overwrites the source), then point the clients at it:",
                "새 서버로 Point-in-Time 복구를 수행하고 (원본은 덮어쓰지 않음) 클라이언트 연결을 전환합니다:",
            )),
            "bash",
            format!(
                "az postgres flexible-server restore \\\n  --resource-group {} \\\n  --name {target} \\\n  --source-server {} \\\n  --restore-time \"<UTC time, e.g. 2025-01-31T02:30:00Z>\"",
                a.resource_group, a.server_name
            ),
        ));
        if m.geo_redundant {
            let region = m
                .geo_region
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| {
                    pgplan_core::azure_facts::paired_region(a.region.as_str()).map(str::to_owned)
                })
                .unwrap_or_else(|| "<paired region>".into());
            steps.push(Step::with_code(
                text(s.pick(
                    "When the whole region is down, restore the geo-redundant backup in the paired region:",
                    "리전 전체 장애 시 쌍 리전에서 지리적 중복 백업으로 복구합니다:",
                )),
                "bash",
                format!(
                    "az postgres flexible-server geo-restore \\\n  --resource-group {} \\\n  --name {}-geo \\\n  --source-server {} \\\n  --location {region}",
                    a.resource_group, a.server_name, a.server_name
                ),
            ));
        }
    }
    for l in &plan.backups.logical {
        let dbs: Vec<String> = if l.databases.is_empty() {
            plan.databases.iter().map(|d| d.name.to_string()).collect()
        } else {
            l.databases.iter().map(ToString::to_string).collect()
        };
        let Some(db) = dbs.first() else { continue };
        let file = match &l.destination {
            BackupDestination::Volume => format!("/backup/{}/{db}-<time>.dump", l.name),
            BackupDestination::BlobStorage { .. } => format!("{db}-<time>.dump"),
        };
        let owner = plan
            .databases
            .iter()
            .find(|d| d.name.as_str() == db)
            .map(|d| d.owner.to_string())
            .unwrap_or_default();
        let restore = match l.format {
            DumpFormat::Plain => format!(
                "psql --set ON_ERROR_STOP=on --host {host} --port {port} --username {owner} --dbname {db} --file {file}"
            ),
            _ => format!(
                "pg_restore --host {host} --port {port} --username {owner} --dbname {db} \\\n  --clean --if-exists --no-owner --role {owner}{} \\\n  {file}",
                if l.jobs > 1 {
                    format!(" --jobs {}", l.jobs)
                } else {
                    String::new()
                }
            ),
        };
        let intro = match lang {
            Lang::En => format!(
                "Restore dump {} of {} (check it first with {}):",
                code(l.name.as_str()),
                code(db),
                code("pg_restore --list")
            ),
            Lang::Ko => format!(
                "논리 백업 {}에서 {} 복구 (먼저 {} 실행):",
                code(l.name.as_str()),
                code(db),
                code("pg_restore --list")
            ),
        };
        let restore = match &l.destination {
            BackupDestination::BlobStorage { account, container } => format!(
                "az storage blob download --auth-mode login --account-name {account} --container-name {container} \\\n  --name {file} --file {file}\n{restore}"
            ),
            BackupDestination::Volume => restore,
        };
        steps.push(Step::with_code(intro, "bash", restore));
    }
    if let Some(w) = &plan.backups.wal_archiving {
        steps.push(Step::with_code(
            text(s.pick(
                "Point-in-time recovery from the WAL archive: restore the latest base backup into an empty data directory, then set the recovery target and start the server (it replays WAL up to the target and stops):",
                "WAL 아카이브로 Point-in-Time 복구: 최신 베이스 백업을 빈 데이터 디렉터리에 복원하고 복구 목표를 설정한 뒤 서버를 시작합니다 (목표 시점까지 WAL을 재생):",
            )),
            "bash",
            format!(
                "cat >> \"$PGDATA/postgresql.auto.conf\" <<'EOF'\nrestore_command = 'cp {}/%f \"%p\"'\nrecovery_target_time = '<time, e.g. 2025-01-31 02:30:00+00>'\nrecovery_target_action = 'promote'\nEOF\ntouch \"$PGDATA/recovery.signal\"\npg_ctl start -D \"$PGDATA\"",
                w.destination
            ),
        ));
    }
    if plan.backups.snapshots.is_some()
        && let (Some(names), Some(k)) = (&f.k8s, plan.platform.kubernetes())
    {
        steps.push(Step::with_code(
            text(s.pick(
                "From a volume snapshot: scale the StatefulSet to zero, restore the data volume's claim from the snapshot, scale back up:",
                "볼륨 스냅샷으로 복구: StatefulSet을 0으로 줄이고 데이터 볼륨을 스냅샷에서 복원한 뒤 다시 늘립니다:",
            )),
            "bash",
            format!(
                "kubectl scale statefulset/{base} --namespace {ns} --replicas 0\nkubectl get volumesnapshot --namespace {ns}\n# recreate the claim data-{base}-0 with spec.dataSource naming the snapshot\nkubectl scale statefulset/{base} --namespace {ns} --replicas 1",
                base = names.base,
                ns = k.namespace
            ),
        ));
    }
    steps
}

pub(super) fn monitoring(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    let m = &plan.monitoring;
    s.section("Monitoring and alerts", "모니터링 설정");
    let th = &m.thresholds;
    let mut t = Table::new([
        s.pick("Metric", "메트릭"),
        s.pick("Threshold", "임계값"),
        s.pick("Sustained for", "알람 조건"),
    ]);
    let now = s.pick("at once", "즉시");
    let sustained = |x: pgplan_core::Interval| {
        if x.as_millis() == 0 {
            now.to_owned()
        } else {
            match lang {
                Lang::En => x.to_string(),
                Lang::Ko => format!("{x} 지속"),
            }
        }
    };
    if let Some(x) = &th.cpu {
        t.row([
            s.pick("CPU usage", "CPU 사용률").to_owned(),
            format!("> {}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = &th.memory {
        t.row([
            s.pick("Memory usage", "Memory 사용률").to_owned(),
            format!("> {}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = &th.storage {
        t.row([
            s.pick("Storage usage", "Storage 사용률").to_owned(),
            format!("> {}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = &th.connections {
        let of = f
            .max_connections
            .map(|mx| {
                format!(
                    " ({:.0}% of max_connections {mx})",
                    f64::from(x.above) * 100.0 / f64::from(mx.max(1))
                )
            })
            .unwrap_or_default();
        t.row([
            s.pick("Connections", "Connection Count").to_owned(),
            format!("> {}{of}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = &th.slow_query {
        t.row([
            s.pick("Slow queries", "Slow Query").to_owned(),
            format!("> {}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = &th.replication_lag {
        t.row([
            s.pick("Replication lag", "복제 지연").to_owned(),
            format!("> {}", x.above),
            sustained(x.sustained),
        ]);
    }
    if let Some(x) = th.failed_connections_per_minute {
        t.row([
            s.pick("Failed connections", "실패한 연결").to_owned(),
            format!("> {x} {}", s.pick("per minute", "회/분")),
            now.to_owned(),
        ]);
    }
    if t.is_empty() {
        s.w.paragraph(&text(
            s.pick("The plan sets no alert.", "계획에 설정된 알람이 없습니다."),
        ));
    } else {
        s.w.table(&t);
    }
    let where_ = match (&plan.platform, lang) {
        (Platform::Kubernetes(_), Lang::En) => {
            "The thresholds are rendered as a PrometheusRule; postgres_exporter runs as a sidecar."
        }
        (Platform::Kubernetes(_), Lang::Ko) => {
            "임계값은 PrometheusRule로 생성되며 postgres_exporter가 사이드카로 실행됩니다."
        }
        (Platform::Azure(_), Lang::En) => {
            "Set these thresholds as Azure Monitor metric alerts on the server."
        }
        (Platform::Azure(_), Lang::Ko) => {
            "이 임계값을 서버의 Azure Monitor 메트릭 알림으로 설정합니다."
        }
        (Platform::Local(_), Lang::En) => {
            "postgres_exporter exposes the metrics; alert on them in Prometheus."
        }
        (Platform::Local(_), Lang::Ko) => {
            "postgres_exporter가 메트릭을 노출하며 Prometheus에서 알림을 설정합니다."
        }
    };
    s.w.paragraph(&text(where_));
    if let Some(e) = &m.exporter {
        s.w.paragraph(&format!(
            "{} {} ({} {}, {} {})",
            text(s.pick("Exporter:", "Exporter:")),
            code(
                &e.image
                    .as_ref()
                    .map_or_else(|| "postgres_exporter".to_owned(), |i| i.to_string())
            ),
            text(s.pick("port", "포트")),
            e.port,
            text(s.pick("connections", "연결")),
            e.connections
        ));
    }
    if let Some(v) = f.setting("log_min_duration_statement") {
        s.w.paragraph(&format!(
            "{} {} = {}",
            text(s.pick("Slow statements are logged from", "느린 쿼리 로깅 기준:")),
            code("log_min_duration_statement"),
            code(&v.value)
        ));
    }
}
