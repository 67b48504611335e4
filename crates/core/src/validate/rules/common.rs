//! Helpers more than one topic's rules share.

use crate::model::units::Interval;

/// A duration for people: hours up to two days (`24h` rather than `1d`).
pub(crate) fn span(d: Interval) -> String {
    let hour = Interval::hours(1).as_millis();
    if d > Interval::ZERO && d <= Interval::days(2) && d.as_millis().is_multiple_of(hour) {
        format!("{}h", d.as_millis() / hour)
    } else {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_up_to_two_days() {
        assert_eq!(span(Interval::hours(24)), "24h");
        assert_eq!(span(Interval::hours(48)), "48h");
        assert_eq!(span(Interval::days(7)), "7d");
        assert_eq!(span(Interval::minutes(5)), "5min");
        assert_eq!(span(Interval::ZERO), Interval::ZERO.to_string());
    }
}
