//! The promotion checklist: what to do, in order, to bring one plan's
//! service to the other's environment.

use std::collections::BTreeSet;

use pgplan_core::{Platform, ValidPlan};

use super::super::{ChecklistItem, Finding};
use super::*;
use crate::Lang;
use crate::document::environment_label;
use crate::facts::describe_source;

/// What to do, in order, to bring the left plan's service to the right's
/// environment.
pub(super) fn checklist(
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
