//! Cron schedules, read the way cron reads them: names, ranges, steps and
//! lists in every field, and the intervals between runs taken from the real
//! schedule over the calendar (month lengths, leap years, weekdays).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::units::Interval;

/// A five-field cron schedule (`0 2 * * *`), checked field by field, or one of
/// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
///
/// Each field takes numbers, names (`JAN`–`DEC`, `SUN`–`SAT`, any case),
/// ranges (`MON-FRI`, `1-12`), steps (`*/15`, `1-12/3`, `5/10` = `5-59/10`) and
/// lists of them (`MON,WED,FRI`). Sunday is 0 or 7. As in cron, a day matches
/// when the day of month *or* the day of week matches if both are
/// restricted, and the one restricted field decides otherwise.
///
/// ```
/// use pgplan_core::{CronSchedule, Interval};
/// let weekdays: CronSchedule = "0 1 * * MON-FRI".parse().unwrap();
/// assert_eq!(weekdays.shortest_gap(), Interval::days(1));
/// assert_eq!(weekdays.longest_gap(), Interval::days(3)); // Friday to Monday
/// let e = "0 25 * * *".parse::<CronSchedule>().unwrap_err();
/// assert!(e.to_string().contains("hour"));
/// assert!("0 0 30 2 *".parse::<CronSchedule>().is_err()); // never runs
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CronSchedule {
    text: String,
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    /// The day-of-month field is `*` (the day of week alone decides).
    any_day_of_month: bool,
    /// The day-of-week field is `*`.
    any_day_of_week: bool,
}

/// An invalid cron schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron schedule `{input}`: {reason}")]
pub struct CronError {
    /// The schedule.
    pub input: String,
    /// What is wrong.
    pub reason: String,
}

struct Field {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
}

const MONTH_NAMES: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        lo: 0,
        hi: 59,
        names: &[],
    },
    Field {
        name: "hour",
        lo: 0,
        hi: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        lo: 1,
        hi: 31,
        names: &[],
    },
    Field {
        name: "month",
        lo: 1,
        hi: 12,
        names: MONTH_NAMES,
    },
    Field {
        name: "day of week",
        lo: 0,
        hi: 7,
        names: DAY_NAMES,
    },
];

impl Field {
    /// A number or a name (`JAN` is 1, `SUN` is 0).
    fn value(&self, v: &str) -> Result<u32, String> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            // Month names start at 1, weekday names at 0.
            return Ok(i as u32 + if self.lo == 1 { 1 } else { 0 });
        }
        let n: u32 = v.parse().map_err(|_| {
            if self.names.is_empty() {
                format!("{} `{v}` is not a number", self.name)
            } else {
                format!(
                    "{} `{v}` is not a number or a name ({}–{})",
                    self.name,
                    self.names[0],
                    self.names[self.names.len() - 1]
                )
            }
        })?;
        if n < self.lo || n > self.hi {
            return Err(format!(
                "{} {n} is outside {}–{}",
                self.name, self.lo, self.hi
            ));
        }
        Ok(n)
    }

    /// The set of values a field selects, as bits.
    fn parse(&self, field: &str) -> Result<u64, String> {
        let mut bits = 0u64;
        for part in field.split(',') {
            if part.is_empty() {
                return Err(format!("{} has an empty list item", self.name));
            }
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    let n: u32 = s
                        .parse()
                        .map_err(|_| format!("{} step `{s}` is not a number", self.name))?;
                    if n == 0 {
                        return Err(format!("{} step cannot be 0", self.name));
                    }
                    (r, n)
                }
                None => (part, 1),
            };
            let (from, to) = if range == "*" {
                (self.lo, self.hi)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a)?, self.value(b)?);
                if a > b {
                    return Err(format!("{} range {a}-{b} runs backwards", self.name));
                }
                (a, b)
            } else {
                let a = self.value(range)?;
                // `5/10` is `5-max/10`, as in cronie and Kubernetes.
                (a, if step > 1 { self.hi } else { a })
            };
            let mut v = from;
            while v <= to {
                bits |= 1 << v;
                v += step;
            }
        }
        Ok(bits)
    }
}

