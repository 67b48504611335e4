//! PGP115 kubernetes-cron-weekday: day of week 7 in a CronJob schedule.

use super::common::{backup_path, kubernetes};
use crate::model::backups::CronSchedule;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP115.
pub struct KubernetesCronWeekday;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP115",
    name: "kubernetes-cron-weekday",
    summary: "backup schedules on Kubernetes write Sunday as 0 or SUN, not 7",
    rationale: "Classic cron accepts 7 for Sunday, but Kubernetes CronJobs count the days of the week 0–6: the API server refuses a schedule that names day 7, so the backup CronJob is never created and no dump is taken.",
    examples: crate::rule_examples!("PGP115-kubernetes-cron-weekday"),
    replaces: &["PGP017"],
};

impl Rule for KubernetesCronWeekday {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        for (i, b) in cx.plan.backups.logical.iter().enumerate() {
            let Some(fixed) = sunday_as_zero(&b.schedule) else {
                continue;
            };
            let help = match fixed {
                Some(fixed) => format!("write Sunday as 0 or SUN: `{fixed}`"),
                None => "write Sunday as 0 or SUN".to_owned(),
            };
            out.error(
                backup_path(i, "schedule"),
                format!(
                    "`{}` names day 7 of the week; Kubernetes CronJobs count days 0–6 (Sunday is 0) and refuse the schedule",
                    b.schedule
                ),
                help,
            );
        }
    }
}

/// `None` when the day-of-week field never names day 7; else the schedule
/// with Sunday written as 0, when that is a plain rewrite (no step values).
fn sunday_as_zero(schedule: &CronSchedule) -> Option<Option<String>> {
    let fields: Vec<&str> = schedule.as_str().split_whitespace().collect();
    let dow = fields.get(4)?;
    let mut found = false;
    let mut plain = true;
    let mut items = Vec::new();
    for item in dow.split(',') {
        // A step (`*/7`, `1-7/2`) counts days; only the range names them.
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let (from, to) = range.split_once('-').unwrap_or((range, range));
        if from != "7" && to != "7" {
            items.push(item.to_owned());
            continue;
        }
        found = true;
        plain &= step.is_none();
        items.push(match (from, to) {
            ("7", "7") => "0".to_owned(),
            (from, _) if from != "7" => format!("{from}-6,0"),
            // `7-n`: Sunday, then Monday to n.
            (_, to) => format!("0,1-{to}"),
        });
    }
    if !found {
        return None;
    }
    if !plain {
        return Some(None);
    }
    let mut fixed: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    fixed[4] = items.join(",");
    Some(Some(fixed.join(" ")))
}
