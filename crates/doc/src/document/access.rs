//! Network and security, databases, roles and privileges.

use pgplan_core::{Grant, ObjectKind, Platform, RolePurpose, label_strings, runner};

use super::Sections;
use crate::Lang;
use crate::facts::Facts;
use crate::markdown::{Cell, Table, code, text};

pub(super) fn network_and_security(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    s.section("Network and security", "네트워크 및 보안 구성");
    s.sub("Endpoints", "접속 경로");
    let mut t = Table::new([
        s.pick("Endpoint", "구분"),
        s.pick("Address", "주소"),
        s.pick("Provided by", "제공"),
    ]);
    for e in f.endpoints() {
        t.row([
            Cell::Text(e.kind.label(lang).into()),
            Cell::Code(e.address),
            Cell::Text(e.via),
        ]);
    }
    s.w.table(&t);
    let listeners = runner::listeners(plan);
    if !listeners.is_empty() {
        s.w.paragraph(&text(s.pick(
            "Every address and port pgplan up binds on this machine, and the plan field that sets it (rule PGP202 keeps them apart):",
            "pgplan up이 이 머신에서 사용하는 모든 주소와 포트, 그리고 이를 정하는 계획 필드입니다 (규칙 PGP202가 충돌을 검사합니다):",
        )));
        let mut t = Table::new([
            s.pick("Listener", "구성 요소"),
            s.pick("Address", "주소"),
            s.pick("Plan field", "계획 필드"),
        ]);
        for l in listeners {
            t.row([
                Cell::Text(l.what),
                Cell::Code(format!("{}:{}", l.ip, l.port)),
                Cell::Code(l.port_path.to_string()),
            ]);
        }
        s.w.table(&t);
    }

    s.sub("Network access", "네트워크 접근 제어");
    let mut t = Table::new([
        s.pick("Setting", "설정 항목"),
        s.pick("Value", "값"),
        s.pick("Note", "설명"),
    ]);
    match &plan.platform {
        Platform::Kubernetes(k) => {
            t.row([
                s.pick("Service type", "서비스 타입"),
                "ClusterIP",
                s.pick(
                    "reachable inside the cluster only",
                    "클러스터 내부에서만 접근",
                ),
            ]);
            let admitted: Vec<String> = plan
                .clients
                .iter()
                .map(|c| {
                    let sel: Vec<String> = label_strings(&c.selector())
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    format!("{} ({})", c.name, sel.join(", "))
                })
                .collect();
            t.row([
                "NetworkPolicy".to_owned(),
                if admitted.is_empty() {
                    s.pick("no client pods", "허용된 클라이언트 없음")
                        .to_owned()
                } else {
                    admitted.join("; ")
                },
                format!(
                    "{} {}",
                    s.pick("only these pods reach port", "이 Pod만 접근 가능, 포트"),
                    f.port
                ),
            ]);
            let _ = k;
        }
        Platform::Azure(a) => {
            match &a.network.private {
                Some(p) => {
                    t.row([
                        s.pick("Access", "연결 방법").to_owned(),
                        s.pick(
                            "private access (VNet integration)",
                            "Private Access (VNet 통합)",
                        )
                        .to_owned(),
                        s.pick("no public endpoint", "공용 엔드포인트 없음")
                            .to_owned(),
                    ]);
                    t.row([
                        s.pick("Virtual network", "가상 네트워크").to_owned(),
                        p.vnet.to_string(),
                        String::new(),
                    ]);
                    t.row([
                        s.pick("Subnet", "서브넷").to_owned(),
                        match &p.subnet_cidr {
                            Some(c) => format!("{} ({c})", p.subnet),
                            None => p.subnet.to_string(),
                        },
                        if p.subnet_delegated {
                            s.pick(
                                "delegated to Microsoft.DBforPostgreSQL/flexibleServers",
                                "Microsoft.DBforPostgreSQL/flexibleServers에 위임",
                            )
                            .to_owned()
                        } else {
                            String::new()
                        },
                    ]);
                    t.row([
                        s.pick("Private DNS zone", "Private DNS 영역").to_owned(),
                        p.private_dns_zone.to_string(),
                        String::new(),
                    ]);
                }
                None => {
                    t.row([
                        s.pick("Access", "연결 방법").to_owned(),
                        s.pick(
                            "public access with firewall rules",
                            "공용 접근 (방화벽 규칙)",
                        )
                        .to_owned(),
                        String::new(),
                    ]);
                }
            }
            for rule in &a.network.firewall_rules {
                t.row([
                    format!("{} {}", s.pick("Firewall rule", "방화벽 규칙"), rule.name),
                    format!("{} – {}", rule.start_ip, rule.end_ip),
                    String::new(),
                ]);
            }
            t.row([
                s.pick("Authentication", "인증 방법").to_owned(),
                match (a.auth.password, a.auth.entra) {
                    (true, true) => s.pick(
                        "passwords and Microsoft Entra ID",
                        "암호 + Microsoft Entra ID",
                    ),
                    (true, false) => s.pick("passwords", "암호"),
                    (false, true) => s.pick("Microsoft Entra ID only", "Microsoft Entra ID 전용"),
                    (false, false) => s.pick("none", "없음"),
                }
                .to_owned(),
                a.auth
                    .administrators
                    .iter()
                    .map(|x| x.principal_name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
            t.row([
                s.pick("Administrator login", "관리자 계정").to_owned(),
                a.administrator_login.to_string(),
                a.administrator_password
                    .as_ref()
                    .map(|p| crate::facts::describe_source(p, lang))
                    .unwrap_or_default(),
            ]);
            if !a.managed_identities.is_empty() {
                t.row([
                    s.pick("Managed identities", "관리형 ID").to_owned(),
                    a.managed_identities.join(", "),
                    String::new(),
                ]);
            }
        }
        Platform::Local(_) => {
            t.row([
                s.pick("Listens on", "수신 주소"),
                "127.0.0.1",
                s.pick("this machine only", "로컬 머신 전용"),
            ]);
        }
    }
    if !plan.security.allowed_cidrs.is_empty() {
        t.row([
            s.pick("Allowed networks", "허용 네트워크").to_owned(),
            plan.security
                .allowed_cidrs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            String::new(),
        ]);
    }
    s.w.table(&t);

    s.sub("Security", "보안 설정");
    let sec = &plan.security;
    let mut t = Table::new([
        s.pick("Control", "보안 요소"),
        s.pick("Setting", "설정"),
        s.pick("Why", "설명"),
    ]);
    t.row([
        s.pick("TLS", "TLS 암호화").to_owned(),
        if sec.tls.required {
            format!(
                "{} ({} {})",
                s.pick("required", "필수"),
                s.pick("at least", "최소"),
                sec.tls.min_version
            )
        } else {
            s.pick("optional", "선택").to_owned()
        },
        if sec.tls.required {
            s.pick("unencrypted connections are refused", "비암호화 연결 차단")
        } else {
            s.pick("clients may connect without TLS", "TLS 없이도 연결 가능")
        }
        .to_owned(),
    ]);
    t.row([
        s.pick("Password hashing", "암호 저장 방식").to_owned(),
        sec.password_encryption.to_string(),
        s.pick(
            "passwords reach the server only as SCRAM verifiers",
            "암호는 SCRAM 검증자로만 서버에 전달",
        )
        .to_owned(),
    ]);
    t.row([
        s.pick("Statement logging", "구문 로깅").to_owned(),
        sec.statement_logging.as_str().to_owned(),
        s.pick(
            "DDL logging would write typed passwords to the log (PGP043)",
            "DDL 로깅은 입력한 암호를 로그에 남깁니다 (PGP043)",
        )
        .to_owned(),
    ]);
    t.row([
        s.pick("Secrets in the plan", "계획 내 암호").to_owned(),
        s.pick("none", "없음").to_owned(),
        s.pick(
            "every password is named by its source (PGP041)",
            "모든 암호는 저장 위치로만 지정 (PGP041)",
        )
        .to_owned(),
    ]);
    s.w.table(&t);
}

pub(super) fn databases(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    s.section("Databases", "데이터베이스 구성");
    if plan.databases.is_empty() {
        s.w.paragraph(&text(s.pick(
            "The plan creates no database.",
            "계획에 생성할 데이터베이스가 없습니다.",
        )));
        return;
    }
    let mut t = Table::new([
        s.pick("Database", "데이터베이스"),
        s.pick("Owner", "소유자"),
        s.pick("Encoding", "인코딩"),
        s.pick("Locale", "로케일"),
        s.pick("Time zone", "타임존"),
        s.pick("Schemas", "스키마"),
        s.pick("Extensions", "확장 모듈"),
    ]);
    for d in &plan.databases {
        let schemas: Vec<String> = d
            .schemas
            .iter()
            .map(|sc| {
                format!(
                    "{} ({})",
                    code(sc.name.as_str()),
                    text(d.schema_owner(&sc.name).as_str())
                )
            })
            .collect();
        let extensions: Vec<String> = d
            .extensions
            .iter()
            .map(|e| match &e.schema {
                Some(sc) => format!("{} ({})", code(e.name.as_str()), text(sc.as_str())),
                None => code(e.name.as_str()),
            })
            .collect();
        t.row([
            Cell::Code(d.name.to_string()),
            Cell::Text(d.owner.to_string()),
            Cell::Text(d.encoding.to_string()),
            Cell::Text(d.locale.as_ref().map_or_else(
                || s.pick("server default", "서버 기본값").into(),
                |l| l.to_string(),
            )),
            Cell::Text(d.timezone.as_ref().map_or_else(
                || s.pick("server default", "서버 기본값").into(),
                |z| z.to_string(),
            )),
            Cell::Markdown(schemas.join(", ")),
            Cell::Markdown(extensions.join(", ")),
        ]);
    }
    s.w.table(&t);
}

fn purpose_label(p: RolePurpose, lang: Lang) -> String {
    match lang {
        Lang::En => p.to_string(),
        Lang::Ko => match p {
            RolePurpose::Application => "애플리케이션",
            RolePurpose::ReadOnly => "읽기전용",
            RolePurpose::Owner => "소유자",
            RolePurpose::Admin => "관리자",
            RolePurpose::Backup => "백업",
            RolePurpose::Monitoring => "모니터링",
            RolePurpose::Developer => "개발자",
            RolePurpose::Auditor => "감사",
            RolePurpose::Replication => "복제",
        }
        .into(),
    }
}

/// What a grant is on, in words (`tables in bill_inquiry_db.public`).
pub(crate) fn grant_object(g: &Grant, lang: Lang) -> String {
    let place = match &g.schema {
        Some(sc) => format!("{}.{sc}", g.database),
        None => g.database.to_string(),
    };
    let owner = g
        .for_owner
        .as_ref()
        .map(|o| o.to_string())
        .unwrap_or_default();
    match (g.objects, lang) {
        (ObjectKind::Database, Lang::En) => format!("database {place}"),
        (ObjectKind::Database, Lang::Ko) => format!("데이터베이스 {place}"),
        (ObjectKind::Schema, Lang::En) => format!("schema {place}"),
        (ObjectKind::Schema, Lang::Ko) => format!("스키마 {place}"),
        (ObjectKind::Tables, Lang::En) => format!("all tables in {place}"),
        (ObjectKind::Tables, Lang::Ko) => format!("{place}의 모든 테이블"),
        (ObjectKind::Sequences, Lang::En) => format!("all sequences in {place}"),
        (ObjectKind::Sequences, Lang::Ko) => format!("{place}의 모든 시퀀스"),
        (ObjectKind::Functions, Lang::En) => format!("all functions in {place}"),
        (ObjectKind::Functions, Lang::Ko) => format!("{place}의 모든 함수"),
        (kind, Lang::En) => format!(
            "future {} {owner} creates in {place}",
            kind.sql_noun().to_ascii_lowercase()
        ),
        (kind, Lang::Ko) => format!(
            "{place}에 {owner} 역할이 새로 만드는 {} (기본 권한)",
            match kind.sql_noun() {
                "TABLES" => "테이블",
                "SEQUENCES" => "시퀀스",
                "FUNCTIONS" => "함수",
                _ => "타입",
            }
        ),
    }
}

pub(super) fn roles(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    s.section("Roles and privileges", "사용자 및 권한");
    if plan.roles.is_empty() {
        s.w.paragraph(&text(s.pick(
            "The plan creates no role.",
            "계획에 생성할 역할이 없습니다.",
        )));
        return;
    }
    s.sub("Roles", "사용자 계정");
    let mut t = Table::new([
        s.pick("Role", "사용자명"),
        s.pick("Purpose", "계정 유형"),
        s.pick("Login", "로그인"),
        s.pick("Attributes", "속성"),
        s.pick("Password from", "암호 저장 위치"),
        s.pick("Member of", "소속 역할"),
        s.pick("Connection limit", "연결 제한"),
    ]);
    for r in &plan.roles {
        t.row([
            Cell::Code(r.name.to_string()),
            Cell::Text(purpose_label(r.purpose, lang)),
            Cell::Text(lang.yes_no(r.login).into()),
            Cell::Text({
                let attributes: Vec<&str> = pgplan_core::RoleAttribute::ALL
                    .into_iter()
                    .filter(|a| r.has(*a))
                    .map(|a| a.as_sql())
                    .collect();
                if attributes.is_empty() {
                    s.pick("none", "없음").into()
                } else {
                    attributes.join(", ")
                }
            }),
            Cell::Text(f.password_source(r, lang)),
            Cell::Text(
                r.member_of
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::Text(
                r.connection_limit
                    .filter(|l| *l >= 0)
                    .map_or_else(|| s.pick("none", "없음").into(), |l| l.to_string()),
            ),
        ]);
    }
    s.w.table(&t);
    s.sub("Privileges", "권한");
    s.w.paragraph(&text(s.pick(
        "Role × object × privileges, as the SQL backend grants them (ALL spelled out for the plan's PostgreSQL version).",
        "역할 × 대상 × 권한. SQL 백엔드가 부여하는 그대로입니다 (ALL은 계획의 PostgreSQL 버전 기준으로 풀어 씀).",
    )));
    let mut t = Table::new([
        s.pick("Role", "역할"),
        s.pick("Object", "대상"),
        s.pick("Privileges", "권한"),
    ]);
    let major = plan.version.get();
    for r in &plan.roles {
        for g in &r.grants {
            let privileges: Vec<String> = g
                .effective_privileges(major)
                .iter()
                .map(|p| p.as_sql().to_owned())
                .collect();
            t.row([
                Cell::Code(r.name.to_string()),
                Cell::Text(grant_object(g, lang)),
                Cell::Text(privileges.join(", ")),
            ]);
        }
    }
    if t.is_empty() {
        s.w.paragraph(&text(
            s.pick("No role is granted anything.", "부여된 권한이 없습니다."),
        ));
    } else {
        s.w.table(&t);
    }
}
