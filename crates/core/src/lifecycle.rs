//! When each PostgreSQL major version stops being supported, and the
//! calendar date validation checks it against.
//!
//! The core reads no clock: validation takes the date as an input
//! ([`crate::validate::ValidateOptions`]). Without one it checks against
//! [`TABLE_CHECKED`], the day the table was last compared with its source, so
//! a library caller and the tests get the same report every day; the `pgplan`
//! command passes today's date (or `--as-of`).
//!
//! ```
//! use pgplan_core::lifecycle::{CalendarDate, end_of_life};
//! let eol = end_of_life(14).unwrap();
//! assert_eq!(eol.to_string(), "2026-11-12");
//! let day: CalendarDate = "2026-12-06".parse().unwrap();
//! assert!(day > eol);
//! assert_eq!(eol.days_until(day), 24);
//! ```

use std::fmt;
use std::str::FromStr;

/// Where [`END_OF_LIFE`] comes from.
pub const SOURCE: &str = "https://www.postgresql.org/support/versioning/";

/// The day [`END_OF_LIFE`] was last compared with [`SOURCE`]; validation
/// checks against it when no date is given.
pub const TABLE_CHECKED: CalendarDate = CalendarDate::new_unchecked(2026, 12, 6);

/// Each supported major version and its end of life: the date of its final
/// minor release, five years after its first (the PostgreSQL Global
/// Development Group's versioning policy, [`SOURCE`]). Azure Database for
/// PostgreSQL ends its standard support on the same dates for 15–18
/// (learn.microsoft.com, azure/postgresql/configure-maintain/concepts-version-policy).
pub const END_OF_LIFE: [(u16, CalendarDate); 5] = [
    (14, CalendarDate::new_unchecked(2026, 11, 12)),
    (15, CalendarDate::new_unchecked(2027, 11, 11)),
    (16, CalendarDate::new_unchecked(2028, 11, 9)),
    (17, CalendarDate::new_unchecked(2029, 11, 8)),
    (18, CalendarDate::new_unchecked(2030, 11, 14)),
];

/// The end of life of a major version, when the table knows it.
pub fn end_of_life(major: u16) -> Option<CalendarDate> {
    END_OF_LIFE
        .iter()
        .find(|(m, _)| *m == major)
        .map(|(_, d)| *d)
}

/// The oldest major version still supported on `day` ([`END_OF_LIFE`]).
pub fn oldest_supported(day: CalendarDate) -> Option<u16> {
    END_OF_LIFE
        .iter()
        .find(|(_, eol)| *eol >= day)
        .map(|(m, _)| *m)
}

/// A day of the Gregorian calendar, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl CalendarDate {
    /// A date that is known to exist (for constants).
    const fn new_unchecked(year: i32, month: u8, day: u8) -> Self {
        CalendarDate { year, month, day }
    }
    /// A date, when it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(CalendarDate { year, month, day })
    }
    /// The date `days` days after 1970-01-01 (negative: before), as a
    /// clock's seconds since the epoch / 86400 give it.
    pub fn from_days_since_epoch(days: i64) -> Self {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CalendarDate { year, month, day }
    }
    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let m = i64::from(self.month);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
    /// Days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: CalendarDate) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }
    /// The same day `months` months earlier (the month's last day when it
    /// is shorter).
    pub fn months_before(self, months: u32) -> Self {
        let total = i64::from(self.year) * 12 + i64::from(self.month) - 1 - i64::from(months);
        let year = total.div_euclid(12) as i32;
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        CalendarDate { year, month, day }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for CalendarDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a date: write YYYY-MM-DD (2026-12-06)");
        let mut parts = s.trim().split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(bad());
        };
        CalendarDate::new(y, m, d).ok_or_else(|| format!("{s} is not a day of the calendar"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::MajorVersion;

    #[test]
    fn every_supported_version_has_an_end_of_life() {
        for v in MajorVersion::MIN..=MajorVersion::MAX {
            assert!(end_of_life(v).is_some(), "PostgreSQL {v}");
        }
        // In release order, a year apart.
        for w in END_OF_LIFE.windows(2) {
            assert_eq!(w[0].0 + 1, w[1].0);
            assert!((360..=372).contains(&w[0].1.days_until(w[1].1)));
        }
    }

    #[test]
    fn dates_read_print_and_count_days() {
        let d: CalendarDate = "2026-11-12".parse().unwrap();
        assert_eq!(d.to_string(), "2026-11-12");
        assert_eq!(CalendarDate::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(
            CalendarDate::from_days_since_epoch(0).to_string(),
            "1970-01-01"
        );
        assert_eq!(
            "2024-02-29"
                .parse::<CalendarDate>()
                .unwrap()
                .days_since_epoch(),
            19_782
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-1",
            "26-01-01",
            "today",
            "",
        ] {
            assert!(bad.parse::<CalendarDate>().is_err(), "{bad}");
        }
        assert_eq!(d.months_before(6).to_string(), "2026-05-12");
        let end: CalendarDate = "2027-08-31".parse().unwrap();
        assert_eq!(end.months_before(6).to_string(), "2027-02-28");
        for days in [-800_000, -1, 0, 1, 20_000, 2_000_000] {
            let d = CalendarDate::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
        }
    }

    #[test]
    fn the_oldest_supported_version_moves_with_the_date() {
        let d = |s: &str| s.parse::<CalendarDate>().unwrap();
        assert_eq!(oldest_supported(d("2026-11-12")), Some(14));
        assert_eq!(oldest_supported(d("2026-11-13")), Some(15));
        assert_eq!(oldest_supported(d("2031-01-01")), None);
    }
}