/// The days the schedule is evaluated over: eight years from Monday
/// 2024-01-01, so that every month length, leap day and weekday comes round.
const SIMULATED_DAYS: i64 = 2922;
/// 2024-01-01 as days since 1970-01-01.
const FIRST_DAY: i64 = 19723;
const MINUTES_PER_DAY: u64 = 1440;

impl CronSchedule {
    /// Checks and wraps a schedule.
    pub fn new(s: impl Into<String>) -> Result<Self, CronError> {
        let s: String = s.into();
        let err = |reason: String| CronError {
            input: s.clone(),
            reason,
        };
        let trimmed = s.trim();
        if trimmed.starts_with('@') {
            let expanded = match trimmed {
                "@hourly" => "0 * * * *",
                "@daily" | "@midnight" => "0 0 * * *",
                "@weekly" => "0 0 * * 0",
                "@monthly" => "0 0 1 * *",
                "@yearly" | "@annually" => "0 0 1 1 *",
                _ => {
                    return Err(err(
                        "use @hourly, @daily, @weekly, @monthly or @yearly".into()
                    ));
                }
            };
            let mut schedule = Self::parse_fields(expanded).map_err(err)?;
            schedule.text = trimmed.to_owned();
            return Ok(schedule);
        }
        let schedule = Self::parse_fields(trimmed).map_err(err)?;
        if schedule.matching_days().next().is_none() {
            return Err(CronError {
                input: s.clone(),
                reason: format!(
                    "it never runs: day of month `{}` does not occur in month `{}`",
                    schedule.field(2),
                    schedule.field(3)
                ),
            });
        }
        Ok(schedule)
    }

    fn parse_fields(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            ));
        }
        let mut bits = [0u64; 5];
        for (i, (field, spec)) in fields.iter().zip(FIELDS.iter()).enumerate() {
            bits[i] = spec.parse(field)?;
        }
        // Sunday is 0 or 7.
        let mut days_of_week = bits[4];
        if days_of_week & (1 << 7) != 0 {
            days_of_week = (days_of_week & !(1 << 7)) | 1;
        }
        Ok(CronSchedule {
            text: fields.join(" "),
            minutes: bits[0],
            hours: bits[1] as u32,
            days_of_month: bits[2] as u32,
            months: bits[3] as u16,
            days_of_week: days_of_week as u8,
            any_day_of_month: fields[2] == "*",
            any_day_of_week: fields[4] == "*",
        })
    }

    /// The schedule text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// One of the five fields as written (`@` shorthands expanded).
    fn field(&self, i: usize) -> String {
        let expanded;
        let text = if self.text.starts_with('@') {
            expanded = format!(
                "{} {} {} {} {}",
                bits_text(self.minutes),
                bits_text(u64::from(self.hours)),
                bits_text(u64::from(self.days_of_month)),
                bits_text(u64::from(self.months)),
                bits_text(u64::from(self.days_of_week))
            );
            &expanded
        } else {
            &self.text
        };
        text.split_whitespace().nth(i).unwrap_or("*").to_owned()
    }

    /// True when the schedule runs on this civil date.
    fn runs_on(&self, month: u32, day: u32, weekday: u32) -> bool {
        if self.months & (1 << month) == 0 {
            return false;
        }
        let dom = self.days_of_month & (1 << day) != 0;
        let dow = self.days_of_week & (1 << weekday) != 0;
        match (self.any_day_of_month, self.any_day_of_week) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The simulated days (0 = 2024-01-01) the schedule runs on.
    fn matching_days(&self) -> impl Iterator<Item = i64> + '_ {
        (0..SIMULATED_DAYS).filter(move |d| {
            let (_, month, day) = civil_from_days(FIRST_DAY + d);
            // 1970-01-01 was a Thursday (4).
            let weekday = (FIRST_DAY + d + 4).rem_euclid(7) as u32;
            self.runs_on(month, day, weekday)
        })
    }

    /// Minutes of the day the schedule runs at, in order.
    fn times_of_day(&self) -> Vec<u64> {
        let mut times = Vec::new();
        for h in 0..24u64 {
            if self.hours & (1 << h) == 0 {
                continue;
            }
            for m in 0..60u64 {
                if self.minutes & (1 << m) != 0 {
                    times.push(h * 60 + m);
                }
            }
        }
        times
    }

    /// The shortest and longest time between two consecutive runs.
    fn gaps(&self) -> (Interval, Interval) {
        let times = self.times_of_day();
        let (first, last) = (times[0], times[times.len() - 1]);
        let mut shortest = u64::MAX;
        let mut longest = 0u64;
        for pair in times.windows(2) {
            shortest = shortest.min(pair[1] - pair[0]);
            longest = longest.max(pair[1] - pair[0]);
        }
        let days: Vec<i64> = self.matching_days().collect();
        for pair in days.windows(2) {
            let gap = (pair[1] - pair[0]) as u64 * MINUTES_PER_DAY + first - last;
            shortest = shortest.min(gap);
            longest = longest.max(gap);
        }
        if shortest == u64::MAX {
            // One run in eight years: as good as never again.
            shortest = SIMULATED_DAYS as u64 * MINUTES_PER_DAY;
            longest = shortest;
        }
        (Interval::minutes(shortest), Interval::minutes(longest))
    }

    /// The longest time between two runs: what a backup on this schedule can
    /// lose (`0 1 * * MON-FRI` → 3 days, from Friday to Monday).
    pub fn longest_gap(&self) -> Interval {
        self.gaps().1
    }

    /// The shortest time between two runs: how often it can run at most
    /// (`0 1 * * MON-FRI` → 1 day).
    pub fn shortest_gap(&self) -> Interval {
        self.gaps().0
    }

    /// The most runs that fall into any window of this length, both ends
    /// included: how many dumps a retention keeps at once (`0 2 * * *` and
    /// 7 days → 8).
    pub fn most_runs_within(&self, window: Interval) -> u64 {
        let window = window.as_millis() / 60_000;
        let times = self.times_of_day();
        let days: Vec<i64> = self.matching_days().collect();
        if days.len().saturating_mul(times.len()) > MOST_RUNS_SIMULATED {
            // Runs every few minutes: the bound by the shortest gap is
            // close enough and cheap.
            let gap = (self.shortest_gap().as_millis() / 60_000).max(1);
            return window / gap + 1;
        }
        let runs: Vec<u64> = days
            .iter()
            .flat_map(|d| {
                let day = *d as u64 * MINUTES_PER_DAY;
                times.iter().map(move |t| day + t)
            })
            .collect();
        let mut best = 0usize;
        let mut end = 0usize;
        for (start, at) in runs.iter().enumerate() {
            while end < runs.len() && runs[end] - at <= window {
                end += 1;
            }
            best = best.max(end - start);
        }
        best.max(1) as u64
    }
}

