//! The cost estimate and the validation report.

use pgplan_core::Severity;

use super::Sections;
use crate::cost::{self, Estimate, money};
use crate::facts::Facts;
use crate::markdown::{Cell, Table, Writer, code, prose, text};
use crate::{DocOptions, Lang, PriceTable};

pub(super) fn cost(s: &mut Sections, f: &Facts<'_>, opts: &DocOptions) {
    let prices = opts.prices.clone().unwrap_or_else(PriceTable::builtin);
    let estimate = cost::estimate(f.plan, &prices);
    s.section("Cost", "비용");
    estimate_markdown(&mut s.w, &estimate, s.lang);
}

/// An estimate as Markdown: the lines, the total, the reserved total, the
/// notes and where the prices come from.
pub(crate) fn estimate_markdown(w: &mut Writer, e: &Estimate, lang: Lang) {
    let mut t = Table::new([
        lang.pick("Item", "구성 요소"),
        lang.pick("Resource", "사양"),
        lang.pick("Quantity", "수량"),
        lang.pick("Unit price", "단가"),
        &format!(
            "{} ({})",
            lang.pick("Monthly", "월간 예상 비용"),
            e.currency
        ),
    ]);
    for l in &e.lines {
        t.row([
            Cell::Text(l.item.label(lang).into()),
            Cell::Text(l.resource.clone()),
            Cell::Text(format!("{} {}", trim_number(l.quantity), l.unit)),
            Cell::Text(trim_number(l.unit_price)),
            Cell::Text(money(l.monthly_cents)),
        ]);
    }
    t.row([
        Cell::Markdown(format!("**{}**", text(lang.pick("Total", "총합")))),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Markdown(format!("**{}**", text(&money(e.total_cents())))),
    ]);
    w.table(&t);
    let mut notes: Vec<String> = e.notes.iter().map(|n| text(&n.text(lang))).collect();
    if let Some(r) = e.reserved_cents {
        notes.push(text(&match lang {
            Lang::En => format!(
                "with compute reserved for one year: {} {} a month",
                money(r),
                e.currency
            ),
            Lang::Ko => format!("컴퓨팅 1년 예약 시 월 {} {}", money(r), e.currency),
        }));
    }
    notes.push(format!(
        "{} {}, {} {}: {}",
        text(lang.pick("prices of", "가격 기준일")),
        code(&e.price_date),
        text(lang.pick("region", "리전")),
        code(&e.price_region),
        text(&e.price_source)
    ));
    w.bullets(notes);
}

/// A number without trailing zeros (`730`, `0.396`, `256`).
pub(crate) fn trim_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_owned()
    }
}

pub(super) fn validation(s: &mut Sections, f: &Facts<'_>) {
    let report = f.plan.report();
    s.section("Validation report", "검증 결과");
    let lang = s.lang;
    let (warnings, infos) = (
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    s.w.paragraph(&prose(&match lang {
        Lang::En => format!(
            "The plan validates: no errors, {warnings} warning(s), {infos} note(s). `pgplan validate` shows each with the line it points at; `pgplan explain ID` explains a rule."
        ),
        Lang::Ko => format!(
            "계획 검증 통과: 오류 0건, 경고 {warnings}건, 참고 {infos}건. `pgplan validate`가 해당 줄과 함께 보여 주며 `pgplan explain ID`가 규칙을 설명합니다."
        ),
    }));
    if report.is_empty() {
        return;
    }
    let mut t = Table::new([
        lang.pick("Rule", "규칙"),
        lang.pick("Severity", "수준"),
        lang.pick("Field", "항목"),
        lang.pick("Finding", "내용"),
        lang.pick("Fix", "조치"),
    ]);
    for d in report.diagnostics() {
        t.row([
            Cell::Text(format!("{} {}", d.id(), d.rule.name)),
            Cell::Text(severity(d.severity, lang).into()),
            Cell::Code(d.path.to_string()),
            Cell::Prose(d.message.clone()),
            Cell::Prose(d.help.clone()),
        ]);
    }
    s.w.table(&t);
}

fn severity(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Error => lang.pick("error", "오류"),
        Severity::Warning => lang.pick("warning", "경고"),
        Severity::Info => lang.pick("note", "참고"),
    }
}
