//! PGP093 end-of-life: the plan's major version is supported on the day the
//! plan is checked for ([`crate::lifecycle`]), and not within six months of
//! its end of life.

use crate::Platform;
use crate::azure_facts;
use crate::lifecycle;
use crate::model::plan::MajorVersion;
use crate::validate::{Context, Findings, Rule, RuleInfo, Severity};

/// PGP093.
pub struct EndOfLife;

/// Months before the end of life that the rule starts to warn.
const NOTICE_MONTHS: u32 = 6;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP093",
    name: "end-of-life",
    summary: "the PostgreSQL major version is not past its end of life, nor within six months of it, on the day the plan is checked for",
    rationale: "The PostgreSQL project supports a major version for five years; after its final minor release no bug or security fix is published for it (https://www.postgresql.org/support/versioning/), so a vulnerability found later stays open on the server. A major upgrade (pg_upgrade, or a dump and restore) needs testing and a maintenance window, which takes months to plan, hence the warning six months ahead. On Azure, standard support ends on the community's dates for 15–18; a server still on a version past it is enrolled in paid Extended Support (Microsoft moved the end of standard support of 11–13 to 2026-03-31, after the community's dates). The date comes from the caller: `pgplan` checks against today unless `--as-of YYYY-MM-DD` names a day; the library, when given none, against the day the table was last checked (lifecycle::TABLE_CHECKED). A production plan gets a warning, any other an info: the server still runs, and refusing the plan would stop pgplan from managing the very servers that must be upgraded.",
    examples: crate::rule_examples!("PGP093-end-of-life"),
    replaces: &[],
};

impl Rule for EndOfLife {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let version = cx.plan.version.get();
        let Some(eol) = lifecycle::end_of_life(version) else {
            return;
        };
        let today = cx.as_of;
        let notice = eol.months_before(NOTICE_MONTHS);
        if today < notice {
            return;
        }
        let severity = if cx.is_production() {
            Severity::Warning
        } else {
            Severity::Info
        };
        let days = today.days_until(eol);
        let message = if days < 0 {
            format!(
                "PostgreSQL {version} reached its end of life on {eol}, {} day(s) before {today}: it gets no more bug or security fixes{}",
                -days,
                azure_note(cx)
            )
        } else {
            format!(
                "PostgreSQL {version} reaches its end of life on {eol}, {days} day(s) after {today}: after that it gets no more bug or security fixes{}",
                azure_note(cx)
            )
        };
        out.report(severity, "version", message, upgrade_help(cx, version));
    }
}

fn azure_note(cx: &Context<'_>) -> &'static str {
    if matches!(cx.plan.platform, Platform::Azure(_)) {
        " (Azure ends its standard support then and moves the server to paid Extended Support)"
    } else {
        ""
    }
}

/// The upgrade path: the newest version the platform runs, and how.
fn upgrade_help(cx: &Context<'_>, version: u16) -> String {
    let (target, how) = match &cx.plan.platform {
        Platform::Azure(_) => (
            azure_facts::SUPPORTED_VERSIONS
                .iter()
                .copied()
                .max()
                .unwrap_or(MajorVersion::MAX),
            "Flexible Server upgrades in place (`az postgres flexible-server upgrade --version N`; take a backup and test on a restored copy first)",
        ),
        Platform::Kubernetes(_) => (
            MajorVersion::MAX,
            "with pg_upgrade on a copy of the data volume, or a dump and restore into a new server, with the image of the new version",
        ),
        Platform::Local(_) => (
            MajorVersion::MAX,
            "with pg_upgrade (a Patroni cluster: upgrade the primary, then rebuild the replicas from it)",
        ),
    };
    let target_eol = lifecycle::end_of_life(target)
        .map(|d| format!(", supported until {d}"))
        .unwrap_or_default();
    format!(
        "plan the major upgrade: set version: {target}{target_eol}; {how}; read the release notes of every version after {version}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;
    use crate::validate::{Context, Findings};

    fn run_on(plan: &crate::Plan, day: &str) -> Vec<crate::validate::Diagnostic> {
        let settings = plan.settings();
        let cx = Context {
            plan,
            settings: &settings,
            as_of: day.parse().unwrap(),
        };
        let mut out = Vec::new();
        EndOfLife.check(&cx, &mut Findings::new(&INFO, &mut out));
        out
    }

    fn plan_of(version: u16) -> crate::Plan {
        let mut plan = kubernetes_plan();
        plan.environment = crate::Environment::Production;
        plan.version = MajorVersion::new(version).unwrap();
        plan
    }

    #[test]
    fn a_version_past_its_end_of_life_is_reported() {
        let plan = plan_of(14);
        let d = run_on(&plan, "2026-12-06");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "version");
        assert_eq!(
            d[0].message,
            "PostgreSQL 14 reached its end of life on 2026-11-12, 24 day(s) before 2026-12-06: it gets no more bug or security fixes"
        );
        assert!(
            d[0].help
                .starts_with("plan the major upgrade: set version: 18, supported until 2030-11-14"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn six_months_ahead_it_warns_and_before_it_is_silent() {
        let plan = plan_of(15);
        assert!(run_on(&plan, "2027-05-10").is_empty());
        let d = run_on(&plan, "2027-05-11");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message
                .contains("reaches its end of life on 2027-11-11, 184 day(s) after 2027-05-11"),
            "{}",
            d[0].message
        );
        assert!(run_on(&plan_of(18), "2027-05-11").is_empty());
    }

    #[test]
    fn outside_production_it_is_an_info() {
        let mut plan = plan_of(14);
        plan.environment = crate::Environment::Development;
        let d = run_on(&plan, "2026-12-06");
        assert_eq!(d[0].severity, Severity::Info);
    }

    #[test]
    fn on_azure_it_names_extended_support() {
        let mut plan = azure_plan_with_clients(200, 5, 5);
        plan.version = MajorVersion::new(14).unwrap();
        let d = run_on(&plan, "2026-12-06");
        assert!(
            d[0].message.contains("paid Extended Support"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("az postgres flexible-server upgrade"),
            "{}",
            d[0].help
        );
    }
}