/// Above this many runs in the simulated years, [`CronSchedule::most_runs_within`]
/// estimates instead of counting.
const MOST_RUNS_SIMULATED: usize = 100_000;

/// A field's bits written back as a list (`1,15`), for `@` shorthands.
fn bits_text(bits: u64) -> String {
    let values: Vec<String> = (0..64)
        .filter(|b| bits & (1 << b) != 0)
        .map(|b: u32| b.to_string())
        .collect();
    values.join(",")
}

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for CronSchedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for CronSchedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

super::input::text_input!(CronSchedule);

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(s: &str) -> CronSchedule {
        CronSchedule::new(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fields_are_checked() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 JAN-JUN *",
            "30 3 * * MON-FRI",
            "@weekly",
            "0 3 * * 7",
            "0 3 * * mon,Wed,FRI",
            "5/10 * * * *",
            "0 0 29 2 *",
        ] {
            assert!(CronSchedule::new(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("0 2 * *", "expected 5 fields"),
            ("60 * * * *", "minute 60"),
            ("0 2 32 * *", "day of month 32"),
            ("0 2 * * FUNDAY", "not a number or a name (SUN–SAT)"),
            ("*/0 * * * *", "step cannot be 0"),
            ("0 5-2 * * *", "backwards"),
            ("0 0 * * FRI-MON", "backwards"),
            ("0 2 1,,2 * *", "empty list item"),
            ("@sometimes", "@hourly"),
            (
                "0 0 30 2 *",
                "never runs: day of month `30` does not occur in month `2`",
            ),
            ("0 0 31 APR,JUN *", "never runs"),
        ] {
            let e = CronSchedule::new(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn names_in_ranges_are_read_as_cron_reads_them() {
        // `MON-FRI` was read as one day a week: names in a range fell back to 0.
        let weekdays = cron("0 1 * * MON-FRI");
        assert_eq!(weekdays.shortest_gap(), Interval::days(1));
        assert_eq!(weekdays.longest_gap(), Interval::days(3));
        let numeric = cron("0 1 * * 1-5");
        assert_eq!(weekdays.days_of_week, numeric.days_of_week);
        assert_eq!(weekdays.days_of_week, 0b0011_1110);
        let mwf = cron("0 3 * * MON,WED,FRI");
        assert_eq!(mwf.shortest_gap(), Interval::days(2));
        assert_eq!(mwf.longest_gap(), Interval::days(3));
    }

    #[test]
    fn month_ranges_and_steps_follow_the_calendar() {
        // `1-12` in the month field is every month: daily, not 30 days apart.
        assert_eq!(cron("0 2 * 1-12 *").longest_gap(), Interval::days(1));
        // First of the month: 28 to 31 days apart.
        let monthly = cron("0 0 1 * *");
        assert_eq!(monthly.shortest_gap(), Interval::days(28));
        assert_eq!(monthly.longest_gap(), Interval::days(31));
        // Quarterly, by a step over months.
        let quarterly = cron("0 0 1 */3 *");
        assert_eq!(quarterly.shortest_gap(), Interval::days(90));
        assert_eq!(quarterly.longest_gap(), Interval::days(92));
        // A leap day comes every four years.
        assert_eq!(cron("0 0 29 2 *").longest_gap(), Interval::days(1461));
        // Every 15 minutes; 5/10 is 5, 15, …, 55.
        assert_eq!(cron("*/15 * * * *").longest_gap(), Interval::minutes(15));
        let from_five = cron("5/10 * * * *");
        assert_eq!(from_five.shortest_gap(), Interval::minutes(10));
        assert_eq!(from_five.longest_gap(), Interval::minutes(10));
        // Twice a day at uneven hours.
        let twice = cron("0 6,20 * * *");
        assert_eq!(twice.shortest_gap(), Interval::hours(10));
        assert_eq!(twice.longest_gap(), Interval::hours(14));
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_are_restricted() {
        // The 1st and every Monday.
        let either = cron("0 0 1 * MON");
        assert!(either.longest_gap() <= Interval::days(7));
        assert!(either.shortest_gap() < Interval::days(7));
        // Sunday as 7 and as 0 is the same day.
        assert_eq!(
            cron("0 3 * * 7").longest_gap(),
            cron("0 3 * * 0").longest_gap()
        );
        assert_eq!(cron("0 3 * * 0").longest_gap(), Interval::days(7));
    }

    #[test]
    fn shorthands_are_their_schedules() {
        assert_eq!(cron("@hourly").longest_gap(), Interval::hours(1));
        assert_eq!(cron("@daily").longest_gap(), Interval::days(1));
        assert_eq!(cron("@weekly").longest_gap(), Interval::days(7));
        assert_eq!(cron("@monthly").longest_gap(), Interval::days(31));
        assert_eq!(cron("@yearly").longest_gap(), Interval::days(366));
        assert_eq!(cron("@weekly").as_str(), "@weekly");
    }

    #[test]
    fn runs_within_a_window_count_both_ends() {
        assert_eq!(cron("0 2 * * *").most_runs_within(Interval::days(7)), 8);
        assert_eq!(cron("0 2 * * *").most_runs_within(Interval::hours(12)), 1);
        assert_eq!(cron("0 3 * * 0").most_runs_within(Interval::days(90)), 13);
        assert_eq!(
            cron("0 1 * * MON-FRI").most_runs_within(Interval::days(7)),
            6
        );
        assert_eq!(cron("0 * * * *").most_runs_within(Interval::days(1)), 25);
        assert_eq!(cron("*/15 * * * *").most_runs_within(Interval::hours(1)), 5);
    }

    #[test]
    fn text_is_kept_as_written_with_single_spaces() {
        let c = cron("  0  2 * *   MON-FRI ");
        assert_eq!(c.as_str(), "0 2 * * MON-FRI");
        assert_eq!(c.to_string(), "0 2 * * MON-FRI");
    }
}
