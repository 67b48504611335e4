//! Parity findings: what one plan has and the other lacks.

use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::{Grant, Privilege, ValidPlan};

use super::super::Finding;
use crate::Lang;
use crate::document::environment_label;

pub(super) type GrantKey = (String, String, Option<String>, String, Option<String>);

pub(super) fn grants_of(p: &ValidPlan) -> BTreeMap<GrantKey, BTreeSet<Privilege>> {
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

pub(super) fn only_in(lang: Lang, left: bool, l: &ValidPlan, r: &ValidPlan) -> String {
    let p = if left { l } else { r };
    match lang {
        Lang::En => format!("only in {}", p.environment),
        Lang::Ko => format!("{}에만 있음", environment_label(p.environment, lang)),
    }
}

/// What one plan has and the other lacks.
pub(super) fn parity(l: &ValidPlan, r: &ValidPlan, lang: Lang) -> Vec<Finding> {
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

pub(super) fn databases_by_name(p: &ValidPlan) -> BTreeMap<String, &pgplan_core::Database> {
    p.databases
        .iter()
        .map(|d| (d.name.to_string(), d))
        .collect()
}

pub(super) fn roles_by_name(p: &ValidPlan) -> BTreeMap<String, &pgplan_core::Role> {
    p.roles.iter().map(|x| (x.name.to_string(), x)).collect()
}

pub(super) fn describe_role(r: &pgplan_core::Role) -> String {
    format!("{}{}", r.purpose, if r.login { ", login" } else { "" })
}
