//! Every parameter with its value and why.

use pgplan_core::{Platform, SettingsMethod, azure_facts, runner};

use super::Sections;
use crate::facts::Facts;
use crate::markdown::{Cell, Table, code, text};

pub(super) fn section(s: &mut Sections, f: &Facts<'_>) {
    let plan = f.plan;
    let lang = s.lang;
    s.section("PostgreSQL parameters", "PostgreSQL 설정");
    let how = match (SettingsMethod::for_platform(&plan.platform), lang) {
        (SettingsMethod::ServiceApi, crate::Lang::En) => {
            "Azure sets server parameters through its configurations API (no ALTER SYSTEM); the third column is the value in Azure's units, as the Azure backend sends it."
        }
        (SettingsMethod::ServiceApi, crate::Lang::Ko) => {
            "Azure에서는 서버 파라미터를 구성 API로 설정합니다 (ALTER SYSTEM 불가). 세 번째 열은 Azure 백엔드가 보내는 Azure 단위의 값입니다."
        }
        (SettingsMethod::ConfigFile, crate::Lang::En) => {
            "The values are written to postgresql.conf (a ConfigMap on Kubernetes), each with the reason as a comment."
        }
        (SettingsMethod::ConfigFile, crate::Lang::Ko) => {
            "값은 postgresql.conf(Kubernetes에서는 ConfigMap)에 근거 주석과 함께 기록됩니다."
        }
        (SettingsMethod::AlterSystem, crate::Lang::En) => {
            "The values are set with ALTER SYSTEM (settings.sql, or pgplan apply); those marked restart take effect after a restart."
        }
        (SettingsMethod::AlterSystem, crate::Lang::Ko) => {
            "값은 ALTER SYSTEM으로 설정합니다 (settings.sql 또는 pgplan apply). 재시작 표시가 있는 항목은 재시작 후 적용됩니다."
        }
    };
    let how = match (&plan.platform, &plan.topology.patroni, lang) {
        (Platform::Local(_), Some(_), crate::Lang::En) => {
            "Patroni writes them (patroni/<member>.yml): the ones every member must share go to the cluster's configuration in etcd (bootstrap.dcs), the rest to each member; pgplan up changes them on a running cluster through Patroni's REST API and restarts members one at a time where a parameter needs it."
        }
        (Platform::Local(_), Some(_), crate::Lang::Ko) => {
            "Patroni가 설정합니다 (patroni/<멤버>.yml). 모든 멤버가 같아야 하는 값은 etcd의 클러스터 설정(bootstrap.dcs)에, 나머지는 각 멤버에 기록됩니다. 실행 중인 클러스터는 pgplan up이 Patroni REST API로 변경하고, 재시작이 필요한 파라미터는 멤버를 하나씩 재시작합니다."
        }
        (Platform::Local(_), None, crate::Lang::En) => {
            "pgplan up writes them to postgresql.conf in the data directory, each with the reason as a comment, then reloads the server or restarts it where a parameter needs it."
        }
        (Platform::Local(_), None, crate::Lang::Ko) => {
            "pgplan up이 데이터 디렉터리의 postgresql.conf에 근거 주석과 함께 기록하고, 서버를 리로드하거나 필요한 경우 재시작합니다."
        }
        _ => how,
    };
    s.w.paragraph(&text(how));
    let azure = matches!(plan.platform, Platform::Azure(_));
    let mut headers = vec![s.pick("Parameter", "설정 항목"), s.pick("Value", "값")];
    if azure {
        headers.push(s.pick("Sent to Azure as", "Azure 전송 값"));
    }
    headers.push(s.pick("Restart", "재시작"));
    headers.push(s.pick("Why", "근거"));
    let mut t = Table::new(headers);
    let settings = f.settings;
    for setting in settings.iter() {
        let spec = settings.spec(&setting.name);
        let mut row = vec![
            Cell::Code(setting.name.clone()),
            Cell::Code(setting.value.clone()),
        ];
        if azure {
            let name = setting.name.as_str();
            row.push(
                if let Some(property) = azure_facts::server_property_for(name) {
                    Cell::Text(format!(
                        "{} {property}",
                        s.pick("server property", "서버 속성")
                    ))
                } else if azure_facts::managed_parameter(name).is_some() {
                    Cell::Text(s.pick("managed by Azure", "Azure 관리 항목").into())
                } else {
                    Cell::Code(azure_facts::configuration_value(spec, name, &setting.value))
                },
            );
        }
        row.push(Cell::Text(
            if spec.is_some_and(|p| p.needs_restart()) {
                s.pick("restart", "필요")
            } else {
                ""
            }
            .into(),
        ));
        row.push(Cell::Text(Facts::why(setting, lang)));
        t.row(row);
    }
    s.w.table(&t);
    let budget = match (f.max_connections, lang) {
        (Some(max), crate::Lang::En) => format!(
            "Memory at peak: shared_buffers {} + max_connections {max} × work_mem {} on {} of memory (rule PGP002 checks the whole budget).",
            value(f, "shared_buffers"),
            value(f, "work_mem"),
            plan.memory()
                .map_or_else(|| lang.not_set().into(), |m| m.human())
        ),
        (Some(max), crate::Lang::Ko) => format!(
            "최대 메모리: shared_buffers {} + max_connections {max} × work_mem {} (서버 메모리 {}, 규칙 PGP002가 전체 예산을 검사합니다).",
            value(f, "shared_buffers"),
            value(f, "work_mem"),
            plan.memory()
                .map_or_else(|| lang.not_set().into(), |m| m.human())
        ),
        (None, _) => String::new(),
    };
    s.w.paragraph(&text(&budget));
    let owned: Vec<String> = runner::owned_parameters(plan)
        .map(|p| format!("{}: {}", code(p.name), text(p.reason)))
        .collect();
    if !owned.is_empty() {
        s.w.paragraph(&text(s.pick(
            "Set by pgplan's runner or Patroni on this machine, not by the plan (rule PGP203):",
            "계획이 아니라 pgplan 실행기 또는 Patroni가 이 머신에서 설정하는 항목 (규칙 PGP203):",
        )));
        s.w.bullets(owned);
    }
    for (i, replica) in plan.topology.replicas.iter().enumerate() {
        if replica.parameters.is_empty() {
            continue;
        }
        let items: Vec<String> = replica
            .parameters
            .iter()
            .map(|(k, v)| format!("{} = {}", code(k.as_str()), code(v.as_str())))
            .collect();
        s.w.paragraph(&format!(
            "{} {} ({}):",
            text(s.pick("Read replica", "읽기 복제본")),
            code(replica.name.as_str()),
            text(&format!("topology.replicas[{i}].parameters"))
        ));
        s.w.bullets(items);
    }
}

fn value(f: &Facts<'_>, name: &str) -> String {
    f.setting(name).map(|s| s.value).unwrap_or_default()
}
