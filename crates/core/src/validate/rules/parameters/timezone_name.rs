//! PGP094 timezone-name: `timezone` and `log_timezone` name a time zone
//! PostgreSQL knows ([`crate::catalog::values`]).

use super::plan_parameters;
use crate::catalog::values::{suggest_timezone, timezone};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP094.
pub struct TimezoneName;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP094",
    name: "timezone-name",
    summary: "timezone and log_timezone name a time zone of the tz database PostgreSQL ships (pg_timezone_names), an offset in hours or a POSIX time zone specification",
    rationale: "PostgreSQL reads these names from its own copy of the tz database, ignoring case. A name it does not have (Asia/Seol, America/Sao Paulo, a Windows name such as Pacific Standard Time) makes the server refuse to start when it is in postgresql.conf (invalid value for parameter \"TimeZone\"), and ALTER SYSTEM and Azure's configuration API reject it. Names come from the pg_timezone_names view of real servers of every supported version (catalog/timezones.tsv).",
    examples: crate::rule_examples!("PGP094-timezone-name"),
    replaces: &[],
};

/// Parameters whose value is a time zone.
const TIMEZONE_PARAMETERS: [&str; 2] = ["timezone", "log_timezone"];

/// A value PostgreSQL reads without the name table: hours east of UTC
/// (`-8`, `5.5`), or a POSIX specification (`UTC+3`, `<+0330>-3:30`,
/// `EST5EDT`), which always has a digit.
fn is_offset_or_posix(value: &str) -> bool {
    value.parse::<f64>().is_ok()
        || value.bytes().any(|b| b.is_ascii_digit())
        || value.to_ascii_lowercase().starts_with("interval")
}

impl Rule for TimezoneName {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, name, value) in plan_parameters(cx) {
            let lower = name.as_str().to_ascii_lowercase();
            if !TIMEZONE_PARAMETERS.contains(&lower.as_str()) {
                continue;
            }
            let v = value.as_str().trim();
            if v.is_empty() || timezone(v).is_some() || is_offset_or_posix(v) {
                continue;
            }
            let suggestions = suggest_timezone(v);
            let did_you_mean = match suggestions.as_slice() {
                [] => String::new(),
                [one] => format!("; did you mean {one}?"),
                many => format!("; did you mean one of {}?", many.join(", ")),
            };
            let fix = match suggestions.first() {
                Some(s) => format!("set {name} to {s}"),
                None => format!(
                    "set {name} to a tz database name (Europe/Berlin, America/New_York, UTC; SELECT name FROM pg_timezone_names lists them)"
                ),
            };
            out.error(
                path,
                format!(
                    "{name} = {v} is not a time zone PostgreSQL knows, and the server refuses to start with it{did_you_mean}"
                ),
                fix,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn an_unknown_zone_is_an_error_with_the_closest_name() {
        let mut plan = kubernetes_plan();
        set_parameters(
            &mut plan,
            &[("timezone", "Asia/Seol"), ("log_timezone", "utc")],
        );
        let d = run(&TimezoneName, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "tuning.parameters.timezone");
        assert!(
            d[0].message.contains("timezone = Asia/Seol is not a time zone PostgreSQL knows, and the server refuses to start with it; did you mean Asia/Seoul?"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].help, "set timezone to Asia/Seoul");
    }

    #[test]
    fn offsets_and_posix_specifications_pass() {
        let mut plan = kubernetes_plan();
        for value in [
            "-8",
            "5.5",
            "UTC+3",
            "<+0330>-3:30",
            "EST5EDT",
            "Europe/Berlin",
            "GMT",
        ] {
            set_parameters(&mut plan, &[("timezone", value)]);
            assert!(run(&TimezoneName, &plan).is_empty(), "{value}");
        }
        set_parameters(&mut plan, &[("timezone", "Pacific Standard Time")]);
        let d = run(&TimezoneName, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].help.contains("pg_timezone_names"), "{}", d[0].help);
    }
}
